/**
 * Prometheus protobuf exposition (delimited MetricFamily messages), with native histograms of
 * schema 0 for power-of-two exp2 layouts. Each family is one `io.prometheus.client.MetricFamily`
 * message (prometheus/client_model metrics.proto) preceded by its length as a varint. Encoded by
 * hand: protobufjs writes the very same bytes, but over 100k counters it took twice as long to
 * encode (135 vs 70 ms, best of 7) and 1.3 times as long with the building of its message
 * objects (bench/protobuf.ts). Histograms of a `nativeSchema0` family also carry a native
 * histogram next to their classic buckets (see `nativeOf`).
 */

import type { HistogramSample, MetricFamily, ScalarSample } from "./model.ts";
import { DEFAULT_CHUNK_SIZE, type SortedFamily, sortFamilies } from "./text.ts";

/** Content type of the delimited protobuf exposition. */
export const CONTENT_TYPE_PROTOBUF =
  "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

// Tags (field number << 3 | wire type) of the fields we write; all fit in one byte.
const VARINT = 0;
const FIXED64 = 1;
const LEN = 2;
const tag = (field: number, wire: number) => field << 3 | wire;
const FAMILY_NAME = tag(1, LEN);
const FAMILY_HELP = tag(2, LEN);
const FAMILY_TYPE = tag(3, VARINT);
const FAMILY_METRIC = tag(4, LEN);
const METRIC_LABEL = tag(1, LEN);
const METRIC_GAUGE = tag(2, LEN);
const METRIC_COUNTER = tag(3, LEN);
const METRIC_HISTOGRAM = tag(7, LEN);
const LABEL_NAME = tag(1, LEN);
const LABEL_VALUE = tag(2, LEN);
const VALUE = tag(1, FIXED64); // Gauge.value and Counter.value
const H_COUNT = tag(1, VARINT);
const H_SUM = tag(2, FIXED64);
const H_BUCKET = tag(3, LEN);
const H_COUNT_FLOAT = tag(4, FIXED64);
const H_SCHEMA = tag(5, VARINT);
const H_ZERO_THRESHOLD = tag(6, FIXED64);
const H_ZERO_COUNT = tag(7, VARINT);
const H_POSITIVE_SPAN = tag(12, LEN);
const H_POSITIVE_DELTA = tag(13, VARINT);
const B_COUNT = tag(1, VARINT);
const B_UPPER = tag(2, FIXED64);
const B_COUNT_FLOAT = tag(4, FIXED64);
const SPAN_OFFSET = tag(1, VARINT);
const SPAN_LENGTH = tag(2, VARINT);

// MetricType enum values of metrics.proto.
const TYPE = { counter: 0, gauge: 1, histogram: 4 } as const;

const TWO_64 = 2 ** 64;
const TWO_63 = 2 ** 63;
/**
 * client_golang's default zero threshold, used unless the lowest bucket lies below it. A
 * threshold above 0 is also what keeps a histogram without observations native for Prometheus
 * 2.42, which decides by deltas, zero count and zero threshold (newer ones look at spans, hence
 * the no-op span as well).
 */
const ZERO_THRESHOLD = 2 ** -128;

const utf8Encoder = new TextEncoder();

/** A bucket span of a native histogram: `offset` from the previous span's end (or from 0). */
export interface NativeSpan {
  offset: number;
  length: number;
}

/** The native (schema 0) form of one histogram sample. */
export interface NativeHistogram {
  zeroThreshold: number;
  zeroCount: number;
  /** Runs of non-empty buckets; one no-op span `{0, 0}` when there is none. */
  spans: NativeSpan[];
  /** Each non-empty bucket's count minus the previous one's (the first minus 0). */
  deltas: number[];
}

/**
 * The native schema-0 histogram of a sample whose bucket bounds are powers of two (a bound of
 * 0 being the bucket of zeros): the bucket with bound 2^i is native bucket i, since both hold
 * (2^(i-1), 2^i]. Empty buckets are left out, so a gap starts a new span. Null when the
 * sample cannot be one exactly: a bound that is not a power of two, a count that is not a
 * whole number below 2^63, or a total that the buckets do not add up to.
 */
