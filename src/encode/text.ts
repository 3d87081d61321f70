/**
 * Prometheus text exposition format 0.0.4, byte-compatible with what client_golang's registry
 * and expfmt produce for the same families (spec 3.13).
 */

import type { SlabPool } from "./slab_pool.ts";
import { ByteWriter, utf8Bytes } from "./bytes.ts";
import { runSteps, runStepsPaused } from "../slicer.ts";
import { formatFloat } from "./float.ts";
import type { Epoch, HistogramSample, MetricFamily, ScalarSample } from "./model.ts";

/** Content type of the text exposition format. */
export const CONTENT_TYPE_TEXT = "text/plain; version=0.0.4; charset=utf-8";

/** Default size a chunk grows to before `encodeTextChunks` hands it out. */
export const DEFAULT_CHUNK_SIZE = 64 * 1024;

const LABEL_ESCAPES = /[\\"\n]/;

// The preparation yields after every STEP_MASK + 1 series (see `TextWriter.chunksSliced`).
const STEP_MASK = 4095;
// The samples of a family whose lines need only values (see Prepared.samples).
const NONE: ScalarSample[] = [];

const HELP_ESCAPES = /[\\\n]/;

/**
 * Orders strings by their UTF-8 bytes, as Go compares strings. JS compares UTF-16 units, which
 * disagrees only between astral characters (surrogates) and U+E000..U+FFFF.
 */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) return utf8Rank(x) - utf8Rank(y);
    return x - y;
  }
  return a.length - b.length;
}

// Moves surrogates above U+E000..U+FFFF so that unit order matches code point order.
function utf8Rank(unit: number): number {
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}

