/**
 * Folds aggregated histogram rows (last label = bucket index) into cumulative Prometheus
 * histograms following spec 3.7: exp2, exp2zero, linear and fixed bucket layouts.
 */

import { type HistogramConfig, MAX_HISTOGRAM_BUCKETS } from "../config/types.ts";
import type { HistogramSample, ScalarSample } from "../encode/model.ts";
import { labelKey } from "./aggregate.ts";
import { runSteps, runStepsPaused } from "../slicer.ts";

const MAX_U64 = (1n << 64n) - 1n;
// Up to 15 decimal digits is below 2^53, so Number() is exact and matches Go's ParseUint.
const PLAIN_DECIMAL = /^(?:0|[1-9][0-9]{0,14})$/;

/**
 * Parses a bucket label like Go's `strconv.ParseUint(s, 0, 64)` (prefixes `0x`, `0o`, `0b`,
 * leading `0` for octal, `_` between digits) and returns it as a float64.
 */
export function parseBucketKey(s: string): number {
  if (PLAIN_DECIMAL.test(s)) return Number(s);
  if (s.length === 0) throw syntaxError(s);
  let base = 10;
  let start = 0;
  if (s.charCodeAt(0) === 0x30) {
    const p = s.length >= 3 ? s.charCodeAt(1) | 0x20 : 0;
    base = p === 0x62 ? 2 : p === 0x6f ? 8 : p === 0x78 ? 16 : 0;
    start = 2;
    // Any other leading zero means octal, the zero itself acting as the prefix.
    if (base === 0) [base, start] = [8, 1];
  }
  const big = BigInt(base);
  let n = 0n;
  let underscores = false;
  for (let i = start; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5f) {
      underscores = true;
      continue;
    }
    let d: number;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) d = (c | 0x20) - 0x61 + 10;
    else throw syntaxError(s);
    if (d >= base) throw syntaxError(s);
    n = n * big + BigInt(d);
    if (n > MAX_U64) {
      throw new RangeError(`Cannot parse bucket label "${s}": value out of range for uint64`);
    }
  }
  if (underscores && !underscoresOk(s)) throw syntaxError(s);
  // Number(bigint) rounds to nearest-even, like Go's float64(uint64).
  return Number(n);
}

function syntaxError(s: string): SyntaxError {
  return new SyntaxError(`Cannot parse bucket label "${s}": not an unsigned integer`);
}

// Go's rule: an underscore must sit between two digits, or between a base prefix and a digit.
function underscoresOk(s: string): boolean {
  let saw = "^";
  let i = 0;
  let hex = false;
  if (s.length >= 2 && s[0] === "0") {
    const p = s.charCodeAt(1) | 0x20;
    if (p === 0x62 || p === 0x6f || p === 0x78) {
      i = 2;
      saw = "0";
      hex = p === 0x78;
    }
  }
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const l = c | 0x20;
    if ((c >= 0x30 && c <= 0x39) || (hex && l >= 0x61 && l <= 0x66)) {
      saw = "0";
    } else if (c === 0x5f) {
      if (saw !== "0") return false;
      saw = "_";
    } else {
      if (saw === "_") return false;
      saw = "!";
    }
  }
  return saw !== "_";
}

// Configs from the parser never exceed this; ones built in code are held to it here too.
const TOO_MANY = `more than ${MAX_HISTOGRAM_BUCKETS} buckets`;

/**
 * Why a config yields no series at all (upstream logs and skips each series), or null when
 * it is usable. Callers can log this once instead of once per scrape.
 */
export function histogramSkipReason(conf: HistogramConfig): string | null {
  switch (conf.bucket_type) {
    case "exp2":
    case "exp2zero":
    case "linear":
      if (conf.bucket_max - conf.bucket_min >= MAX_HISTOGRAM_BUCKETS) return TOO_MANY;
      return conf.bucket_max === conf.bucket_min
        ? `bucket_min and bucket_max are both ${conf.bucket_min}`
        : null;
    case "fixed":
      if (conf.bucket_keys.length > MAX_HISTOGRAM_BUCKETS) return TOO_MANY;
      return conf.bucket_keys.length === 0 ? "bucket_keys is empty" : null;
    default:
      return `unknown bucket type "${conf.bucket_type as string}"`;
  }
}

