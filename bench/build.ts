/**
 * Builds what the bench runs into build/bench: the BPF objects (clang, the Makefile's flags),
 * the C floor and the overhead loop (gcc -O2 against the bundled libbpf, rpath set), and a
 * config directory the exporter under test reads. Rebuilds only what is older than its sources.
 */

export const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
export const OUT = `${ROOT}/build/bench`;
const LIBBPF_DIR = `${ROOT}/build/libbpf`;
const BENCH = `${ROOT}/bench`;

/** Paths of everything the bench needs. */
export interface Artifacts {
  /** Config directory holding bench.yaml/.bpf.o and bench_hist.yaml/.bpf.o. */
  configDir: string;
  benchObject: string;
  floor: string;
  loop: string;
  overheadObject: string;
  /** Config directory holding usdt-span.yaml/.bpf.o (the example, built from examples/). */
  spanConfigDir: string;
  /** Directory holding the span driver as ebpf_exporter_span_demo (put it on the PATH). */
  spanBinDir: string;
}

function mtime(path: string): number {
  try {
    return Deno.statSync(path).mtime?.getTime() ?? 0;
  } catch {
    return 0;
  }
}

function stale(output: string, inputs: string[]): boolean {
  const out = mtime(output);
  return out === 0 || inputs.some((i) => mtime(i) > out);
}

async function run(cmd: string, args: string[]): Promise<void> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  } catch (e) {
    throw new Error(`Cannot run "${cmd}": ${(e as Error).message}`);
  }
  if (out.code !== 0) {
    const err = new TextDecoder().decode(out.stderr);
    throw new Error(`Cannot build with "${cmd} ${args.join(" ")}": exit ${out.code}\n${err}`);
  }
}

function bpfFlags(): string[] {
  const arch = Deno.build.arch === "aarch64" ? "arm64" : "x86";
  const triple = Deno.build.arch === "aarch64" ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
  return [
    "-g",
    "-O2",
    "-Wall",
    "-Werror",
    "-target",
    "bpf",
    `-D__TARGET_ARCH_${arch}`,
    "-I",
    `${ROOT}/include/${arch}`,
    "-I",
    `${ROOT}/bpf`,
    "-I",
    `${LIBBPF_DIR}/include`,
    "-idirafter",
    `/usr/include/${triple}`,
    "-idirafter",
    "/usr/include",
  ];
}

/** Builds (when stale) and returns the bench artifacts; throws with the compiler's output. */
export async function buildArtifacts(): Promise<Artifacts> {
  const lib = `${LIBBPF_DIR}/libbpf_bundle.so`;
  if (mtime(lib) === 0) throw new Error(`Cannot find "${lib}": run \`make libbpf\` first`);
  Deno.mkdirSync(`${OUT}/config`, { recursive: true });
  const a: Artifacts = {
    configDir: `${OUT}/config`,
    benchObject: `${OUT}/bench.bpf.o`,
    floor: `${OUT}/floor`,
    loop: `${OUT}/loop`,
    overheadObject: `${OUT}/overhead.bpf.o`,
    spanConfigDir: `${OUT}/spans/config`,
    spanBinDir: `${OUT}/spans/bin`,
  };
  const headers = [`${ROOT}/bpf/maps.bpf.h`, `${ROOT}/bpf/bits.bpf.h`];
  if (stale(a.benchObject, [`${BENCH}/bench.bpf.c`])) {
    await run("clang", [...bpfFlags(), "-c", `${BENCH}/bench.bpf.c`, "-o", a.benchObject]);
  }
  if (stale(a.floor, [`${BENCH}/floor.c`, lib])) {
    await run("gcc", [
      "-O2",
      "-Wall",
      "-I",
      `${LIBBPF_DIR}/include`,
      "-o",
      a.floor,
      `${BENCH}/floor.c`,
      lib,
      `-Wl,-rpath,${LIBBPF_DIR}`,
      "-lm",
    ]);
  }
  if (stale(a.loop, [`${BENCH}/overhead/loop.c`])) {
    await run("gcc", ["-O2", "-g", "-Wall", "-o", a.loop, `${BENCH}/overhead/loop.c`]);
  }
  if (stale(a.overheadObject, [`${BENCH}/overhead/overhead.bpf.c`, a.loop, ...headers])) {
    await run("clang", [
      ...bpfFlags(),
      `-DLOOP_BIN="${a.loop}"`,
      "-c",
      `${BENCH}/overhead/overhead.bpf.c`,
      "-o",
      a.overheadObject,
    ]);
  }
  await buildSpanArtifacts(a, headers);
  // The exporter finds NAME.bpf.o next to NAME.yaml: both configs use the one object.
  for (const name of ["bench", "bench_hist"]) {
    Deno.copyFileSync(`${BENCH}/${name}.yaml`, `${a.configDir}/${name}.yaml`);
    Deno.copyFileSync(a.benchObject, `${a.configDir}/${name}.bpf.o`);
  }
  return a;
}

// The span bench runs the shipped usdt-span example against a driver named like its test
// program, so the probes the example names are the driver's.
async function buildSpanArtifacts(a: Artifacts, headers: string[]): Promise<void> {
  Deno.mkdirSync(a.spanConfigDir, { recursive: true });
  Deno.mkdirSync(a.spanBinDir, { recursive: true });
  const driver = `${a.spanBinDir}/ebpf_exporter_span_demo`;
  if (stale(driver, [`${BENCH}/spans/driver.c`])) {
    await run("gcc", ["-O2", "-Wall", "-o", driver, `${BENCH}/spans/driver.c`]);
  }
  const source = `${ROOT}/examples/usdt-span.bpf.c`;
  const object = `${a.spanConfigDir}/usdt-span.bpf.o`;
  if (stale(object, [source, ...headers])) {
    await run("clang", [...bpfFlags(), "-c", source, "-o", object]);
  }
  Deno.copyFileSync(`${ROOT}/examples/usdt-span.yaml`, `${a.spanConfigDir}/usdt-span.yaml`);
}
