/** The private bpffs that pinning runs (the bench, big-map kernel tests) happen in. */

/**
 * `unshare` arguments that run `command` in a new mount namespace with a fresh bpffs on
 * /sys/fs/bpf: its pins never touch the host's and vanish with the namespace.
 */
export function privateBpffsArgs(command: string[]): string[] {
  const script = 'mount -t bpf bpf /sys/fs/bpf && exec "$@"';
  return ["--mount", "--propagation", "private", "sh", "-c", script, "sh", ...command];
}
