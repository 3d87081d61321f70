/**
 * The metrics route over a real exporter (recorded maps, no kernel): the Accept header picks
 * the writer, and every response is counted in promhttp_metric_handler_requests_total.
 */
import assert from "node:assert/strict";
import { metricsRoutes } from "../../src/app/routes.ts";
import { parseCommandLine } from "../../src/cli.ts";
import { CONTENT_TYPE_PROTOBUF } from "../../src/encode/protobuf.ts";
import { handler } from "../../src/server.ts";
import { readRecording, recordedExporter } from "../e2e/pipeline.ts";
import { decodeDelimited } from "../encode/proto_decode.ts";

const PROM2 = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;" +
  "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
const PROM2_NATIVE = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;" +
  "encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,application/" +
  "openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

function flags() {
  const c = parseCommandLine(["--config.names=timers"]);
  if (c.kind !== "run") throw new Error(`expected a run command, got ${c.kind}`);
  return c.flags;
}

async function get(h: (r: Request) => Promise<Response>, accept: string | null) {
  const headers: Record<string, string> = accept === null ? {} : { accept };
  const res = await h(new Request("http://x/metrics", { headers }));
  return { type: res.headers.get("content-type"), text: await res.text() };
}

Deno.test("the Accept header picks the exposition format of a real scrape", async () => {
  const exporter = recordedExporter("timers", readRecording("timers"));
  try {
    const h = handler(metricsRoutes(flags(), exporter));
    const text = await get(h, null);
    assert.equal(text.type, "text/plain; version=0.0.4; charset=utf-8");
    assert.match(text.text, /^# TYPE ebpf_exporter_timer_starts_total counter$/m);
    assert.ok(!text.text.includes("# EOF"));
    for (const accept of [PROM2]) {
      const om = await get(h, accept);
      assert.equal(om.type, "application/openmetrics-text; version=1.0.0; charset=utf-8");
      assert.match(om.text, /^# TYPE ebpf_exporter_timer_starts counter$/m);
      assert.match(om.text, /^ebpf_exporter_timer_starts_total\{function="dev_watchdog"\} 1$/m);
      assert.ok(om.text.endsWith("\n# EOF\n"));
    }
    assert.deepEqual([...exporter.formats].sort(), ["openmetrics", "protobuf", "text"]);
  } finally {
    exporter.close();
  }
});

Deno.test("each metrics response is counted by status, from the next scrape on", async () => {
  const exporter = recordedExporter("timers", readRecording("timers"));
  try {
    const h = handler(metricsRoutes(flags(), exporter));
    const count = (text: string) =>
      /^promhttp_metric_handler_requests_total\{code="200"\} (\d+)$/m.exec(text)?.[1];
    assert.equal(count((await get(h, null)).text), "0");
    assert.equal(count((await get(h, PROM2)).text), "1");
    assert.equal(count((await get(h, null)).text), "2");
    assert.equal(exporter.httpRequests.get(200), 3);
    assert.equal(exporter.httpRequests.get(500), 0);
  } finally {
    exporter.close();
  }
});

Deno.test("Prometheus asking for native histograms gets protobuf with a native histogram", async () => {
  const exporter = recordedExporter("syscalls", readRecording("syscalls"));
  try {
    const h = handler(metricsRoutes(flags(), exporter));
    const res = await h(new Request("http://x/metrics", { headers: { accept: PROM2_NATIVE } }));
    assert.equal(res.headers.get("content-type"), CONTENT_TYPE_PROTOBUF);
    const families = decodeDelimited(new Uint8Array(await res.arrayBuffer()));
    const latency = families.find((f) => f.name === "ebpf_exporter_syscall_latency_seconds");
    assert.ok(latency, "the latency histogram is in the protobuf answer");
  } finally {
    exporter.close();
  }
});
