/**
 * runqueue-latency: a child that sleeps many times is woken as often, and every wakeup ends in
 * one observation when the task gets its CPU. The histogram is machine-wide, so the test checks
 * that it grew by at least the child's wakeups and that every series is a well-formed histogram.
 */

import assert from "node:assert/strict";
import { kernelTest } from "../harness.ts";
import { metrics, type Sample, samples, withExample } from "./common.ts";

const METRIC = "ebpf_exporter_runqueue_latency_seconds";
const SLEEPS = 50;

function total(text: string): number {
  return samples(text, `${METRIC}_count`).reduce((n, s) => n + s.value, 0);
}

/** Checks one series: buckets never decrease, +Inf equals _count, and the sum is positive. */
function checkSeries(text: string, cpu: string): void {
  const ofCpu = (s: Sample) => s.labels.cpu === cpu;
  const buckets = samples(text, `${METRIC}_bucket`).filter(ofCpu);
  const le = (s: Sample) => (s.labels.le === "+Inf" ? Infinity : Number(s.labels.le));
  buckets.sort((a, b) => le(a) - le(b));
  assert.equal(buckets.length, 28, `26 + 1 bucket bounds and +Inf for cpu ${cpu}`);
  for (let i = 1; i < buckets.length; i++) {
    assert.ok(buckets[i]!.value >= buckets[i - 1]!.value, `cumulative buckets on cpu ${cpu}`);
  }
  const count = samples(text, `${METRIC}_count`).find(ofCpu)?.value;
  assert.equal(buckets.at(-1)!.value, count);
  const sum = samples(text, `${METRIC}_sum`).find(ofCpu)?.value ?? 0;
  assert.ok(sum > 0, `cpu ${cpu} waited some time in all`);
}

kernelTest("runqueue-latency observes at least one run queue wait per wakeup", async () => {
  // raw_tp needs no tracefs and exists on every kernel of the matrix: nothing to probe.
  await withExample("runqueue-latency", async (ex) => {
    const before = total(await metrics(ex));
    // One bash process sleeping in select(2): each read of the silent pipe times out, and the
    // timer wakes the task.
    const child = new Deno.Command("bash", {
      args: ["-c", `for ((i = 0; i < ${SLEEPS}; i++)); do read -t 0.002; done; true`],
      stdin: "piped",
    }).spawn();
    const status = await child.status;
    await child.stdin.close();
    assert.equal(status.code, 0);
    const text = await metrics(ex);
    const grew = total(text) - before;
    assert.ok(grew >= SLEEPS, `grew by ${grew}:\n${text}`);
    const cpus = new Set(samples(text, `${METRIC}_count`).map((s) => s.labels.cpu));
    assert.ok(cpus.size > 0);
    for (const cpu of cpus) checkSeries(text, cpu!);
  });
});
