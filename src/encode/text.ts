/**
 * Prometheus text exposition format 0.0.4, byte-compatible with what client_golang's registry
 * and expfmt produce for the same families (spec 3.13).
 */

import { ByteWriter, utf8Bytes } from "./bytes.ts";
import { formatFloat } from "./float.ts";
import type { HistogramSample, MetricFamily, ScalarSample } from "./model.ts";

/** Content type of the text exposition format. */
export const CONTENT_TYPE_TEXT = "text/plain; version=0.0.4; charset=utf-8";

/** Default size a chunk grows to before `encodeTextChunks` hands it out. */
export const DEFAULT_CHUNK_SIZE = 64 * 1024;

const LABEL_ESCAPES = /[\\"\n]/;
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

/** A family ready to write: merged, sorted and checked. */
interface Prepared {
  family: MetricFamily;
  samples: Array<ScalarSample | HistogramSample>;
  /** Label positions in label-name order. */
  order: number[];
}

/**
 * Mirrors client_golang's Gather: families without samples vanish, equal names merge (and must
 * agree on type, help and labels), families sort by name, series by label values in label-name
 * order, and a series seen twice is an error.
 */
function prepare(families: readonly MetricFamily[]): Prepared[] {
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
    out.push(prepareOne(first, samples, merged || first.type === "histogram" || !first.distinct));
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

// Every encode that ranks memos gets its own epoch.
let epochs = 0;

function prepareOne(
  family: MetricFamily,
  input: Array<ScalarSample | HistogramSample>,
  checkDuplicates: boolean,
): Prepared {
  const names = family.labelNames;
  const order = names.map((_, i) => i).sort((a, b) =>
    compareUtf8(names[a] as string, names[b] as string)
  );
  for (const s of input) {
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
  const samples = sortSamples(input, compare);
  for (let i = 1; checkDuplicates && i < samples.length; i++) {
    const s = samples[i] as ScalarSample | HistogramSample;
    if (compare(samples[i - 1] as ScalarSample | HistogramSample, s) === 0) {
      throw new Error(
        `Cannot encode family "${family.name}": series {${labelPairs(s.labels, names, order)}} ` +
          `occurs more than once`,
      );
    }
  }
  const epoch = ++epochs;
  for (let i = 0; i < samples.length; i++) {
    const memo = (samples[i] as ScalarSample).memo;
    if (memo !== undefined) {
      memo.rank = i;
      memo.epoch = epoch;
    }
  }
  return { family, samples, order };
}

/**
 * Sorts series, reusing the previous encode's order: series whose memos were ranked by the
 * newest epoch among them are already mutually ordered, so they are placed by rank in linear
 * time and only the rest are sorted and merged in. A scrape whose series did not change sorts
 * nothing.
 */
function sortSamples<T extends ScalarSample | HistogramSample>(
  input: T[],
  compare: (a: T, b: T) => number,
): T[] {
  let epoch = -1;
  let maxRank = -1;
  for (const s of input) {
    const m = (s as ScalarSample).memo;
    if (m === undefined) continue;
    if (m.epoch > epoch) {
      epoch = m.epoch;
      maxRank = m.rank;
    } else if (m.epoch === epoch && m.rank > maxRank) {
      maxRank = m.rank;
    }
  }
  if (epoch === -1) return input.slice().sort(compare);
  const placed = new Array<T | undefined>(maxRank + 1);
  const fresh: T[] = [];
  for (const s of input) {
    const m = (s as ScalarSample).memo;
    if (m !== undefined && m.epoch === epoch && placed[m.rank] === undefined) placed[m.rank] = s;
    else fresh.push(s);
  }
  const ranked: T[] = [];
  for (let i = 0; i < placed.length; i++) {
    const s = placed[i];
    if (s !== undefined) ranked.push(s);
  }
  if (fresh.length === 0) return ranked;
  fresh.sort(compare);
  const out: T[] = new Array(ranked.length + fresh.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < ranked.length && j < fresh.length) {
    // Ties go to the ranked side, as a stable sort of ranked-then-fresh would order them.
    out[k++] = compare(ranked[i] as T, fresh[j] as T) <= 0 ? ranked[i++] as T : fresh[j++] as T;
  }
  while (i < ranked.length) out[k++] = ranked[i++] as T;
  while (j < fresh.length) out[k++] = fresh[j++] as T;
  return out;
}

function labelPairs(labels: readonly string[], names: readonly string[], order: number[]): string {
  let out = "";
  for (let k = 0; k < order.length; k++) {
    const i = order[k] as number;
    out += (k === 0 ? "" : ",") + names[i] + '="' + escapeLabelValue(labels[i] as string) + '"';
  }
  return out;
}

function* writeChunks(prepared: Prepared[], target: number): Generator<Uint8Array<ArrayBuffer>> {
  const w = new ByteWriter();
  for (const { family, samples, order } of prepared) {
    const name = utf8Bytes(family.name);
    const names = family.labelNames;
    w.bytes("# HELP " + name + " ");
    w.text(escapeHelp(family.help));
    w.bytes("\n# TYPE " + name + " " + family.type + "\n");
    if (family.type === "histogram") {
      // Every series of a histogram usually shares one set of bounds: format each once.
      const leText = new Map<number, string>();
      for (const s of samples as HistogramSample[]) {
        histogramLines(w, name, utf8Bytes(labelPairs(s.labels, names, order)), s, leText);
        if (w.length >= target) yield w.take();
      }
    } else {
      const nameBytes = utf8Encoder.encode(family.name);
      for (const s of samples as ScalarSample[]) {
        const memo = s.memo;
        if (memo === undefined) {
          const pairs = labelPairs(s.labels, names, order);
          w.bytes(name);
          if (pairs !== "") w.text("{" + pairs + "}");
          w.value(s.value);
        } else {
          let text = memo.text;
          if (text === undefined) {
            const pairs = labelPairs(s.labels, names, order);
            text = memo.text = utf8Encoder.encode(pairs === "" ? "" : "{" + pairs + "}");
          }
          w.line(nameBytes, text, s.value);
        }
        if (w.length >= target) yield w.take();
      }
    }
  }
  if (w.length > 0) yield w.take();
}

const utf8Encoder = new TextEncoder();

function histogramLines(
  w: ByteWriter,
  name: string,
  pairs: string,
  s: HistogramSample,
  leText: Map<number, string>,
): void {
  const bucket = name + "_bucket{" + pairs + (pairs === "" ? 'le="' : ',le="');
  let infSeen = false;
  for (const b of s.buckets) {
    let le = leText.get(b.le);
    if (le === undefined) {
      le = formatFloat(b.le) + '"}';
      leText.set(b.le, le);
    }
    w.bytes(bucket);
    w.bytes(le);
    w.value(b.count);
    if (b.le === Infinity) infSeen = true;
  }
  // expfmt adds the +Inf bucket unless the histogram already has one.
  if (!infSeen) {
    w.bytes(bucket + '+Inf"}');
    w.value(s.count);
  }
  const braces = pairs === "" ? "" : "{" + pairs + "}";
  w.bytes(name + "_sum" + braces);
  w.value(s.sum);
  w.bytes(name + "_count" + braces);
  w.value(s.count);
}

/**
 * Writes families in the text format as UTF-8 chunks of roughly `targetChunkBytes` bytes, cut
 * at series boundaries; the chunks concatenate to `encodeTextBytes`'s output. Merging, sorting
 * and validation happen in this call, so errors surface before any chunk.
 */
export function encodeTextChunks(
  families: readonly MetricFamily[],
  targetChunkBytes: number = DEFAULT_CHUNK_SIZE,
): Generator<Uint8Array<ArrayBuffer>> {
  return writeChunks(prepare(families), Math.max(1, targetChunkBytes));
}

/** Writes families in the Prometheus text format 0.0.4 as one UTF-8 buffer. */
export function encodeTextBytes(families: readonly MetricFamily[]): Uint8Array<ArrayBuffer> {
  const chunks = [...writeChunks(prepare(families), Infinity)];
  return chunks.length === 1 ? chunks[0] as Uint8Array<ArrayBuffer> : new Uint8Array(0);
}

const utf8Decoder = new TextDecoder();

/** Writes families in the Prometheus text format 0.0.4 as one string. */
export function encodeText(families: readonly MetricFamily[]): string {
  return utf8Decoder.decode(encodeTextBytes(families));
}
