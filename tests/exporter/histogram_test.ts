import assert from "node:assert/strict";
import type { BucketType, HistogramConfig } from "../../src/config/types.ts";
import { bucketPairs, type HistogramSample, type ScalarSample } from "../../src/encode/model.ts";
import { formatFloat } from "../../src/encode/float.ts";
import {
  foldHistogram,
  foldHistogramSliced,
  histogramSkipReason,
  parseBucketKey,
} from "../../src/exporter/histogram.ts";

function conf(
  bucket_type: BucketType,
  opts: Partial<Pick<HistogramConfig, "bucket_min" | "bucket_max" | "bucket_multiplier">> & {
    keys?: number[];
    labels?: string[];
  } = {},
): HistogramConfig {
  const pos = { file: "t.yaml", line: 1, key: "metrics.histograms[0]" };
  return {
    name: "h",
    help: "h",
    bucket_type,
    bucket_multiplier: opts.bucket_multiplier ?? 1,
    bucket_min: opts.bucket_min ?? 0,
    bucket_max: opts.bucket_max ?? 3,
    bucket_keys: opts.keys ?? [],
    labels: (opts.labels ?? ["bucket"]).map((name) => ({
      name,
      size: 8,
      padding: 0,
      decoders: [{ name: "uint", allow_unknown: false, pos }],
      pos,
    })),
    pos,
  };
}

/** Rows for a single series from a bucket → value map, optionally prefixed with labels. */
function rows(map: Record<string, number>, prefix: string[] = []): ScalarSample[] {
  return Object.entries(map).map(([k, value]) => ({ labels: [...prefix, k], value }));
}

function pairs(s: HistogramSample): Array<[number, number]> {
  return bucketPairs(s);
}

function buckets(s: HistogramSample): Array<{ le: number; count: number }> {
  return bucketPairs(s).map(([le, count]) => ({ le, count }));
}

Deno.test("exp2 histogram backfills missing buckets and ignores keys out of range", () => {
  const [h, ...rest] = foldHistogram(
    rows({ 0: 1, 1: 2, 3: 4, 4: 100, 9: 5 }),
    conf("exp2", { bucket_max: 3 }),
  );
  assert.equal(rest.length, 0);
  assert.ok(h);
  assert.deepEqual(pairs(h), [[1, 1], [2, 3], [4, 3], [8, 7]]);
  assert.equal(h.count, 7);
  assert.equal(h.sum, 100);
  assert.deepEqual(h.labels, []);
});

Deno.test("exp2 bounds with a 1e-6 multiplier format as Go does", () => {
  const [h] = foldHistogram(
    rows({ 0: 1 }),
    conf("exp2", { bucket_max: 2, bucket_multiplier: 0.000001 }),
  );
  assert.ok(h);
  assert.deepEqual(buckets(h).map((b) => formatFloat(b.le)), ["1e-06", "2e-06", "4e-06"]);
});

Deno.test("exp2zero starts with a zero bucket then powers of two", () => {
  const [h] = foldHistogram(rows({ 0: 3, 2: 1, 4: 9 }), conf("exp2zero", { bucket_max: 3 }));
  assert.ok(h);
  assert.deepEqual(pairs(h), [[0, 3], [1, 3], [2, 4], [4, 4]]);
  assert.equal(h.count, 4);
  assert.equal(h.sum, 9);
});

Deno.test("linear buckets step by the multiplier and scale the sum", () => {
  const [h] = foldHistogram(
    rows({ 0: 1, 1: 1, 2: 1, 3: 1, 4: 7 }),
    conf("linear", { bucket_max: 3, bucket_multiplier: 50 }),
  );
  assert.ok(h);
  assert.deepEqual(pairs(h), [[0, 1], [50, 2], [100, 3], [150, 4]]);
  assert.equal(h.count, 4);
  assert.equal(h.sum, 350);
});

Deno.test("fixed buckets follow the keys and take the sum after the last key", () => {
  const [h] = foldHistogram(
    rows({ 1: 2, 5: 3, 7: 9, 10: 1, 11: 40 }),
    conf("fixed", { keys: [1, 5, 10] }),
  );
  assert.ok(h);
  assert.deepEqual(pairs(h), [[1, 2], [5, 5], [10, 6]]);
  assert.equal(h.count, 6);
  assert.equal(h.sum, 40);
});

Deno.test("fixed keys listed out of order still give cumulative buckets", () => {
  const [h] = foldHistogram(
    rows({ 1: 2, 5: 3, 10: 1, 6: 40, 11: 99 }),
    conf("fixed", { keys: [10, 1, 5, 5] }),
  );
  assert.ok(h);
  assert.deepEqual(pairs(h), [[1, 2], [5, 5], [10, 6]]);
  // The sum slot follows the last listed key, as upstream does.
  assert.equal(h.sum, 40);
});

