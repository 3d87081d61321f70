/** Histogram folding: random bucket rows fold into cumulative, consistent histograms. */

import assert from "node:assert/strict";
import fc from "fast-check";
import type { BucketType, HistogramConfig } from "../../src/config/types.ts";
import { bucketPairs, type HistogramSample, type ScalarSample } from "../../src/encode/model.ts";
import { foldHistogram, FoldMemo, parseBucketKey } from "../../src/exporter/histogram.ts";
import { aggregate } from "../../src/exporter/aggregate.ts";
import { check } from "./runs.ts";

function config(type: BucketType, min: number, max: number, keys: number[], m: number) {
  const label = (name: string) => ({
    name,
    size: 4,
    padding: 0,
    decoders: [],
    pos: { file: "p.yaml", line: 1, key: name },
  });
  const conf: HistogramConfig = {
    name: "h",
    help: "h",
    bucket_type: type,
    bucket_multiplier: m,
    bucket_min: min,
    bucket_max: max,
    bucket_keys: keys,
    labels: [label("kind"), label("bucket")],
    pos: { file: "p.yaml", line: 1, key: "h" },
  };
  return conf;
}

// A ranged layout (exp2, exp2zero, linear) or a fixed one, with a positive multiplier.
const layouts = fc.oneof(
  fc.record({
    type: fc.constantFrom<BucketType>("exp2", "exp2zero", "linear"),
    min: fc.integer({ min: 0, max: 8 }),
    span: fc.integer({ min: 1, max: 12 }),
    m: fc.constantFrom(1, 0.5, 1e-6, 3),
  }).map((l) => config(l.type, l.min, l.min + l.span, [], l.m)),
  fc.record({
    keys: fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 8 }),
    m: fc.constantFrom(1, 0.25, 7),
  }).map((l) => config("fixed", 0, 0, l.keys.sort((a, b) => a - b), l.m)),
);

/** Bucket indexes the layout counts, and the index of its sum slot. */
function slots(conf: HistogramConfig): { buckets: number[]; sumKey: number } {
  if (conf.bucket_type === "fixed") {
    return { buckets: conf.bucket_keys, sumKey: conf.bucket_keys.at(-1)! + 1 };
  }
  const buckets: number[] = [];
  for (let i = conf.bucket_min; i <= conf.bucket_max; i++) buckets.push(i);
  return { buckets, sumKey: conf.bucket_max + 1 };
}

// Rows of up to three series; bucket labels in and around the layout, counts below 2^32.
const cases = layouts.chain((conf) => {
  const { buckets, sumKey } = slots(conf);
  const bucket = fc.oneof(fc.constantFrom(...buckets, sumKey), fc.integer({ min: 0, max: 60 }));
  const row = fc.record({
    kind: fc.constantFrom("a", "b", "c"),
    bucket,
    value: fc.integer({ min: 0, max: 2 ** 32 }),
  });
  return fc.record({ conf: fc.constant(conf), rows: fc.array(row, { maxLength: 60 }) });
});

Deno.test("folded histograms are cumulative, +Inf is the total and the sum is kept", () => {
  check(
    fc.property(cases, ({ conf, rows }) => {
      const samples: ScalarSample[] = aggregate(
        rows.map((r) => ({ labels: [r.kind, String(r.bucket)], value: r.value })),
      );
      const folded = foldHistogram(samples, conf);
      const { buckets, sumKey } = slots(conf);
      const kinds = new Set(rows.map((r) => r.kind));
      assert.equal(folded.length, kinds.size);
      const m = conf.bucket_multiplier;
      for (const typedSample of folded) {
        const h = plain(typedSample);
        const mine = rows.filter((r) => r.kind === h.labels[0]);
        const inRange = mine.filter((r) => buckets.includes(r.bucket));
        const total = inRange.reduce((a, r) => a + r.value, 0);
        const sum = mine.filter((r) => r.bucket === sumKey).reduce((a, r) => a + r.value, 0);
        assert.equal(h.count, total, "+Inf counts every in-range row");
        assert.equal(h.sum, sum * m, "the sum slot times the multiplier");
        for (let i = 1; i < h.buckets.length; i++) {
          assert.ok(h.buckets[i - 1]!.le < h.buckets[i]!.le, "bounds rise");
          assert.ok(h.buckets[i - 1]!.count <= h.buckets[i]!.count, "counts are cumulative");
        }
        assert.equal(h.buckets.at(-1)?.count, h.count, "the last bound holds every row");
        // Each bound counts exactly the rows of buckets up to it.
        for (const b of h.buckets) {
          const upTo = inRange.filter((r) => bound(conf, r.bucket) <= b.le);
          assert.equal(b.count, upTo.reduce((a, r) => a + r.value, 0), `le=${b.le}`);
        }
      }
    }),
    400,
  );
});

/** A histogram sample with one object per bucket, as the fold made them before typed arrays. */
interface PlainHistogram {
  labels: string[];
  buckets: Array<{ le: number; count: number }>;
  count: number;
  sum: number;
}

function plain(h: HistogramSample): PlainHistogram {
  const buckets = bucketPairs(h).map(([le, count]) => ({ le, count }));
  return { labels: h.labels, buckets, count: h.count, sum: h.sum };
}

