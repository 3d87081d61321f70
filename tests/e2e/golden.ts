/**
 * Regenerates the golden expositions of the e2e test (tests/e2e_test.ts) from the recorded
 * maps: `deno task golden`, then review the diff of tests/fixtures/e2e/*.prom.
 */

import {
  exampleNames,
  FIXTURES,
  readRecording,
  recordedExporter,
  scrapeComparable,
} from "./pipeline.ts";

for (const name of exampleNames()) {
  const exporter = recordedExporter(name, readRecording(name));
  try {
    Deno.writeTextFileSync(`${FIXTURES}${name}.prom`, await scrapeComparable(exporter));
  } finally {
    exporter.close();
  }
}
console.log(`wrote ${exampleNames().length} golden files to ${FIXTURES}`);
