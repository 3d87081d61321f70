/**
 * The span bench's OTLP/HTTP receiver: decodes each protobuf export request with the OTLP
 * definitions from npm and only counts spans, per trace id, and which parent span ids (the
 * driver's event numbers) arrived, so duplicates and gaps show as well as totals.
 */

import root from "otlp-proto-root";

// deno-lint-ignore no-explicit-any
const PROTO = (root as any).opentelemetry.proto.collector.trace.v1;
const RESPONSE_BODY: Uint8Array = PROTO.ExportTraceServiceResponse.encode({}).finish();

interface DecodedRequest {
  resourceSpans?: Array<{
    scopeSpans?: Array<{ spans?: Array<{ traceId: Uint8Array; parentSpanId: Uint8Array }> }>;
  }>;
}

/** What arrived for one trace id (one bench step). */
export class StepTally {
  readonly traceId: string;
  readonly events: number;
  spans = 0;
  /** Parent span ids in 1..events seen at least once. */
  distinct = 0;
  /** Spans whose parent id was outside 1..events or seen before. */
  unexpected = 0;
  #seen: Uint8Array;

  constructor(traceId: string, events: number) {
    this.traceId = traceId;
    this.events = events;
    this.#seen = new Uint8Array(events + 1);
  }

  /** Counts one span with this parent span id (the driver's event number, little-endian). */
  add(parent: Uint8Array): void {
    this.spans++;
    const n = parent.length === 8
      ? Number(new DataView(parent.buffer, parent.byteOffset, 8).getBigUint64(0, true))
      : 0;
    if (n < 1 || n > this.events || this.#seen[n] === 1) {
      this.unexpected++;
      return;
    }
    this.#seen[n] = 1;
    this.distinct++;
  }
}

function hex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/** A counting receiver on a random port of 127.0.0.1. */
export class SpanReceiver {
  readonly url: string;
  /** Spans of trace ids no step expects. */
  foreign = 0;
  requests = 0;
  #steps = new Map<string, StepTally>();
  #server: Deno.HttpServer<Deno.NetAddr>;

  constructor() {
    this.#server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
      const body = new Uint8Array(await req.arrayBuffer());
      this.requests++;
      this.#count(PROTO.ExportTraceServiceRequest.decode(body) as DecodedRequest);
      return new Response(RESPONSE_BODY.slice(), {
        headers: { "content-type": "application/x-protobuf" },
      });
    });
    this.url = `http://127.0.0.1:${this.#server.addr.port}/v1/traces`;
  }

  /** Starts counting spans of `traceId`. */
  expect(traceId: string, events: number): StepTally {
    const tally = new StepTally(traceId, events);
    this.#steps.set(traceId, tally);
    return tally;
  }

  #count(req: DecodedRequest): void {
    for (const rs of req.resourceSpans ?? []) {
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          const tally = this.#steps.get(hex(s.traceId));
          if (tally === undefined) this.foreign++;
          else tally.add(s.parentSpanId);
        }
      }
    }
  }

  /** Stops listening. */
  close(): Promise<void> {
    return this.#server.shutdown();
  }
}
