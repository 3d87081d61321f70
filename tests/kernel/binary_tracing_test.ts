/**
 * Span export from the single binary: the OpenTelemetry SDK lives in its own embedded bundle
 * (tracing.js), which the exporter imports only when a config has spans. A config with spans
 * still exports them over OTLP; the main bundle carries none of the SDK.
 */

import assert from "node:assert/strict";
import { kernelTest, ROOT, waitUntil, withProcess } from "./harness.ts";
import { buildBinary, readProcFile } from "./binary.ts";
import { tracepointMissing } from "./examples/common.ts";
import { startReceiver } from "./examples/otlp_receiver.ts";

kernelTest(
  "the packed binary's main bundle leaves the OpenTelemetry SDK to tracing.js",
  async () => {
    await buildBinary();
    const app = Deno.readTextFileSync(`${ROOT}/build/pack/app.js`);
    const tracing = Deno.readTextFileSync(`${ROOT}/build/pack/tracing.js`);
    assert.ok(!app.includes("@opentelemetry"), "app.js bundles OpenTelemetry packages");
    assert.ok(tracing.includes("@opentelemetry/sdk-trace"), "tracing.js lacks the SDK");
    assert.match(tracing, /^export \{[^}]*\bcreateSpanSink\b/m);
  },
);

kernelTest(
  "the packed binary exports exec-trace spans through its embedded tracing bundle",
  async () => {
    for (const event of ["sched_process_exec", "sched_process_exit"]) {
      const why = await tracepointMissing("sched", event);
      if (why !== null) {
        console.error(`SKIP: tracepoint sched/${event} missing (${why})`);
        return;
      }
    }
    const bin = await buildBinary();
    const receiver = startReceiver();
    try {
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
        const manifest = readProcFile(`/proc/${running.pid}/environ`).split("\0")
          .find((e) => e.startsWith("EBPF_EXPORTER_EMBEDDED_FILES="));
        assert.match(manifest ?? "", /[=,]tracing\.js=\/proc\/self\/fd\/\d+(,|$)/);
        const pids: string[] = [];
        for (let i = 0; i < 3; i++) {
          const child = new Deno.Command("/bin/true", { stdout: "null", stderr: "null" }).spawn();
          pids.push(String(child.pid));
          await child.status;
        }
        await waitUntil(
          "spans for 3 execs",
          () => pids.every((p) => receiver.spans.some((s) => s.attributes.pid === p)),
        );
        assert.match(running.log(), /exporting spans via otlp http\/protobuf/);
        const one = receiver.spans.find((s) => s.attributes.pid === pids[0])!;
        assert.deepEqual([one.name, one.attributes.comm], ["exec", "true"]);
      });
    } finally {
      await receiver.close();
    }
  },
);
