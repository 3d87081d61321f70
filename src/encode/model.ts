/**
 * The data model between gathering (src/exporter/: map rows → label sets → samples →
 * families) and writing (src/encode/: families → bytes). Families are built fresh on each
 * scrape; the sample objects in them may be reused from scrape to scrape.
 */

export type MetricType = "counter" | "gauge" | "histogram";

/**
 * Numbers one encode by one writer (each writer counts its own, from 1). A writer trusts a memo
 * only when it carries the epoch that writer gave the family last. Numbers, not objects: stamping
 * a million long-lived memos with a freshly allocated object made every one an old-to-young
 * pointer, which cost the 1M-series scrape a third of its time in write barriers and GC.
 * Numbers of two writers can be equal, so a memo also names the writer that stamped it
 * (`SeriesMemo.owner`).
 */
export type Epoch = number;

/**
 * A writer's note on a series whose label values never change (interned label sets): its
 * position in the writer's last sort of the family, which also locates its rendered line prefix
 * from that encode. The writer owns these fields; gathering only hands the memo over. One memo
 * must only ever appear in one family.
 */
export interface SeriesMemo {
  /** Position in the sorted output of the encode that set `epoch`. */
  rank: number;
  /** The encode that assigned `rank` (-1: never ranked); ranks of one epoch are ordered. */
  epoch: Epoch;
  /** The writer's state that stamped `epoch` (null: none); opaque to everyone else. */
  owner: object | null;
}

export interface ScalarSample {
  /** Label values, in the family's `labelNames` order. */
  labels: string[];
  value: number;
  /** Present when `labels` belong to a memo: the same memo always carries the same labels. */
  memo?: SeriesMemo;
}

/**
 * One histogram series in typed form: no object per bucket. A fold hands every series of one
 * bucket layout the same `les` and one `counts` array holding all their counts, each series at
 * its own offset, so folding a family allocates a sample object per series and nothing per bucket.
 */
export interface HistogramSample {
  labels: string[];
  /**
   * Upper bounds (`le`) in rising order; `+Inf` is implied by `count`. Shared between samples
   * (and kept by writers across scrapes): nobody writes to it once a sample holds it.
   */
  les: Float64Array;
  /** Cumulative count of bound `les[i]` at `counts[at + i]`; other samples' counts may share it. */
  counts: Float64Array;
  at: number;
  count: number;
  sum: number;
}

/** A histogram sample owning its own arrays, from bounds and their cumulative counts. */
export function histogramSample(
  labels: string[],
  les: readonly number[],
  counts: readonly number[],
  count: number,
  sum: number,
): HistogramSample {
  if (les.length !== counts.length) {
    throw new RangeError(
      `Cannot build histogram sample: ${les.length} bounds, ${counts.length} counts`,
    );
  }
  return {
    labels,
    les: Float64Array.from(les),
    counts: Float64Array.from(counts),
    at: 0,
    count,
    sum,
  };
}

/** A sample's buckets as `[le, cumulative count]` pairs (for tests and reference code). */
export function bucketPairs(s: HistogramSample): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < s.les.length; i++) {
    out.push([s.les[i] as number, s.counts[s.at + i] as number]);
  }
  return out;
}

export interface ScalarFamily {
  name: string;
  help: string;
  type: "counter" | "gauge";
  labelNames: string[];
  samples: ScalarSample[];
  /**
   * The samples' label sets are known to be distinct (an Aggregator built them), so the
   * encoder skips its duplicate check unless the family merges with another of its name.
   */
  distinct?: boolean;
}

export interface HistogramFamily {
  name: string;
  help: string;
  type: "histogram";
  labelNames: string[];
  samples: HistogramSample[];
  /**
   * Every bucket bound is a power of two, or 0 for a bucket of zeros, and each bucket holds
   * exactly the values above the previous power of two: the buckets of a native histogram of
   * schema 0. Gathering sets it (exp2 and exp2zero layouts with a power-of-two multiplier);
   * writers that know native histograms then emit one next to the classic buckets.
   */
  nativeSchema0?: boolean;
}

export type MetricFamily = ScalarFamily | HistogramFamily;
