/**
 * Sums rows whose decoded label values are equal (spec 3.5): per-CPU slots, recycled ids and
 * decoders that map many keys to one value all collapse into one series.
 */

import type { ScalarSample } from "../encode/model.ts";

/** One decoded map row. */
export interface Row {
  labels: readonly string[];
  value: number;
}

/**
 * A collision-free key for the first `n` label values. Upstream joins with `|`, so `["a|b", "c"]`
 * and `["a", "b|c"]` would merge; length prefixes make every distinct tuple a distinct key.
 */
export function labelKey(labels: readonly string[], n: number): string {
  if (n === 1) return labels[0] ?? "";
  let key = "";
  for (let i = 0; i < n; i++) {
    const v = labels[i] ?? "";
    key += v.length + ":" + v;
  }
  return key;
}

/** Accumulates rows of one metric, keeping first-seen order. */
export class Aggregator {
  #series = new Map<string, ScalarSample>();
  #arity = -1;

  /** Adds a row; the label array is copied on first sight, so callers may reuse theirs. */
  add(labels: readonly string[], value: number): void {
    // A fixed arity is what makes the single-label key (the bare value) collision-free.
    if (this.#arity !== labels.length) {
      if (this.#arity !== -1) {
        throw new RangeError(
          `Cannot aggregate labels ${JSON.stringify(labels)}: expected ${this.#arity} values`,
        );
      }
      this.#arity = labels.length;
    }
    const key = labelKey(labels, labels.length);
    const s = this.#series.get(key);
    if (s === undefined) this.#series.set(key, { labels: labels.slice(), value });
    else s.value += value;
  }

  /** The summed series, in the order their label sets first appeared. */
  samples(): ScalarSample[] {
    return [...this.#series.values()];
  }
}

/** Sums rows with equal label sets into one sample each. */
export function aggregate(rows: Iterable<Row>): ScalarSample[] {
  const agg = new Aggregator();
  for (const r of rows) agg.add(r.labels, r.value);
  return agg.samples();
}
