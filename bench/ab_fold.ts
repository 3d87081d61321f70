/**
 * A/B of the histogram fold and the kept text writer between two source trees, without a map:
 * 99,994 rows (5,882 series of 17 bucket keys, the bench histogram config's shape) are folded
 * and encoded scrape after scrape by each tree, in alternating rounds, and this process's CPU
 * time (utime + stime, 10 ms ticks) is charged to the side that ran. `ab.ts` measures the whole
 * scrape; this isolates the part a histogram adds to it.
 *
 * Usage: deno run -A --config deno.json bench/ab_fold.ts OTHER_TREE [ROUNDS]
 */

import type { HistogramConfig } from "../src/config/types.ts";
import type { MetricFamily, ScalarSample } from "../src/encode/model.ts";

/** CPU time of this process so far, in ms. */
function cpuMs(): number {
  const stat = new TextDecoder().decode(Deno.readFileSync("/proc/self/stat"));
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
}

interface Tree {
  name: string;
  writer: { chunks(families: MetricFamily[]): Iterable<Uint8Array> };
  fold: (rows: ScalarSample[]) => MetricFamily;
}

const SERIES = 5882;
const REPS = 20;

async function open(name: string, dir: string, conf: HistogramConfig): Promise<Tree> {
  const text = await import(`${dir}/src/encode/text.ts`);
  const hist = await import(`${dir}/src/exporter/histogram.ts`);
  // Trees before the fold memo have no FoldMemo; they fold from scratch every time.
  const memo = hist.FoldMemo === undefined ? null : new hist.FoldMemo();
  return {
    name,
    writer: new text.TextWriter(),
    fold: (rows) => ({
      name: "ebpf_exporter_bench_latency_seconds",
      help: "Benchmark latency by id",
      type: "histogram",
      labelNames: ["id"],
      samples: hist.foldHistogram(rows, conf, memo),
    }),
  };
}

function scrape(t: Tree, rows: ScalarSample[]): number {
  let bytes = 0;
  for (const c of t.writer.chunks([t.fold(rows)])) bytes += c.length;
  return bytes;
}

async function main([other, roundsArg]: string[]): Promise<void> {
  if (other === undefined) throw new Error("usage: bench/ab_fold.ts OTHER_TREE [ROUNDS]");
  const label = (name: string) => ({
    name,
    size: 4,
    padding: 0,
    decoders: [],
    pos: { file: "bench_hist.yaml", line: 1, key: name },
  });
  const conf: HistogramConfig = {
    name: "bench_latency_seconds",
    help: "Benchmark latency by id",
    bucket_type: "exp2",
    bucket_min: 0,
    bucket_max: 15,
    bucket_multiplier: 0.000001,
    bucket_keys: [],
    labels: [label("id"), label("bucket")],
    pos: { file: "bench_hist.yaml", line: 1, key: "bench_latency_seconds" },
  };
  // The same row objects every scrape, as interned label sets are; values change.
  const rows: ScalarSample[] = [];
  for (let s = 0; s < SERIES; s++) {
    const id = String((s * 7919) % 100003);
    for (let b = 0; b < 17; b++) rows.push({ labels: [id, String(b)], value: 0 });
  }
  const sides = [await open("other", other, conf), await open("this", Deno.cwd(), conf)];
  const fill = (round: number) => rows.forEach((r, i) => r.value = (i * 31 + round) % 1000);
  fill(0);
  const sizes = sides.map((t) => [scrape(t, rows), scrape(t, rows)]);
  if (String(sizes[0]) !== String(sizes[1])) throw new Error("The two trees write different sizes");
  const rounds = Number(roundsArg ?? 10);
  const cpu = new Map<string, number>();
  for (let r = 0; r < rounds; r++) {
    fill(r);
    // Alternate who goes first, so neither side always inherits the other's garbage.
    for (const t of r % 2 === 0 ? sides : sides.toReversed()) {
      const t0 = cpuMs();
      for (let i = 0; i < REPS; i++) scrape(t, rows);
      cpu.set(t.name, (cpu.get(t.name) ?? 0) + cpuMs() - t0);
    }
  }
  const per = (n: string) => ((cpu.get(n) ?? 0) / rounds / REPS).toFixed(1);
  console.log(
    `fold + kept-writer encode of ${SERIES} series, CPU ms: other ${per("other")}, this ${
      per("this")
    }`,
  );
}

if (import.meta.main) await main(Deno.args);
