/**
 * The text encoder: random families with unicode and escape-heavy label values and help texts
 * are read back by a small strict parser of the exposition format (test-side: no Prometheus
 * parser exists in JS) into exactly the series, values and help that went in.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import {
  bucketPairs,
  type HistogramFamily,
  histogramSample,
  type ScalarFamily,
} from "../../src/encode/model.ts";
import { encodeText, TextWriter } from "../../src/encode/text.ts";
import { check } from "./runs.ts";

interface Parsed {
  help: Map<string, string>;
  type: Map<string, string>;
  /** `name` + JSON of the [label, value] pairs in line order → value. */
  series: Map<string, number>;
}

/** Reads the exposition strictly: any deviation from the grammar throws. */
function parseExposition(text: string): Parsed {
  const out: Parsed = { help: new Map(), type: new Map(), series: new Map() };
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`${why} at offset ${i}: ${JSON.stringify(text.slice(i, i + 40))}`);
  };
  const until = (stop: string): string => {
    const j = text.indexOf(stop, i);
    if (j === -1) fail(`no "${stop}"`);
    const s = text.slice(i, j);
    i = j + stop.length;
    return s;
  };
  const escaped = (quoted: boolean): string => {
    let s = "";
    for (;;) {
      const c = text[i++];
      if (c === undefined) fail("unterminated text");
      if (quoted && c === '"') return s;
      if (!quoted && c === "\n") return s;
      if (c === "\n") fail("raw newline in a label value");
      if (c !== "\\") {
        s += c;
        continue;
      }
      const e = text[i++];
      if (e === "\\") s += "\\";
      else if (e === "n") s += "\n";
      else if (e === '"' && quoted) s += '"';
      else fail(`bad escape \\${e}`);
    }
  };
  while (i < text.length) {
    if (text.startsWith("# HELP ", i)) {
      i += 7;
      const name = until(" ");
      out.help.set(name, escaped(false));
    } else if (text.startsWith("# TYPE ", i)) {
      i += 7;
      const name = until(" ");
      out.type.set(name, until("\n"));
    } else {
      const m = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(text.slice(i, i + 200));
      if (m === null) fail("no metric name");
      i += m![0].length;
      const pairs: Array<[string, string]> = [];
      if (text[i] === "{") {
        i++;
        while (text[i] !== "}") {
          const name = until('="');
          if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) fail(`bad label name ${name}`);
          pairs.push([name, escaped(true)]);
          if (text[i] === ",") i++;
          else if (text[i] !== "}") fail("no , or }");
        }
        i++;
      }
      if (text[i++] !== " ") fail("no space before the value");
      const raw = until("\n");
      const value = raw === "+Inf" ? Infinity : raw === "-Inf" ? -Infinity : Number(raw);
      if (raw === "" || (Number.isNaN(value) && raw !== "NaN")) fail(`bad value ${raw}`);
      out.series.set(m![0] + JSON.stringify(pairs), value);
    }
  }
  return out;
}

// Label values and help: any code point, with escapes and quotes made common.
const text = fc.array(
  fc.oneof(
    fc.string({ unit: "binary", maxLength: 6 }),
    fc.constantFrom("\\", '"', "\n", "\\n", '\\"', "{", "}", ",", "=", " "),
  ),
  { maxLength: 6 },
).map((parts) => parts.join(""));

const value = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 2 ** 53, 1e-300, 5e-324),
);

const family = fc.record({
  labelNames: fc.uniqueArray(fc.stringMatching(/^[a-z_][a-z0-9_]{0,5}$/), { maxLength: 4 }),
  help: text,
  type: fc.constantFrom<"counter" | "gauge">("counter", "gauge"),
}).chain((f) =>
  fc.record({
    ...Object.fromEntries(Object.entries(f).map(([k, v]) => [k, fc.constant(v)])),
    samples: fc.uniqueArray(
      fc.record({
        labels: fc.tuple(...f.labelNames.map(() => text)),
        value,
      }),
      { minLength: 1, maxLength: 8, selector: (s) => JSON.stringify(s.labels) },
    ),
  }) as fc.Arbitrary<Omit<ScalarFamily, "name">>
);

const families = fc.uniqueArray(fc.stringMatching(/^[a-z_:][a-z0-9_:]{0,8}$/), {
  minLength: 1,
  maxLength: 3,
}).chain((names) => fc.tuple(...names.map((name) => family.map((f) => ({ ...f, name })))));

