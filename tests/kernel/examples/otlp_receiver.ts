/**
 * A local OTLP/HTTP trace receiver for the tracing tests: accepts protobuf (decoded with the
 * OTLP protobuf definitions generated in @opentelemetry/otlp-transformer) and JSON, and keeps
 * every span it was sent in one shape.
 */

import root from "otlp-proto-root";

/** One received span, ids in lower-case hex and times in ns since the epoch. */
export interface ReceivedSpan {
  service: string;
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, string>;
}

/** A receiver listening on a random port of 127.0.0.1. */
export interface Receiver {
  /** The traces endpoint (`.../v1/traces`). */
  url: string;
  spans: ReceivedSpan[];
  /** Content types of the requests received. */
  contentTypes: string[];
  /** Headers of the requests received. */
  headers: Headers[];
  close(): Promise<void>;
}

interface KeyValue {
  key: string;
  value?: { stringValue?: string };
}
interface RawSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: KeyValue[];
}
interface RawRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: Array<{ spans?: RawSpan[] }>;
  }>;
}

// deno-lint-ignore no-explicit-any
const REQUEST = (root as any).opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
// deno-lint-ignore no-explicit-any
const RESPONSE = (root as any).opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;

function attrs(list: KeyValue[] | undefined): Record<string, string> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, kv.value?.stringValue ?? ""]));
}

function flatten(req: RawRequest, id: (v: string) => string): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of req.resourceSpans ?? []) {
    const service = attrs(rs.resource?.attributes)["service.name"] ?? "";
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          service,
          name: s.name,
          traceId: id(s.traceId),
          spanId: id(s.spanId),
          parentSpanId: id(s.parentSpanId ?? ""),
          startNs: BigInt(s.startTimeUnixNano),
          endNs: BigInt(s.endTimeUnixNano),
          attributes: attrs(s.attributes),
        });
      }
    }
  }
  return out;
}

// protobufjs gives bytes as base64 with `bytes: String`; OTLP/JSON carries ids as hex.
function base64ToHex(b64: string): string {
  return [...atob(b64)].map((c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("");
}

/** Starts a receiver. */
export function startReceiver(): Receiver {
  const spans: ReceivedSpan[] = [];
  const contentTypes: string[] = [];
  const headers: Headers[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const type = req.headers.get("content-type") ?? "";
    contentTypes.push(type);
    headers.push(req.headers);
    const body = new Uint8Array(await req.arrayBuffer());
    if (type.startsWith("application/json")) {
      spans.push(...flatten(JSON.parse(new TextDecoder().decode(body)), (v) => v.toLowerCase()));
      return Response.json({});
    }
    const msg = REQUEST.toObject(REQUEST.decode(body), { longs: String, bytes: String });
    spans.push(...flatten(msg as RawRequest, base64ToHex));
    const answer: Uint8Array = RESPONSE.encode(RESPONSE.create({})).finish();
    return new Response(answer.slice(), { headers: { "content-type": "application/x-protobuf" } });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/v1/traces`,
    spans,
    contentTypes,
    headers,
    close: () => server.shutdown(),
  };
}

/** Sets `vars` for the exporter processes started in `body` (they inherit the environment). */
export async function withEnv<T>(vars: Record<string, string>, body: () => Promise<T>): Promise<T> {
  const old = Object.keys(vars).map((k) => [k, Deno.env.get(k)] as const);
  for (const [k, v] of Object.entries(vars)) Deno.env.set(k, v);
  try {
    return await body();
  } finally {
    for (const [k, v] of old) v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);
  }
}
