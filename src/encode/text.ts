/**
 * Prometheus text exposition format 0.0.4, byte-compatible with what client_golang's registry
 * and expfmt produce for the same families (spec 3.13).
 */

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
    i = j;
    out.push(prepareOne(first, samples));
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

function prepareOne(
  family: MetricFamily,
  input: Array<ScalarSample | HistogramSample>,
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
  const samples = input.slice().sort(compare);
  for (let i = 1; i < samples.length; i++) {
    const s = samples[i] as ScalarSample | HistogramSample;
    if (compare(samples[i - 1] as ScalarSample | HistogramSample, s) === 0) {
      throw new Error(
        `Cannot encode family "${family.name}": series {${labelPairs(s.labels, names, order)}} ` +
          `occurs more than once`,
      );
    }
  }
  return { family, samples, order };
}

function labelPairs(labels: readonly string[], names: readonly string[], order: number[]): string {
  let out = "";
  for (let k = 0; k < order.length; k++) {
    const i = order[k] as number;
    out += (k === 0 ? "" : ",") + names[i] + '="' + escapeLabelValue(labels[i] as string) + '"';
  }
  return out;
}

function* writeChunks(prepared: Prepared[], target: number): Generator<string> {
  let buf = "";
  for (const { family, samples, order } of prepared) {
    const name = family.name;
    const names = family.labelNames;
    buf += "# HELP " + name + " " + escapeHelp(family.help) + "\n# TYPE " + name + " " +
      family.type + "\n";
    if (family.type === "histogram") {
      // Every series of a histogram usually shares one set of bounds: format each once.
      const leText = new Map<number, string>();
      for (const s of samples as HistogramSample[]) {
        buf += histogramLines(name, labelPairs(s.labels, names, order), s, leText);
        if (buf.length >= target) {
          yield buf;
          buf = "";
        }
      }
    } else {
      for (const s of samples as ScalarSample[]) {
        const pairs = labelPairs(s.labels, names, order);
        buf += name + (pairs === "" ? " " : "{" + pairs + "} ") + formatFloat(s.value) + "\n";
        if (buf.length >= target) {
          yield buf;
          buf = "";
        }
      }
    }
  }
  if (buf !== "") yield buf;
}

function histogramLines(
  name: string,
  pairs: string,
  s: HistogramSample,
  leText: Map<number, string>,
): string {
  const bucket = name + "_bucket{" + pairs + (pairs === "" ? 'le="' : ',le="');
  let out = "";
  let infSeen = false;
  for (const b of s.buckets) {
    let le = leText.get(b.le);
    if (le === undefined) {
      le = formatFloat(b.le);
      leText.set(b.le, le);
    }
    out += bucket + le + '"} ' + formatFloat(b.count) + "\n";
    if (b.le === Infinity) infSeen = true;
  }
  const count = formatFloat(s.count);
  // expfmt adds the +Inf bucket unless the histogram already has one.
  if (!infSeen) out += bucket + '+Inf"} ' + count + "\n";
  const braces = pairs === "" ? " " : "{" + pairs + "} ";
  return out + name + "_sum" + braces + formatFloat(s.sum) + "\n" + name + "_count" + braces +
    count + "\n";
}

/**
 * Writes families in the text format as chunks of roughly `targetChunkBytes` UTF-16 units
 * (bytes for ASCII), cut at series boundaries; the chunks concatenate to `encodeText`'s output.
 * Merging, sorting and validation happen in this call, so errors surface before any chunk.
 */
export function encodeTextChunks(
  families: readonly MetricFamily[],
  targetChunkBytes: number = DEFAULT_CHUNK_SIZE,
): Generator<string> {
  return writeChunks(prepare(families), Math.max(1, targetChunkBytes));
}

/** Writes families in the Prometheus text format 0.0.4 as one string. */
export function encodeText(families: readonly MetricFamily[]): string {
  let out = "";
  for (const chunk of writeChunks(prepare(families), Infinity)) out += chunk;
  return out;
}