/**
 * Whether the config's buckets are those of a native histogram of schema 0: exp2 bucket k
 * holds (m·2^(k-1), m·2^k], which with m = 2^s is native bucket k + s; exp2zero shifts keys
 * by one and adds the bucket of zeros. Any other multiplier puts the bounds off the powers of
 * two (1e-6 by 4.9%, 1e-9 by 7.4%), so those stay classic.
 */
export function isNativeSchema0(conf: HistogramConfig): boolean {
  if (conf.bucket_type !== "exp2" && conf.bucket_type !== "exp2zero") return false;
  const m = conf.bucket_multiplier === 0 ? 1 : conf.bucket_multiplier;
  return isPowerOfTwo(m);
}

/** Whether `x` is 2^s for an integer s (subnormal powers included). */
export function isPowerOfTwo(x: number): boolean {
  if (!(x > 0) || x === Infinity) return false;
  return 2 ** Math.round(Math.log2(x)) === x;
}

/** The bucket layout shared by every series of one histogram. */
interface Layout {
  /** Bucket indexes to accumulate, in accumulation order. */
  keys: number[];
  /** Upper bound of each key's bucket. */
  les: number[];
  /** Positions of `keys` to emit, by rising `le`; null when that is simply all of them. */
  emit: number[] | null;
  sumKey: number;
  multiplier: number;
}

function layoutFor(conf: HistogramConfig): Layout {
  const m = conf.bucket_multiplier === 0 ? 1 : conf.bucket_multiplier;
  const keys: number[] = [];
  let sumKey: number;
  if (conf.bucket_type === "fixed") {
    // Upstream accumulates in list order, so unsorted keys give non-monotonic buckets; we
    // accumulate in rising key order instead. The sum slot still follows the last listed key.
    keys.push(...new Set(conf.bucket_keys));
    keys.sort((a, b) => a - b);
    sumKey = (conf.bucket_keys[conf.bucket_keys.length - 1] ?? 0) + 1;
  } else {
    // Inclusive of bucket_max, as the upstream code does (its README says exclusive).
    for (let i = conf.bucket_min; i <= conf.bucket_max; i++) keys.push(i);
    sumKey = conf.bucket_max + 1;
  }
  const les = keys.map(leFor(conf.bucket_type, m));
  return { keys, les, emit: emitOrder(les), sumKey, multiplier: m };
}

function leFor(type: HistogramConfig["bucket_type"], m: number): (i: number) => number {
  switch (type) {
    case "exp2":
      return (i) => 2 ** i * m;
    case "exp2zero":
      return (i) => i === 0 ? 0 : 2 ** (i - 1) * m;
    case "linear":
    case "fixed":
      return (i) => i * m;
  }
}

/**
 * Upstream hands buckets to client_golang as a map keyed by `le`, which keeps the last count
 * per bound and sorts by bound. Only overflow to Infinity or odd multipliers need this.
 */
function emitOrder(les: number[]): number[] | null {
  let rising = true;
  for (let i = 1; i < les.length && rising; i++) {
    rising = (les[i - 1] as number) < (les[i] as number);
  }
  if (rising) return null;
  const last = new Map<number, number>();
  les.forEach((le, i) => last.set(le, i));
  return [...last.entries()].sort((a, b) => a[0] - b[0]).map(([, i]) => i);
}

/**
 * Groups aggregated rows by all but their last label and folds each group into a cumulative
 * histogram. Throws when a bucket label is not an unsigned integer (the metric is dropped).
 *
 * Counts accumulate in one Float64Array, a row of columns per group, instead of a map per
 * group: each distinct bucket label is parsed once per call and mapped to its column, so a row
 * costs one string lookup and one add (the per-group maps were most of a histogram scrape).
 */
export function foldHistogram(
  samples: readonly ScalarSample[],
  conf: HistogramConfig,
  memo: FoldMemo | null = null,
): HistogramSample[] {
  return runSteps(foldSteps(samples, conf, memo));
}