export function nativeOf(s: HistogramSample): NativeHistogram | null {
  let zeroCount = 0;
  let lowest: number | null = null;
  let previous = -Infinity; // index of the previous bucket, empty or not
  const spans: NativeSpan[] = [];
  const deltas: number[] = [];
  let cum = 0;
  let lastCount = 0; // count of the previous non-empty bucket
  let lastIndex = 0; // and its index
  const { les, counts, at } = s;
  for (let i = 0; i < les.length; i++) {
    const count = counts[at + i] as number;
    const le = les[i] as number;
    const c = count - cum;
    cum = count;
    if (!(c >= 0 && c < TWO_63 && Number.isInteger(c))) return null;
    if (le === 0 && lowest === null) {
      zeroCount += c;
      continue;
    }
    const index = powerOfTwoIndex(le);
    if (index === null || index <= previous) return null;
    previous = index;
    lowest ??= index;
    if (c === 0) continue;
    const span = spans[spans.length - 1];
    if (span !== undefined && index === lastIndex + 1) span.length++;
    else spans.push({ offset: span === undefined ? index : index - lastIndex - 1, length: 1 });
    deltas.push(c - lastCount);
    lastCount = c;
    lastIndex = index;
  }
  if (cum !== s.count) return null;
  if (spans.length === 0) spans.push({ offset: 0, length: 0 });
  // The zero bucket must end where the lowest bucket starts, above 2^(lowest-1).
  const zeroThreshold = lowest === null
    ? ZERO_THRESHOLD
    : Math.min(ZERO_THRESHOLD, 2 ** (lowest - 1));
  return { zeroThreshold, zeroCount, spans, deltas };
}

/** i when `x` is exactly 2^i, else null. */
function powerOfTwoIndex(x: number): number | null {
  if (!(x > 0) || x === Infinity) return null;
  const i = Math.round(Math.log2(x));
  return 2 ** i === x ? i : null;
}

/** A growable buffer of protobuf fields. */
class ProtoWriter {
  buf = new Uint8Array(64 * 1024);
  view = new DataView(this.buf.buffer);
  pos = 0;

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(2 * this.buf.length, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** An unsigned whole number below 2^64 (sint fields pass their zigzag form). */
  varint(v: number): void {
    this.ensure(10);
    const buf = this.buf;
    let p = this.pos;
    if (v < 0x80000000) {
      while (v > 127) {
        buf[p++] = (v & 127) | 128;
        v >>>= 7;
      }
    } else {
      // Beyond 32 bits: float arithmetic, exact for whole numbers.
      while (v >= 128) {
        buf[p++] = (v % 128) | 128;
        v = Math.floor(v / 128);
      }
    }
    buf[p++] = v;
    this.pos = p;
  }

  /** A field tag, then `v` as a varint. */
  tagVarint(t: number, v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = t;
    this.varint(v);
  }

  tagDouble(t: number, v: number): void {
    this.ensure(9);
    this.buf[this.pos] = t;
    this.view.setFloat64(this.pos + 1, v, true);
    this.pos += 9;
  }

  tagBytes(t: number, b: Uint8Array): void {
    this.ensure(1);
    this.buf[this.pos++] = t;
    this.varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** A tag and a string as UTF-8; ASCII strings are copied without an encoder call. */
  tagString(t: number, s: string): void {
    const n = s.length;
    if (n < 128) {
      this.ensure(n + 2);
      const buf = this.buf;
      let p = this.pos + 2;
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) return this.tagBytes(t, utf8Encoder.encode(s));
        buf[p++] = c;
      }
      buf[this.pos] = t;
      buf[this.pos + 1] = n;
      this.pos = p;
      return;
    }
    this.tagBytes(t, utf8Encoder.encode(s));
  }

  /** Starts a length-delimited field: the tag and one byte kept for the length. */
  begin(t: number): number {
    this.ensure(1);
    this.buf[this.pos++] = t;
    return this.beginLength();
  }

  /** Keeps one byte for a length that `end` fills in; returns where the body starts. */
  beginLength(): number {
    this.ensure(1);
    return ++this.pos;
  }

  /** Ends the field `begin` started at `start`, moving its body when the length needs more. */
  end(start: number): void {
    const len = this.pos - start;
    if (len < 128) {
      this.buf[start - 1] = len;
      return;
    }
    const extra = varintSize(len) - 1;
    this.ensure(extra);
    this.buf.copyWithin(start + extra, start, this.pos);
    this.pos += extra;
    const p = this.pos;
    this.pos = start - 1;
    this.varint(len);
    this.pos = p;
  }

  /** The bytes written so far, copied out; the buffer is reused. */
  take(): Uint8Array<ArrayBuffer> {
    const out = this.buf.slice(0, this.pos);
    this.pos = 0;
    return out;
  }
}

