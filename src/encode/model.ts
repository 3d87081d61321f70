/** The series model every encoder writes: built fresh on each scrape. */

export type MetricType = "counter" | "gauge" | "histogram";

export interface ScalarSample {
  /** Label values, in the family's `labelNames` order. */
  labels: string[];
  value: number;
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
}

export interface HistogramFamily {
  name: string;
  help: string;
  type: "histogram";
  labelNames: string[];
  samples: HistogramSample[];
}

export type MetricFamily = ScalarFamily | HistogramFamily;
