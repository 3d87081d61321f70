/**
 * Content negotiation of the exposition format from a request's Accept header, by q-values
 * (RFC 9110 section 12.5.1), among the formats Prometheus scrapers ask for: delimited protobuf
 * `MetricFamily` messages, OpenMetrics 1.0 text and the text format 0.0.4 (the default).
 */

import { CONTENT_TYPE_TEXT } from "./text.ts";

/** An exposition format the exporter can be asked for. */
export type ExpositionFormat = "protobuf" | "openmetrics" | "text";

/** Content types of each format, as the response names them. */
export const CONTENT_TYPES: Readonly<Record<ExpositionFormat, string>> = {
  protobuf:
    "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited",
  openmetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8",
  text: CONTENT_TYPE_TEXT,
};

/** The format served when nothing acceptable is available (as client_golang does). */
export const DEFAULT_FORMAT: ExpositionFormat = "text";

/** Ties between equal q-values from one wildcard go to the earlier format here. */
const SERVER_ORDER: readonly ExpositionFormat[] = ["text", "openmetrics", "protobuf"];

/** One media range of an Accept header. */
export interface MediaRange {
  type: string;
  subtype: string;
  params: Map<string, string>;
  q: number;
  /** Position in the header, for ties. */
  index: number;
}

/**
 * How specifically a range names `format` (3: type, subtype and parameters; 2: type and
 * subtype; 1: a subtype wildcard; 0: the full wildcard), or -1 when it does not cover it.
 */
function specificity(r: MediaRange, format: ExpositionFormat): number {
  if (r.type === "*") return r.subtype === "*" ? 0 : -1;
  const [type, subtype] = format === "text"
    ? ["text", "plain"]
    : format === "openmetrics"
    ? ["application", "openmetrics-text"]
    : ["application", "vnd.google.protobuf"];
  if (r.type !== type) return -1;
  if (r.subtype === "*") return 1;
  if (r.subtype !== subtype || !paramsFit(r.params, format)) return -1;
  return r.params.size > 0 ? 3 : 2;
}

// Versions our writers can answer: text/plain 1.0.0 differs from 0.0.4 only in allowing UTF-8
// names, which ours never need; OpenMetrics 0.0.1 is read as 1.0.0 by every Prometheus.
const TEXT_VERSIONS = new Set(["0.0.4", "1.0.0"]);
const OPENMETRICS_VERSIONS = new Set(["1.0.0", "0.0.1"]);
const PROTO_MESSAGE = "io.prometheus.client.MetricFamily";

function paramsFit(params: Map<string, string>, format: ExpositionFormat): boolean {
  const version = params.get("version");
  switch (format) {
    case "text":
      return version === undefined || TEXT_VERSIONS.has(version);
    case "openmetrics":
      return version === undefined || OPENMETRICS_VERSIONS.has(version);
    case "protobuf":
      // Only the delimited encoding is a stream of messages; "text" and "compact-text" are not.
      return params.get("proto") === PROTO_MESSAGE && params.get("encoding") === "delimited";
  }
}

/**
 * Parses an Accept header into media ranges. Malformed ranges (no `/`, an empty type, a q that
 * is not a number in [0, 1]) are skipped, so a garbled header degrades to the default format.
 */
export function parseAccept(header: string): MediaRange[] {
  const out: MediaRange[] = [];
  let index = 0;
  for (const part of header.split(",")) {
    const [range, ...rawParams] = part.split(";");
    const slash = (range ?? "").indexOf("/");
    const type = (range ?? "").slice(0, slash).trim().toLowerCase();
    const subtype = (range ?? "").slice(slash + 1).trim().toLowerCase();
    if (slash < 0 || type === "" || subtype === "" || (type === "*" && subtype !== "*")) continue;
    const params = new Map<string, string>();
    let q = 1;
    let bad = false;
    for (const p of rawParams) {
      const eq = p.indexOf("=");
      if (eq < 0) continue;
      const key = p.slice(0, eq).trim().toLowerCase();
      const value = p.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1");
      if (key === "q") {
        q = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(value) ? Number(value) : NaN;
        if (Number.isNaN(q)) bad = true;
      } else {
        params.set(key, value);
      }
    }
    if (!bad) out.push({ type, subtype, params, q, index: index++ });
  }
  return out;
}

/**
 * Every format the header accepts (q > 0), best first. A format's q comes from the most
 * specific range covering it, so `*\/*, text/plain;q=0` excludes text. Equal q-values keep the
 * header's order of the deciding ranges, then the server's order (text first).
 */
export function acceptableFormats(header: string | null): ExpositionFormat[] {
  if (header === null || header.trim() === "") return [DEFAULT_FORMAT];
  const ranges = parseAccept(header);
  const scored: Array<{ format: ExpositionFormat; q: number; index: number; rank: number }> = [];
  SERVER_ORDER.forEach((format, rank) => {
    let best: MediaRange | null = null;
    let bestSpec = -1;
    for (const r of ranges) {
      const s = specificity(r, format);
      // Between equally specific ranges the higher q wins, as a client would mean.
      if (s > bestSpec || (s === bestSpec && best !== null && r.q > best.q)) {
        best = r;
        bestSpec = s;
      }
    }
    if (best !== null && best.q > 0) scored.push({ format, q: best.q, index: best.index, rank });
  });
  scored.sort((a, b) => b.q - a.q || a.index - b.index || a.rank - b.rank);
  return scored.map((s) => s.format);
}

/**
 * The format to answer `header` with among those the exporter can write: the best acceptable
 * one, else the default. A format the client prefers but no writer is registered for (protobuf
 * until its encoder is plugged in) falls through to the client's next choice.
 */
export function negotiate(
  header: string | null,
  available: ReadonlySet<ExpositionFormat>,
): ExpositionFormat {
  for (const f of acceptableFormats(header)) if (available.has(f)) return f;
  return DEFAULT_FORMAT;
}

/**
 * Whether an Accept-Encoding header lets the response be gzipped: `gzip` (or `x-gzip`) with a
 * q above 0, else `*` with a q above 0. `gzip;q=0` refuses it even when `*` is allowed.
 */
export function acceptsGzip(header: string | null): boolean {
  if (header === null) return false;
  let gzip: number | null = null;
  let any: number | null = null;
  for (const part of header.split(",")) {
    const [coding, ...params] = part.split(";");
    const name = (coding ?? "").trim().toLowerCase();
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split("=");
      if ((k ?? "").trim().toLowerCase() !== "q") continue;
      const text = (v ?? "").trim();
      q = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(text) ? Number(text) : 0;
    }
    if (name === "gzip" || name === "x-gzip") gzip = Math.max(gzip ?? 0, q);
    else if (name === "*") any = Math.max(any ?? 0, q);
  }
  return gzip !== null ? gzip > 0 : any !== null && any > 0;
}
