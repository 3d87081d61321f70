import assert from "node:assert/strict";
import type { BucketType, HistogramConfig } from "../../src/config/types.ts";
import {
  type HistogramSample,
  histogramSample,
  type MetricFamily,
} from "../../src/encode/model.ts";
import {
  encodeProtobuf,
  encodeProtobufChunks,
  type NativeHistogram,
  nativeOf,
} from "../../src/encode/protobuf.ts";
import { encodeText } from "../../src/encode/text.ts";
import { foldHistogram, isNativeSchema0 } from "../../src/exporter/histogram.ts";
import { decodeDelimited, protoSeries, textSeries } from "./proto_decode.ts";

// deno-lint-ignore no-explicit-any
type Obj = Record<string, any>;

const T128 = 2 ** -128;

// Cumulative buckets from per-bucket counts at the given bounds.
function sample(les: number[], counts: number[], sum = 0): HistogramSample {
  let cum = 0;
  const cumulative = les.map((_, i) => cum += counts[i]!);
  return histogramSample([], les, cumulative, cum, sum);
}

const POW = [1, 2, 4, 8, 16, 32]; // native indexes 0..5

Deno.test("native: no observations give one no-op span and the default zero threshold", () => {
  assert.deepEqual(
    nativeOf(sample(POW, [0, 0, 0, 0, 0, 0])),
    {
      zeroThreshold: T128,
      zeroCount: 0,
      spans: [{ offset: 0, length: 0 }],
      deltas: [],
    } satisfies NativeHistogram,
  );
});

Deno.test("native: a single bucket is one span at its index", () => {
  assert.deepEqual(nativeOf(sample(POW, [0, 0, 0, 7, 0, 0])), {
    zeroThreshold: T128,
    zeroCount: 0,
    spans: [{ offset: 3, length: 1 }],
    deltas: [7],
  });
});

Deno.test("native: adjacent buckets share a span and carry deltas", () => {
  assert.deepEqual(nativeOf(sample(POW, [5, 3, 9, 0, 0, 0]))?.spans, [{ offset: 0, length: 3 }]);
  assert.deepEqual(nativeOf(sample(POW, [5, 3, 9, 0, 0, 0]))?.deltas, [5, -2, 6]);
});

Deno.test("native: gaps start new spans whose offsets count the empty buckets", () => {
  const n = nativeOf(sample(POW, [0, 2, 0, 0, 4, 1]));
  assert.deepEqual(n?.spans, [{ offset: 1, length: 1 }, { offset: 2, length: 2 }]);
  assert.deepEqual(n?.deltas, [2, 2, -3]);
  const three = nativeOf(sample(POW, [1, 0, 1, 0, 1, 0]));
  assert.deepEqual(three?.spans, [
    { offset: 0, length: 1 },
    { offset: 1, length: 1 },
    { offset: 1, length: 1 },
  ]);
  assert.deepEqual(three?.deltas, [1, 0, 0]);
});

Deno.test("native: negative indexes for bounds below 1", () => {
  const n = nativeOf(sample([2 ** -30, 2 ** -29, 2 ** -28], [0, 3, 1]));
  assert.deepEqual(n?.spans, [{ offset: -29, length: 2 }]);
  assert.deepEqual(n?.deltas, [3, -2]);
});

Deno.test("native: a bound of 0 is the zero bucket", () => {
  const n = nativeOf(sample([0, 1, 2, 4], [6, 0, 1, 0]));
  assert.deepEqual(n, {
    zeroThreshold: T128,
    zeroCount: 6,
    spans: [{ offset: 1, length: 1 }],
    deltas: [1],
  });
});

Deno.test("native: the zero threshold stays below a lowest bucket under 2^-128", () => {
  assert.equal(nativeOf(sample([2 ** -200, 2 ** -199], [1, 1]))?.zeroThreshold, 2 ** -201);
  assert.equal(nativeOf(sample([2 ** -127, 2 ** -126], [1, 1]))?.zeroThreshold, T128);
});

Deno.test("native: bounds or counts a native histogram cannot hold give null", () => {
  assert.equal(nativeOf(sample([1e-6, 2e-6], [1, 1])), null); // not powers of two
  assert.equal(nativeOf(sample([1, 3], [1, 1])), null);
  assert.equal(nativeOf(sample([1, Infinity], [1, 1])), null);
  assert.equal(nativeOf(sample([2, 1], [1, 1])), null); // not rising
  assert.equal(nativeOf(sample([1, 2], [1.5, 1])), null); // fractional count
  assert.equal(nativeOf({ ...sample([1, 2], [1, 1]), count: 3 }), null); // count past the buckets
});

