/**
 * One scrape of every example (recorded maps, no kernel) written as text 0.0.4 and as
 * OpenMetrics from the same families, each read back by independent parsers and compared value
 * by value: promtool check metrics on the text, our spec-derived OpenMetrics checker, and
 * Prometheus' own OpenMetrics parser (promtool's backfill plus tsdb dump).
 */
import assert from "node:assert/strict";
import type { MetricFamily } from "../../src/encode/model.ts";
import { openMetricsWriter } from "../../src/encode/openmetrics.ts";
import { TextWriter } from "../../src/encode/text.ts";
import { exampleNames, readRecording, recordedExporter } from "../e2e/pipeline.ts";
import {
  parseOpenMetrics,
  promtoolCheckMetrics,
  promtoolReadOpenMetrics,
  textAsOpenMetrics,
} from "./exposition_parsers.ts";

/** One scrape of every example (each over its own recorded maps and host). */
async function scrapeAll(): Promise<Map<string, MetricFamily[]>> {
  const out = new Map<string, MetricFamily[]>();
  for (const name of exampleNames()) {
    const exporter = recordedExporter(name, readRecording(name));
    try {
      out.set(name, await exporter.collect());
    } finally {
      exporter.close();
    }
  }
  return out;
}

/**
 * The families of all examples as one exposition: same-named families become one, and a series
 * every example reports alike (build_info, process_*) is kept once.
 */
function mergeAll(scrapes: Iterable<MetricFamily[]>): MetricFamily[] {
  const merged = new Map<string, { family: MetricFamily; seen: Set<string> }>();
  for (const families of scrapes) {
    for (const f of families) {
      let m = merged.get(f.name);
      if (m === undefined) {
        m = { family: { ...f, samples: [] } as MetricFamily, seen: new Set() };
        merged.set(f.name, m);
      }
      for (const s of f.samples) {
        const key = JSON.stringify(s.labels);
        if (m.seen.has(key)) continue;
        m.seen.add(key);
        (m.family.samples as typeof s[]).push(s);
      }
    }
  }
  return [...merged.values()].map((m) => m.family);
}

const write = (families: MetricFamily[]) => ({
  text: new TextWriter({ keeps: false }).text(families),
  om: openMetricsWriter({ keeps: false }).text(families),
});

Deno.test("every example's scrape reads back equal as text 0.0.4 and OpenMetrics", async () => {
  const scrapes = await scrapeAll();
  for (const [name, families] of scrapes) {
    const { text, om } = write(families);
    const want = textAsOpenMetrics(text);
    assert.ok(want.size > 10, `${name}: ${want.size} series`);
    assert.deepEqual(parseOpenMetrics(om), want, name);
  }
  // promtool is slow to start, so it reads all examples at once.
  const { text, om } = write(mergeAll(scrapes.values()));
  const want = textAsOpenMetrics(text);
  assert.ok(want.size > 500, `${want.size} series`);
  const check = await promtoolCheckMetrics(text);
  assert.equal(check.code, 0, `promtool check metrics:\n${check.out}`);
  assert.deepEqual(parseOpenMetrics(om), want);
  assert.deepEqual(await promtoolReadOpenMetrics(om), want);
});

Deno.test("the OpenMetrics checker refuses what Prometheus would misread", () => {
  const ok = "# TYPE a counter\na_total 1\n# EOF\n";
  assert.equal(parseOpenMetrics(ok).size, 1);
  const bad: Array<[string, RegExp]> = [
    ["# TYPE a counter\na_total 1\n", /# EOF/],
    ["# TYPE a_total counter\na_total 1\n# EOF\n", /with _total/],
    ["# TYPE a counter\na 1\n# EOF\n", /does not belong/],
    ["# TYPE a_seconds gauge\n# UNIT a_seconds bytes\na_seconds 1\n# EOF\n", /not a suffix/],
    ["# TYPE a gauge\na 1\n# HELP a x\n# EOF\n", /metadata after samples/],
    ["# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\n# TYPE a gauge\n# EOF\n", /not contiguous/],
    ['# TYPE h histogram\nh_bucket{le="1"} 1\n# EOF\n', /canonical/],
    [
      '# TYPE h histogram\nh_bucket{le="1.0"} 2\nh_bucket{le="+Inf"} 1\nh_sum 0\nh_count 1\n# EOF\n',
      /not rising/,
    ],
    [
      '# TYPE h histogram\nh_bucket{le="1.0"} 1\nh_bucket{le="+Inf"} 2\nh_sum 0\nh_count 3\n# EOF\n',
      /differs from _count/,
    ],
  ];
  for (const [text, why] of bad) assert.throws(() => parseOpenMetrics(text), why, text);
});
