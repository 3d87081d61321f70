/** The softirqs example: per-CPU counters split by the trailing cpu label. */

import assert from "node:assert/strict";
import {
  causeTimers,
  kernelTest,
  parseExposition,
  ROOT,
  scrape,
  waitUntil,
  withExporter,
} from "../harness.ts";

kernelTest("per-CPU softirq counters split by the trailing cpu label", async () => {
  const args = ["--config.dir", `${ROOT}/examples`, "--config.names", "softirqs"];
  await withExporter(args, {}, async (ex) => {
    const timerSum = (m: Map<string, number>) =>
      [...m].filter(([k]) =>
        k.startsWith("ebpf_exporter_softirqs_total{") && k.includes('vector="timer"')
      )
        .reduce((s, [, v]) => s + v, 0);
    let m = new Map<string, number>();
    await waitUntil("timer softirqs to be counted", async () => {
      await causeTimers();
      m = parseExposition(await scrape(`${ex.url}/metrics`));
      return timerSum(m) > 0;
    });
    const series = [...m.keys()].filter((k) => k.startsWith("ebpf_exporter_softirqs_total{"));
    // Every vector × every possible CPU appears, zero entries included (array map).
    const cpus = new Set(series.map((k) => /cpu="(\d+)"/.exec(k)?.[1]));
    assert.ok(cpus.size > 0 && series.length >= 10 * cpus.size, series.join("\n"));
  });
});