function bound(conf: HistogramConfig, i: number): number {
  const m = conf.bucket_multiplier;
  switch (conf.bucket_type) {
    case "exp2":
      return 2 ** i * m;
    case "exp2zero":
      return i === 0 ? 0 : 2 ** (i - 1) * m;
    default:
      return i * m;
  }
}

/**
 * The fold as it was written before counts moved into a Float64Array: a map of bucket index
 * to count per group, in first-seen group order. The typed fold must agree with it exactly.
 */
function mapFold(samples: ScalarSample[], conf: HistogramConfig): PlainHistogram[] {
  const n = conf.labels.length - 1;
  const groups = new Map<string, { labels: string[]; counts: Map<number, number> }>();
  for (const s of samples) {
    const bucket = parseBucketKey(s.labels[n]!);
    const key = JSON.stringify(s.labels.slice(0, n));
    let g = groups.get(key);
    if (g === undefined) groups.set(key, g = { labels: s.labels.slice(0, n), counts: new Map() });
    g.counts.set(bucket, (g.counts.get(bucket) ?? 0) + s.value);
  }
  const m = conf.bucket_multiplier === 0 ? 1 : conf.bucket_multiplier;
  const fixed = conf.bucket_type === "fixed";
  const keys = fixed ? [...new Set(conf.bucket_keys)].sort((a, b) => a - b) : [];
  for (let i = conf.bucket_min; !fixed && i <= conf.bucket_max; i++) keys.push(i);
  const sumKey = fixed ? conf.bucket_keys.at(-1)! + 1 : conf.bucket_max + 1;
  return [...groups.values()].map((g) => {
    let cum = 0;
    const byLe = new Map<number, number>();
    for (const k of keys) {
      cum += g.counts.get(k) ?? 0;
      byLe.set(bound({ ...conf, bucket_multiplier: m }, k), cum);
    }
    const buckets = [...byLe].sort((a, b) => a[0] - b[0]).map(([le, count]) => ({ le, count }));
    return { labels: g.labels, buckets, count: cum, sum: (g.counts.get(sumKey) ?? 0) * m };
  });
}

// Unsorted fixed keys (the sum slot can then be a bucket too), two group labels, fractional
// and negative values, and bucket labels that spell one index several ways.
const oddCases = fc.record({
  conf: fc.oneof(
    layouts,
    fc.uniqueArray(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 6 })
      .map((keys) => config("fixed", 0, 0, keys, 2)),
  ),
  rows: fc.array(
    fc.record({
      a: fc.constantFrom("x", "y"),
      b: fc.constantFrom("1", "22", ""),
      bucket: fc.integer({ min: 0, max: 20 }),
      spelling: fc.constantFrom((i: number) => String(i), (i: number) => "0x" + i.toString(16)),
      value: fc.oneof(fc.integer({ min: -5, max: 2 ** 40 }), fc.double({ noNaN: true })),
    }),
    { maxLength: 80 },
  ),
});

Deno.test("the typed fold equals a fold over per-group maps, bit for bit", () => {
  check(
    fc.property(oddCases, ({ conf, rows }) => {
      const three = { ...conf, labels: [conf.labels[0]!, conf.labels[0]!, conf.labels[1]!] };
      const samples = rows.map((r) => ({
        labels: [r.a, r.b, r.spelling(r.bucket)],
        value: r.value,
      }));
      assert.deepEqual(foldHistogram(samples, three).map(plain), mapFold(samples, three));
    }),
    400,
  );
});

// Scrapes over one pool of row objects: each keeps the last scrape's rows (refilled values),
// reorders them, swaps one for a fresh object, or refills the caller's array in place.
const scrapeRuns = fc.record({
  conf: layouts,
  pool: fc.array(
    fc.record({ kind: fc.constantFrom("a", "b", "c"), bucket: fc.integer({ min: 0, max: 20 }) }),
    { minLength: 1, maxLength: 30 },
  ),
  steps: fc.array(
    fc.record({
      how: fc.constantFrom("same", "same", "reorder", "swap", "refill", "drop"),
      pick: fc.nat(),
      values: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 30, maxLength: 30 }),
    }),
    { minLength: 1, maxLength: 6 },
  ),
});

Deno.test("a fold with the last fold's memo equals a fold from scratch, scrape after scrape", () => {
  check(
    fc.property(scrapeRuns, ({ conf, pool, steps }) => {
      const objects: ScalarSample[] = pool.map((p) => ({
        labels: [p.kind, String(p.bucket)],
        value: 0,
      }));
      const memo = new FoldMemo();
      let rows = objects.slice();
      for (const step of steps) {
        const i = step.pick % rows.length;
        if (step.how === "reorder") rows = [...rows.slice(i), ...rows.slice(0, i)];
        if (step.how === "swap") rows[i] = { labels: rows[i]!.labels.slice(), value: 0 };
        if (step.how === "refill") rows.splice(0, rows.length, ...rows.toReversed());
        if (step.how === "drop" && rows.length > 1) rows.splice(i, 1);
        rows.forEach((r, k) => r.value = step.values[k]!);
        const got = foldHistogram(rows, conf, memo).map(plain);
        assert.deepEqual(got, foldHistogram(rows, conf).map(plain), step.how);
      }
    }),
    300,
  );
});
