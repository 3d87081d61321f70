/** `TextWriter.chunksSliced`: the same bytes as `chunks`, with pauses between bounded steps. */

import { typed } from "./bucket_samples.ts";
import assert from "node:assert/strict";
import type {
  HistogramFamily,
  MetricFamily,
  ScalarFamily,
  SeriesMemo,
} from "../../src/encode/model.ts";
import { encodeText, TextWriter } from "../../src/encode/text.ts";

// Keep in step with STEP_MASK + 1 in src/encode/text.ts.
const STEP = 4096;

function counter(ids: number[], memos: Map<number, SeriesMemo> | null): ScalarFamily {
  return {
    name: "big_total",
    help: "A large family",
    type: "counter",
    labelNames: ["id", "kind"],
    samples: ids.map((i) => {
      const s = { labels: [`n${(i * 7919) % 100003}`, `k${i % 7}`], value: i * 3 };
      if (memos === null || i % 9 === 0) return s; // some series carry no memo
      let m = memos.get(i);
      if (m === undefined) memos.set(i, m = { rank: -1, epoch: -1, owner: null });
      return { ...s, memo: m };
    }),
  };
}

const histogram: HistogramFamily = {
  name: "lat_seconds",
  help: "Latency",
  type: "histogram",
  labelNames: ["op"],
  samples: ["b", "a"].map((op, i) =>
    typed({
      labels: [op],
      buckets: [{ le: 0.5, count: i }, { le: 1, count: i + 2 }],
      count: i + 3,
      sum: 1.5 * i,
    })
  ),
};

function decode(chunks: Iterator<Uint8Array>): string {
  const d = new TextDecoder();
  let out = "";
  for (let r = chunks.next(); !r.done; r = chunks.next()) out += d.decode(r.value);
  return out;
}

async function sliced(
  writer: TextWriter,
  families: MetricFamily[],
): Promise<{ text: string; pauses: number }> {
  let pauses = 0;
  const chunks = await writer.chunksSliced(families, 4096, () => {
    pauses++;
    return Promise.resolve();
  });
  return { text: decode(chunks), pauses };
}

/** Shuffled ids (a fixed permutation), so the writer really sorts. */
function ids(n: number, from = 0): number[] {
  return Array.from({ length: n }, (_, i) => from + ((i * 7351) % n));
}

Deno.test("sliced and whole preparations write the same bytes, scrape after scrape", async () => {
  const memosA = new Map<number, SeriesMemo>();
  const memosB = new Map<number, SeriesMemo>();
  const a = new TextWriter();
  const b = new TextWriter();
  // Scrape 0 sorts everything; 1 reuses every memo; 2 adds and drops series.
  const sets = [ids(20000), ids(20000), ids(20000, 500)];
  for (const [scrape, set] of sets.entries()) {
    const got = await sliced(a, [counter(set, memosA), histogram]);
    const whole = decode(b.chunks([counter(set, memosB), histogram], 4096));
    assert.equal(got.text, whole, `scrape ${scrape}`);
    assert.equal(got.text, encodeText([counter(set, null), histogram]), `scrape ${scrape}`);
    // Every pass over the 20,000 series pauses after each STEP of them.
    assert.ok(got.pauses >= Math.floor(20000 / STEP), `scrape ${scrape}: ${got.pauses} pauses`);
  }
});

Deno.test("a family smaller than one step is prepared without a pause", async () => {
  const got = await sliced(new TextWriter(), [counter(ids(STEP - 1), null), histogram]);
  assert.equal(got.pauses, 0);
  assert.equal(got.text, encodeText([counter(ids(STEP - 1), null), histogram]));
});

Deno.test("a sliced preparation rejects a duplicate series before any chunk", async () => {
  const f = counter([...ids(STEP * 2), 5], null);
  await assert.rejects(() => sliced(new TextWriter(), [f]), /occurs more than once/);
});

// Keep in step with SORT_RUN in src/encode/text.ts: families past it are sorted in steps.
const SORT_RUN = 8192;

/** Byte order of UTF-8, label by label: the order client_golang writes series in. */
function utf8Order(a: string[], b: string[]): number {
  const enc = new TextEncoder();
  for (let k = 0; k < a.length; k++) {
    const x = enc.encode(a[k]);
    const y = enc.encode(b[k]);
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      if (x[i] !== y[i]) return x[i]! - y[i]!;
    }
    if (x.length !== y.length) return x.length - y.length;
  }
  return 0;
}

for (const hostile of [false, true]) {
  Deno.test(
    `a family of several sort runs comes out in UTF-8 order${
      hostile ? " when label values need the label-by-label comparison" : ""
    }`,
    async () => {
      const n = 3 * SORT_RUN + 123;
      // Values share prefixes and differ in length; the hostile ones hold chars whose UTF-16
      // order differs from UTF-8's, and NUL.
      const samples = ids(n).map((i) => ({
        labels: [
          `${i % 1000}${hostile && i % 5 === 0 ? (i % 2 ? "\uFF61" : "\u{1F600}") : ""}`,
          hostile && i % 7 === 0 ? `k\0${i}` : `k${i}`,
        ],
        value: i,
      }));
      const family: ScalarFamily = {
        name: "runs_total",
        help: "Many runs",
        type: "counter",
        labelNames: ["id", "kind"],
        samples,
      };
      const want = samples.toSorted((a, b) => utf8Order(a.labels, b.labels)).map((s) => s.value);
      const { text } = await sliced(new TextWriter(), [family]);
      const got = text.split("\n").filter((l) => l.startsWith("runs_total{")).map((l) =>
        Number(l.slice(l.lastIndexOf(" ") + 1))
      );
      assert.deepEqual(got, want);
    },
  );
}
