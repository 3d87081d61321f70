/**
 * Our text encoder alone against prom-client on the same series: counters with the bench's two
 * labels, and exp2 histograms (16 buckets, microseconds) built from the same observations.
 * Both sides start from state already in memory, fed in the same hash-like order; only rendering
 * the exposition (which for us includes sorting the series) is timed.
 */

import client from "prom-client";
import type {
  HistogramFamily,
  MetricFamily,
  ScalarFamily,
  ScalarSample,
  SeriesMemo,
} from "../src/encode/model.ts";
import { TextWriter } from "../src/encode/text.ts";
import { summarize, type Summary } from "./stats.ts";

const OPS = ["read", "write", "open", "close", "stat", "sync", "unknown:6", "unknown:7"];
const BOUNDS = Array.from({ length: 16 }, (_, i) => 2 ** i * 0.000001);
/** Observations per histogram series. */
const OBSERVATIONS = 4;

/** Times and bytes of one kind of family. */
export interface EncoderFigures {
  series: number;
  ours: Summary;
  promClient: Summary;
  oursBytes: number;
  promClientBytes: number;
  /** prom-client median / our median: how many times our throughput is prom-client's. */
  ratio: number;
  oursSeriesPerSec: number;
}

/**
 * 0..n-1 in a fixed pseudo-random order: series reach the encoder in a BPF hash map's order,
 * not sorted, and sorting them is part of the encoder's job.
 */
function hashOrder(n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let seed = 0x9e3779b9;
  for (let i = n - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    const j = seed % (i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

function counterData(n: number): { labels: [string, string]; value: number }[] {
  return hashOrder(n).map((i) => ({
    labels: [String(i >>> 3), OPS[i & 7]!],
    value: (Math.imul(i, 2654435761) >>> 0) % 3_000_000 + 1,
  }));
}

function observations(series: number): number[] {
  const out: number[] = [];
  for (let j = 0; j < OBSERVATIONS; j++) {
    out.push(((series * 7 + j * 13) % 40000) * 0.000001);
  }
  return out;
}

const utf8 = new TextEncoder();

/**
 * Our exposition as the server produces it: the 64 KiB chunks a response streams, never joined.
 * Returns the total byte count. `writer` is the exporter's long-lived writer (it reuses the
 * previous encode's order and prefixes); without one every run starts afresh.
 */
function ourBytes(families: MetricFamily[], writer = new TextWriter()): number {
  let n = 0;
  for (const chunk of writer.chunks(families)) n += chunk.length;
  return n;
}

/**
 * prom-client's exposition as the UTF-8 bytes a server sends: `registry.metrics()` returns a
 * string, which the HTTP layer must encode (Node does when writing it to the socket).
 */
async function promBytes(registry: client.Registry): Promise<number> {
  return utf8.encode(await registry.metrics()).length;
}

async function timeBoth(
  runs: number,
  ours: () => number,
  theirs: () => Promise<number>,
): Promise<{ ours: Summary; theirs: Summary; oursBytes: number; theirsBytes: number }> {
  let oursBytes = 0;
  let theirsBytes = 0;
  // One untimed run each warms the JIT; the runs then alternate so drift hits both.
  oursBytes = ours();
  theirsBytes = await theirs();
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t0 = performance.now();
    oursBytes = ours();
    a.push(performance.now() - t0);
    t0 = performance.now();
    theirsBytes = await theirs();
    b.push(performance.now() - t0);
  }
  return { ours: summarize(a), theirs: summarize(b), oursBytes, theirsBytes };
}

function figures(series: number, t: Awaited<ReturnType<typeof timeBoth>>): EncoderFigures {
  return {
    series,
    ours: t.ours,
    promClient: t.theirs,
    oursBytes: t.oursBytes,
    promClientBytes: t.theirsBytes,
    ratio: t.theirs.median / t.ours.median,
    oursSeriesPerSec: series / (t.ours.median / 1000),
  };
}

/** Counters: `series` series of `ebpf_exporter_bench_ops_total{id,op}`. */
export async function compareCounters(series: number, runs: number): Promise<EncoderFigures> {
  const data = counterData(series);
  const family: ScalarFamily = {
    name: "ebpf_exporter_bench_ops_total",
    help: "Benchmark operations by id and kind",
    type: "counter",
    labelNames: ["id", "op"],
    samples: data.map((d) => ({ labels: d.labels, value: d.value })),
  };
  const registry = new client.Registry();
  const counter = new client.Counter({
    name: family.name,
    help: family.help,
    labelNames: ["id", "op"],
    registers: [registry],
  });
  for (const d of data) counter.inc({ id: d.labels[0], op: d.labels[1] }, d.value);
  const t = await timeBoth(runs, () => ourBytes([family]), () => promBytes(registry));
  return figures(series, t);
}

/**
 * Counters as a scrape hands them over: the exporter's label sets are their own samples, reused
 * from scrape to scrape and carrying memos, so from the second run on the encoder reuses the
 * previous order and rendered line prefixes (what every scrape after the first does).
 */
export async function compareCountersSteady(
  series: number,
  runs: number,
): Promise<EncoderFigures> {
  const data = counterData(series);
  const family: ScalarFamily = {
    name: "ebpf_exporter_bench_ops_total",
    help: "Benchmark operations by id and kind",
    type: "counter",
    labelNames: ["id", "op"],
    samples: data.map((d) => {
      const sample: ScalarSample & { memo: SeriesMemo } = {
        labels: d.labels,
        value: d.value,
        memo: { rank: -1, epoch: -1, owner: null },
      };
      return sample;
    }),
    distinct: true,
  };
  const registry = new client.Registry();
  const counter = new client.Counter({
    name: family.name,
    help: family.help,
    labelNames: ["id", "op"],
    registers: [registry],
  });
  for (const d of data) counter.inc({ id: d.labels[0], op: d.labels[1] }, d.value);
  const writer = new TextWriter();
  const t = await timeBoth(runs, () => ourBytes([family], writer), () => promBytes(registry));
  return figures(series, t);
}

/** Histograms: `series` exp2 series of `ebpf_exporter_bench_latency_seconds{id}`. */
export async function compareHistograms(series: number, runs: number): Promise<EncoderFigures> {
  const registry = new client.Registry();
  const histogram = new client.Histogram({
    name: "ebpf_exporter_bench_latency_seconds",
    help: "Benchmark latency by id",
    labelNames: ["id"],
    buckets: BOUNDS,
    registers: [registry],
  });
  const family: HistogramFamily = {
    name: "ebpf_exporter_bench_latency_seconds",
    help: "Benchmark latency by id",
    type: "histogram",
    labelNames: ["id"],
    samples: [],
  };
  const les = Float64Array.from(BOUNDS);
  for (const s of hashOrder(series)) {
    const id = String(s);
    const counts = new Array<number>(BOUNDS.length).fill(0);
    let sum = 0;
    const obs = observations(s);
    for (const v of obs) {
      histogram.observe({ id }, v);
      sum += v;
      const b = BOUNDS.findIndex((le) => v <= le);
      if (b >= 0) counts[b]!++;
    }
    let cum = 0;
    // One bounds array for every series, as the fold hands them out.
    const cumulative = Float64Array.from(counts, (c) => cum += c);
    family.samples.push({ labels: [id], les, counts: cumulative, at: 0, count: obs.length, sum });
  }
  const t = await timeBoth(runs, () => ourBytes([family]), () => promBytes(registry));
  return figures(series, t);
}
