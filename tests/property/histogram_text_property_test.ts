/**
 * Histograms in typed form (shared bounds, counts at an offset in an array other series share)
 * written by the text writers give exactly the text a plain reference writes from one
 * `{le, count}` object per bucket: one-shot, and scrape after scrape through a kept writer (whose
 * first sight writes lines directly, second renders prefixes, later ones reuse them in the
 * order the last encode sorted into).
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { formatFloat } from "../../src/encode/float.ts";
import type { HistogramFamily, HistogramSample } from "../../src/encode/model.ts";
import { encodeText, TextWriter } from "../../src/encode/text.ts";
import { check } from "./runs.ts";

interface PlainSeries {
  labels: string[];
  buckets: Array<{ le: number; count: number }>;
  count: number;
  sum: number;
}

const utf8 = new TextEncoder();

// Byte order of the UTF-8 spellings: the order the Go encoder sorts label values in.
function compareBytes(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  for (let i = 0; i < x.length && i < y.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

function escapeValue(v: string): string {
  return v.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

/** The text format of one histogram family, written the plain way. */
function referenceText(name: string, labelNames: string[], series: PlainSeries[]): string {
  const order = labelNames.map((_, i) => i).sort((a, b) =>
    compareBytes(labelNames[a]!, labelNames[b]!)
  );
  const sorted = series.toSorted((a, b) => {
    for (const k of order) {
      const c = compareBytes(a.labels[k]!, b.labels[k]!);
      if (c !== 0) return c;
    }
    return 0;
  });
  let out = `# HELP ${name} Help\n# TYPE ${name} histogram\n`;
  for (const s of sorted) {
    const pairs = order.map((k) => `${labelNames[k]}="${escapeValue(s.labels[k]!)}"`);
    const braces = (extra: string[]) => {
      const all = [...pairs, ...extra];
      return all.length === 0 ? "" : `{${all.join(",")}}`;
    };
    for (const b of s.buckets) {
      out += `${name}_bucket${braces([`le="${formatFloat(b.le)}"`])} ${formatFloat(b.count)}\n`;
    }
    if (s.buckets.at(-1)?.le !== Infinity) {
      out += `${name}_bucket${braces(['le="+Inf"'])} ${formatFloat(s.count)}\n`;
    }
    out += `${name}_sum${braces([])} ${formatFloat(s.sum)}\n`;
    out += `${name}_count${braces([])} ${formatFloat(s.count)}\n`;
  }
  return out;
}

/**
 * The typed samples of `series`, packed as a fold packs them: all series' counts in one array,
 * each at its own offset with junk in between, and one bounds array per distinct layout.
 */
function typedSamples(series: PlainSeries[], gap: number): HistogramSample[] {
  const total = series.reduce((n, s) => n + s.buckets.length + gap, 0);
  const counts = new Float64Array(total).fill(-7.5);
  const shapes = new Map<string, Float64Array>();
  let at = 0;
  return series.map((s) => {
    const key = JSON.stringify(s.buckets.map((b) => b.le));
    let les = shapes.get(key);
    if (les === undefined) shapes.set(key, les = Float64Array.from(s.buckets, (b) => b.le));
    s.buckets.forEach((b, i) => counts[at + i] = b.count);
    const sample = { labels: s.labels, les, counts, at, count: s.count, sum: s.sum };
    at += s.buckets.length + gap;
    return sample;
  });
}

const labelText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 5 }),
  fc.constantFrom("\\", '"', "\n", "é", "a", "b", ""),
);

// Bounds: one or two layouts per family, rising, some ending at +Inf; each scrape refills counts.
const families = fc.record({
  labelNames: fc.uniqueArray(fc.constantFrom("dev", "op", "cpu", "Zone", "é"), { maxLength: 3 }),
  layouts: fc.array(
    fc.uniqueArray(
      fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.constantFrom(Infinity, 0, 1e-6, 2 ** -20),
      ),
      { maxLength: 6 },
    ).map((les) => les.sort((a, b) => a - b)),
    { minLength: 1, maxLength: 2 },
  ),
  gap: fc.nat(2),
  scrapes: fc.array(fc.array(fc.nat(1_000_000), { minLength: 64, maxLength: 64 }), {
    minLength: 1,
    maxLength: 4,
  }),
}).chain((f) =>
  fc.record({
    f: fc.constant(f),
    series: fc.uniqueArray(
      fc.record({
        labels: fc.tuple(...f.labelNames.map(() => labelText)),
        layout: fc.nat(f.layouts.length - 1),
        sum: fc.oneof(fc.double({ noNaN: true }), fc.nat()),
        reverse: fc.boolean(),
      }),
      { minLength: 1, maxLength: 8, selector: (s) => JSON.stringify(s.labels) },
    ),
  })
);

// A scrape's series: cumulative counts from that scrape's numbers (a large count now and then
// takes the exponent form), in an input order that may flip between scrapes.
function scrapeSeries(
  series: Array<{ labels: string[]; layout: number; sum: number }>,
  layouts: number[][],
  numbers: number[],
): PlainSeries[] {
  let n = 0;
  return series.map((s) => {
    let cum = 0;
    const buckets = layouts[s.layout]!.map((le) => {
      const x = numbers[n++ % numbers.length]!;
      cum += x % 7 === 0 ? x * 1000 : x;
      return { le, count: cum };
    });
    return { labels: s.labels, buckets, count: cum + numbers[n++ % numbers.length]!, sum: s.sum };
  });
}

Deno.test("typed histograms write the text a plain per-bucket reference writes", () => {
  check(
    fc.property(families, ({ f, series }) => {
      const writer = new TextWriter();
      for (const [i, numbers] of f.scrapes.entries()) {
        const plain = scrapeSeries(series, f.layouts, numbers);
        // The input order flips on some scrapes: the kept order must not be trusted blindly.
        const input = series[0]!.reverse && i % 2 === 1 ? plain.toReversed() : plain;
        const family: HistogramFamily = {
          name: "lat_seconds",
          help: "Help",
          type: "histogram",
          labelNames: f.labelNames,
          samples: typedSamples(input, f.gap),
        };
        const want = referenceText("lat_seconds", f.labelNames, plain);
        assert.equal(encodeText([family]), want, `one-shot, scrape ${i}`);
        assert.equal(writer.text([family]), want, `kept writer, scrape ${i}`);
      }
    }),
    300,
  );
});
