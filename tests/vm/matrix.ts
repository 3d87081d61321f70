/**
 * `make test-kernels`: runs the kernel tests in a QEMU guest for each kernel of kernels.list and
 * prints a table, kernel × test → passed / failed / skipped, with the features each kernel had.
 * The host (`make test`'s own run, read from build/test-results/) is the first column.
 *
 *   deno run -A tests/vm/matrix.ts [--kernels 6.1,6.12] [--only FILE,...] [--jobs N] [--readme]
 *
 * Guests run --jobs at a time (default 1): emulated guests are CPU-bound, so side by side they
 * only share the host's cores, and the tests' wait bounds (stretched for TCG) assume a whole one.
 *
 * Results go to build/matrix/report.json and report.md; `--readme` rewrites README.md's kernel
 * support table from the report (without running anything). Exits 1 when any guest test failed.
 */

import { parseArgs } from "node:util";
import { permissionFlags } from "../../src/permissions.ts";
import { type CaseResult, parseJunit } from "./junit.ts";
import { type Column, renderMatrix, renderSupport, type Report } from "./report.ts";

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const OUT = `${ROOT}/build/matrix`;
const HOST = `${ROOT}/build/test-results`;
/**
 * Kernel test files not run in guests: packaging, benchmarks, and the HTTP and page layers (the
 * status page in a browser, socket activation, the kubelet's file layout), which no kernel
 * changes and which only slow an emulated guest down.
 */
const HOST_ONLY = new Set([
  "bench_test.ts",
  "binary_test.ts",
  "binary_privileges_test.ts",
  "binary_terminal_test.ts",
  "configmap_layout_test.ts",
  "socket_activation_test.ts",
  "status_page_test.ts",
]);
const PERMS = permissionFlags("test").join(" ");

function kernels(): string[] {
  return Deno.readTextFileSync(`${ROOT}/tests/vm/kernels.list`).split("\n")
    .filter((l) => l.trim() !== "" && !l.startsWith("#"))
    .map((l) => l.trim().split(/\s+/)[0]!);
}

function guestTestFiles(dir = "tests/kernel"): string[] {
  const files: string[] = [];
  for (const e of Deno.readDirSync(`${ROOT}/${dir}`)) {
    if (e.isDirectory) files.push(...guestTestFiles(`${dir}/${e.name}`));
    else if (e.name.endsWith("_test.ts") && !HOST_ONLY.has(e.name)) files.push(`${dir}/${e.name}`);
  }
  return files.sort();
}

function readOr<T>(path: string, parse: (s: string) => T, fallback: T): T {
  try {
    return parse(Deno.readTextFileSync(path));
  } catch {
    return fallback;
  }
}

type NoteRecord = { test: string; note?: string; file?: string };

function records(path: string): NoteRecord[] {
  return readOr(path, (s) => s.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l)), []);
}

/** The notes of a run: which path each test took. */
function notes(all: NoteRecord[]): Array<{ test: string; note: string }> {
  return all.flatMap((r) => (r.note === undefined ? [] : [{ test: r.test, note: r.note }]));
}

/**
 * The kernel tests of a report, each under its own file: deno files the tests registered through
 * the harness under harness.ts, so the file comes from the harness's records instead.
 */
function kernelCases(cases: CaseResult[], all: NoteRecord[]): CaseResult[] {
  const fileOf = new Map(all.flatMap((r) => (r.file === undefined ? [] : [[r.test, r.file]])));
  return cases.map((c) => ({ ...c, file: fileOf.get(c.name) ?? c.file }))
    .filter((c) => c.file.startsWith("./tests/kernel/"));
}

/** The host column, from the files `make test` leaves in build/test-results. */
function hostColumn(): Column | null {
  const xml = readOr(`${HOST}/host.xml`, (s) => s, null);
  if (xml === null) return null;
  const all = records(`${HOST}/host-notes.jsonl`);
  return {
    name: "host",
    features: readOr(`${HOST}/host-features.json`, JSON.parse, {}),
    cases: kernelCases(parseJunit(xml), all),
    notes: notes(all),
    status: "ran",
    seconds: null,
  };
}

