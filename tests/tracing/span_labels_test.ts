/** Reserved span labels → span fields, with exact vectors for valid, zero and malformed values. */

import assert from "node:assert/strict";
import {
  hrTime,
  monotonicToWallNs,
  spanFromLabels,
  SpanLabelError,
} from "../../src/tracing/span_labels.ts";

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const PARENT = "b7ad6b7169203331";
const SPAN = "00f067aa0ba902b7";

function span(labels: Record<string, string>) {
  return spanFromLabels(Object.keys(labels), Object.values(labels), "exec", "exec-trace");
}

function refused(labels: Record<string, string>, message: string): void {
  assert.throws(() => span(labels), (e) => {
    assert.ok(e instanceof SpanLabelError);
    assert.equal(e.message, message);
    return true;
  });
}

Deno.test("every reserved label sets its span field; the rest become attributes", () => {
  assert.deepEqual(
    span({
      trace_id: TRACE,
      parent_span_id: PARENT,
      span_id: SPAN,
      span_monotonic_timestamp_ns: "123456789012",
      span_duration_ns: "5000",
      span_name: "bash",
      pid: "42",
      comm: "bash",
    }),
    {
      name: "bash",
      traceId: TRACE,
      parentSpanId: PARENT,
      spanId: SPAN,
      startMonotonicNs: 123456789012n,
      durationNs: 5000n,
      attributes: { pid: "42", comm: "bash", "ebpf_exporter.config": "exec-trace" },
    },
  );
});

Deno.test("without reserved labels the span is named after its config entry, starts now and lasts 0", () => {
  assert.deepEqual(span({ pid: "7" }), {
    name: "exec",
    traceId: null,
    parentSpanId: null,
    spanId: null,
    startMonotonicNs: null,
    durationNs: 0n,
    attributes: { pid: "7", "ebpf_exporter.config": "exec-trace" },
  });
});

Deno.test("upper-case hex ids are taken in lower case", () => {
  const s = span({ trace_id: TRACE.toUpperCase(), span_id: SPAN.toUpperCase() });
  assert.deepEqual([s.traceId, s.spanId], [TRACE, SPAN]);
});

Deno.test("all-zero span ids mean absent: a root span of the given trace with a random id", () => {
  const s = span({
    trace_id: TRACE,
    parent_span_id: "0000000000000000",
    span_id: "0000000000000000",
  });
  assert.deepEqual([s.traceId, s.parentSpanId, s.spanId], [TRACE, null, null]);
});

Deno.test("without a trace_id label the span and parent ids are ignored", () => {
  const s = span({ parent_span_id: PARENT, span_id: SPAN });
  assert.deepEqual([s.traceId, s.parentSpanId, s.spanId], [null, null, null]);
});

Deno.test("an all-zero trace_id drops the span", () => {
  refused({ trace_id: "0".repeat(32) }, "trace_id is all zeros");
});

Deno.test("malformed trace ids drop the span", () => {
  refused({ trace_id: TRACE.slice(1) }, `trace_id must be 32 hex digits, got "${TRACE.slice(1)}"`);
  refused({ trace_id: TRACE + "0" }, `trace_id must be 32 hex digits, got "${TRACE}0"`);
  const g = "g" + TRACE.slice(1);
  refused({ trace_id: g }, `trace_id must be 32 hex digits, got "${g}"`);
  refused({ trace_id: "" }, 'trace_id must be 32 hex digits, got ""');
});

Deno.test("malformed span ids drop the span, even without a trace id", () => {
  refused({ trace_id: TRACE, span_id: "123" }, 'span_id must be 16 hex digits, got "123"');
  refused(
    { parent_span_id: "x".repeat(16) },
    `parent_span_id must be 16 hex digits, got "${"x".repeat(16)}"`,
  );
  refused(
    { trace_id: TRACE, span_id: SPAN + "00" },
    `span_id must be 16 hex digits, got "${SPAN}00"`,
  );
});

Deno.test("timestamps and durations must be decimal", () => {
  refused(
    { span_monotonic_timestamp_ns: "0x10" },
    'span_monotonic_timestamp_ns must be a decimal number, got "0x10"',
  );
  refused({ span_duration_ns: "-5" }, 'span_duration_ns must be a decimal number, got "-5"');
  refused({ span_duration_ns: "" }, 'span_duration_ns must be a decimal number, got ""');
  assert.equal(
    span({ span_duration_ns: "18446744073709551615" }).durationNs,
    18446744073709551615n,
  );
});

Deno.test("monotonic times become wall times by the offset between the clocks", () => {
  assert.equal(
    monotonicToWallNs(1_000n, 5_000n, 1_700_000_000_000_000_000n),
    1_699_999_999_999_996_000n,
  );
  assert.equal(monotonicToWallNs(9_000n, 5_000n, 100_000n), 104_000n);
  assert.deepEqual(hrTime(1_700_000_001_000_000_123n), [1_700_000_001, 123]);
});