Deno.test("a series with bucket_min equal to bucket_max is skipped", () => {
  const c = conf("exp2", { bucket_min: 5, bucket_max: 5 });
  assert.deepEqual(foldHistogram(rows({ 5: 1, 6: 2 }), c), []);
  assert.equal(histogramSkipReason(c), "bucket_min and bucket_max are both 5");
});

Deno.test("fixed buckets without keys are skipped", () => {
  const c = conf("fixed", { keys: [] });
  assert.deepEqual(foldHistogram(rows({ 1: 1 }), c), []);
  assert.equal(histogramSkipReason(c), "bucket_keys is empty");
});

Deno.test("an unknown bucket type is skipped", () => {
  const c = conf("exp3" as BucketType);
  assert.deepEqual(foldHistogram(rows({ 1: 1 }), c), []);
  assert.equal(histogramSkipReason(c), 'unknown bucket type "exp3"');
});

Deno.test("a usable config has no skip reason", () => {
  assert.equal(histogramSkipReason(conf("exp2")), null);
  assert.equal(histogramSkipReason(conf("fixed", { keys: [1] })), null);
});

Deno.test("a zero multiplier means one", () => {
  const [h] = foldHistogram(
    rows({ 1: 1, 4: 6 }),
    conf("linear", { bucket_max: 3, bucket_multiplier: 0 }),
  );
  assert.ok(h);
  assert.deepEqual(buckets(h).map((b) => b.le), [0, 1, 2, 3]);
  assert.equal(h.sum, 6);
});

Deno.test("the sum is zero when the sum slot is absent", () => {
  const [h] = foldHistogram(rows({ 1: 1 }), conf("exp2", { bucket_multiplier: 2 }));
  assert.ok(h);
  assert.equal(h.sum, 0);
});

Deno.test("bucket_min above zero starts accumulating there", () => {
  const [h] = foldHistogram(
    rows({ 0: 100, 2: 1, 3: 2, 5: 4 }),
    conf("exp2", { bucket_min: 2, bucket_max: 4 }),
  );
  assert.ok(h);
  assert.deepEqual(pairs(h), [[4, 1], [8, 3], [16, 3]]);
  assert.equal(h.count, 3);
  assert.equal(h.sum, 4);
});

Deno.test("bucket_min above bucket_max gives an empty histogram with its sum", () => {
  const [h] = foldHistogram(rows({ 1: 5, 3: 7 }), conf("exp2", { bucket_min: 4, bucket_max: 2 }));
  assert.ok(h);
  assert.deepEqual(buckets(h), []);
  assert.equal(h.count, 0);
  assert.equal(h.sum, 7);
});

Deno.test("rows group by every label but the last", () => {
  const out = foldHistogram(
    [
      ...rows({ 0: 1, 1: 1 }, ["sda", "read"]),
      ...rows({ 1: 5 }, ["sda", "write"]),
      ...rows({ 0: 2 }, ["sdb", "read"]),
    ],
    conf("exp2", { bucket_max: 1, labels: ["device", "op", "bucket"] }),
  );
  assert.deepEqual(
    out.map((h) => [h.labels, pairs(h), h.count]),
    [
      [["sda", "read"], [[1, 1], [2, 2]], 2],
      [["sda", "write"], [[1, 0], [2, 5]], 5],
      [["sdb", "read"], [[1, 2], [2, 2]], 2],
    ],
  );
});

Deno.test("bucket label 0x10 parses as 16", () => {
  const [h] = foldHistogram(
    rows({ "0x10": 3, "0b1": 1 }),
    conf("linear", { bucket_min: 0, bucket_max: 16 }),
  );
  assert.ok(h);
  assert.equal(buckets(h)[16]?.count, 4);
  assert.equal(buckets(h)[15]?.count, 1);
});

Deno.test("bucket labels naming one index are summed", () => {
  const [h] = foldHistogram(
    rows({ "16": 3, "0x10": 4, "020": 5 }),
    conf("linear", {
      bucket_max: 16,
    }),
  );
  assert.ok(h);
  assert.equal(h.count, 12);
});

Deno.test("a bucket label that is not an unsigned integer fails the whole histogram", () => {
  assert.throws(
    () => foldHistogram(rows({ 1: 1, "read": 2 }), conf("exp2")),
    (e: unknown) =>
      e instanceof SyntaxError &&
      e.message === 'Cannot parse bucket label "read": not an unsigned integer',
  );
});

Deno.test("a histogram without labels cannot be folded", () => {
  assert.throws(
    () => foldHistogram([{ labels: [], value: 1 }], conf("exp2", { labels: [] })),
    /needs a bucket label/,
  );
});

Deno.test("no rows give no series", () => {
  assert.deepEqual(foldHistogram([], conf("exp2")), []);
});