function conf(type: BucketType, min: number, max: number, m: number): HistogramConfig {
  const pos = { file: "t.yaml", line: 1, key: "metrics.histograms[0]" };
  return {
    name: "h",
    help: "h",
    bucket_type: type,
    bucket_multiplier: m,
    bucket_min: min,
    bucket_max: max,
    bucket_keys: [],
    labels: [{
      name: "bucket",
      size: 8,
      padding: 0,
      decoders: [{ name: "uint", allow_unknown: false, pos }],
      pos,
    }],
    pos,
  };
}

Deno.test("native: exp2 key k with multiplier 2^s is native bucket k + s", () => {
  const c = conf("exp2", 0, 40, 2 ** -30);
  assert.equal(isNativeSchema0(c), true);
  // Keys 3 and 4 adjacent, then 20 after a gap; the sum slot (41) is not a bucket.
  const rows = [["3", 2], ["4", 5], ["20", 1], ["41", 999]].map(([k, v]) => ({
    labels: [k as string],
    value: v as number,
  }));
  const [s] = foldHistogram(rows, c);
  assert.equal(s!.les[3], 2 ** -27);
  assert.deepEqual(nativeOf(s!), {
    zeroThreshold: T128,
    zeroCount: 0,
    spans: [{ offset: 3 - 30, length: 2 }, { offset: 20 - 4 - 1, length: 1 }],
    deltas: [2, 3, -4],
  });
});

Deno.test("native: exp2zero key 0 is the zero bucket and key k >= 1 native bucket k - 1 + s", () => {
  const c = conf("exp2zero", 0, 10, 4);
  assert.equal(isNativeSchema0(c), true);
  const rows = [["0", 3], ["1", 1], ["3", 2]].map(([k, v]) => ({
    labels: [k as string],
    value: v as number,
  }));
  const [s] = foldHistogram(rows, c);
  // key 1 covers (2, 4] = native 2; key 3 covers (8, 16] = native 4.
  assert.deepEqual(nativeOf(s!), {
    zeroThreshold: T128,
    zeroCount: 3,
    spans: [{ offset: 2, length: 1 }, { offset: 1, length: 1 }],
    deltas: [1, 1],
  });
});

Deno.test("native: only exp2 layouts with a power-of-two multiplier qualify", () => {
  assert.equal(isNativeSchema0(conf("exp2", 0, 3, 1)), true);
  assert.equal(isNativeSchema0(conf("exp2", 0, 3, 0)), true); // 0 means 1
  assert.equal(isNativeSchema0(conf("exp2", 0, 3, 1024)), true);
  assert.equal(isNativeSchema0(conf("exp2", 0, 3, 0.000000000931322574615478515625)), true);
  assert.equal(isNativeSchema0(conf("exp2", 0, 3, 0.000001)), false);
  assert.equal(isNativeSchema0(conf("exp2", 0, 3, 0.000000001)), false);
  assert.equal(isNativeSchema0(conf("exp2", 0, 3, 3)), false);
  assert.equal(isNativeSchema0(conf("linear", 0, 3, 1)), false);
});

// ---- The whole exposition, decoded by protobufjs, against the text writer's output. ----

function families(): MetricFamily[] {
  const native = sample([2 ** -30, 2 ** -29, 2 ** -28, 2 ** -27], [0, 4, 0, 2], 1.25e-8);
  return [
    {
      name: "ops_total",
      help: 'Ops with "quotes" and a \\ backslash\nand a newline',
      type: "counter",
      labelNames: ["op", "cpu"],
      samples: [
        { labels: ["write", "1"], value: 2 ** 60 },
        { labels: ["read", "0"], value: 3 },
        { labels: ['ré"ad\n', "0"], value: 0.5 },
        { labels: ["x".repeat(300), "7"], value: NaN },
      ],
    },
    {
      name: "ops_total",
      help: 'Ops with "quotes" and a \\ backslash\nand a newline',
      type: "counter",
      labelNames: ["op", "cpu"],
      samples: [{ labels: ["close", "0"], value: 1e-300 }],
    },
    {
      name: "temp",
      help: "A gauge",
      type: "gauge",
      labelNames: [],
      samples: [{ labels: [], value: -Infinity }],
    },
    { name: "empty", help: "gone", type: "gauge", labelNames: [], samples: [] },
    {
      name: "lat_seconds",
      help: "Native-ready",
      type: "histogram",
      labelNames: ["dev"],
      samples: [
        { ...native, labels: ["sda"] },
        { ...sample([2 ** -30, 2 ** -29, 2 ** -28, 2 ** -27], [0, 0, 0, 0]), labels: ["sdb"] },
      ],
      nativeSchema0: true,
    },
    {
      name: "classic_seconds",
      help: "Classic",
      type: "histogram",
      labelNames: [],
      samples: [sample([1e-6, 2e-6, 4e-6], [1, 2, 3], 9e-6)],
    },
  ];
}

