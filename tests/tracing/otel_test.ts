/** Decoded spans → OpenTelemetry spans: ids, parents, wall-clock times and one resource per service. */

import assert from "node:assert/strict";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";
import { readOtelSettings } from "../../src/tracing/otel_env.ts";
import { spanSinkFor } from "../../src/tracing/otel.ts";
import type { SpanData } from "../../src/tracing/span_labels.ts";

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const PARENT = "b7ad6b7169203331";
const SPAN = "00f067aa0ba902b7";
// Boot-relative monotonic clock 1000 s, wall clock 1,700,000,000 s, read at one moment.
const CLOCKS = { monotonicNs: 1_000_000_000_000n, wallNs: 1_700_000_000_000_000_000n };

function data(over: Partial<SpanData>): SpanData {
  return {
    name: "exec",
    traceId: null,
    parentSpanId: null,
    spanId: null,
    startMonotonicNs: null,
    durationNs: 0n,
    attributes: { "ebpf_exporter.config": "t" },
    ...over,
  };
}

async function export_(spans: Array<[SpanData, string]>) {
  // The SDK's InMemorySpanExporter forgets its spans on shutdown; this one keeps them.
  const exported: ReadableSpan[] = [];
  const recorder: SpanExporter = {
    export(batch, done) {
      exported.push(...batch);
      done({ code: 0 });
    },
    shutdown: () => Promise.resolve(),
  };
  const sink = spanSinkFor(recorder, readOtelSettings(() => undefined));
  for (const [s, service] of spans) sink.emit(s, service, CLOCKS);
  await sink.shutdown();
  return exported;
}

Deno.test("predetermined trace, span and parent ids are kept; times move to the wall clock", async () => {
  const [s] = await export_([[
    data({
      traceId: TRACE,
      parentSpanId: PARENT,
      spanId: SPAN,
      // 2.5 s before the clocks were read, lasting 1.000000001 s.
      startMonotonicNs: 997_500_000_000n,
      durationNs: 1_000_000_001n,
      attributes: { pid: "42", "ebpf_exporter.config": "t" },
    }),
    "",
  ]]);
  assert.ok(s);
  assert.deepEqual(
    [s.spanContext().traceId, s.spanContext().spanId, s.parentSpanContext?.spanId],
    [TRACE, SPAN, PARENT],
  );
  assert.deepEqual([s.startTime, s.endTime], [[1_699_999_997, 500_000_000], [
    1_699_999_998,
    500_000_001,
  ]]);
  assert.deepEqual(s.attributes, { pid: "42", "ebpf_exporter.config": "t" });
  assert.equal(s.spanContext().traceFlags & 1, 1);
  assert.deepEqual(s.resource.attributes, { "service.name": "ebpf_exporter" });
});

Deno.test("a trace id without a parent makes a root span of that trace", async () => {
  const [s] = await export_([[data({ traceId: TRACE, spanId: SPAN }), "svc"]]);
  assert.deepEqual([s!.spanContext().traceId, s!.spanContext().spanId], [TRACE, SPAN]);
  assert.equal(s!.parentSpanContext, undefined);
});

Deno.test("without ids the SDK invents them, and the start is now", async () => {
  const spans = await export_([[data({}), ""], [data({}), ""]]);
  const [a, b] = spans.map((s) => s.spanContext());
  assert.notEqual(a!.traceId, b!.traceId);
  assert.match(a!.traceId, /^[0-9a-f]{32}$/);
  assert.notEqual(a!.traceId, TRACE);
  assert.deepEqual(spans[0]!.startTime, [1_700_000_000, 0]);
  assert.deepEqual(spans[0]!.endTime, [1_700_000_000, 0]);
});

Deno.test("each service has its own resource; span names come from the data", async () => {
  const spans = await export_([
    [data({ name: "a" }), "one"],
    [data({ name: "b" }), "two"],
    [data({ name: "c" }), "one"],
  ]);
  assert.deepEqual(
    spans.map((s) => [s.name, s.resource.attributes["service.name"]]),
    [["a", "one"], ["b", "two"], ["c", "one"]],
  );
  assert.equal(spans[0]!.resource, spans[2]!.resource);
});