async function guestColumn(series: string, files: string[]): Promise<Column> {
  const dir = `${OUT}/${series}`;
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(dir, { recursive: true });
  const deno = Deno.execPath();
  const cmd = [
    `${deno} run --no-check ${PERMS} tests/vm/features.ts > /run/vm-out/features.json`,
    `EBPF_EXPORTER_TEST_NOTES=/run/vm-out/notes.jsonl ${deno} test --no-check ${PERMS} ` +
    `--junit-path=/run/vm-out/junit.xml ${files.join(" ")}`,
  ].join("\n");
  const started = performance.now();
  const log = await Deno.open(`${dir}/run.log`, { write: true, create: true, truncate: true });
  const child = new Deno.Command(`${ROOT}/tests/vm/run-guest.sh`, {
    args: [series, cmd],
    env: { VM_OUT: dir },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Both streams go to one file: guests run side by side, so nothing interleaves on our output.
  const copy = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) {
      for (let off = 0; off < chunk.length;) off += await log.write(chunk.subarray(off));
    }
  };
  await Promise.all([copy(child.stdout), copy(child.stderr)]);
  log.close();
  const { code } = await child.status;
  const seconds = Math.round((performance.now() - started) / 1000);
  console.log(
    `=== kernel ${series}: guest ended with ${code} after ${seconds} s (log: ${dir}/run.log)`,
  );
  const tail = Deno.readTextFileSync(`${dir}/run.log`).trimEnd().split("\n");
  if (code !== 0) console.log(tail.slice(-60).join("\n"));
  const xml = readOr(`${dir}/junit.xml`, (s) => s, null);
  const all = records(`${dir}/notes.jsonl`);
  return {
    name: series,
    features: readOr(`${dir}/features.json`, JSON.parse, {}),
    cases: xml === null ? [] : kernelCases(parseJunit(xml), all),
    notes: notes(all),
    status: xml === null ? `guest failed (run-guest.sh exited ${code})` : "ran",
    // The failure list ends the output, where CI's excerpt of it is read.
    ...(xml === null ? { detail: tail.slice(-12).map((l) => `    ${l}`).join("\n") } : {}),
    seconds,
  };
}

/**
 * A guest's column. A guest that produced no results at all (it did not boot, or died before deno
 * test wrote its report) is booted once more; the column keeps the first attempt's reason and the
 * first log stays in build/matrix/SERIES.first/.
 */
async function guestColumnRetried(series: string, files: string[]): Promise<Column> {
  const first = await guestColumn(series, files);
  if (first.status === "ran") return first;
  const kept = `${OUT}/${series}.first`;
  await Deno.remove(kept, { recursive: true }).catch(() => {});
  await Deno.rename(`${OUT}/${series}`, kept);
  console.log(`=== kernel ${series}: no results (${first.status}); booting it once more`);
  const second = await guestColumn(series, files);
  return {
    ...second,
    retried: `${first.status} (log: ${kept}/run.log)\n${first.detail ?? ""}`,
    seconds: (first.seconds ?? 0) + (second.seconds ?? 0),
  };
}

function updateReadme(report: Report): void {
  const path = `${ROOT}/README.md`;
  const text = Deno.readTextFileSync(path);
  const begin = "<!-- kernel-support:begin -->";
  const end = "<!-- kernel-support:end -->";
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`README.md has no ${begin} … ${end} section`);
  const body = renderSupport(report);
  Deno.writeTextFileSync(path, `${text.slice(0, i + begin.length)}\n${body}\n${text.slice(j)}`);
  console.log(`README.md kernel support table updated from ${OUT}/report.json`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      kernels: { type: "string" },
      only: { type: "string" },
      readme: { type: "boolean", default: false },
      jobs: { type: "string" },
    },
  });
  if (values.readme) {
    updateReadme(JSON.parse(Deno.readTextFileSync(`${OUT}/report.json`)));
    return 0;
  }
  const series = values.kernels?.split(",") ?? kernels();
  const files = values.only?.split(",") ?? guestTestFiles();
  const columns: Column[] = [];
  const host = hostColumn();
  if (host !== null) columns.push(host);
  else {console.error(
      "No host results in build/test-results (run `make test` first): host column left out",
    );}
  const started = performance.now();
  const jobs = Math.max(1, Number(values.jobs ?? "1") || 1);
  const queue = [...series];
  const done = new Map<string, Column>();
  console.log(`Running ${files.length} test files in ${series.length} guests, ${jobs} at a time`);
  await Promise.all(Array.from({ length: jobs }, async () => {
    for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
      done.set(s, await guestColumnRetried(s, files));
    }
  }));
  for (const s of series) columns.push(done.get(s)!);
  const report: Report = {
    date: new Date().toISOString(),
    seconds: Math.round((performance.now() - started) / 1000),
    files,
    columns,
  };
  await Deno.mkdir(OUT, { recursive: true });
  Deno.writeTextFileSync(`${OUT}/report.json`, JSON.stringify(report, null, 2) + "\n");
  const { text, markdown, failed } = renderMatrix(report);
  Deno.writeTextFileSync(`${OUT}/report.md`, markdown);
  console.log(`\n${text}`);
  const guestCases = columns.filter((c) => c.name !== "host").flatMap((c) => c.cases);
  const count = (o: string) => guestCases.filter((c) => c.outcome === o).length;
  console.log(`Matrix: ${report.seconds} s for ${series.length} guest kernels; report in ${OUT}/`);
  // .ci/run adds these to make test's counts for its closing line.
  console.log(
    `guest tests: ${count("passed")} passed, ${count("failed")} failed, ${
      count("skipped")
    } skipped`,
  );
  return failed ? 1 : 0;
}

Deno.exit(await main());