Deno.test("protobuf decodes with protobufjs to the text writer's families and values", () => {
  const fams = families();
  const decoded = decodeDelimited(encodeProtobuf(fams));
  assert.deepEqual(decoded.map((f) => [f.name, f.type]), [
    ["classic_seconds", "HISTOGRAM"],
    ["lat_seconds", "HISTOGRAM"],
    ["ops_total", "COUNTER"],
    ["temp", "GAUGE"],
  ]);
  assert.equal(decoded[2]!.help, fams[0]!.help);
  const text = encodeText(fams);
  const fromText = textSeries(text);
  const fromProto = protoSeries(decoded);
  // Same series in the same order, and values equal (NaN included) one by one.
  assert.deepEqual([...fromProto.keys()], [...fromText.keys()]);
  for (const [k, v] of fromText) assert.ok(Object.is(fromProto.get(k), v), `${k}: ${v}`);
  // A counter above 2^53 keeps its exact float64.
  assert.equal(fromProto.get('ops_total{cpu="1",op="write"}'), 2 ** 60);
});

Deno.test("protobuf: native fields only on nativeSchema0 families, classic buckets on all", () => {
  const [classic, native] = decodeDelimited(encodeProtobuf(families())) as Obj[];
  const c = classic!.metric[0].histogram;
  assert.equal(c.schema, undefined);
  assert.equal(c.positive_span, undefined);
  assert.equal(c.bucket.length, 3);
  const [sda, sdb] = native!.metric as [Obj, Obj];
  assert.deepEqual(sda.histogram.bucket.map((b: Obj) => b.upper_bound), [
    2 ** -30,
    2 ** -29,
    2 ** -28,
    2 ** -27,
  ]);
  assert.equal(sda.histogram.schema, 0);
  assert.equal(sda.histogram.zero_threshold, T128);
  assert.equal(sda.histogram.zero_count, 0);
  assert.deepEqual(sda.histogram.positive_span, [{ offset: -29, length: 1 }, {
    offset: 1,
    length: 1,
  }]);
  assert.deepEqual(sda.histogram.positive_delta, [4, -2]);
  assert.equal(sda.histogram.sample_count, 6);
  assert.equal(sda.histogram.sample_sum, 1.25e-8);
  // No observations: a no-op span keeps it native (client_model's rule).
  assert.deepEqual(sdb.histogram.positive_span, [{ offset: 0, length: 0 }]);
  assert.equal(sdb.histogram.positive_delta, undefined);
});

Deno.test("protobuf: counts past uint64 or fractional use the float fields", () => {
  const [f] = decodeDelimited(encodeProtobuf([{
    name: "h",
    help: "h",
    type: "histogram",
    labelNames: [],
    samples: [histogramSample([], [1], [0.5], 2 ** 64, 0)],
  }])) as Obj[];
  const h = f!.metric[0].histogram;
  assert.equal(h.sample_count, undefined);
  assert.equal(h.sample_count_float, 2 ** 64);
  assert.equal(h.bucket[0].cumulative_count_float, 0.5);
});

Deno.test("protobuf chunks are whole families that concatenate to the one-buffer output", () => {
  const fams = families();
  const whole = encodeProtobuf(fams);
  const chunks = [...encodeProtobufChunks(fams, 1)];
  assert.equal(chunks.length, 4);
  assert.deepEqual(new Uint8Array(chunks.flatMap((c) => [...c])), whole);
  for (const c of chunks) assert.equal(decodeDelimited(c).length, 1);
});

Deno.test("protobuf: a family message over 127 bytes and one over 16 KiB keep exact lengths", () => {
  for (const n of [3, 2000]) {
    const samples = Array.from({ length: n }, (_, i) => ({ labels: [String(i)], value: i }));
    const bytes = encodeProtobuf([
      { name: "a", help: "", type: "counter", labelNames: ["i"], samples },
      { name: "b", help: "", type: "gauge", labelNames: [], samples: [{ labels: [], value: 1 }] },
    ]);
    const [a, b] = decodeDelimited(bytes) as Obj[];
    assert.equal(a!.metric.length, n);
    assert.equal(b!.metric[0].gauge.value, 1);
  }
});

Deno.test("protobuf: duplicate series are rejected as by the text writer", () => {
  const dup: MetricFamily = {
    name: "d",
    help: "",
    type: "gauge",
    labelNames: ["k"],
    samples: [{ labels: ["v"], value: 1 }, { labels: ["v"], value: 2 }],
  };
  assert.throws(() => encodeProtobuf([dup]), /series \{k="v"\} occurs more than once/);
});
