/**
 * exec-trace: runs /bin/true N times and checks that a local OTLP receiver gets one span per
 * run (protobuf and JSON), and that spans still queued at SIGTERM reach it before exit.
 */

import assert from "node:assert/strict";
import { kernelTest, waitUntil, withProcess } from "../harness.ts";
import { buildBinary, readProcFile } from "../binary.ts";
import { metrics, tracepointMissing, valueOf, withExample } from "./common.ts";
import { type ReceivedSpan, type Receiver, startReceiver, withEnv } from "./otlp_receiver.ts";

const RUNS = 10;

/** Runs /bin/true RUNS times; returns the pids. */
async function runTrue(): Promise<string[]> {
  const pids: string[] = [];
  for (let i = 0; i < RUNS; i++) {
    const child = new Deno.Command("/bin/true", { stdout: "null", stderr: "null" }).spawn();
    pids.push(String(child.pid));
    assert.equal((await child.status).code, 0);
  }
  return pids;
}

function spansOf(r: Receiver, pids: string[]): ReceivedSpan[] {
  return r.spans.filter((s) => pids.includes(s.attributes.pid ?? ""));
}

function checkSpans(
  spans: ReceivedSpan[],
  pids: string[],
  since: bigint,
  service = "ebpf_exporter",
): void {
  assert.deepEqual(new Set(spans.map((s) => s.attributes.pid)), new Set(pids));
  for (const s of spans) {
    assert.deepEqual(
      [s.service, s.name, s.attributes.comm, s.attributes["ebpf_exporter.config"]],
      [service, "exec", "true", "exec-trace"],
    );
    assert.match(s.traceId, /^[0-9a-f]{32}$/);
    assert.match(s.spanId, /^[0-9a-f]{16}$/);
    assert.equal(s.parentSpanId, "");
    assert.ok(s.startNs < s.endNs, `start ${s.startNs} is not before end ${s.endNs}`);
    // The monotonic start was placed on the wall clock: after the test began (a minute of slack
    // for clock adjustments), not at some boot-relative time.
    assert.ok(s.startNs > since - 60_000_000_000n, `start ${s.startNs} before ${since}`);
  }
}

async function tracepointsMissing(): Promise<boolean> {
  for (const event of ["sched_process_exec", "sched_process_exit"]) {
    const why = await tracepointMissing("sched", event);
    if (why !== null) {
      console.error(`SKIP exec-trace: tracepoint sched/${event} missing (${why})`);
      return true;
    }
  }
  return false;
}

for (const protocol of ["http/protobuf", "http/json"]) {
  kernelTest(`exec-trace sends one span per exec over OTLP ${protocol}`, async () => {
    if (await tracepointsMissing()) return;
    const receiver = startReceiver();
    try {
      const since = BigInt(Date.now()) * 1_000_000n;
      const env = {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        OTEL_BSP_SCHEDULE_DELAY: "100",
      };
      await withEnv(env, () =>
        withExample("exec-trace", async () => {
          const pids = await runTrue();
          await waitUntil(`${RUNS} exec spans`, () => spansOf(receiver, pids).length >= RUNS);
          checkSpans(spansOf(receiver, pids), pids, since);
          const one = spansOf(receiver, pids)[0]!;
          const shown = { ...one, startNs: `${one.startNs}`, endNs: `${one.endNs}` };
          console.error(`received: ${JSON.stringify(shown)}`);
          const type = protocol === "http/json" ? "application/json" : "application/x-protobuf";
          assert.ok(
            receiver.contentTypes.every((t) => t.startsWith(type)),
            receiver.contentTypes.join(),
          );
        }));
    } finally {
      await receiver.close();
    }
  });
}

kernelTest("OTEL_SERVICE_NAME and OTEL_EXPORTER_OTLP_HEADERS reach the collector", async () => {
  if (await tracepointsMissing()) return;
  const receiver = startReceiver();
  try {
    const since = BigInt(Date.now()) * 1_000_000n;
    const env = {
      // The general endpoint: the exporter appends /v1/traces itself.
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url.slice(0, -"/v1/traces".length),
      OTEL_EXPORTER_OTLP_HEADERS: "x-tenant=kernel-tests,x-token=abc%3D",
      OTEL_SERVICE_NAME: "exec-watch",
      OTEL_BSP_SCHEDULE_DELAY: "100",
    };
    await withEnv(env, () =>
      withExample("exec-trace", async () => {
        const pids = await runTrue();
        await waitUntil(`${RUNS} exec spans`, () => spansOf(receiver, pids).length >= RUNS);
        checkSpans(spansOf(receiver, pids), pids, since, "exec-watch");
        for (const h of receiver.headers) {
          assert.deepEqual([h.get("x-tenant"), h.get("x-token")], ["kernel-tests", "abc="]);
        }
      }));
  } finally {
    await receiver.close();
  }
});

kernelTest("exec-trace flushes spans still queued at SIGTERM before it exits", async () => {
  if (await tracepointsMissing()) return;
  const receiver = startReceiver();
  try {
    const since = BigInt(Date.now()) * 1_000_000n;
    // A batch delay of ten minutes: only the shutdown flush can send these spans.
    const env = {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: "600000",
    };
    let pids: string[] = [];
    await withEnv(env, () =>
      withExample("exec-trace", async (ex) => {
        const records = async () =>
          valueOf(await metrics(ex), "ebpf_exporter_ringbuf_records_total", {
            config: "exec-trace",
            ringbuf: "exec_spans",
          });
        const before = await records();
        pids = await runTrue();
        await waitUntil(
          "the exec records to be read",
          async () => await records() >= before + RUNS,
        );
        assert.equal(spansOf(receiver, pids).length, 0, "spans were sent before SIGTERM");
      }));
    // withExample returned: the exporter exited 0 after SIGTERM.
    checkSpans(spansOf(receiver, pids), pids, since);
  } finally {
    await receiver.close();
  }
});

kernelTest("the single binary may reach the collector its OTLP endpoint names", async () => {
  if (await tracepointsMissing()) return;
  const bin = await buildBinary();
  const receiver = startReceiver();
  try {
    const since = BigInt(Date.now()) * 1_000_000n;
    // The launcher grants net for the listen address and, from these variables, the collector.
    const command = [
      "env",
      "-i",
      `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=${receiver.url}`,
      "OTEL_BSP_SCHEDULE_DELAY=100",
      bin,
      "--config.names",
      "exec-trace",
      "--web.listen-address=127.0.0.1:0",
    ];
    await withProcess(command, {}, async (running) => {
      // The SDK comes from the binary's embedded tracing bundle (src/tracing/load.ts).
      const manifest = readProcFile(`/proc/${running.pid}/environ`).split("\0")
        .find((e) => e.startsWith("EBPF_EXPORTER_EMBEDDED_FILES="));
      assert.match(manifest ?? "", /[=,]tracing\.js=\/proc\/self\/fd\/\d+(,|$)/);
      const pids = await runTrue();
      await waitUntil(`${RUNS} exec spans`, () => spansOf(receiver, pids).length >= RUNS);
      checkSpans(spansOf(receiver, pids), pids, since);
      assert.match(running.log(), /exporting spans via otlp http\/protobuf/);
    });
  } finally {
    await receiver.close();
  }
});