function escapeLabelValue(v: string): string {
  if (!LABEL_ESCAPES.test(v)) return v;
  return v.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

function escapeHelp(v: string): string {
  if (!HELP_ESCAPES.test(v)) return v;
  return v.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
}

/**
 * What sets one line-based exposition format apart from another; everything else (merging,
 * sorting, memos, line prefixes, chunking) is shared. Called per family, never per sample, so
 * the text format's per-sample loop is the same for every dialect.
 */
export interface TextDialect {
  /** Name on a scalar family's sample lines (OpenMetrics counters end in `_total`). */
  sampleName(family: MetricFamily): string;
  /** Writes the family's metadata lines (`# HELP`, `# TYPE`, ...). */
  header(w: ByteWriter, family: MetricFamily): void;
  /** The `le` label value of a bucket bound. */
  leText(le: number): string;
  /** Written after the last family. */
  trailer: string;
}

/** The text format 0.0.4. */
export const TEXT_0_0_4: TextDialect = {
  sampleName: (family) => family.name,
  header(w, family) {
    const name = utf8Bytes(family.name);
    w.bytes("# HELP " + name + " ");
    w.text(escapeHelp(family.help));
    w.bytes("\n# TYPE " + name + " " + family.type + "\n");
  },
  leText: formatFloat,
  trailer: "",
};

/** A family ready to write: merged, sorted and checked. */
interface Prepared {
  family: MetricFamily;
  /**
   * In output order; empty for a scalar family written from the writer's kept prefixes with
   * the same series as last time: its lines need only `values`.
   */
  samples: Array<ScalarSample | HistogramSample>;
  /** Label positions in label-name order. */
  order: number[];
  /**
   * Scalar values in sample order, copied when the encode is called: sample objects may be
   * reused and refilled by the next scrape while this one still streams.
   */
  values: Float64Array | null;
  /**
   * Line prefixes of a scalar family whose samples carry memos, or of every line of a histogram
   * family (its buckets, then +Inf unless a bucket is +Inf, then `_sum` and `_count`).
   */
  prefixes: Prefixes | null;
}

/**
 * What a writer remembers of a family name from its last encode: the epoch it stamped on the
 * family's memos, and the line prefixes it rendered then (indexed by those memos' ranks).
 */
interface FamilyMemo {
  epoch: Epoch;
  prefixes: Prefixes | null;
  /**
   * Scratch for `unchangedSeries`: the check that every rank came once stamps `seen[rank]` with
   * `mark`. Kept with the family so that an unchanged scrape allocates no per-series array on
   * the V8 heap (a million-slot array a scrape was old-space garbage that grew the heap by
   * 8 MB per scrape until a full GC).
   */
  seen: Uint32Array | null;
  mark: number;
}

/** A writer's reuse state: one entry per family name whose samples carried memos. */
interface WriterState {
  families: Map<string, FamilyMemo>;
  /** Line prefixes of each histogram family at its last encode, by family name. */
  histograms: Map<string, HistogramMemo>;
  /** The last epoch this writer stamped. */
  epochs: number;
  /** Whether this writer stamps memos and keeps prefixes (false for one-shot writers). */
  keeps: boolean;
  dialect: TextDialect;
}

/**
 * Mirrors client_golang's Gather: families without samples vanish, equal names merge (and must
 * agree on type, help and labels), families sort by name, series by label values in label-name
 * order, and a series seen twice is an error.
 */
function* prepare(
  families: readonly MetricFamily[],
  state: WriterState,
  textPrefixes = true,
): Generator<void, Prepared[]> {
  const live = families.filter((f) => f.samples.length > 0);
  // Array#sort is stable, so merged samples keep their input order until sorted below.
  live.sort((a, b) => compareUtf8(a.name, b.name));
  const out: Prepared[] = [];
  for (let i = 0; i < live.length;) {
    const first = live[i] as MetricFamily;
    let samples: Array<ScalarSample | HistogramSample> = first.samples;
    let j = i + 1;
    for (; j < live.length && (live[j] as MetricFamily).name === first.name; j++) {
      const other = live[j] as MetricFamily;
      checkSameShape(first, other);
      samples = samples.concat(other.samples);
    }
    const merged = j > i + 1;
    i = j;
    const check = merged || first.type === "histogram" || !first.distinct;
    out.push(yield* prepareOne(first, samples, check, state, textPrefixes));
  }
  return out;
}

function checkSameShape(a: MetricFamily, b: MetricFamily): void {
  const what = a.type !== b.type
    ? `type ${b.type} differs from ${a.type}`
    : a.help !== b.help
    ? `help "${b.help}" differs from "${a.help}"`
    : a.labelNames.join(",") !== b.labelNames.join(",")
    ? `labels [${b.labelNames.join(",")}] differ from [${a.labelNames.join(",")}]`
    : null;
  if (what !== null) throw new Error(`Cannot merge families named "${a.name}": ${what}`);
}

function* prepareOne(
  family: MetricFamily,
  input: Array<ScalarSample | HistogramSample>,
  checkDuplicates: boolean,
  state: WriterState,
  textPrefixes: boolean,
): Generator<void, Prepared> {
  const names = family.labelNames;
  const order = names.map((_, i) => i).sort((a, b) =>
    compareUtf8(names[a] as string, names[b] as string)
  );
  for (let i = 0; i < input.length; i++) {
    if ((i & STEP_MASK) === STEP_MASK) yield;
    const s = input[i] as ScalarSample | HistogramSample;
    if (s.labels.length !== names.length) {
      throw new Error(
        `Cannot encode family "${family.name}": series has ${s.labels.length} label values ` +
          `for ${names.length} label names`,
      );
    }
  }
  const compare = (a: ScalarSample | HistogramSample, b: ScalarSample | HistogramSample) => {
    for (const k of order) {
      const x = a.labels[k] as string;
      const y = b.labels[k] as string;
      if (x !== y) return compareUtf8(x, y);
    }
    return 0;
  };
  if (family.type === "histogram") {
    const hs = input as HistogramSample[];
    const kept = state.keeps ? state.histograms.get(family.name) : undefined;
    const same = kept === undefined ? null : keptOrder(kept, family, hs);
    const sorted = same ?? (yield* sortByLabels(hs.slice(), order, compare));
    return yield* prepareHistogram(
      family,
      hs,
      sorted,
      same !== null,
      order,
      checkDuplicates,
      compare,
      state,
      textPrefixes,
    );
  }
  const last = state.keeps ? state.families.get(family.name) : undefined;
  if (last !== undefined && !checkDuplicates) {
    const same = yield* unchangedSeries(input as ScalarSample[], last, state);
    if (same !== null) {
      return { family, order, samples: NONE, values: same, prefixes: last.prefixes };
    }
  }
  const samples = yield* sortSamples(input, order, compare, last?.epoch ?? null, state);
  let prefixes: Prefixes | null = null;
  if (checkDuplicates) yield* checkNoDuplicates(family, samples, order, compare);
  let values: Float64Array | null = null;
  const scalars = samples as ScalarSample[];
  if (textPrefixes) prefixes = yield* linePrefixes(family, scalars, order, last, state);
  // Ranks stamped now are trusted by this writer's next encode of the family.
  const epoch: Epoch = state.keeps ? ++state.epochs : -1;
  values = new Float64Array(scalars.length);
  for (let i = 0; i < scalars.length; i++) {
    if ((i & STEP_MASK) === STEP_MASK) yield;
    const s = scalars[i] as ScalarSample;
    values[i] = s.value;
    const memo = s.memo;
    if (memo !== undefined && state.keeps) {
      memo.rank = i;
      memo.epoch = epoch;
      // Written only when it changes: the state is long-lived, so this is a one-time store.
      if (memo.owner !== state) memo.owner = state;
    }
  }
  if (prefixes !== null && state.keeps) {
    state.families.set(family.name, { epoch, prefixes, seen: null, mark: 0 });
  }
  return { family, samples, order, values, prefixes };
}

/**
 * The family's values in last encode's order, when its samples are exactly the series the
 * writer ranked then (all memos of that encode, each rank once); else null. One pass instead of
 * a sort, a prefix check and a value copy, and no memo is written: ranks and epoch stay valid
 * as they are, so the next encode can trust them again. The lines come from the kept prefixes,
 * so the samples need no ordering.
 */
function* unchangedSeries(
  input: ScalarSample[],
  last: FamilyMemo,
  owner: WriterState,
): Generator<void, Float64Array | null> {
  const n = input.length;
  if (last.prefixes === null || last.prefixes.ends.length !== n) return null;
  const seen = last.seen?.length === n ? last.seen : (last.seen = new Uint32Array(n));
  if (last.mark >= 0xffffffff) {
    seen.fill(0);
    last.mark = 0;
  }
  const mark = ++last.mark;
  const values = new Float64Array(n);
  const epoch = last.epoch;
  for (let i = 0; i < n; i++) {
    if ((i & STEP_MASK) === STEP_MASK) yield;
    const s = input[i] as ScalarSample;
    const m = s.memo;
    if (m === undefined || m.epoch !== epoch || m.owner !== owner) return null;
    const r = m.rank;
    // Ranks of one epoch are distinct unless a memo came twice: then sort as usual.
    if (r >= n || seen[r] === mark) return null;
    seen[r] = mark;
    values[r] = s.value;
  }
  return values;
}

/**
 * A sorted histogram family. Its line prefixes are rendered once and kept while the writer sees
 * the same series (label values and bucket bounds) scrape after scrape; only the counts, read
 * from the samples as the lines are written, change.
 */
function* prepareHistogram(
  family: MetricFamily,
  input: HistogramSample[],
  samples: HistogramSample[],
  known: boolean,
  order: number[],
  checkDuplicates: boolean,
  compare: (a: ScalarSample | HistogramSample, b: ScalarSample | HistogramSample) => number,
  state: WriterState,
  textPrefixes: boolean,
): Generator<void, Prepared> {
  const kept = state.keeps ? state.histograms.get(family.name) : undefined;
  // The same series as last time were checked for duplicates then. `known`: `samples` is the
  // input in the kept order, already found to be the same series.
  if (kept !== undefined && (known || sameHistogramSeries(kept, family, samples))) {
    if (!known) kept.from = inputPositions(input, samples);
    if (!textPrefixes) return { family, samples, order, values: null, prefixes: null };
    // Seen twice in a row: the series are stable, so rendering their prefixes now pays off.
    kept.prefixes ??= histogramPrefixes(family, samples, order, state.dialect);
    return { family, samples, order, values: null, prefixes: kept.prefixes };
  }
  if (checkDuplicates) yield* checkNoDuplicates(family, samples, order, compare);
  // Prefixes pay off from the second encode of the same series on: a first sight (and every
  // one-shot writer) writes lines directly, so a first scrape costs no more than before.
  if (textPrefixes && state.keeps) {
    const from = inputPositions(input, samples);
    state.histograms.set(family.name, histogramMemo(family, samples, from, null));
  }
  return { family, samples, order, values: null, prefixes: null };
}

/** What a writer keeps of a histogram family's last encode to tell whether it can reuse it. */
interface HistogramMemo {
  /** Sample name and label names the prefixes were rendered with. */
  name: string;
  labelNames: string[];
  /** Every series' label values, one after another (copied: callers may reuse arrays). */
  labels: string[];
  /** The distinct bucket bounds of the series (copies), and which of them each series had. */
  shapes: Float64Array[];
  shapeOf: Int32Array;
  /**
   * Where each sorted series was in the input of the last encode: a fold that hands over its
   * series in the same order again gets them sorted by this, without a sort.
   */
  from: Int32Array;
  /** Rendered at the second encode that sees these series (null until then). */
  prefixes: Prefixes | null;
}

function histogramMemo(
  family: MetricFamily,
  samples: HistogramSample[],
  from: Int32Array,
  prefixes: Prefixes | null,
): HistogramMemo {
  const labels: string[] = [];
  const shapes: Float64Array[] = [];
  const shapeOf = new Int32Array(samples.length);
  // Series of one fold share their bounds array: look a shape up only when the array changes.
  let lastLes: Float64Array | null = null;
  let shape = -1;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] as HistogramSample;
    for (const v of s.labels) labels.push(v);
    if (s.les !== lastLes) {
      lastLes = s.les;
      shape = shapes.findIndex((b) => sameBounds(b, s.les));
      if (shape === -1) shape = shapes.push(s.les.slice()) - 1;
    }
    shapeOf[i] = shape;
  }
  return {
    name: family.name,
    labelNames: family.labelNames.slice(),
    labels,
    shapes,
    shapeOf,
    from,
    prefixes,
  };
}

