/**
 * Shared pieces of the kernel tests: the skip-or-fail gate, starting the exporter as a child
 * process, scraping it, and checking that the programs it reported are gone after it exits.
 */

import { isReadable } from "../../ffi/libc.ts";
import { permissionFlags } from "../../src/permissions.ts";
import { classifySection } from "../../src/sections.ts";
import { type Feature, missing } from "./probes.ts";
import { type Running, type StartOptions, withProcess } from "./process.ts";
import { waitUntil } from "./wait.ts";

export { type Running, startProcess, withProcess } from "./process.ts";
export { TIMEOUT_SCALE, waitUntil } from "./wait.ts";

const REQUIRED = Deno.env.get("EBPF_EXPORTER_REQUIRE_KERNEL") === "1";
export const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
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

/**
 * Registers a test that needs real BPF: skipped loudly without it, failing when required.
 * `opts.ignore` is why the test does not apply on this host (e.g. another architecture), or null.
 */
export function kernelTest(
  name: string,
  fn: () => Promise<void> | void,
  opts: { ignore?: string | null } = {},
): void {
  const file = callerFile();
  const skip = opts.ignore ?? (REQUIRED ? null : reason);
  if (skip !== null) {
    console.error(`SKIP kernel test "${name}": ${skip}`);
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

const PERMS = permissionFlags("exporter");

/** The command that runs the exporter from source with `args`, logging without timestamps. */
function sourceCommand(args: string[]): string[] {
  return [
    Deno.execPath(),
    "run",
    "--quiet",
    ...PERMS,
    `${ROOT}/main.ts`,
    "--log.no-timestamps",
    ...args,
  ];
}

/** Runs the exporter to completion (for flag and bad-input tests). */
export async function runExporter(
  args: string[],
  opts: { cwd?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const [cmd, ...rest] = sourceCommand(args);
  const out = await new Deno.Command(cmd!, {
    args: rest,
    stdout: "piped",
    stderr: "piped",
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/**
 * Starts the exporter from source, runs `body` with it and always stops it; see withRunning in
 * process.ts for how failures and the exit code are reported.
 */
export function withExporter<T>(
  args: string[],
  opts: StartOptions,
  body: (ex: Running) => Promise<T>,
): Promise<T> {
  return withProcess(sourceCommand(["--web.listen-address=127.0.0.1:0", ...args]), opts, body);
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

/**
 * Every example this kernel can load together: a kprobe or tracepoint that cannot attach is
 * only reported, but a trampoline program the kernel refuses fails its whole object's load, so
 * examples with fentry/fexit programs are left out (with a note) where fentry is missing.
 */
export async function loadableExamples(): Promise<string[]> {
  const all = [...Deno.readDirSync(`${ROOT}/examples`)]
    .filter((e) => e.name.endsWith(".yaml"))
    .map((e) => e.name.slice(0, -5))
    .sort();
  const needs = (n: string) =>
    objectSections(`${ROOT}/examples/${n}.bpf.o`).some((s) =>
      classifySection(s).feature === "trampoline"
    );
  const names = await hasFeature("fentry") ? all : all.filter((n) => !needs(n));
  const left = all.filter((n) => !names.includes(n));
  if (left.length > 0) note(`left out ${left.join(", ")}: they need fentry/fexit`);
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

/**
 * Waits until no program loaded since `before` whose name starts with one of `prefixes`
 * remains. A failed run reports no program ids, so new ids with a fixture's name stand in for
 * them (bpftool shows names cut to 15 characters); the kernel frees a program an RCU grace
 * period after its last reference, so a short-lived one may still be listed for a moment.
 */
export async function waitNewProgramsGone(before: Set<number>, prefixes: string[]): Promise<void> {
  let left: number[] = [];
  await waitUntil(`programs named ${prefixes.join(" or ")} to be freed`, async () => {
    left = (await loadedPrograms())
      .filter((p) => prefixes.some((x) => p.name?.startsWith(x)) && !before.has(p.id))
      .map((p) => p.id);
    return left.length === 0;
  }).catch((e) => {
    throw new Error(`program(s) ${left.join(", ")} left loaded: ${(e as Error).message}`);
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
