/**
 * Helpers for the single-binary tests: build ./ebpf_exporter once (make skips an up-to-date
 * binary), run it under `env -i` from an empty directory, and clean up whatever happens.
 */

import { ROOT, TIMEOUT_SCALE } from "./harness.ts";
import { kill, spawnPiped } from "./process.ts";

let built: Promise<string> | null = null;

/** Path of ./ebpf_exporter, built by `make build` on first use in this test file. */
export function buildBinary(): Promise<string> {
  return built ??= (async () => {
    const out = await new Deno.Command("make", {
      args: ["-s", "-C", ROOT, "build"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (out.code !== 0) {
      const dec = new TextDecoder();
      throw new Error(`make build failed:\n${dec.decode(out.stdout)}${dec.decode(out.stderr)}`);
    }
    return `${ROOT}/ebpf_exporter`;
  })();
}

/**
 * `env -i [ENV...] BIN --config.names timers` listening on port 0 of loopback, then `flags`:
 * the binary with nothing of the caller's environment but `env`.
 */
export function timersCommand(bin: string, flags: string[] = [], env: string[] = []): string[] {
  return [
    "env",
    "-i",
    ...env,
    bin,
    "--config.names",
    "timers",
    "--web.listen-address=127.0.0.1:0",
    ...flags,
  ];
}

/** A temporary directory removed (with everything in it) by the returned cleanup. */
export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = Deno.makeTempDirSync({ prefix });
  return {
    path,
    remove() {
      // Never recurse into a mount (a chroot's /proc or /sys) that is somehow still attached.
      const mounts = readProcFile("/proc/self/mountinfo").split("\n")
        .map((l) => l.split(" ")[4] ?? "")
        .filter((m) => m === path || m.startsWith(`${path}/`));
      for (const m of mounts.sort().reverse()) {
        new Deno.Command("umount", { args: ["-l", m] }).outputSync();
      }
      Deno.removeSync(path, { recursive: true });
    },
  };
}

/** Runs a command to completion with a deadline (a prompt would otherwise hang the test). */
export async function runWithin(
  command: string[],
  timeoutMs: number,
  opts: { cwd?: string } = {},
): Promise<{ code: number; out: string }> {
  // An open, empty stdin: a permission prompt would sit waiting on it until the deadline.
  const child = spawnPiped(command, "piped", opts.cwd);
  const timer = setTimeout(() => kill(child, "SIGKILL"), timeoutMs * TIMEOUT_SCALE);
  try {
    const out = await child.output();
    const dec = new TextDecoder();
    return { code: out.code, out: dec.decode(out.stdout) + dec.decode(out.stderr) };
  } finally {
    clearTimeout(timer);
  }
}

/** Sum of every sample of one metric in exposition text. */
export function metricSum(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) {
      sum += Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return sum;
}

/** A /proc or /sys file's text, read by `cat` (Deno's fs API refuses /proc without -A). */
export function readProcFile(path: string): string {
  const out = new Deno.Command("cat", { args: [path], stdout: "piped", stderr: "null" })
    .outputSync();
  return new TextDecoder().decode(out.stdout);
}

/** A field of /proc/<pid>/status (`CapEff`, `VmRSS`, ...). */
export function procStatus(pid: number | string, field: string): string | null {
  const text = readProcFile(`/proc/${pid}/status`);
  const m = new RegExp(`^${field}:\\s*(.*)$`, "m").exec(text);
  return m ? m[1]!.trim() : null;
}