/** For each of `sorted`, its position in `input` (the same objects in another order). */
function inputPositions(input: HistogramSample[], sorted: HistogramSample[]): Int32Array {
  const at = new Map<HistogramSample, number>();
  for (let i = 0; i < input.length; i++) at.set(input[i] as HistogramSample, i);
  const from = new Int32Array(sorted.length);
  for (let k = 0; k < sorted.length; k++) from[k] = at.get(sorted[k] as HistogramSample) ?? 0;
  return from;
}

/**
 * The input put in the order the memo's encode sorted it into, when that gives exactly the
 * memo's series (then it is sorted and free of duplicates, as they were); else null.
 */
function keptOrder(
  memo: HistogramMemo,
  family: MetricFamily,
  input: HistogramSample[],
): HistogramSample[] | null {
  const from = memo.from;
  if (from.length !== input.length) return null;
  const out = new Array<HistogramSample>(input.length);
  for (let k = 0; k < out.length; k++) out[k] = input[from[k] as number] as HistogramSample;
  return sameHistogramSeries(memo, family, out) ? out : null;
}

function sameBounds(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameHistogramSeries(
  memo: HistogramMemo,
  family: MetricFamily,
  samples: HistogramSample[],
): boolean {
  const names = family.labelNames;
  if (memo.name !== family.name || memo.shapeOf.length !== samples.length) return false;
  if (memo.labelNames.length !== names.length) return false;
  for (let i = 0; i < names.length; i++) if (memo.labelNames[i] !== names[i]) return false;
  const { labels, shapes, shapeOf } = memo;
  // A bounds array already found equal to a shape needs no second look for the next series.
  let lastLes: Float64Array | null = null;
  let lastShape = -1;
  for (let i = 0, l = 0; i < samples.length; i++) {
    const s = samples[i] as HistogramSample;
    for (let k = 0; k < s.labels.length; k++) if (labels[l++] !== s.labels[k]) return false;
    const shape = shapeOf[i] as number;
    if (s.les !== lastLes || shape !== lastShape) {
      if (!sameBounds(s.les, shapes[shape] as Float64Array)) return false;
      lastLes = s.les;
      lastShape = shape;
    }
  }
  return true;
}

/**
 * Every line prefix of a histogram family in sorted order: per series its `_bucket{...,le="..."}`
 * lines, the `+Inf` bucket unless one of its bounds is +Inf, then `_sum` and `_count`.
 */
function histogramPrefixes(
  family: MetricFamily,
  samples: HistogramSample[],
  order: number[],
  dialect: TextDialect,
): Prefixes {
  let lines = 0;
  for (const s of samples) lines += s.les.length + 3;
  const w = new ByteWriter(lines * 48 + 64, Infinity);
  const ends = new Int32Array(lines);
  const r = new HistogramRenderer(family, order, dialect);
  let line = 0;
  for (const s of samples) line = r.series(w, s, ends, line);
  return { bytes: w.take(), ends: ends.subarray(0, line) };
}

function* checkNoDuplicates(
  family: MetricFamily,
  samples: Array<ScalarSample | HistogramSample>,
  order: number[],
  compare: (a: ScalarSample | HistogramSample, b: ScalarSample | HistogramSample) => number,
): Generator<void> {
  const names = family.labelNames;
  for (let i = 1; i < samples.length; i++) {
    if ((i & STEP_MASK) === STEP_MASK) yield;
    const s = samples[i] as ScalarSample | HistogramSample;
    if (compare(samples[i - 1] as ScalarSample | HistogramSample, s) === 0) {
      throw new Error(
        `Cannot encode family "${family.name}": series {${labelPairs(s.labels, names, order)}} ` +
          `occurs more than once`,
      );
    }
  }
}

/**
 * The start of every sample line of one scalar family (`name{labels}`), in sorted order, in one
 * buffer. Writing a line then copies neighbouring bytes instead of following pointers from the
 * sample to its label text, which made the write memory-bound on large families.
 */
interface Prefixes {
  bytes: Uint8Array;
  /** End of line i's prefix; it starts where line i - 1's ends. */
  ends: Int32Array;
}

/**
 * The family's line prefixes. The writer's last prefixes of the family are reused as they are
 * when no series came or went, and copied from otherwise.
 */
function* linePrefixes(
  family: MetricFamily,
  samples: ScalarSample[],
  order: number[],
  last: FamilyMemo | undefined,
  owner: WriterState,
): Generator<void, Prefixes | null> {
  const n = samples.length;
  let memos = 0;
  const old = last?.prefixes ?? undefined;
  const oldEpoch = last?.epoch ?? null;
  let same = old !== undefined && old.ends.length === n;
  for (let i = 0; i < n; i++) {
    if ((i & STEP_MASK) === STEP_MASK) yield;
    const m = (samples[i] as ScalarSample).memo;
    if (m === undefined) {
      same = false;
      continue;
    }
    memos++;
    if (same && (m.epoch !== oldEpoch || m.owner !== owner || m.rank !== i)) same = false;
  }
  if (memos === 0) return null;
  if (same) return old as Prefixes;
  const name = utf8Bytes(owner.dialect.sampleName(family));
  const w = new ByteWriter(prefixBytesGuess(family, samples, order, name.length), Infinity);
  const ends = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if ((i & STEP_MASK) === STEP_MASK) yield;
    const s = samples[i] as ScalarSample;
    const m = s.memo;
    if (old !== undefined && m !== undefined && m.epoch === oldEpoch && m.owner === owner) {
      w.range(old.bytes, m.rank === 0 ? 0 : old.ends[m.rank - 1] as number, old.ends[m.rank]!);
    } else {
      w.bytes(name);
      const pairs = labelPairs(s.labels, family.labelNames, order);
      if (pairs !== "") w.text("{" + pairs + "}");
    }
    ends[i] = w.length;
  }
  // The buffer was sized by a guess and grows by doubling; the prefixes live until the family
  // changes, so keep only the bytes in use (about 40 bytes per series less on large families).
  const used = w.take();
  const bytes = used.buffer.byteLength > used.length + (used.length >> 4) ? used.slice() : used;
  return { bytes, ends };
}