function varintSize(v: number): number {
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

function zigzag(v: number): number {
  return v >= 0 ? 2 * v : -2 * v - 1;
}

/** `0x0a len name` of each label name, in label-name order: copied into every label pair. */
function labelNameFields(f: SortedFamily): Uint8Array[] {
  return f.order.map((i) => {
    const name = utf8Encoder.encode(f.family.labelNames[i] as string);
    const out = new Uint8Array(name.length + 1 + varintSize(name.length));
    out[0] = LABEL_NAME;
    let p = 1;
    for (let n = name.length;; n = Math.floor(n / 128)) {
      out[p++] = n >= 128 ? (n % 128) | 128 : n;
      if (n < 128) break;
    }
    out.set(name, p);
    return out;
  });
}

function writeLabels(w: ProtoWriter, labels: string[], order: number[], names: Uint8Array[]): void {
  for (let k = 0; k < order.length; k++) {
    const pair = w.begin(METRIC_LABEL);
    const name = names[k] as Uint8Array;
    w.ensure(name.length);
    w.buf.set(name, w.pos);
    w.pos += name.length;
    w.tagString(LABEL_VALUE, labels[order[k] as number] as string);
    w.end(pair);
  }
}

// A uint64 count field, or its float twin when the value is not a whole number in range.
function writeCount(w: ProtoWriter, intTag: number, floatTag: number, v: number): void {
  if (v >= 0 && v < TWO_64 && Number.isInteger(v)) w.tagVarint(intTag, v);
  else w.tagDouble(floatTag, v);
}

function writeHistogram(w: ProtoWriter, s: HistogramSample, native: boolean): void {
  const h = w.begin(METRIC_HISTOGRAM);
  writeCount(w, H_COUNT, H_COUNT_FLOAT, s.count);
  w.tagDouble(H_SUM, s.sum);
  const { les, counts, at } = s;
  for (let i = 0; i < les.length; i++) {
    const bucket = w.begin(H_BUCKET);
    writeCount(w, B_COUNT, B_COUNT_FLOAT, counts[at + i] as number);
    w.tagDouble(B_UPPER, les[i] as number);
    w.end(bucket);
  }
  const n = native ? nativeOf(s) : null;
  if (n !== null) {
    w.tagVarint(H_SCHEMA, 0);
    w.tagDouble(H_ZERO_THRESHOLD, n.zeroThreshold);
    w.tagVarint(H_ZERO_COUNT, n.zeroCount);
    for (const span of n.spans) {
      const sp = w.begin(H_POSITIVE_SPAN);
      w.tagVarint(SPAN_OFFSET, zigzag(span.offset));
      w.tagVarint(SPAN_LENGTH, span.length);
      w.end(sp);
    }
    // proto2 repeated scalars are not packed: one tag per delta, as client_golang writes them.
    for (const d of n.deltas) w.tagVarint(H_POSITIVE_DELTA, zigzag(d));
  }
  w.end(h);
}

function writeFamily(w: ProtoWriter, f: SortedFamily): void {
  const { family, samples, order } = f;
  const start = w.beginLength(); // the varint that delimits the message
  w.tagString(FAMILY_NAME, family.name);
  w.tagString(FAMILY_HELP, family.help);
  w.tagVarint(FAMILY_TYPE, TYPE[family.type]);
  const names = labelNameFields(f);
  if (family.type === "histogram") {
    const native = family.nativeSchema0 === true;
    for (const s of samples as HistogramSample[]) {
      const m = w.begin(FAMILY_METRIC);
      writeLabels(w, s.labels, order, names);
      writeHistogram(w, s, native);
      w.end(m);
    }
  } else {
    const values = f.values as Float64Array;
    const kind = family.type === "counter" ? METRIC_COUNTER : METRIC_GAUGE;
    for (let i = 0; i < samples.length; i++) {
      const m = w.begin(FAMILY_METRIC);
      writeLabels(w, (samples[i] as ScalarSample).labels, order, names);
      const v = w.begin(kind);
      w.tagDouble(VALUE, values[i] as number);
      w.end(v);
      w.end(m);
    }
  }
  w.end(start);
}

function* writeChunks(sorted: SortedFamily[], target: number): Generator<Uint8Array<ArrayBuffer>> {
  const w = new ProtoWriter();
  for (const f of sorted) {
    writeFamily(w, f);
    if (w.pos >= target) yield w.take();
  }
  if (w.pos > 0) yield w.take();
}

/**
 * Writes families as delimited MetricFamily messages, in chunks of whole families of at least
 * `targetChunkBytes` (the last may be smaller). Gathering rules and errors are the text
 * writer's, and they surface, with every value read, before the first chunk.
 */
export function encodeProtobufChunks(
  families: readonly MetricFamily[],
  targetChunkBytes: number = DEFAULT_CHUNK_SIZE,
): Generator<Uint8Array<ArrayBuffer>> {
  return writeChunks(sortFamilies(families), Math.max(1, targetChunkBytes));
}

/** Writes families as delimited MetricFamily messages in one buffer. */
export function encodeProtobuf(families: readonly MetricFamily[]): Uint8Array<ArrayBuffer> {
  return encodeSortedProtobuf(sortFamilies(families));
}

/** Writes families already gathered by `sortFamilies` in one buffer. */
export function encodeSortedProtobuf(sorted: SortedFamily[]): Uint8Array<ArrayBuffer> {
  return writeChunks(sorted, Infinity).next().value ?? new Uint8Array(0);
}
