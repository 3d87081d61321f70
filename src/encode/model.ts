/**
 * The data model between gathering (src/exporter/: map rows → label sets → samples →
 * families) and writing (src/encode/: families → bytes). Families are built fresh on each
 * scrape; the sample objects in them may be reused from scrape to scrape.
 */

export type MetricType = "counter" | "gauge" | "histogram";

/**
 * Identifies one encode of one family by one writer. Only identity matters: a writer trusts a
 * memo only when it carries the epoch that writer gave the family last, so memos stamped by
 * another writer (or another family) are never mistaken for its own.
 */
export type Epoch = object;

/**
 * A writer's note on a series whose label values never change (interned label sets): its
 * position in the writer's last sort of the family, which also locates its rendered line prefix
 * from that encode. The writer owns these fields; gathering only hands the memo over. One memo
 * must only ever appear in one family.
 */
export interface SeriesMemo {
  /** Position in the sorted output of the encode that set `epoch`. */
  rank: number;
  /** The encode that assigned `rank` (null: never ranked); ranks of one epoch are ordered. */
  epoch: Epoch | null;
}

export interface ScalarSample {
  /** Label values, in the family's `labelNames` order. */
  labels: string[];
  value: number;
  /** Present when `labels` belong to a memo: the same memo always carries the same labels. */
  memo?: SeriesMemo;
}

export interface HistogramSample {
  labels: string[];
  /** Upper bounds (`le`) in rising order with cumulative counts; `+Inf` is implied by `count`. */
  buckets: Array<{ le: number; count: number }>;
  count: number;
  sum: number;
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
}

export type MetricFamily = ScalarFamily | HistogramFamily;