function expected(fams: ScalarFamily[]): Parsed {
  const out: Parsed = { help: new Map(), type: new Map(), series: new Map() };
  for (const f of fams) {
    out.help.set(f.name, f.help);
    out.type.set(f.name, f.type);
    // The writer orders labels by name; the parser keeps line order.
    const order = f.labelNames.map((n, i) => [n, i] as const).sort((a, b) => a[0] < b[0] ? -1 : 1);
    for (const s of f.samples) {
      const pairs = order.map(([n, i]) => [n, s.labels[i]!]);
      out.series.set(f.name + JSON.stringify(pairs), Object.is(s.value, -0) ? 0 : s.value);
    }
  }
  return out;
}

Deno.test("random families round-trip through the text format", () => {
  check(
    fc.property(families, (fams) => {
      const got = parseExposition(encodeText(fams));
      assert.deepEqual(got, expected(fams));
    }),
    500,
  );
});

Deno.test("a reused writer writes what a fresh one writes, scrape after scrape", () => {
  check(
    fc.property(fc.array(families, { minLength: 1, maxLength: 4 }), (scrapes) => {
      const writer = new TextWriter();
      for (const fams of scrapes) assert.equal(writer.text(fams), encodeText(fams));
    }),
    200,
  );
});

Deno.test("the test parser refuses what the format forbids", () => {
  assert.throws(() => parseExposition('x{a="b\nc"} 1\n'), /raw newline/);
  assert.throws(() => parseExposition('x{a="b\\tc"} 1\n'), /bad escape/);
  assert.throws(() => parseExposition("x 1x\n"), /bad value/);
  assert.deepEqual(
    parseExposition('x{a="\\"\\\\\\n"} NaN\n').series,
    new Map([['x[["a","\\"\\\\\\n"]]', NaN]]),
  );
});

// Histograms: random label values, rising bounds (some with +Inf), cumulative counts.
const histogram = fc.record({
  labelNames: fc.uniqueArray(fc.stringMatching(/^[a-k_][a-z0-9_]{0,5}$/), { maxLength: 3 }),
  help: text,
}).chain((f) =>
  fc.record({
    name: fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/),
    help: fc.constant(f.help),
    type: fc.constant("histogram" as const),
    labelNames: fc.constant(f.labelNames),
    samples: fc.uniqueArray(
      fc.record({
        labels: fc.tuple(...f.labelNames.map(() => text)),
        les: fc.uniqueArray(fc.oneof(fc.double({ noNaN: true }), fc.constant(Infinity)), {
          maxLength: 5,
        }),
        counts: fc.array(fc.nat(1000), { minLength: 6, maxLength: 6 }),
        sum: fc.double({ noNaN: true }),
      }).map(({ labels, les, counts, sum }) => {
        let cum = 0;
        const sorted = les.sort((a, b) => a - b);
        const cumulative = sorted.map((_, i) => cum += counts[i]!);
        return histogramSample(labels, sorted, cumulative, cum + counts[5]!, sum);
      }),
      { minLength: 1, maxLength: 4, selector: (s) => JSON.stringify(s.labels) },
    ),
  })
);

function expectedHistogram(f: HistogramFamily): Map<string, number> {
  const out = new Map<string, number>();
  const order = f.labelNames.map((n, i) => [n, i] as const).sort((a, b) => a[0] < b[0] ? -1 : 1);
  for (const s of f.samples) {
    const pairs = order.map(([n, i]) => [n, s.labels[i]!]);
    const bounds = bucketPairs(s);
    if (bounds.at(-1)?.[0] !== Infinity) bounds.push([Infinity, s.count]);
    for (const [le, count] of bounds) {
      const leText = le === Infinity
        ? "+Inf"
        : le === -Infinity
        ? "-Inf"
        : String(Object.is(le, -0) ? 0 : le);
      out.set(f.name + "_bucket" + JSON.stringify([...pairs, ["le", leText]]), count);
    }
    out.set(f.name + "_sum" + JSON.stringify(pairs), Object.is(s.sum, -0) ? 0 : s.sum);
    out.set(f.name + "_count" + JSON.stringify(pairs), s.count);
  }
  return out;
}

Deno.test("random histograms round-trip through the text format", () => {
  check(
    fc.property(histogram, (f) => {
      const got = parseExposition(encodeText([f]));
      // Bounds are written in Go's float format; compare them as numbers.
      const series = new Map([...got.series].map(([k, v]) => [normalizeLe(k), v]));
      assert.deepEqual(series, expectedHistogram(f));
      assert.equal(got.help.get(f.name), f.help);
    }),
    300,
  );
});

// Rewrites the le label of a parsed bucket key with JS's spelling of the same number.
function normalizeLe(key: string): string {
  const m = /^(\w+_bucket)(\[.*\])$/.exec(key);
  if (m === null) return key;
  const pairs = JSON.parse(m[2]!) as Array<[string, string]>;
  const le = pairs.at(-1)!;
  if (le[1] !== "+Inf" && le[1] !== "-Inf") le[1] = String(Number(le[1]));
  return m[1]! + JSON.stringify(pairs);
}
