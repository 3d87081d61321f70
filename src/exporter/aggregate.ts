/**
 * Sums rows whose decoded label values are equal (spec 3.5): per-CPU slots, recycled ids and
 * decoders that map many keys to one value all collapse into one series.
 */

import { labelKey, LabelSet } from "../decoders/cache.ts";
import type { ScalarSample } from "../encode/model.ts";

export { labelKey };

/** One decoded map row. */
export interface Row {
  labels: readonly string[];
  value: number;
}

// Every Aggregator stamps the label sets it sees with its own pass number.
let passes = 0;

/** Accumulates rows of one metric. */
export class Aggregator {
  #samples: ScalarSample[] = [];
  #loose = new Map<string, ScalarSample>();
  #arity = -1;
  readonly #pass = ++passes;

  #checkArity(labels: readonly string[]): void {
    // A fixed arity is what makes the single-label key (the bare value) collision-free.
    if (this.#arity === labels.length) return;
    if (this.#arity !== -1) {
      throw new RangeError(
        `Cannot aggregate labels ${JSON.stringify(labels)}: expected ${this.#arity} values`,
      );
    }
    this.#arity = labels.length;
  }

  /** Adds a row; the label array is copied on first sight, so callers may reuse theirs. */
  add(labels: readonly string[], value: number): void {
    this.#checkArity(labels);
    const key = labelKey(labels, labels.length);
    const s = this.#loose.get(key);
    if (s === undefined) this.#loose.set(key, { labels: labels.slice(), value });
    else s.value += value;
  }

  /**
   * Adds a row by label set. Interned sets are summed by identity, without building a key, and
   * each is its own sample: a scrape allocates no object per series. A pass therefore
   * overwrites the values of the previous pass's samples; the encoder copies values when it is
   * called, so a response still streaming is not affected. Other sets go through `add`.
   */
  addSet(set: LabelSet, value: number): void {
    if (!set.interned) return this.add(set.labels, value);
    if (set.stamp === this.#pass) {
      set.value += value;
      return;
    }
    this.#checkArity(set.labels);
    set.stamp = this.#pass;
    set.value = value;
    this.#samples.push(set);
  }

  /** The summed series, in no particular order. */
  samples(): ScalarSample[] {
    if (this.#loose.size === 0) return this.#samples;
    // A loose row can carry the same labels as an interned set (a transient decode, or a
    // full cache): merge them so that every label set is one series.
    const out = this.#samples;
    for (const s of out) {
      const loose = this.#loose.get((s.memo as LabelSet).key);
      if (loose === undefined) continue;
      s.value += loose.value;
      this.#loose.delete((s.memo as LabelSet).key);
    }
    for (const s of this.#loose.values()) out.push(s);
    this.#loose.clear();
    return out;
  }
}

/** Sums rows with equal label sets into one sample each. */
export function aggregate(rows: Iterable<Row>): ScalarSample[] {
  const agg = new Aggregator();
  for (const r of rows) agg.add(r.labels, r.value);
  return agg.samples();
}