/**
 * The bytes a family's line prefixes take, guessed from up to 64 evenly spaced samples and 5%
 * to spare. A guess of 48 bytes per line made a million 55-byte prefixes grow the buffer once
 * (a 96 MB buffer and a 48 MB copy in one step: 0.2 s) and copy it again to trim it.
 */
function prefixBytesGuess(
  family: MetricFamily,
  samples: ScalarSample[],
  order: number[],
  nameBytes: number,
): number {
  const n = samples.length;
  const step = Math.max(1, Math.floor(n / 64));
  let sum = 0;
  let seen = 0;
  for (let i = 0; i < n; i += step, seen++) {
    // Text length, not UTF-8 bytes: a guess, cheap to take.
    sum += labelPairs((samples[i] as ScalarSample).labels, family.labelNames, order).length + 2;
  }
  return Math.ceil((nameBytes + (seen === 0 ? 0 : sum / seen)) * n * 1.05) + 64;
}

/**
 * Sorts series, reusing the writer's previous encode of the family (`epoch`): series whose
 * memos it ranked are already mutually ordered, so they are placed by rank in linear time and
 * only the rest are sorted and merged in. A scrape whose series did not change sorts nothing.
 */
function* sortSamples<T extends ScalarSample | HistogramSample>(
  input: T[],
  order: number[],
  compare: (a: T, b: T) => number,
  epoch: Epoch | null,
  owner: WriterState,
): Generator<void, T[]> {
  let maxRank = -1;
  for (let i = 0; epoch !== null && i < input.length; i++) {
    if ((i & STEP_MASK) === STEP_MASK) yield;
    const m = (input[i] as ScalarSample).memo;
    if (m !== undefined && m.epoch === epoch && m.owner === owner && m.rank > maxRank) {
      maxRank = m.rank;
    }
  }
  if (maxRank === -1) return yield* sortByLabels(input.slice(), order, compare);
  const placed = new Array<T | undefined>(maxRank + 1);
  const fresh: T[] = [];
  for (let i = 0; i < input.length; i++) {
    if ((i & STEP_MASK) === STEP_MASK) yield;
    const s = input[i] as T;
    const m = (s as ScalarSample).memo;
    const mine = m !== undefined && m.epoch === epoch && m.owner === owner;
    if (mine && placed[m.rank] === undefined) placed[m.rank] = s;
    else fresh.push(s);
  }
  // Close the gaps left by series that are gone, in place.
  let n = 0;
  for (let i = 0; i < placed.length; i++) {
    if ((i & STEP_MASK) === STEP_MASK) yield;
    const s = placed[i];
    if (s !== undefined) placed[n++] = s;
  }
  placed.length = n;
  const ranked = placed as T[];
  if (fresh.length === 0) return ranked;
  yield* sortByLabels(fresh, order, compare);
  const out: T[] = new Array(ranked.length + fresh.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < ranked.length && j < fresh.length) {
    if ((k & STEP_MASK) === STEP_MASK) yield;
    // Ties go to the ranked side, as a stable sort of ranked-then-fresh would order them.
    out[k++] = compare(ranked[i] as T, fresh[j] as T) <= 0 ? ranked[i++] as T : fresh[j++] as T;
  }
  while (i < ranked.length) out[k++] = ranked[i++] as T;
  while (j < fresh.length) out[k++] = fresh[j++] as T;
  return out;
}

