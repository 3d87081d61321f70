/** OTEL_* variables → span export settings, with defaults and one-line refusals. */

import assert from "node:assert/strict";
import { OtelEnvError, readOtelSettings } from "../../src/tracing/otel_env.ts";

function read(env: Record<string, string>) {
  return readOtelSettings((name) => env[name]);
}

function refused(env: Record<string, string>, variable: string, message: string): void {
  assert.throws(() => read(env), (e) => {
    assert.ok(e instanceof OtelEnvError);
    assert.deepEqual([e.variable, e.message], [variable, message]);
    return true;
  });
}

Deno.test("without variables spans go over OTLP http/protobuf as ebpf_exporter", () => {
  assert.deepEqual(read({}), {
    exporter: "otlp",
    protocol: "http/protobuf",
    defaultService: "ebpf_exporter",
    batch: {
      scheduledDelayMillis: 5000,
      exportTimeoutMillis: 30000,
      maxQueueSize: 2048,
      maxExportBatchSize: 512,
    },
  });
});

Deno.test("every variable is read; the traces-specific protocol wins over the general one", () => {
  assert.deepEqual(
    read({
      OTEL_TRACES_EXPORTER: "console",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/json",
      OTEL_SERVICE_NAME: "kernel",
      OTEL_BSP_SCHEDULE_DELAY: "0",
      OTEL_BSP_EXPORT_TIMEOUT: "1000",
      OTEL_BSP_MAX_QUEUE_SIZE: "100",
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "100",
    }),
    {
      exporter: "console",
      protocol: "http/json",
      defaultService: "kernel",
      batch: {
        scheduledDelayMillis: 0,
        exportTimeoutMillis: 1000,
        maxQueueSize: 100,
        maxExportBatchSize: 100,
      },
    },
  );
  assert.equal(read({ OTEL_TRACES_EXPORTER: " none " }).exporter, "none");
  assert.equal(read({ OTEL_SERVICE_NAME: "" }).defaultService, "ebpf_exporter");
});

Deno.test("unknown exporters and protocols are refused naming the variable", () => {
  refused(
    { OTEL_TRACES_EXPORTER: "zipkin" },
    "OTEL_TRACES_EXPORTER",
    'OTEL_TRACES_EXPORTER must be one of otlp, console, none, got "zipkin"',
  );
  refused(
    { OTEL_EXPORTER_OTLP_PROTOCOL: "http" },
    "OTEL_EXPORTER_OTLP_PROTOCOL",
    'OTEL_EXPORTER_OTLP_PROTOCOL must be one of http/protobuf, http/json, got "http"',
  );
});

Deno.test("grpc is refused with the reason and the alternative", () => {
  refused(
    { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "grpc" },
    "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
    "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=grpc is not supported: the gRPC client reads GRPC_* " +
      "and proxy variables outside the exporter's environment allow-list; use http/protobuf " +
      "(port 4318)",
  );
});

Deno.test("batch settings must be integers in range", () => {
  refused(
    { OTEL_BSP_SCHEDULE_DELAY: "1.5" },
    "OTEL_BSP_SCHEDULE_DELAY",
    'OTEL_BSP_SCHEDULE_DELAY must be an integer of at least 0, got "1.5"',
  );
  refused(
    { OTEL_BSP_MAX_QUEUE_SIZE: "0" },
    "OTEL_BSP_MAX_QUEUE_SIZE",
    'OTEL_BSP_MAX_QUEUE_SIZE must be an integer of at least 1, got "0"',
  );
  refused(
    { OTEL_BSP_EXPORT_TIMEOUT: "-1" },
    "OTEL_BSP_EXPORT_TIMEOUT",
    'OTEL_BSP_EXPORT_TIMEOUT must be an integer of at least 1, got "-1"',
  );
  refused(
    { OTEL_BSP_MAX_QUEUE_SIZE: "10", OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "11" },
    "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
    "OTEL_BSP_MAX_EXPORT_BATCH_SIZE (11) must not exceed OTEL_BSP_MAX_QUEUE_SIZE (10)",
  );
});
