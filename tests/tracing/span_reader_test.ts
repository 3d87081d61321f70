/** Ring buffer records → spans: truncation to the labels, skips, and dropped-record counting. */

import assert from "node:assert/strict";
import type { SpanConfig } from "../../src/config/types.ts";
import { SpanDecoder } from "../../src/tracing/span_reader.ts";
import { conf, fakeContext, label } from "../decoders/helpers.ts";

const SPAN: SpanConfig = {
  name: "exec",
  ringbuf: "exec_spans",
  service: "",
  labels: [
    label("trace_id", 16, [conf("hex")]),
    label("span_duration_ns", 8, [conf("uint")]),
    label("comm", 8, [conf("string"), conf("regexp", { regexps: ["^[a-z]+$"] })]),
  ],
  pos: { file: "t.yaml", line: 3, key: "tracing.spans[0]" },
};

function record(trace: number[], duration: bigint, comm: string, tail = 0): Uint8Array {
  const out = new Uint8Array(32 + tail).fill(0xee);
  out.set(trace, 0);
  new DataView(out.buffer).setBigUint64(16, duration, true);
  out.set(new Uint8Array(8), 24);
  out.set(new TextEncoder().encode(comm), 24);
  return out;
}

const TRACE = Array.from({ length: 16 }, (_, i) => i + 1);

function decoder() {
  const errors: string[] = [];
  const d = new SpanDecoder("exec-trace", SPAN, fakeContext().ctx, (config, span, e) => {
    errors.push(`${config}/${span.ringbuf}: ${e.message}`);
  });
  return { d, errors };
}

Deno.test("a record longer than the labels is cut to their size and becomes a span", () => {
  const { d, errors } = decoder();
  assert.deepEqual(d.decode(record(TRACE, 2500n, "true", 8)), {
    name: "exec",
    traceId: "0102030405060708090a0b0c0d0e0f10",
    parentSpanId: null,
    spanId: null,
    startMonotonicNs: null,
    durationNs: 2500n,
    attributes: { comm: "true", "ebpf_exporter.config": "exec-trace" },
  });
  assert.deepEqual([d.stats.records, d.stats.dropped, errors], [1, 0, []]);
});

Deno.test("a record shorter than the labels is dropped and reported", () => {
  const { d, errors } = decoder();
  assert.equal(d.decode(record(TRACE, 1n, "true").subarray(0, 31)), null);
  assert.deepEqual([d.stats.records, d.stats.dropped], [1, 1]);
  assert.deepEqual(errors, [
    "exec-trace/exec_spans: record of 31 bytes is shorter than the labels' 32",
  ]);
});

Deno.test("a record a decoder skips is dropped silently", () => {
  const { d, errors } = decoder();
  assert.equal(d.decode(record(TRACE, 1n, "TRUE")), null);
  assert.deepEqual([d.stats.records, d.stats.dropped, errors], [1, 0, []]);
});

Deno.test("a record with an all-zero trace id is dropped and reported", () => {
  const { d, errors } = decoder();
  assert.equal(d.decode(record(new Array(16).fill(0), 1n, "true")), null);
  assert.deepEqual([d.stats.records, d.stats.dropped], [1, 1]);
  assert.deepEqual(errors, ["exec-trace/exec_spans: trace_id is all zeros"]);
});

Deno.test("an unexpected error while decoding costs the record, never the reader", () => {
  const throwing: SpanConfig = {
    ...SPAN,
    labels: [label("trace_id", 16, [conf("hex")])],
  };
  const errors: string[] = [];
  const d = new SpanDecoder("exec-trace", throwing, fakeContext().ctx, (_c, _s, e) => {
    errors.push(e.message);
  });
  // A record whose bytes cannot even be sliced: an error no decoder anticipates.
  const record = new Uint8Array(16);
  record.subarray = () => {
    throw new TypeError("boom");
  };
  assert.equal(d.decode(record), null);
  assert.deepEqual([d.stats.records, d.stats.dropped, errors], [1, 1, ["boom"]]);
});
