/**
 * Shared pieces of the kernel tests: the skip-or-fail gate, starting the exporter as a child
 * process, scraping it, and checking that the programs it reported are gone after it exits.
 */

import { isReadable } from "../../ffi/libc.ts";
import { permissionFlags } from "../../src/permissions.ts";
import { type Feature, missing } from "./probes.ts";

const REQUIRED = Deno.env.get("EBPF_EXPORTER_REQUIRE_KERNEL") === "1";
export const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
/**
 * Multiplies every wait bound of the harness: the kernel matrix sets it when its guests run under
 * emulation (TCG), where the same work takes several times longer than on the host.
 */
export const TIMEOUT_SCALE = Math.max(
  1,
  Number(Deno.env.get("EBPF_EXPORTER_TEST_TIMEOUT_SCALE") ?? "1") || 1,
);

function unavailableReason(): string | null {
  if (Deno.uid() !== 0) return "not running as root";
  if (!isReadable("/sys/kernel/btf/vmlinux")) return "no kernel BTF at /sys/kernel/btf/vmlinux";
  try {
    Deno.statSync(`${ROOT}/examples/timers.bpf.o`);
  } catch {
    return "examples are not built (run `make examples`)";
  }
  return null;
}

const reason = unavailableReason();

let currentTest = "";

/** Appends one JSON line to the file EBPF_EXPORTER_TEST_NOTES names, when it names one. */
function record(entry: Record<string, string>): void {
  const file = Deno.env.get("EBPF_EXPORTER_TEST_NOTES");
  if (file === undefined || file === "") return;
  Deno.writeTextFileSync(file, JSON.stringify(entry) + "\n", { append: true });
}

/**
 * Records how a test ran on this kernel (e.g. which path a feature probe chose) on stderr and,
 * when EBPF_EXPORTER_TEST_NOTES names a file, as a JSON line there for the kernel matrix.
 */
export function note(text: string): void {
  console.error(`NOTE ${currentTest}: ${text}`);
  record({ test: currentTest, note: text });
}

/**
 * The test file that called kernelTest, as deno names it (`./tests/kernel/attach_test.ts`):
 * deno's JUnit report files every test under the file that called Deno.test, this one.
 */
function callerFile(): string {
  const files = [...(new Error().stack ?? "").matchAll(/file:\/\/(\/[^\s)]+?):\d+:\d+/g)]
    .map((m) => decodeURIComponent(m[1]!));
  const caller = files.find((f) => !f.endsWith("/tests/kernel/harness.ts")) ?? "";
  return caller.startsWith(`${ROOT}/`) ? `./${caller.slice(ROOT.length + 1)}` : caller;
}

/**
 * Probes `feature` and notes which path the test takes: true when the kernel has it (test the
 * working path), false when not (test the clear-error path). The kernel matrix reads these notes
 * (`FEATURE: present` / `FEATURE: missing (why)`) to fill the README's kernel support table.
 */
export async function hasFeature(feature: Feature): Promise<boolean> {
  const gap = await missing(feature);
  note(gap === null ? `${feature}: present` : `${feature}: missing (${gap})`);
  return gap === null;
}

/** Registers a test that needs real BPF: skipped loudly without it, failing when required. */
export function kernelTest(name: string, fn: () => Promise<void> | void): void {
  const file = callerFile();
  if (reason !== null && !REQUIRED) {
    console.error(`SKIP kernel test "${name}": ${reason}`);
    Deno.test({ name, ignore: true, fn });
    return;
  }
  Deno.test({
    name,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: reason !== null
      ? () => {
        throw new Error(`Kernel test required (EBPF_EXPORTER_REQUIRE_KERNEL=1) but ${reason}`);
      }
      : () => {
        currentTest = name;
        record({ test: name, file });
        return fn();
      },
  });
}

/** A running exporter child process. */
export interface Running {
  child: Deno.ChildProcess;
  port: number;
  url: string;
  stderr(): string;
  /** Sends a signal and waits for exit; returns the exit code. */
  stop(signal?: Deno.Signal): Promise<number>;
}

const PERMS = permissionFlags("exporter");

