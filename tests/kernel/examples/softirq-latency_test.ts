/**
 * softirq-latency: timer softirqs (the tick) and network-receive softirqs (our own loopback
 * scrapes) are measured from raise to entry, in well-formed cumulative histograms.
 */

import assert from "node:assert/strict";
import { causeTimers, kernelTest, waitUntil } from "../harness.ts";
import { metrics, samples, valueOf, withExample } from "./common.ts";

const METRIC = "ebpf_exporter_softirq_wait_seconds";

/** Buckets of one kind, rising by le, cumulative and ending at _count; returns the count. */
function checkHistogram(text: string, kind: string): number {
  const buckets = samples(text, `${METRIC}_bucket`).filter((s) => s.labels.kind === kind)
    .map((s) => [s.labels.le === "+Inf" ? Infinity : Number(s.labels.le), s.value] as const)
    .sort((a, b) => a[0] - b[0]);
  assert.ok(buckets.length > 0, `no ${kind} buckets:\n${text}`);
  for (let i = 1; i < buckets.length; i++) {
    assert.ok(buckets[i]![1] >= buckets[i - 1]![1], `${kind} buckets must not fall`);
  }
  const count = valueOf(text, `${METRIC}_count`, { kind });
  assert.equal(buckets.at(-1)![1], count);
  assert.equal(buckets.at(-1)![0], Infinity);
  return count;
}

kernelTest("softirq-latency measures timer and network-receive softirqs", async () => {
  await withExample("softirq-latency", async (ex) => {
    const before = await metrics(ex);
    const count = (text: string, kind: string) => valueOf(text, `${METRIC}_count`, { kind });
    let after = before;
    await waitUntil("timer and net_rx softirqs to be measured", async () => {
      await causeTimers();
      after = await metrics(ex); // a loopback HTTP request: network-receive softirqs
      return ["timer", "net_rx"].every((k) => count(after, k) > count(before, k));
    });
    for (const kind of ["timer", "net_rx"]) {
      assert.ok(checkHistogram(after, kind) > 0);
      assert.ok(valueOf(after, `${METRIC}_sum`, { kind }) > 0, `${kind} sum must grow`);
    }
  });
});
