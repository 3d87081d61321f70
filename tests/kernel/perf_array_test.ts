/** perf_event_array counters: real records counted, series reset after flush_interval. */

import assert from "node:assert/strict";
import {
  hasFeature,
  kernelTest,
  parseExposition,
  ROOT,
  scrape,
  sh,
  waitUntil,
  withExporter,
} from "./harness.ts";

const CALLS = 200;

kernelTest("perf event array counters count records and reset after flush_interval", async () => {
  const args = ["--config.dir", `${ROOT}/tests/fixtures/events`, "--config.names", "perf_array"];
  const key = 'ebpf_exporter_getppid_events_total{kind="1"}';
  // The fixture's program is a syscalls tracepoint, found through tracefs.
  const tracefs = await hasFeature("tracefs");
  await withExporter(args, {}, async (ex) => {
    if (!tracefs) {
      const text = await scrape(`${ex.url}/metrics`);
      assert.match(text, /^ebpf_exporter_ebpf_program_attached\{id="\d+"\} 0$/m);
      assert.match(ex.log(), /Failed to attach program "[^"]+" \(tracepoint\/[^)]+\)[^\n]*: \S/);
      return;
    }
    await sh("python3", ["-c", `import os\nfor _ in range(${CALLS}): os.getppid()`]);
    // Records reach the counter through the exporter's perf buffer reader, a moment later.
    await waitUntil(
      `${CALLS} records to be counted`,
      async () => (parseExposition(await scrape(`${ex.url}/metrics`)).get(key) ?? 0) >= CALLS,
    );
    const lost = parseExposition(await scrape(`${ex.url}/metrics`)).get(
      'ebpf_exporter_perf_event_array_lost_events_total{config="perf_array",counter="getppid_events_total"}',
    );
    assert.equal(lost, 0);
    // flush_interval is 2 s: the series drops the counted records once it has passed.
    await waitUntil(
      "the counter to be flushed",
      async () => (parseExposition(await scrape(`${ex.url}/metrics`)).get(key) ?? 0) < CALLS,
      { timeoutMs: 15000, intervalMs: 200 },
    );
  });
});
