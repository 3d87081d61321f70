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

/** `name{labels}` → value of a text exposition, label pairs as written (sorted by name). */
export function textSeries(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const cut = line.lastIndexOf(" ");
    const v = line.slice(cut + 1);
    // Bounds keyed by their number, so that both sides spell them alike.
    const key = line.slice(0, cut).replace(
      /le="([^"]*)"/,
      (_, le: string) => `le="${le === "+Inf" ? Infinity : Number(le)}"`,
    );
    out.set(key, v === "+Inf" ? Infinity : v === "-Inf" ? -Infinity : Number(v));
  }
  return out;
}

function escape(v: string): string {
  return v.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

// deno-lint-ignore no-explicit-any
type Obj = Record<string, any>;

/** The same keys rebuilt from decoded MetricFamily objects, the way expfmt renders them. */
export function protoSeries(decoded: Obj[]): Map<string, number> {
  const out = new Map<string, number>();
  const key = (name: string, labels: Obj[], extra = "") => {
    const pairs = labels.map((l) => `${l.name}="${escape(l.value)}"`);
    if (extra !== "") pairs.push(extra);
    return pairs.length === 0 ? name : `${name}{${pairs.join(",")}}`;
  };
  for (const f of decoded) {
    for (const m of f.metric as Obj[]) {
      const labels = (m.label ?? []) as Obj[];
      if (f.type === "HISTOGRAM") {
        const h = m.histogram as Obj;
        for (const b of h.bucket as Obj[]) {
          out.set(
            key(`${f.name}_bucket`, labels, `le="${b.upper_bound}"`),
            b.cumulative_count ?? 0,
          );
        }
        out.set(key(`${f.name}_bucket`, labels, 'le="Infinity"'), h.sample_count ?? 0);
        out.set(key(`${f.name}_sum`, labels), h.sample_sum);
        out.set(key(`${f.name}_count`, labels), h.sample_count ?? 0);
      } else {
        out.set(key(f.name, labels), (m.counter ?? m.gauge).value);
      }
    }
  }
  return out;
}
