/**
 * Shared pieces of the example tests: running one example through the exporter, reading its
 * series, feature checks for the attach points the examples use, and private network namespaces.
 */

import assert from "node:assert/strict";
import { isReadable } from "../../../ffi/libc.ts";
import { missing } from "../probes.ts";
import {
  hasFeature,
  note,
  parseExposition,
  reportedProgramIds,
  ROOT,
  type Running,
  scrape,
  sh,
  waitProgramsGone,
  withExporter,
} from "../harness.ts";

/** Where the example configs and objects live. */
export const EXAMPLES = `${ROOT}/examples`;

/** One sample of a metric family: its labels and value. */
export interface Sample {
  labels: Record<string, string>;
  value: number;
}

function unescapeLabel(v: string): string {
  return v.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
}

/** The samples of metric `name` (an exact name, e.g. `..._bucket`) in exposition text. */
export function samples(text: string, name: string): Sample[] {
  const out: Sample[] = [];
  for (const [key, value] of parseExposition(text)) {
    if (key !== name && !key.startsWith(`${name}{`)) continue;
    const labels: Record<string, string> = {};
    for (const m of key.slice(name.length).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[m[1]!] = unescapeLabel(m[2]!);
    }
    out.push({ labels, value });
  }
  return out;
}

/** The value of the sample of `name` whose labels are exactly `labels`, or 0 when absent. */
export function valueOf(text: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels).sort();
  for (const s of samples(text, name)) {
    const have = Object.entries(s.labels).sort();
    if (JSON.stringify(have) === JSON.stringify(want)) return s.value;
  }
  return 0;
}

/** Scrapes /metrics of a running exporter. */
export function metrics(ex: Running): Promise<string> {
  return scrape(`${ex.url}/metrics`);
}

/**
 * Runs the exporter on example `name`: checks that every program of it attached, runs `body`,
 * checks that no key failed to decode, stops the exporter (exit 0) and waits until the programs
 * it reported are unloaded.
 */
export async function withExample<T>(name: string, body: (ex: Running) => Promise<T>): Promise<T> {
  let ids: number[] = [];
  const result = await withExporter(
    ["--config.dir", EXAMPLES, "--config.names", name],
    {},
    async (ex) => {
      const first = await metrics(ex);
      ids = reportedProgramIds(first);
      assert.ok(ids.length > 0, `no programs reported:\n${first}`);
      const m = parseExposition(first);
      for (const id of ids) {
        assert.equal(m.get(`ebpf_exporter_ebpf_program_attached{id="${id}"}`), 1, first);
      }
      const r = await body(ex);
      const last = parseExposition(await metrics(ex));
      assert.equal(last.get(`ebpf_exporter_decoder_errors_total{config="${name}"}`), 0);
      return r;
    },
  );
  await waitProgramsGone(ids);
  return result;
}

/**
 * The clear-error path of an example whose attach point this kernel lacks: the exporter still
 * starts, reports the program as not attached and logs why.
 */
export async function expectNotAttached(name: string, program: string): Promise<void> {
  let ids: number[] = [];
  await withExporter(["--config.dir", EXAMPLES, "--config.names", name], {}, async (ex) => {
    const text = await metrics(ex);
    ids = reportedProgramIds(text);
    const m = parseExposition(text);
    assert.ok(ids.length > 0, text);
    assert.ok(
      ids.some((id) => m.get(`ebpf_exporter_ebpf_program_attached{id="${id}"}`) === 0),
      text,
    );
    assert.match(
      ex.log(),
      new RegExp(`Failed to attach program "${program}" \\([^)]*\\) for config "${name}": \\S`),
    );
  });
  await waitProgramsGone(ids);
}

const TRACEFS = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"];

/**
 * Null when tracepoint `category/event` can be attached here (tracefs mounted and the event
 * exists), else the reason; notes the outcome either way.
 */
export async function tracepointMissing(category: string, event: string): Promise<string | null> {
  // hasFeature also leaves the matrix its "tracefs: present/missing" note.
  const why = !(await hasFeature("tracefs"))
    ? await missing("tracefs")
    : (TRACEFS.some((t) => isReadable(`${t}/events/${category}/${event}/format`))
      ? null
      : `this kernel has no tracepoint ${category}/${event}`);
  note(
    why === null
      ? `working path: tracepoint ${category}/${event} exists`
      : `clear-error path: ${why}`,
  );
  return why;
}

/** Runs a command inside network namespace `ns` and returns its output (fails on non-zero). */
export function inNetns(ns: string, cmd: string, args: string[]): Promise<string> {
  return sh("ip", ["netns", "exec", ns, cmd, ...args]);
}

/**
 * Creates a private network namespace with `lo` up, runs `body` in it and always deletes it
 * (which also ends every socket and device the test made there).
 */
export async function withNetns<T>(body: (ns: string) => Promise<T>): Promise<T> {
  const ns = `ebpfex-${Deno.pid}-${Math.floor(Math.random() * 1e6)}`;
  await sh("ip", ["netns", "add", ns]);
  try {
    await inNetns(ns, "ip", ["link", "set", "lo", "up"]);
    return await body(ns);
  } finally {
    await sh("ip", ["netns", "del", ns]).catch((e) => console.error(`cleanup: ${e}`));
  }
}

/**
 * Makes a temporary directory holding a symlink called `comm` to `target`: a program run through
 * it gets `comm` as its command name, which lets a test pick out its own events.
 */
export async function withNamedBinary<T>(
  comm: string,
  target: string,
  body: (path: string) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "ebpf-exporter-example-" });
  try {
    await Deno.symlink(target, `${dir}/${comm}`);
    return await body(`${dir}/${comm}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A short random lowercase suffix that keeps a test's names apart from anything else's. */
export function uniqueTag(): string {
  return Math.floor(Math.random() * 36 ** 6).toString(36).padStart(6, "0");
}