// Label values that could sort differently as one joined string: the separator itself, and
// UTF-16 units whose order differs from UTF-8's (see compareUtf8).
const UNSAFE_FOR_JOINED_SORT = /[\0\uD800-\uFFFF]/;

/**
 * Sorts `items` in place by their label values in `order`. Comparing one joined string per
 * series with the engine's own string order is several times faster than walking label arrays
 * in a comparator; it agrees with `compare` whenever no value holds NUL (the separator sorts
 * below every other char) or a char from U+D800 up. Otherwise `compare` does the work.
 */
function* sortByLabels<T extends ScalarSample | HistogramSample>(
  items: T[],
  order: number[],
  compare: (a: T, b: T) => number,
): Generator<void, T[]> {
  if (items.length < 2) return items;
  const keyed = new Array<{ key: string; item: T }>(items.length);
  for (let i = 0; i < items.length; i++) {
    if ((i & STEP_MASK) === STEP_MASK) yield;
    const item = items[i] as T;
    let key = "";
    for (let k = 0; k < order.length; k++) {
      const v = item.labels[order[k] as number] as string;
      if (UNSAFE_FOR_JOINED_SORT.test(v)) return yield* sortInPlace(items, compare);
      key = k === 0 ? v : key + "\0" + v;
    }
    keyed[i] = { key, item };
  }
  const sorted = yield* sortInSteps(keyed, (a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  for (let i = 0; i < items.length; i++) {
    if ((i & STEP_MASK) === STEP_MASK) yield;
    items[i] = (sorted[i] as { item: T }).item;
  }
  return items;
}

// `sortInSteps`, leaving the result in `items`.
function* sortInPlace<T>(items: T[], compare: (a: T, b: T) => number): Generator<void, T[]> {
  const sorted = yield* sortInSteps(items, compare);
  for (let i = 0; sorted !== items && i < items.length; i++) {
    if ((i & STEP_MASK) === STEP_MASK) yield;
    items[i] = sorted[i] as T;
  }
  return items;
}

// Items one step of `sortInSteps` sorts with Array#sort.
const SORT_RUN = 8192;

/**
 * A stable sort of `items` in steps: runs of SORT_RUN items sorted by Array#sort, then merged
 * pairwise, pausing every few thousand items. One Array#sort of a million series held the
 * event loop for 0.5–2 s on a first scrape; the steps cost about as many comparisons. Returns
 * the sorted items: `items` itself or a new array.
 */
function* sortInSteps<T>(items: T[], compare: (a: T, b: T) => number): Generator<void, T[]> {
  const n = items.length;
  if (n <= SORT_RUN) return items.sort(compare);
  for (let lo = 0; lo < n; lo += SORT_RUN) {
    const run = items.slice(lo, lo + SORT_RUN).sort(compare);
    for (let i = 0; i < run.length; i++) items[lo + i] = run[i] as T;
    yield;
  }
  let from = items;
  let to = new Array<T>(n);
  for (let width = SORT_RUN; width < n; width *= 2) {
    let k = 0;
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      // Ties take the left run's item: the earlier one, as a stable sort must.
      for (; i < mid && j < hi; k++) {
        if ((k & STEP_MASK) === STEP_MASK) yield;
        to[k] = compare(from[j] as T, from[i] as T) < 0 ? from[j++] as T : from[i++] as T;
      }
      for (; i < mid; k++) {
        if ((k & STEP_MASK) === STEP_MASK) yield;
        to[k] = from[i++] as T;
      }
      for (; j < hi; k++) {
        if ((k & STEP_MASK) === STEP_MASK) yield;
        to[k] = from[j++] as T;
      }
    }
    [from, to] = [to, from];
  }
  return from;
}

function labelPairs(labels: readonly string[], names: readonly string[], order: number[]): string {
  let out = "";
  for (let k = 0; k < order.length; k++) {
    const i = order[k] as number;
    out += (k === 0 ? "" : ",") + names[i] + '="' + escapeLabelValue(labels[i] as string) + '"';
  }
  return out;
}

function* writeChunks(
  prepared: Prepared[],
  target: number,
  dialect: TextDialect,
  pool: SlabPool | null = null,
): Generator<Uint8Array<ArrayBuffer>> {
  // Without a pool slabs grow from 64 KiB, so small outputs stay small; with one, every slab is
  // a pool slab, reused by the next scrape (its pages past what was written are never touched).
  const w = pool === null ? new ByteWriter() : new ByteWriter(pool.slabBytes, pool.slabBytes, pool);
  // Runs when the last chunk was taken or the reader gave up: the writer's slab goes back.
  try {
    yield* writeFamilies(w, prepared, target, dialect);
  } finally {
    w.finish();
  }
}

function* writeFamilies(
  w: ByteWriter,
  prepared: Prepared[],
  target: number,
  dialect: TextDialect,
): Generator<Uint8Array<ArrayBuffer>> {
  for (const { family, samples, order, values, prefixes } of prepared) {
    const name = utf8Bytes(dialect.sampleName(family));
    const names = family.labelNames;
    dialect.header(w, family);
    if (family.type === "histogram" && prefixes === null) {
      // A one-shot writer: rendering prefixes first would only copy every line twice.
      const r = new HistogramRenderer(family, order, dialect);
      for (const s of samples as HistogramSample[]) {
        r.series(w, s, null, 0);
        if (w.length >= target) yield w.take();
      }
    } else if (family.type === "histogram") {
      const { bytes, ends } = prefixes as Prefixes;
      let line = 0;
      let start = 0;
      // Counts are read here, as each line is written: the fold makes new samples per scrape.
      for (const s of samples as HistogramSample[]) {
        const { les, counts, at } = s;
        start = w.lines(bytes, start, ends, line, les.length, counts, at);
        line += les.length;
        for (let k = hasInfBound(les) ? 1 : 0; k < 3; k++) {
          const end = ends[line++] as number;
          w.line(bytes, start, end, k === 1 ? s.sum : s.count);
          start = end;
        }
        if (w.length >= target) yield w.take();
      }
    } else {
      const scalars = samples as ScalarSample[];
      const vs = values as Float64Array;
      if (prefixes !== null) {
        const { bytes, ends } = prefixes;
        for (let i = 0, start = 0; i < vs.length; i++) {
          const end = ends[i] as number;
          w.line(bytes, start, end, vs[i] as number);
          start = end;
          if (w.length >= target) yield w.take();
        }
      } else {
        for (let i = 0; i < scalars.length; i++) {
          const pairs = labelPairs((scalars[i] as ScalarSample).labels, names, order);
          w.bytes(name);
          if (pairs !== "") w.text("{" + pairs + "}");
          w.value(vs[i] as number);
          if (w.length >= target) yield w.take();
        }
      }
    }
  }
  if (dialect.trailer !== "") w.bytes(dialect.trailer);
  if (w.length > 0) yield w.take();
}

/**
 * Writes the lines of histogram series: with their values (`ends` null), or as prefixes only,
 * recording where each line ends in `ends`.
 */
class HistogramRenderer {
  readonly #name: string;
  readonly #names: readonly string[];
  readonly #order: number[];
  readonly #formatLe: (le: number) => string;
  // Every series of a histogram usually shares one set of bounds: format each once.
  readonly #leText = new Map<number, Uint8Array>();
  readonly #inf = latin1Bytes('+Inf"}');

  constructor(family: MetricFamily, order: number[], dialect: TextDialect) {
    this.#name = utf8Bytes(dialect.sampleName(family));
    this.#names = family.labelNames;
    this.#order = order;
    this.#formatLe = dialect.leText;
  }

  /** Writes one series' lines; returns `line` advanced past them. */
  series(w: ByteWriter, s: HistogramSample, ends: Int32Array | null, line: number): number {
    const name = this.#name;
    const pairs = utf8Bytes(labelPairs(s.labels, this.#names, this.#order));
    // One series repeats its bucket prefix once per bucket: copy it from bytes, not a string.
    const bucket = latin1Bytes(name + "_bucket{" + pairs + (pairs === "" ? 'le="' : ',le="'));
    const end = (v: number) => {
      if (ends === null) w.value(v);
      else ends[line] = w.length;
      line++;
    };
    const { les, counts, at } = s;
    for (let i = 0; i < les.length; i++) {
      const bound = les[i] as number;
      let le = this.#leText.get(bound);
      if (le === undefined) {
        le = latin1Bytes(this.#formatLe(bound) + '"}');
        this.#leText.set(bound, le);
      }
      w.range(bucket, 0, bucket.length);
      w.range(le, 0, le.length);
      end(counts[at + i] as number);
    }
    // expfmt adds the +Inf bucket unless the histogram already has one.
    if (!hasInfBound(les)) {
      w.range(bucket, 0, bucket.length);
      w.range(this.#inf, 0, this.#inf.length);
      end(s.count);
    }
    const braces = pairs === "" ? "" : "{" + pairs + "}";
    w.bytes(name + "_sum" + braces);
    end(s.sum);
    w.bytes(name + "_count" + braces);
    end(s.count);
    return line;
  }
}

// Bounds rise, so a +Inf bound can only be the last.
function hasInfBound(les: Float64Array): boolean {
  return les.length > 0 && les[les.length - 1] === Infinity;
}

/** Bytes of a string of one char per byte (see `utf8Bytes`). */
function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * A text-format writer with its own reuse state: the previous sort order and rendered line
 * prefixes of every family it wrote, keyed by family name. Whoever scrapes owns one writer (the
 * exporter does), so two exporters in one process never see each other's state.
 */
export class TextWriter {
  readonly #state: WriterState;
  readonly #pool: SlabPool | null;

  /**
   * A writer that keeps its reuse state between calls (`keeps`, the default), or a one-shot
   * writer that neither trusts nor stamps memos, so it never disturbs the memos' owner. With a
   * `pool`, `chunks` writes into the pool's slabs (see SlabPool for when they are reused).
   */
  constructor(opts: { keeps?: boolean; dialect?: TextDialect; pool?: SlabPool } = {}) {
    this.#pool = opts.pool ?? null;
    this.#state = {
      families: new Map(),
      histograms: new Map(),
      epochs: 0,
      keeps: opts.keeps ?? true,
      dialect: opts.dialect ?? TEXT_0_0_4,
    };
  }

  /** The format this writer writes. */
  get dialect(): TextDialect {
    return this.#state.dialect;
  }

  /**
   * Writes families as UTF-8 chunks of roughly `targetChunkBytes` bytes, cut at series
   * boundaries; the chunks concatenate to `bytes`'s output. Merging, sorting and validation
   * happen in this call, so errors surface before any chunk, and scalar values are read in this
   * call too: changing a sample afterwards does not change the chunks.
   */
  chunks(
    families: readonly MetricFamily[],
    targetChunkBytes: number = DEFAULT_CHUNK_SIZE,
  ): Generator<Uint8Array<ArrayBuffer>> {
    const state = this.#state;
    const target = Math.max(1, targetChunkBytes);
    return writeChunks(runSteps(prepare(families, state)), target, state.dialect, this.#pool);
  }

  /**
   * Like `chunks`, with the preparation (merge, sort, checks, line prefixes, values) cut into
   * steps of a few thousand series and `await pause()` between steps, so a large scrape does
   * not hold the event loop for the whole preparation. The chunks are the same bytes.
   */
  async chunksSliced(
    families: readonly MetricFamily[],
    targetChunkBytes: number,
    pause: () => Promise<void>,
  ): Promise<Generator<Uint8Array<ArrayBuffer>>> {
    const state = this.#state;
    const prepared = await runStepsPaused(prepare(families, state), pause);
    return writeChunks(prepared, Math.max(1, targetChunkBytes), state.dialect, this.#pool);
  }

  /** Writes families in the Prometheus text format 0.0.4 as one UTF-8 buffer. */
  bytes(families: readonly MetricFamily[]): Uint8Array<ArrayBuffer> {
    // Chunks of slab size, then one copy: growing a single buffer would copy it again and again.
    const state = this.#state;
    return concat([...writeChunks(runSteps(prepare(families, state)), 1024 * 1024, state.dialect)]);
  }

  /** Writes families in the Prometheus text format 0.0.4 as one string. */
  text(families: readonly MetricFamily[]): string {
    return utf8Decoder.decode(this.bytes(families));
  }
}

function concat(chunks: Uint8Array<ArrayBuffer>[]): Uint8Array<ArrayBuffer> {
  if (chunks.length === 1) return chunks[0] as Uint8Array<ArrayBuffer>;
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  n = 0;
  for (const c of chunks) {
    out.set(c, n);
    n += c.length;
  }
  return out;
}

const utf8Decoder = new TextDecoder();

/** A family as every writer sees it: merged with its namesakes, its series sorted and checked. */
export interface SortedFamily {
  family: MetricFamily;
  samples: Array<ScalarSample | HistogramSample>;
  /** Label positions in label-name order. */
  order: number[];
  /** Scalar values in sample order, read when `sortFamilies` was called; null for histograms. */
  values: Float64Array | null;
}

/**
 * Gathers families the way the text writer does (client_golang's Gather rules: empty families
 * dropped, equal names merged, sorted by name and by label values, duplicates rejected), for
 * writers of other formats. One-shot: no memo is trusted or stamped.
 */
export function sortFamilies(families: readonly MetricFamily[]): SortedFamily[] {
  const state: WriterState = {
    families: new Map(),
    histograms: new Map(),
    epochs: 0,
    keeps: false,
    dialect: TEXT_0_0_4,
  };
  return runSteps(prepare(families, state, false));
}

/** `TextWriter.chunks` on a one-shot writer: nothing is reused from or kept for other calls. */
export function encodeTextChunks(
  families: readonly MetricFamily[],
  targetChunkBytes: number = DEFAULT_CHUNK_SIZE,
): Generator<Uint8Array<ArrayBuffer>> {
  return new TextWriter({ keeps: false }).chunks(families, targetChunkBytes);
}

/** `TextWriter.bytes` on a one-shot writer. */
export function encodeTextBytes(families: readonly MetricFamily[]): Uint8Array<ArrayBuffer> {
  return new TextWriter({ keeps: false }).bytes(families);
}

/** `TextWriter.text` on a one-shot writer. */
export function encodeText(families: readonly MetricFamily[]): string {
  return new TextWriter({ keeps: false }).text(families);
}
