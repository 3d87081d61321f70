/**
 * Records one example's maps into its e2e fixture (tests/fixtures/e2e/NAME.json): loads the
 * example on this kernel (needs root), runs a small generic workload, reads each metric map,
 * keeps at most a handful of entries, and records the host tables its decoders read to
 * resolve them (kallsyms lines of the symbols seen, cgroup directories of the paths seen,
 * /proc/partitions, interfaces). Then regenerate the golden files (`deno task golden`).
 *
 *   deno run -P=test tests/e2e/record.ts NAME [--max N]
 *
 * Examples that cannot load here (kprobe, fentry: this host has neither) get hand-written
 * fixtures instead; their `source` says so.
 */

import { parseArgs } from "node:util";
import type { BpfMap } from "../../ffi/libbpf.ts";
import type { LabelConfig } from "../../src/config/types.ts";
import { systemHost } from "../../src/host/system.ts";
import { toHex } from "../../src/exporter/hex.ts";
import type { RecordedEntry, RecordedMapData } from "../../src/exporter/recorded_map.ts";
import type { HostTables } from "./host.ts";
import { exampleExporter, FIXTURES, type Recording } from "./pipeline.ts";

const DEFAULT_MAX_ENTRIES = 8;

// Something for most examples to see: processes, signals, syscalls, file and socket I/O.
const WORKLOAD = [
  "for i in 1 2 3; do /bin/true; done",
  "sleep 5 & kill -USR1 $! ; kill -TERM $! ; wait",
  "ls -l / > /dev/null; cat /proc/self/status > /dev/null",
  "dd if=/dev/zero of=/tmp/e2e-record bs=4k count=16 oflag=direct 2>/dev/null; sync; rm -f /tmp/e2e-record",
  "getent hosts localhost > /dev/null; getent ahosts example.invalid > /dev/null || true",
  "sleep 1",
];

async function runWorkload(): Promise<void> {
  for (const script of WORKLOAD) {
    await new Deno.Command("/bin/sh", { args: ["-c", script], stdout: "null", stderr: "null" })
      .output();
  }
}

/**
 * The entries of one map worth keeping: the first `max` in key byte order, or for a histogram
 * (`seriesBytes` = the key bytes before its bucket label) every bucket of its first two series,
 * so that they keep their sums and counts.
 */
function entriesOf(map: BpfMap, max: number, seriesBytes: number | null): RecordedEntry[] {
  const e = map.readAll();
  const out: RecordedEntry[] = [];
  for (let i = 0; i < e.count; i++) {
    const key = toHex(e.keys.subarray(i * map.keySize, (i + 1) * map.keySize));
    const base = i * e.valueStride;
    const slot = (c: number) =>
      toHex(e.values.subarray(base + c * e.slotSize, base + c * e.slotSize + map.valueSize));
    out.push(
      map.perCpu
        ? { key, values: Array.from({ length: e.slots }, (_, c) => slot(c)) }
        : { key, value: slot(0) },
    );
  }
  out.sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  if (seriesBytes === null) return out.slice(0, max);
  const series = [...new Set(out.map((e) => e.key.slice(0, 2 * seriesBytes)))].slice(0, 2);
  return out.filter((e) => series.includes(e.key.slice(0, 2 * seriesBytes)));
}

/** Key bytes before a histogram's bucket label (its last label). */
function bucketOffset(labels: LabelConfig[]): number {
  return labels.slice(0, -1).reduce((n, l) => n + l.size + l.padding, 0);
}

function hasDecoder(labels: LabelConfig[], name: string): number[] {
  return labels.flatMap((l, i) => l.decoders.some((d) => d.name === name) ? [i] : []);
}

/** Kallsyms lines of every symbol named in `names`. */
function kallsymsLines(names: Set<string>): string[] {
  const out: string[] = [];
  for (const line of Deno.readTextFileSync("/proc/kallsyms").split("\n")) {
    const name = line.split(/\s+/)[2];
    if (name !== undefined && names.has(name)) out.push(line);
  }
  return out;
}