/** `foldHistogram`, awaiting `pause()` after every few thousand rows or series. */
export async function foldHistogramSliced(
  samples: readonly ScalarSample[],
  conf: HistogramConfig,
  pause: () => Promise<void>,
  memo: FoldMemo | null = null,
): Promise<HistogramSample[]> {
  return await runStepsPaused(foldSteps(samples, conf, memo), pause);
}

/**
 * Where the last fold of one histogram put each row: the rows (by identity), each row's group
 * and bucket column, and the groups' labels. Whoever folds the same metric scrape after scrape
 * keeps one (the exporter, per histogram metric) and passes it to every fold. When a scrape's
 * rows are the very objects of the last fold in the same order (interned label sets, whose
 * labels never change, of a map whose keys did not change), each row's value is added at its
 * recorded place: no label lookups, and no guessing of how many groups there are. Only the
 * fold reads or writes its fields.
 */
export class FoldMemo {
  rows: readonly ScalarSample[] = [];
  slots: Int32Array = new Int32Array(0);
  columns: Int32Array = new Int32Array(0);
  labels: string[][] = [];
}

// Rows and series folded between pauses of foldHistogramSliced.
const FOLD_STEP_MASK = 4095;

// The fold as steps: yields after every FOLD_STEP_MASK + 1 rows, then series.
function* foldSteps(
  samples: readonly ScalarSample[],
  conf: HistogramConfig,
  memo: FoldMemo | null,
): Generator<void, HistogramSample[]> {
  const arity = conf.labels.length;
  if (arity === 0) {
    throw new RangeError(`Cannot fold histogram "${conf.name}": it needs a bucket label`);
  }
  // An unusable config still has its rows checked, as it did before it yielded nothing.
  const skip = histogramSkipReason(conf);
  const layout = skip === null ? layoutFor(conf) : NO_BUCKETS;
  const columns = bucketColumns(layout);
  // Column `keys.length` holds the sum slot unless the sum key is itself a bucket.
  const width = layout.keys.length + 1;
  const kept = memo !== null && (yield* sameRows(memo.rows, samples));
  const { labels, counts } = kept
    ? yield* refold(samples, memo, width)
    : yield* groupRows(samples, conf, columns, width, memo);
  if (labels.length === 0 || skip !== null) return [];
  return yield* cumulate(labels, counts, width, layout, columns.get(layout.sumKey) as number);
}

// Whether `rows` are `kept`, object for object.
function* sameRows(
  kept: readonly ScalarSample[],
  rows: readonly ScalarSample[],
): Generator<void, boolean> {
  if (kept.length !== rows.length) return false;
  for (let r = 0; r < rows.length; r++) {
    if ((r & FOLD_STEP_MASK) === FOLD_STEP_MASK) yield;
    if (kept[r] !== rows[r]) return false;
  }
  return true;
}

// Adds each row's value where the memo's fold put the same row.
function* refold(
  rows: readonly ScalarSample[],
  memo: FoldMemo,
  width: number,
): Generator<void, { labels: string[][]; counts: Float64Array }> {
  const { slots, columns, labels } = memo;
  const counts = new Float64Array(labels.length * width);
  for (let r = 0; r < rows.length; r++) {
    if ((r & FOLD_STEP_MASK) === FOLD_STEP_MASK) yield;
    const column = columns[r] as number;
    if (column === -1) continue;
    const at = (slots[r] as number) * width + column;
    counts[at] = (counts[at] as number) + (rows[r] as ScalarSample).value;
  }
  return { labels, counts };
}

