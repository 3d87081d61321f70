/**
 * systemd socket activation (sd_listen_fds): the listening sockets systemd passes start at fd 3,
 * LISTEN_FDS says how many and LISTEN_PID which process they are meant for.
 */

/** The first file descriptor systemd passes. */
export const LISTEN_FDS_START = 3;

/** Socket activation was asked for but cannot be used; the message says why. */
export class ActivationError extends Error {
  override name = "ActivationError";
}

/** The environment socket activation reads. */
export interface ActivationEnv {
  listenFds: string | undefined;
  listenPid: string | undefined;
}

/**
 * The fd of activation listener `index` (fd://N), checked against LISTEN_FDS and LISTEN_PID the
 * way sd_listen_fds does: variables meant for another process (a parent that did not unset
 * them) are ignored, as if nothing was passed.
 */
export function activationFd(index: number, env: ActivationEnv, pid: number): number {
  const count = passedCount(env, pid);
  if (count <= index) {
    throw new ActivationError(
      count === 0
        ? "no listeners passed via activation (LISTEN_FDS/LISTEN_PID not set for this process)"
        : `fd://${index} asked for, but only ${count} listener(s) passed via activation`,
    );
  }
  return LISTEN_FDS_START + index;
}

function passedCount(env: ActivationEnv, pid: number): number {
  if (env.listenPid === undefined || env.listenFds === undefined) return 0;
  if (!/^\d+$/.test(env.listenPid) || Number(env.listenPid) !== pid) return 0;
  if (!/^\d{1,4}$/.test(env.listenFds)) {
    throw new ActivationError(`LISTEN_FDS must be a count, got "${env.listenFds}"`);
  }
  return Number(env.listenFds);
}

/** Reads the activation variables and unsets them, so children do not take the sockets too. */
export function takeActivationEnv(): ActivationEnv {
  const env = { listenFds: Deno.env.get("LISTEN_FDS"), listenPid: Deno.env.get("LISTEN_PID") };
  for (const name of ["LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"]) Deno.env.delete(name);
  return env;
}
