/**
 * The span bench's counting receiver: spans are told apart by trace id, and each step's event
 * numbers (little-endian parent span ids) are counted once, duplicates and strays separately.
 */

import assert from "node:assert/strict";
import root from "otlp-proto-root";
import { SpanReceiver, StepTally } from "../../bench/span_receiver.ts";

// deno-lint-ignore no-explicit-any
const REQUEST = (root as any).opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

function le64(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
}

function hexBytes(hex: string): Uint8Array {
  return new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16)));
}

Deno.test("StepTally counts event numbers 1..events once each", () => {
  const t = new StepTally("00".repeat(15) + "01", 3);
  for (const n of [1, 3, 3, 0, 4, 2]) t.add(le64(n));
  t.add(new Uint8Array(0)); // no parent at all
  assert.deepEqual([t.spans, t.distinct, t.unexpected], [7, 3, 4]);
});

Deno.test("SpanReceiver decodes OTLP protobuf and counts per trace id", async () => {
  const receiver = new SpanReceiver();
  try {
    const mine = "0123456789abcdef0123456789abcdef";
    const other = "ffeeddccbbaa99887766554433221100";
    const tally = receiver.expect(mine, 2);
    const span = (trace: string, parent: number) => ({
      traceId: hexBytes(trace),
      spanId: le64(1000 + parent),
      parentSpanId: le64(parent),
      name: "usdt-span",
    });
    const body = REQUEST.encode({
      resourceSpans: [
        { scopeSpans: [{ spans: [span(mine, 1), span(other, 1)] }] },
        { scopeSpans: [{ spans: [span(mine, 2)] }, { spans: [span(mine, 2)] }] },
      ],
    }).finish() as Uint8Array;
    const res = await fetch(receiver.url, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: body.slice(),
    });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    assert.deepEqual(
      [tally.spans, tally.distinct, tally.unexpected, receiver.foreign, receiver.requests],
      [3, 2, 1, 1, 1],
    );
  } finally {
    await receiver.close();
  }
});
