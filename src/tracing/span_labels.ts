/**
 * One ring-buffer record's decoded labels → the span they describe (spec section 7). Six label
 * names are reserved and shape the span itself; every other label becomes a string attribute.
 */

/** Label names that set span fields instead of becoming attributes. */
export const RESERVED_SPAN_LABELS = [
  "trace_id",
  "parent_span_id",
  "span_id",
  "span_monotonic_timestamp_ns",
  "span_duration_ns",
  "span_name",
] as const;

/** Attribute naming the config a span came from. */
export const CONFIG_ATTRIBUTE = "ebpf_exporter.config";

/** A span as the kernel described it, before any clock conversion. */
export interface SpanData {
  name: string;
  /** 32 lowercase hex digits; null lets the SDK invent a trace (and span) id. */
  traceId: string | null;
  /** 16 lowercase hex digits; null for a root span. */
  parentSpanId: string | null;
  /** 16 lowercase hex digits; null for a random id. */
  spanId: string | null;
  /** CLOCK_MONOTONIC start in ns; null means "now". */
  startMonotonicNs: bigint | null;
  durationNs: bigint;
  attributes: Record<string, string>;
}

/** A record whose reserved labels cannot describe a span; the record is dropped. */
export class SpanLabelError extends Error {
  override name = "SpanLabelError";
}

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const DECIMAL = /^[0-9]+$/;
const ZERO_SPAN_ID = "0000000000000000";

/** Builds the span of one record from label names and their decoded values (same order). */
export function spanFromLabels(
  names: readonly string[],
  values: readonly string[],
  defaultName: string,
  config: string,
): SpanData {
  const span: SpanData = {
    name: defaultName,
    traceId: null,
    parentSpanId: null,
    spanId: null,
    startMonotonicNs: null,
    durationNs: 0n,
    attributes: {},
  };
  names.forEach((name, i) => applyLabel(span, name, values[i] ?? ""));
  span.attributes[CONFIG_ATTRIBUTE] = config;
  // Without a trace id the SDK makes up both ids: a given span id would then belong to no trace.
  if (span.traceId === null) span.spanId = span.parentSpanId = null;
  return span;
}

function applyLabel(span: SpanData, name: string, value: string): void {
  switch (name) {
    case "trace_id":
      span.traceId = traceId(value);
      return;
    case "parent_span_id":
      span.parentSpanId = spanId(name, value);
      return;
    case "span_id":
      span.spanId = spanId(name, value);
      return;
    case "span_monotonic_timestamp_ns":
      span.startMonotonicNs = decimal(name, value);
      return;
    case "span_duration_ns":
      span.durationNs = decimal(name, value);
      return;
    case "span_name":
      span.name = value;
      return;
    default:
      span.attributes[name] = value;
  }
}

function traceId(value: string): string {
  const v = value.toLowerCase();
  if (!TRACE_ID.test(v)) {
    throw new SpanLabelError(`trace_id must be 32 hex digits, got ${JSON.stringify(value)}`);
  }
  if (/^0+$/.test(v)) throw new SpanLabelError("trace_id is all zeros");
  return v;
}

function spanId(name: string, value: string): string | null {
  const v = value.toLowerCase();
  if (!SPAN_ID.test(v)) {
    throw new SpanLabelError(`${name} must be 16 hex digits, got ${JSON.stringify(value)}`);
  }
  return v === ZERO_SPAN_ID ? null : v;
}

function decimal(name: string, value: string): bigint {
  if (!DECIMAL.test(value)) {
    throw new SpanLabelError(`${name} must be a decimal number, got ${JSON.stringify(value)}`);
  }
  return BigInt(value);
}

/** Wall-clock ns of a CLOCK_MONOTONIC time, given both clocks read at one moment. */
export function monotonicToWallNs(monotonicNs: bigint, monoNow: bigint, wallNow: bigint): bigint {
  return wallNow + (monotonicNs - monoNow);
}

/** [seconds, nanoseconds] of a ns time (OpenTelemetry's HrTime). */
export function hrTime(ns: bigint): [number, number] {
  return [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)];
}