/** Runs the exporter to completion (for flag and bad-input tests). */
export async function runExporter(
  args: string[],
  opts: { cwd?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...PERMS, `${ROOT}/main.ts`, "--log.no-timestamps", ...args],
    stdout: "piped",
    stderr: "piped",
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Starts the exporter on a free loopback port and waits until it listens. */
export async function startExporter(
  args: string[],
  opts: { cwd?: string; timeoutMs?: number } = {},
): Promise<Running> {
  const timeoutMs = (opts.timeoutMs ?? 30000) * TIMEOUT_SCALE;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      ...PERMS,
      `${ROOT}/main.ts`,
      "--log.no-timestamps",
      "--web.listen-address=127.0.0.1:0",
      ...args,
    ],
    stdout: "null",
    stderr: "piped",
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
  }).spawn();
  let log = "";
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      log += value;
    }
  })();
  const deadline = Date.now() + timeoutMs;
  let port = 0;
  while (Date.now() < deadline) {
    const m = /Listening on [^\s]*:(\d+)/.exec(log);
    if (m) {
      port = Number(m[1]);
      break;
    }
    const status = await Promise.race([
      child.status,
      new Promise<null>((r) => setTimeout(() => r(null), 50)),
    ]);
    if (status !== null) {
      await pump;
      throw new Error(`exporter exited with ${status.code} before listening:\n${log}`);
    }
  }
  if (port === 0) {
    child.kill("SIGKILL");
    await child.status;
    throw new Error(`exporter did not listen within ${timeoutMs} ms:\n${log}`);
  }
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    stderr: () => log,
    async stop(signal: Deno.Signal = "SIGTERM") {
      try {
        child.kill(signal);
      } catch { /* already gone */ }
      const status = await child.status;
      await pump;
      return status.code;
    },
  };
}

/**
 * Starts the exporter, runs `body` with it and always stops it. After a body that succeeded the
 * exporter must exit 0 on SIGTERM; a body that failed is rethrown with the exporter's log appended.
 * Assertions never run in a `finally`, so a stop failure cannot hide the body's own error.
 */
export async function withExporter<T>(
  args: string[],
  opts: { cwd?: string; timeoutMs?: number },
  body: (ex: Running) => Promise<T>,
): Promise<T> {
  const ex = await startExporter(args, opts);
  let result: T;
  try {
    result = await body(ex);
  } catch (e) {
    await stopWithin(ex);
    throw withLog(e, ex.stderr());
  }
  const code = await stopWithin(ex);
  if (code !== 0) {
    throw new Error(`exporter exited ${code} after SIGTERM, expected 0:\n${ex.stderr()}`);
  }
  return result;
}

