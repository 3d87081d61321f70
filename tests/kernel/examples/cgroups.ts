/**
 * Private cgroup v2 groups for example tests: made under the cgroup2 mount with the controllers
 * a test needs, and always emptied and removed afterwards. Deno refuses its own file APIs under
 * /sys without --allow-all, so reads go through libc and changes through the shell.
 */

import { tryReadFileViaLibc } from "../../../ffi/libc.ts";
import { findCgroup2Root } from "../../../src/host/cgroups.ts";
import { sh, waitUntil } from "../harness.ts";

/** The text of a cgroup (or other /sys, /proc) file, or null when it cannot be read. */
export function readSysFile(path: string): string | null {
  const raw = tryReadFileViaLibc(path);
  return raw === null ? null : new TextDecoder().decode(raw);
}

function words(path: string): string[] | null {
  return readSysFile(path)?.split(/\s+/).filter((w) => w !== "") ?? null;
}

/** Writes `value` to a cgroup file (fails with the shell's message when the kernel refuses). */
export async function writeSysFile(path: string, value: string): Promise<void> {
  await sh("sh", ["-c", 'printf "%s" "$0" > "$1"', value, path]);
}

/**
 * Null when the cgroup v2 hierarchy offers every one of `controllers`, else why not (a hybrid
 * host keeps them on cgroup v1).
 */
export function controllersMissing(controllers: string[]): string | null {
  const root = findCgroup2Root();
  const have = words(`${root}/cgroup.controllers`);
  if (have === null) return `no cgroup v2 hierarchy at ${root}`;
  const lacking = controllers.filter((c) => !have.includes(c));
  return lacking.length === 0
    ? null
    : `cgroup v2 at ${root} does not offer the ${lacking.join(", ")} controller(s)`;
}

/** Ends every process of the cgroup at `path` and waits until it is empty. */
async function emptyCgroup(path: string): Promise<void> {
  for (const pid of words(`${path}/cgroup.procs`) ?? []) {
    try {
      Deno.kill(Number(pid), "SIGKILL");
    } catch { /* already gone */ }
  }
  await waitUntil(
    `cgroup ${path} to be empty`,
    () => (words(`${path}/cgroup.procs`) ?? []).length === 0,
  );
}

/**
 * Makes a child cgroup of the v2 root with `controllers` enabled for it, runs `body` with its
 * path, then kills what runs in it, removes it, and turns off at the root any controller this
 * call had to turn on.
 */
export async function withCgroup<T>(
  name: string,
  controllers: string[],
  body: (path: string) => Promise<T>,
): Promise<T> {
  const root = findCgroup2Root();
  const enabled = words(`${root}/cgroup.subtree_control`) ?? [];
  const added = controllers.filter((c) => !enabled.includes(c));
  try {
    for (const c of added) await writeSysFile(`${root}/cgroup.subtree_control`, `+${c}`);
    const path = `${root}/${name}`;
    await sh("mkdir", [path]);
    try {
      return await body(path);
    } finally {
      await emptyCgroup(path).catch((e) => console.error(`cleanup: ${e}`));
      await sh("rmdir", [path]).catch((e) => console.error(`cleanup: ${e}`));
    }
  } finally {
    for (const c of added) {
      // Refused while another cgroup uses the controller; then it stays on, which is harmless.
      await writeSysFile(`${root}/cgroup.subtree_control`, `-${c}`).catch(() => {});
    }
  }
}

/**
 * Starts `cmd args` inside the cgroup at `path`: a shell moves itself there, then execs the
 * command, so the command's first instruction already runs in the cgroup.
 */
export function spawnInCgroup(path: string, cmd: string, args: string[]): Deno.ChildProcess {
  return new Deno.Command("sh", {
    args: ["-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', path, cmd, ...args],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}
