/**
 * Helpers for the single-binary tests: build ./ebpf_exporter once (make skips an up-to-date
 * binary), run it under `env -i` from an empty directory, and clean up whatever happens.
 */

import { ROOT, TIMEOUT_SCALE } from "./harness.ts";

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

/** A TCP port nobody listens on right now. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
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

/** A started binary: its pid, port and log, and a stop that never leaves it running. */
export interface RunningBinary {
  pid: number;
  port: number;
  url: string;
  log(): string;
  stop(): Promise<number>;
}

/**
 * Runs `command` (a command line that ends in the exporter, e.g. `env -i ./ebpf_exporter ...`)
 * and waits for "Listening on"; kills it and rethrows when it exits or stalls first.
 */
export async function startCommand(
  command: string[],
  port: number,
  opts: { cwd?: string; timeoutMs?: number } = {},
): Promise<RunningBinary> {
  const child = new Deno.Command(command[0]!, {
    args: command.slice(1),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
  }).spawn();
  let text = "";
  const pumps = [child.stdout, child.stderr].map(async (stream) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) text += chunk;
  });
  let stopped: Promise<number> | null = null;
  const stop = () =>
    stopped ??= (async () => {
      try {
        child.kill("SIGTERM");
      } catch { /* already exited */ }
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* already exited */ }
      }, 5000 * TIMEOUT_SCALE);
      const status = await child.status;
      clearTimeout(timer);
      await Promise.all(pumps);
      return status.code;
    })();
  const deadline = Date.now() + (opts.timeoutMs ?? 30000) * TIMEOUT_SCALE;
  const state: { exited: Deno.CommandStatus | null } = { exited: null };
  child.status.then((s) => state.exited = s);
  while (!/Listening on /.test(text)) {
    const exited = state.exited;
    if (exited !== null || Date.now() > deadline) {
      await stop();
      throw new Error(
        `${command.join(" ")} ${exited ? `exited ${exited.code}` : "did not listen"}:\n${text}`,
      );
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    pid: child.pid,
    port,
    url: `http://127.0.0.1:${port}`,
    log: () => text,
    stop,
  };
}

/** Runs a command to completion with a deadline (a prompt would otherwise hang the test). */
export async function runWithin(
  command: string[],
  timeoutMs: number,
  opts: { cwd?: string } = {},
): Promise<{ code: number; out: string }> {
  const child = new Deno.Command(command[0]!, {
    args: command.slice(1),
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
  }).spawn();
  // An open, empty stdin: a permission prompt would sit waiting on it until the deadline.
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* already exited */ }
  }, timeoutMs * TIMEOUT_SCALE);
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
