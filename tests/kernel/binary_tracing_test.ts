/**
 * Span export from the single binary: the OpenTelemetry SDK lives in its own embedded bundle
 * (tracing.js), which the exporter imports only when a config has spans; the main bundle
 * carries none of the SDK. That the binary exports spans through it is checked by the exec-trace
 * example's single-binary test (tests/kernel/examples/exec-trace_test.ts).
 */

import assert from "node:assert/strict";
import { kernelTest, ROOT } from "./harness.ts";
import { buildBinary } from "./binary.ts";

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