// Groups rows by all but their last label and adds each into its bucket column; records where
// each row went in `memo`.
function* groupRows(
  samples: readonly ScalarSample[],
  conf: HistogramConfig,
  columns: Map<number, number>,
  width: number,
  memo: FoldMemo | null,
): Generator<void, { labels: string[][]; counts: Float64Array }> {
  const arity = conf.labels.length;
  const n = arity - 1;
  const columnOf = new Map<string, number>();
  const slots = new Map<string, number>();
  const labels: string[][] = [];
  const slotOfRow = new Int32Array(memo === null ? 0 : samples.length);
  const columnOfRow = new Int32Array(slotOfRow.length);
  // Sized for groups that each fill every bucket once, the usual case; grown if there are more.
  let counts = new Float64Array(width * Math.max(64, Math.ceil(samples.length / (width - 1 || 1))));
  for (let r = 0; r < samples.length; r++) {
    if ((r & FOLD_STEP_MASK) === FOLD_STEP_MASK) yield;
    const s = samples[r] as ScalarSample;
    if (s.labels.length !== arity) {
      throw new RangeError(
        `Cannot fold histogram "${conf.name}": row has ${s.labels.length} labels, want ${arity}`,
      );
    }
    const text = s.labels[n] as string;
    let column = columnOf.get(text);
    if (column === undefined) {
      // Distinct labels can parse to one index ("16", "0x10"): they share a column and are
      // summed, rather than letting Go's random map order pick one.
      column = columns.get(parseBucketKey(text)) ?? -1;
      columnOf.set(text, column);
    }
    const key = labelKey(s.labels, n);
    let slot = slots.get(key);
    if (slot === undefined) {
      slot = labels.length;
      slots.set(key, slot);
      labels.push(s.labels.slice(0, n));
      if ((slot + 1) * width > counts.length) counts = grown(counts);
    }
    if (memo !== null) {
      slotOfRow[r] = slot;
      columnOfRow[r] = column;
    }
    if (column !== -1) {
      const at = slot * width + column;
      counts[at] = (counts[at] as number) + s.value;
    }
  }
  // Recorded only once every row folded: a fold that threw leaves the memo as it was.
  if (memo !== null) {
    // A copy: the caller may refill its array, and the next fold compares against these.
    memo.rows = samples.slice();
    memo.slots = slotOfRow;
    memo.columns = columnOfRow;
    memo.labels = labels;
  }
  return { labels, counts };
}

const NO_BUCKETS: Layout = { keys: [], les: [], emit: null, sumKey: -1, multiplier: 1 };

/** Column of every bucket index the layout reads (keys first, then the sum slot). */
function bucketColumns(layout: Layout): Map<number, number> {
  const columns = new Map<number, number>();
  layout.keys.forEach((k, i) => columns.set(k, i));
  if (!columns.has(layout.sumKey)) columns.set(layout.sumKey, layout.keys.length);
  return columns;
}

function grown(counts: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const next = new Float64Array(counts.length * 2);
  next.set(counts);
  return next;
}

// Turns each group's row of bucket counts into cumulative counts, a count and a sum. The rows
// are cumulated in place and handed out as they are (every sample shares `counts` and one
// `les`), so a series costs one sample object and a bucket costs nothing; only a layout whose
// emit order differs from its accumulation order copies the counts it emits.
function* cumulate(
  labels: string[][],
  counts: Float64Array,
  width: number,
  layout: Layout,
  sumColumn: number,
): Generator<void, HistogramSample[]> {
  const k = layout.keys.length;
  const emit = layout.emit;
  const les = Float64Array.from(
    emit === null ? layout.les : emit.map((i) => layout.les[i] as number),
  );
  const e = les.length;
  const packed = emit === null ? null : new Float64Array(labels.length * e);
  const out = new Array<HistogramSample>(labels.length);
  for (let g = 0; g < labels.length; g++) {
    if ((g & FOLD_STEP_MASK) === FOLD_STEP_MASK) yield;
    const base = g * width;
    // Read before cumulating: the sum key may itself be one of the bucket columns.
    const sum = (counts[base + sumColumn] as number) * layout.multiplier;
    let cum = 0;
    for (let i = base; i < base + k; i++) {
      cum += counts[i] as number;
      counts[i] = cum;
    }
    if (packed === null || emit === null) {
      out[g] = { labels: labels[g] as string[], les, counts, at: base, count: cum, sum };
      continue;
    }
    const at = g * e;
    for (let j = 0; j < e; j++) packed[at + j] = counts[base + (emit[j] as number)] as number;
    out[g] = { labels: labels[g] as string[], les, counts: packed, at, count: cum, sum };
  }
  return out;
}