/** Every directory from the root down to each cgroup path, with its id (inode). */
function cgroupTable(root: string, paths: Set<string>): Array<[string, number]> {
  const seen = new Map<string, number>();
  for (const full of paths) {
    if (!full.startsWith(root + "/")) continue;
    const parts = full.slice(root.length + 1).split("/");
    for (let i = 1; i <= parts.length; i++) {
      const rel = "/" + parts.slice(0, i).join("/");
      if (!seen.has(rel)) seen.set(rel, Number(Deno.statSync(root + rel).ino));
    }
  }
  return [...seen.entries()].sort((a, b) => a[0] < b[0] ? -1 : 1);
}

function interfaces(): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  for (const e of Deno.readDirSync("/sys/class/net")) {
    out.push([Number(Deno.readTextFileSync(`/sys/class/net/${e.name}/ifindex`)), e.name]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/** One metric's label configs and the labels this host decoded its kept keys to. */
interface Decoded {
  labels: LabelConfig[];
  rows: string[][];
}

/** The host tables the example's decoders need to resolve the kept keys as this host does. */
function hostTables(decoded: Decoded[], cgroupRoot: string): HostTables {
  const host: HostTables = {};
  const symbols = new Set<string>();
  const cgroups = new Set<string>();
  for (const { labels, rows } of decoded) {
    for (const r of rows) {
      for (const k of [...hasDecoder(labels, "ksym"), ...hasDecoder(labels, "kstack")]) {
        for (const s of (r[k] ?? "").split("\n")) symbols.add(s);
      }
      for (const k of hasDecoder(labels, "cgroup")) cgroups.add(r[k] ?? "");
    }
  }
  const all = decoded.flatMap((d) => d.labels);
  if (symbols.size > 0) host.kallsyms = kallsymsLines(symbols);
  if (cgroups.size > 0) host.cgroups = cgroupTable(cgroupRoot, cgroups);
  if (hasDecoder(all, "majorminor").length > 0) {
    host.partitions = Deno.readTextFileSync("/proc/partitions").trimEnd().split("\n");
  }
  if (hasDecoder(all, "ifname").length > 0) host.interfaces = interfaces();
  return host;
}

async function record(name: string, max: number): Promise<Recording> {
  const host = systemHost();
  const cgroupRoot = host.cgroupRoot;
  const exporter = exampleExporter(name, host);
  exporter.attachAll();
  try {
    const missed = exporter.missedAttachments();
    if (missed.length > 0) {
      throw new Error(
        `Cannot record "${name}" here: ${
          missed.join(", ")
        } did not attach; write its fixture by hand`,
      );
    }
    await runWorkload();
    const loaded = exporter.loaded[0]!;
    const maps: Record<string, RecordedMapData> = {};
    const decoded = new Map<string, Decoded>();
    const histograms = new Set(loaded.config.histograms.map((h) => h.name));
    for (const conf of [...loaded.config.counters, ...loaded.config.histograms]) {
      const map = loaded.maps.get(conf.name);
      if (map === undefined) continue;
      const series = histograms.has(conf.name) ? bucketOffset(conf.labels) : null;
      const entries = entriesOf(map, max, series);
      const { name: mapName, type, keySize, valueSize, maxEntries, perCpu } = map;
      maps[conf.name] = { name: mapName, type, keySize, valueSize, maxEntries, perCpu, entries };
      decoded.set(mapName, { labels: conf.labels, rows: [] });
    }
    // The labels this host decodes the kept keys to (a per-CPU row's key has the CPU appended).
    for (const dump of await exporter.dumpMaps()) {
      const d = decoded.get(dump.map);
      const kept = Object.values(maps).find((m) => m.name === dump.map)?.entries ?? [];
      for (const r of dump.rows) {
        const key = toHex(r.key);
        if (r.labels !== null && kept.some((e) => key.startsWith(e.key))) d?.rows.push(r.labels);
      }
    }
    const release = Deno.osRelease();
    return {
      example: name,
      source: `recorded by tests/e2e/record.ts on Linux ${release} (${Deno.build.arch})`,
      host: hostTables([...decoded.values()], cgroupRoot),
      maps,
    };
  } finally {
    exporter.close();
  }
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: { max: { type: "string" } },
  });
  const name = positionals[0];
  if (name === undefined) throw new Error("usage: record.ts NAME [--max N]");
  const recording = await record(name, Number(values.max ?? DEFAULT_MAX_ENTRIES));
  Deno.writeTextFileSync(`${FIXTURES}${name}.json`, JSON.stringify(recording, null, 2) + "\n");
  console.log(`wrote ${FIXTURES}${name}.json`);
}
