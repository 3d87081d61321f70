/** The series model every encoder writes: built fresh on each scrape. */

export type MetricType = "counter" | "gauge" | "histogram";

/**
 * State the encoder keeps on a series across scrapes, for series whose label values never
 * change (interned label sets): its position in the last sort, which also locates its rendered
 * line prefix from that encode. One memo must only ever appear in one family.
 */
export interface SeriesMemo {
  /** Position in the sorted output of the encode that set `epoch`. */
  rank: number;
  /** The encode that assigned `rank`; ranks of one epoch are mutually ordered. */
  epoch: number;
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
