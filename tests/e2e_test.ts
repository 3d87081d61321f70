/**
 * Kernel-free end-to-end golden test: for every example in examples/*.yaml, parse its config,
 * build the exporter over its recorded maps (tests/fixtures/e2e/NAME.json, read through
 * `recordedMap`) and a fake host (tests/e2e/host.ts), scrape it — decode, gather, write — and
 * compare the exposition byte for byte with tests/fixtures/e2e/NAME.prom.
 *
 * Regenerate the golden files after an intended change, then read the diff:
 *
 *   deno task golden
 *
 * Re-record one example's maps on a kernel that can load it (root): see tests/e2e/record.ts.
 *
 * Excluded from the comparison: ebpf_exporter_build_info (version, git revision and Deno
 * version vary by build). The per-program families (program info, attached, run time and count)
 * have no samples without loaded programs, so they are absent from the goldens.
 */

import assert from "node:assert/strict";
import {
  exampleNames,
  FIXTURES,
  readRecording,
  recordedExporter,
  scrapeComparable,
} from "./e2e/pipeline.ts";

for (const name of exampleNames()) {
  Deno.test(`e2e: ${name} scrapes to its golden exposition, scrape after scrape`, async () => {
    const golden = Deno.readTextFileSync(`${FIXTURES}${name}.prom`);
    const exporter = recordedExporter(name, readRecording(name));
    try {
      assert.equal(await scrapeComparable(exporter), golden);
      // The second scrape reuses cached label sets, samples, order and line prefixes.
      assert.equal(await scrapeComparable(exporter), golden);
    } finally {
      exporter.close();
    }
  });
}

Deno.test("e2e: every example has a fixture that records every metric map", () => {
  for (const name of exampleNames()) {
    const recording = readRecording(name);
    assert.equal(recording.example, name);
    const exporter = recordedExporter(name, recording);
    try {
      const config = exporter.configs[0]!;
      const metrics = [...config.counters, ...config.histograms].map((m) => m.name).sort();
      assert.deepEqual(Object.keys(recording.maps).sort(), metrics, name);
    } finally {
      exporter.close();
    }
  }
});
