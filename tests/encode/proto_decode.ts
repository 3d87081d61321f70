/**
 * Decodes a delimited protobuf exposition with protobufjs from Prometheus' own metrics.proto
 * (tests/fixtures/proto/metrics.proto): an independent reading of what src/encode/protobuf.ts
 * writes, sharing no code with it.
 */

import protobuf from "protobufjs";

const PROTO = new URL("../fixtures/proto/metrics.proto", import.meta.url);

let familyType: protobuf.Type | null = null;

/** The MetricFamily message type, parsed once from the fixture. */
export function metricFamilyType(): protobuf.Type {
  if (familyType !== null) return familyType;
  const root = new protobuf.Root();
  // metrics.proto imports google/protobuf/timestamp.proto, which protobufjs ships.
  const timestamp = protobuf.common.get("google/protobuf/timestamp.proto");
  if (timestamp?.nested === undefined) throw new Error("protobufjs lacks timestamp.proto");
  root.addJSON(timestamp.nested);
  protobuf.parse(Deno.readTextFileSync(PROTO), root, { keepCase: true });
  root.resolveAll();
  familyType = root.lookupType("io.prometheus.client.MetricFamily");
  return familyType;
}

/** Every MetricFamily of a delimited stream, as plain objects (64-bit ints as numbers). */
export function decodeDelimited(bytes: Uint8Array): Record<string, unknown>[] {
  const type = metricFamilyType();
  const reader = protobuf.Reader.create(bytes);
  const out: Record<string, unknown>[] = [];
  while (reader.pos < reader.len) {
    const msg = type.decodeDelimited(reader);
    out.push(type.toObject(msg, { longs: Number, enums: String, defaults: false }));
  }
  return out;
}
