import assert from "node:assert/strict";
import { NO_SCRAPE, type ScrapeStatus } from "../../src/exporter/status.ts";
import { ScrapeStats } from "../../src/exporter/scrape_stats.ts";
import { exampleExporter, readRecording, recordedExporter } from "../e2e/pipeline.ts";
import { fakeHost } from "../e2e/host.ts";

Deno.test("scrape stats sum time per config and keep the last failure for the status page", () => {
  const stats = new ScrapeStats(["a", "b"]);
  stats.addTime("a", 0.00125);
  stats.addTime("a", 0.0005);
  stats.fail("a", 'counter "x": boom');
  stats.addTime("a", 0.00025);
  stats.fail("a", 'counter "y": bang');
  const into = new Map<string, ScrapeStatus>();
  stats.commit(into, new Date(Date.UTC(2026, 10, 29, 12, 0, 0)));
  assert.deepEqual(into.get("a"), {
    at: "2026-11-29T12:00:00.000Z",
    durationMs: 2,
    errors: 2,
    lastError: 'counter "y": bang',
  });
  assert.deepEqual(into.get("b"), {
    at: "2026-11-29T12:00:00.000Z",
    durationMs: 0,
    errors: 0,
    lastError: null,
  });
});

Deno.test("readiness waits for every config to be loaded and ends at close", () => {
  const recording = readRecording("timers");
  const idle = exampleExporter("timers", fakeHost(recording.host));
  const before = idle.readiness(false);
  assert.equal(before.ready, false);
  assert.match(before.reason!, /not loaded/);
  idle.close();
  const exporter = recordedExporter("timers", recording);
  assert.deepEqual(exporter.readiness(false), { ready: true, reason: null });
  // No programs in a recorded exporter, so strict mode has nothing missing either.
  assert.deepEqual(exporter.readiness(true), { ready: true, reason: null });
  exporter.close();
  assert.equal(exporter.readiness(false).ready, false);
});

Deno.test("status reports each map's entries and the config's last scrape", async () => {
  const recording = readRecording("timers");
  const exporter = recordedExporter("timers", recording);
  try {
    const [first] = exporter.status();
    assert.equal(first!.name, "timers");
    assert.deepEqual(first!.lastScrape, NO_SCRAPE);
    assert.ok(first!.maps.every((m) => m.entries === null));
    for (const _ of await exporter.scrapeText()) { /* drain */ }
    const [after] = exporter.status();
    assert.notEqual(after!.lastScrape.at, null);
    assert.equal(after!.lastScrape.errors, 0);
    assert.ok(after!.lastScrape.durationMs! >= 0);
    // The recording holds one HASH map (type 1) with 6 keys of 1024.
    assert.deepEqual(after!.maps, [
      { name: "timer_starts_total", type: "BPF_MAP_TYPE_HASH", entries: 6, maxEntries: 1024 },
    ]);
  } finally {
    exporter.close();
  }
});
