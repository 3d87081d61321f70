/**
 * The per-metric series cap (--metrics.max-series): what a scrape keeps of a metric with too
 * many series, and the running count of what it left out (ebpf_exporter_series_dropped_total).
 */

import { warn } from "../log.ts";

/** Series left out of one metric so far. */
export interface DroppedSeries {
  config: string;
  metric: string;
  count: number;
}

/** Applies the cap and keeps the drop counts across scrapes (one per exporter). */
export class SeriesCap {
  /** Dropped series by config and metric (an entry appears at the first drop). */
  readonly dropped = new Map<string, DroppedSeries>();
  readonly #max: number;

  /** `max` 0 keeps every series. */
  constructor(max: number) {
    this.#max = max;
  }

  /**
   * The first `max` samples, in the order given (aggregation order: map read order, then rows
   * decoded outside the cache); the rest are counted, and logged once per metric.
   */
  apply<S>(config: string, metric: string, samples: S[]): S[] {
    const max = this.#max;
    if (max === 0 || samples.length <= max) return samples;
    const id = `${config}\0${metric}`;
    let entry = this.dropped.get(id);
    if (entry === undefined) {
      entry = { config, metric, count: 0 };
      this.dropped.set(id, entry);
      // Once: a metric over the cap is usually over it on every scrape.
      warn(
        `Metric "${metric}" of config "${config}" has ${samples.length} series, over ` +
          `--metrics.max-series=${max}: series past the first ${max} are dropped from each ` +
          `scrape that exceeds it (see ebpf_exporter_series_dropped_total)`,
      );
    }
    entry.count += samples.length - max;
    return samples.slice(0, max);
  }
}
