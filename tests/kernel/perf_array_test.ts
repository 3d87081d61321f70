/** perf_event_array counters: real records counted, series reset after flush_interval. */

import assert from "node:assert/strict";
import { kernelTest, parseExposition, ROOT, scrape, sh, startExporter } from "./harness.ts";

kernelTest("perf event array counters count records and reset after flush_interval", async () => {
  const ex = await startExporter([
    "--config.dir",
    `${ROOT}/tests/fixtures/events`,
    "--config.names",
    "perf_array",
  ]);
  const key = 'ebpf_exporter_getppid_events_total{kind="1"}';
  try {
    await sh("python3", ["-c", "import os\nfor _ in range(200): os.getppid()"]);
    const a = parseExposition(await scrape(`${ex.url}/metrics`));
    assert.ok((a.get(key) ?? 0) >= 200, `counted ${a.get(key)}`);
    assert.equal(
      a.get(
        'ebpf_exporter_perf_event_array_lost_events_total{config="perf_array",counter="getppid_events_total"}',
      ),
      0,
    );
    // flush_interval is 2s: after 2.5 s the 200 events are gone.
    await new Promise((r) => setTimeout(r, 2500));
    const b = parseExposition(await scrape(`${ex.url}/metrics`));
    assert.ok((b.get(key) ?? 0) < 200, `after flush ${b.get(key)}`);
  } finally {
    assert.equal(await ex.stop(), 0, ex.stderr());
  }
});