/** SIGTERM, then SIGKILL if the exporter has not exited after 10 s (scaled); returns the code. */
async function stopWithin(ex: Running): Promise<number> {
  const timer = setTimeout(() => {
    try {
      ex.child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, 10000 * TIMEOUT_SCALE);
  try {
    return await ex.stop("SIGTERM");
  } finally {
    clearTimeout(timer);
  }
}

/** The same error with the exporter log added to its message and stack. */
function withLog(e: unknown, log: string): unknown {
  const tail = `\n--- exporter log ---\n${log}--- end of exporter log ---`;
  if (!(e instanceof Error)) return new Error(`${String(e)}${tail}`);
  e.message += tail;
  if (e.stack !== undefined) e.stack += tail;
  return e;
}

/**
 * Section names of an ELF64 little-endian object such as NAME.bpf.o, read from its section
 * header table: what a test needs to know which attach types an object's programs use.
 */
export function objectSections(path: string): string[] {
  const bytes = Deno.readFileSync(path);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint32(0) !== 0x7f454c46 || bytes[4] !== 2 || bytes[5] !== 1) {
    throw new Error(`"${path}" is not a little-endian ELF64 object`);
  }
  const shoff = Number(v.getBigUint64(0x28, true));
  const shentsize = v.getUint16(0x3a, true);
  const shnum = v.getUint16(0x3c, true);
  const strtab = Number(v.getBigUint64(shoff + v.getUint16(0x3e, true) * shentsize + 0x18, true));
  const names: string[] = [];
  for (let i = 0; i < shnum; i++) {
    const start = strtab + v.getUint32(shoff + i * shentsize, true);
    const end = bytes.indexOf(0, start);
    names.push(new TextDecoder().decode(bytes.subarray(start, end)));
  }
  return names;
}

/** Fetches a path and returns the body text, failing on a non-200 answer. */
export async function scrape(url: string): Promise<string> {
  const res = await fetch(url);
  const body = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url} -> ${res.status}: ${body}`);
  return body;
}

/** Parses exposition text into `name{labels}` → value. */
export function parseExposition(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const i = line.lastIndexOf(" ");
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

/** Program ids the exporter reported in ebpf_exporter_ebpf_program_info. */
export function reportedProgramIds(text: string): number[] {
  const ids: number[] = [];
  for (const m of text.matchAll(/^ebpf_exporter_ebpf_program_info\{[^}]*id="(\d+)"/gm)) {
    ids.push(Number(m[1]));
  }
  return ids;
}

/** Runs `bpftool -j ARGS` and parses its JSON answer. */
export async function bpftool<T>(args: string[]): Promise<T> {
  return JSON.parse(await sh("bpftool", ["-j", ...args])) as T;
}

/** Every BPF program loaded in the kernel right now. */
export function loadedPrograms(): Promise<Array<{ id: number; name?: string }>> {
  return bpftool(["prog", "list"]);
}

/**
 * Polls `cond` every `intervalMs` until it returns true, failing with `what` after `timeoutMs`.
 * Use it instead of a fixed sleep wherever a test waits for something to happen.
 */
export async function waitUntil(
  what: string,
  cond: () => boolean | Promise<boolean>,
  opts: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const timeoutMs = (opts.timeoutMs ?? 10000) * TIMEOUT_SCALE;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
}

/**
 * Waits until none of `ids` is loaded: the kernel frees a program after an RCU grace period, so
 * an id can still be listed for a moment after its last fd closed.
 */
export async function waitProgramsGone(ids: Iterable<number>, timeoutMs = 10000): Promise<void> {
  const want = [...ids];
  let left: number[] = want;
  await waitUntil(`programs ${want.join(", ")} to be freed`, async () => {
    const loaded = await loadedProgramIds();
    left = want.filter((id) => loaded.has(id));
    return left.length === 0;
  }, { timeoutMs, intervalMs: 100 }).catch((e) => {
    throw new Error(
      `program(s) ${left.join(", ")} still loaded after exit: ${(e as Error).message}`,
    );
  });
}

/** Ids of every BPF program loaded in the kernel right now. */
export async function loadedProgramIds(): Promise<Set<number>> {
  return new Set((await loadedPrograms()).map((p) => p.id));
}

function littleEndian(bytes: string[]): bigint {
  return bytes.reduceRight((acc, b) => (acc << 8n) | BigInt(parseInt(b, 16)), 0n);
}

/**
 * Entries (key → value as little-endian integers) of the map called `name` that program
 * `progId` uses; the kernel keeps only the first 15 bytes of map names.
 */
export async function programMapEntries(
  progId: number,
  name: string,
): Promise<Map<bigint, bigint>> {
  const prog = await bpftool<{ map_ids: number[] }>(["prog", "show", "id", String(progId)]);
  for (const id of prog.map_ids) {
    const info = await bpftool<{ name: string }>(["map", "show", "id", String(id)]);
    if (!name.startsWith(info.name)) continue;
    const entries = await bpftool<Array<{ key: string[]; value: string[] }>>([
      "map",
      "dump",
      "id",
      String(id),
    ]);
    return new Map(entries.map((e) => [littleEndian(e.key), littleEndian(e.value)]));
  }
  throw new Error(`map "${name}" not found among the maps of program ${progId}`);
}

/** Makes the kernel start timers: short sleeps in a child process. */
export async function causeTimers(n = 20): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setTimeout(r, 2));
  await new Deno.Command("sleep", { args: ["0.05"] }).output();
}

/** Runs a command and fails with its output when it exits non-zero. */
export async function sh(
  cmd: string,
  args: string[],
  opts: { cwd?: string } = {},
): Promise<string> {
  const out = await new Deno.Command(cmd, {
    args,
    stdout: "piped",
    stderr: "piped",
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (out.code !== 0) {
    throw new Error(
      `${cmd} ${args.join(" ")} exited ${out.code}: ${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return text;
}
