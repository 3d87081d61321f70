/**
 * Which protobuf encoder to ship: our hand-written one (src/encode/protobuf.ts) against
 * protobufjs encoding the same sorted families from Prometheus' metrics.proto, with the text
 * writer as the yardstick and the OpenMetrics writer beside it (all one-shot writers: nothing
 * reused from an earlier scrape). Counters with two labels, and exp2 histograms of 16 buckets with
 * power-of-two bounds (so they also carry native buckets). protobufjs is timed with the
 * building of its message objects, which a scrape would pay too, and without it; ours with and
 * without the gathering (merge, sort, checks) that both need.
 *
 *   deno run -P=bench bench/protobuf.ts [series=100000] [runs=5]
 */

import protobuf from "protobufjs";
import {
  bucketPairs,
  type HistogramFamily,
  type HistogramSample,
  type MetricFamily,
  type ScalarFamily,
} from "../src/encode/model.ts";
import { encodeProtobuf, encodeSortedProtobuf, nativeOf } from "../src/encode/protobuf.ts";
import { encodeTextBytes, type SortedFamily, sortFamilies } from "../src/encode/text.ts";
import { openMetricsWriter } from "../src/encode/openmetrics.ts";
import { metricFamilyType } from "../tests/encode/proto_decode.ts";
import { summarize } from "./stats.ts";

const OPS = ["read", "write", "open", "close", "stat", "sync", "unknown:6", "unknown:7"];

function counters(n: number): ScalarFamily {
  const samples = [];
  for (let k = 0; k < n; k++) {
    const i = (k * 7919) % n; // a permutation (7919 is prime): unsorted, as maps hand it over
    samples.push({ labels: [String(i >>> 3), OPS[i & 7]!], value: (i * 7919) % 3_000_000 + 1 });
  }
  return {
    name: "ebpf_exporter_bench_ops_total",
    help: "Benchmark operations by id and kind",
    type: "counter",
    labelNames: ["id", "op"],
    samples,
  };
}

function histograms(n: number): HistogramFamily {
  const samples: HistogramSample[] = [];
  const les = Float64Array.from({ length: 16 }, (_, k) => 2 ** (k - 20));
  for (let i = 0; i < n; i++) {
    let cum = 0;
    const counts = new Float64Array(16);
    for (let k = 0; k < 16; k++) {
      cum += (i + k) % 3 === 0 ? 0 : (i * 31 + k * 7) % 50;
      counts[k] = cum;
    }
    samples.push({ labels: [String(i)], les, counts, at: 0, count: cum, sum: cum * 1e-4 });
  }
  return {
    name: "ebpf_exporter_bench_latency_seconds",
    help: "Benchmark latency by id",
    type: "histogram",
    labelNames: ["id"],
    samples,
    nativeSchema0: true,
  };
}

// The plain objects protobufjs encodes, built from the same sorted families.
function messages(sorted: SortedFamily[]): Record<string, unknown>[] {
  return sorted.map(({ family, samples, order, values }) => {
    const label = (labels: string[]) =>
      order.map((i) => ({ name: family.labelNames[i], value: labels[i] }));
    const metric = family.type === "histogram"
      ? (samples as HistogramSample[]).map((s) => {
        const n = family.nativeSchema0 ? nativeOf(s) : null;
        return {
          label: label(s.labels),
          histogram: {
            sample_count: s.count,
            sample_sum: s.sum,
            bucket: bucketPairs(s).map(([le, count]) => ({
              cumulative_count: count,
              upper_bound: le,
            })),
            ...(n === null ? {} : {
              schema: 0,
              zero_threshold: n.zeroThreshold,
              zero_count: n.zeroCount,
              positive_span: n.spans,
              positive_delta: n.deltas,
            }),
          },
        };
      })
      : samples.map((s, i) => ({
        label: label(s.labels),
        [family.type]: { value: (values as Float64Array)[i] },
      }));
    return { name: family.name, help: family.help, type: family.type.toUpperCase(), metric };
  });
}

function viaProtobufjs(
  families: readonly MetricFamily[],
  built?: Record<string, unknown>[],
): Uint8Array {
  const type = metricFamilyType();
  const writer = protobuf.Writer.create();
  for (const m of built ?? messages(sortFamilies(families))) {
    type.encodeDelimited(type.fromObject(m), writer);
  }
  return writer.finish();
}

function time(runs: number, f: () => Uint8Array): { median: number; min: number; bytes: number } {
  let bytes = f().length; // warm-up
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    bytes = f().length;
    t.push(performance.now() - t0);
  }
  const s = summarize(t);
  return { median: s.median, min: s.min, bytes };
}

if (import.meta.main) {
  const series = Number(Deno.args[0] ?? 100_000);
  const runs = Number(Deno.args[1] ?? 5);
  for (
    const [kind, families] of [
      ["counters", [counters(series)]],
      ["histograms", [histograms(Math.round(series / 16))]],
    ] as const
  ) {
    const sorted = sortFamilies(families);
    const built = messages(sorted);
    const same = encodeProtobuf(families).join() === viaProtobufjs(families).join();
    const rows = {
      "text 0.0.4": time(runs, () => encodeTextBytes(families)),
      "openmetrics 1.0.0": time(runs, () => openMetricsWriter({ keeps: false }).bytes(families)),
      "protobuf, ours": time(runs, () => encodeProtobuf(families)),
      "protobuf, ours (encode only)": time(runs, () => encodeSortedProtobuf(sorted)),
      "protobuf, protobufjs (objects + encode)": time(runs, () => viaProtobufjs(families)),
      "protobuf, protobufjs (encode only)": time(runs, () => viaProtobufjs(families, built)),
    };
    const n = kind === "counters" ? series : Math.round(series / 16);
    console.log(`${kind}: ${n} series, ${runs} runs; same bytes from both encoders: ${same}`);
    for (const [name, r] of Object.entries(rows)) {
      console.log(
        `  ${name.padEnd(42)} min ${r.min.toFixed(1)} ms  median ${r.median.toFixed(1)} ms  ` +
          `${r.bytes} bytes`,
      );
    }
  }
}