Deno.test("bounds that overflow to Infinity collapse into one last bucket", () => {
  const [h] = foldHistogram(
    rows({ 1023: 1, 1024: 2, 1025: 4, 1026: 8 }),
    conf("exp2", { bucket_min: 1022, bucket_max: 1025 }),
  );
  assert.ok(h);
  assert.deepEqual(pairs(h), [[2 ** 1022, 0], [2 ** 1023, 1], [Infinity, 7]]);
  assert.equal(h.count, 7);
  assert.equal(h.sum, 8);
});

// Go strconv.ParseUint(s, 0, 64) results.
const PARSE_OK: Array<[string, number]> = [
  ["0", 0],
  ["7", 7],
  ["42", 42],
  ["00", 0],
  ["017", 15],
  ["0o17", 15],
  ["0O17", 15],
  ["0x1f", 31],
  ["0X1F", 31],
  ["0b101", 5],
  ["0B1", 1],
  ["1_000", 1000],
  ["0x_1f", 31],
  ["0_7", 7],
  ["0b1_0", 2],
  ["999999999999999", 999999999999999],
  ["18446744073709551615", 18446744073709551615],
  ["9007199254740993", 9007199254740992],
  ["0xffffffffffffffff", 18446744073709551615],
];

const PARSE_BAD = [
  "",
  "-1",
  "+1",
  " 1",
  "1 ",
  "1.5",
  "1e3",
  "08",
  "0x",
  "0b",
  "0o",
  "0x_",
  "0b2",
  "0o8",
  "0xg",
  "_1",
  "1_",
  "1__0",
  "0x1_",
  "abc",
  "１",
];

for (const [s, want] of PARSE_OK) {
  Deno.test(`bucket label "${s}" parses as ${want}`, () => {
    assert.equal(parseBucketKey(s), want);
  });
}

for (const s of PARSE_BAD) {
  Deno.test(`bucket label "${s}" is rejected`, () => {
    assert.throws(() => parseBucketKey(s), SyntaxError);
  });
}

Deno.test("bucket labels beyond uint64 are out of range", () => {
  assert.throws(() => parseBucketKey("18446744073709551616"), RangeError);
  assert.throws(() => parseBucketKey("0x10000000000000000"), RangeError);
});

// mulberry32: a tiny seeded PRNG so failures are reproducible.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("random maps and configs always give cumulative histograms ending at the count", () => {
  const rand = prng(20260601);
  const int = (n: number) => Math.floor(rand() * n);
  const types: BucketType[] = ["exp2", "exp2zero", "linear", "fixed"];
  const multipliers = [0, 1, 0.000001, 1e-9, 0.001, 50, 2.5];
  let folded = 0;
  for (let round = 0; round < 3000; round++) {
    const type = types[int(types.length)] as BucketType;
    const min = int(5);
    const max = min + int(30);
    const keys = Array.from({ length: int(8) }, () => int(40));
    const c = conf(type, {
      bucket_min: min,
      bucket_max: max,
      bucket_multiplier: multipliers[int(multipliers.length)] as number,
      keys,
      labels: ["series", "bucket"],
    });
    const input: ScalarSample[] = [];
    for (let s = 0; s < 1 + int(3); s++) {
      for (let i = 0; i < int(20); i++) {
        const k = int(45);
        const label = int(4) === 0 ? "0x" + k.toString(16) : String(k);
        input.push({ labels: ["s" + s, label], value: int(1000) });
      }
    }
    const out = foldHistogram(input, c);
    if (histogramSkipReason(c) !== null) {
      assert.deepEqual(out, []);
      continue;
    }
    for (const h of out) {
      folded++;
      let prevLe = -Infinity;
      let prevCount = 0;
      for (const b of buckets(h)) {
        assert.ok(b.le > prevLe, `le rises in round ${round}`);
        assert.ok(b.count >= prevCount, `counts do not fall in round ${round}`);
        prevLe = b.le;
        prevCount = b.count;
      }
      const last = buckets(h).at(-1);
      if (last !== undefined) assert.equal(last.count, h.count, `ends at count in round ${round}`);
      else assert.equal(h.count, 0);
      assert.ok(Number.isFinite(h.sum) && h.sum >= 0);
    }
  }
  assert.ok(folded > 3000, `folded ${folded} series`);
});

Deno.test("a sliced fold pauses between steps and folds what the whole fold does", async () => {
  // 6,000 series of 4 buckets: 24,000 rows, then 6,000 series to build.
  const input: ScalarSample[] = [];
  for (let i = 0; i < 6000; i++) input.push(...rows({ 0: i, 1: 2, 2: i % 5, 3: 1 }, [`s${i}`]));
  const c = conf("exp2", { bucket_max: 3, labels: ["series", "bucket"] });
  let pauses = 0;
  const sliced = await foldHistogramSliced(input, c, () => {
    pauses++;
    return Promise.resolve();
  });
  assert.deepEqual(sliced, foldHistogram(input, c));
  assert.equal(sliced.length, 6000);
  // One pause per 4,096 rows (5) and per 4,096 series built (1).
  assert.equal(pauses, Math.floor(24000 / 4096) + Math.floor(6000 / 4096));
});
