/**
 * Sums rows whose decoded label values are equal (spec 3.5): per-CPU slots, recycled ids and
 * decoders that map many keys to one value all collapse into one series.
 */

import { labelKey } from "../decoders/cache.ts";
import type { ScalarSample } from "../encode/model.ts";

export { labelKey };

/** One decoded map row. */
export interface Row {
  labels: readonly string[];
  value: number;
}

/**
 * The aggregation role of a label set that stays the same object from scrape to scrape: it is
 * its own sample, refilled by each pass that sees it.
 */
export interface PooledSample extends ScalarSample {
  /** Whether this object is the only one with its labels (else it goes through `add`). */
  readonly interned: boolean;
  /** The pass that last counted this sample (-1: none); only an Aggregator changes it. */
  pass: number;
}

/** Accumulates rows of one metric in one pass (one scrape). */
export class Aggregator {
  readonly #samples: PooledSample[];
  #count = 0;
  #loose = new Map<string, ScalarSample>();
  #arity = -1;
  // A pooled sample stamped with another pass starts again from zero. A number, not a fresh
  // object: stamping a million long-lived samples with a young object costs a write barrier
  // and a remembered-set entry each (measured: a third of a 1M-series scrape).
  readonly #pass: number;

  /**
   * An aggregation pass numbered `pass`. The owner of the pooled samples (the exporter, one
   * number per scrape) gives each pass over the same samples a different number. The pass
   * writes its samples over `into`'s and returns that array from `samples()`: an owner that
   * hands the same array to every pass of a metric keeps a million-series scrape from growing
   * a new million-slot array (old-space garbage, about 20 MB with the copies a push makes).
   */
  constructor(pass: number, into: PooledSample[] = []) {
    this.#pass = pass;
    this.#samples = into;
  }

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
  addSet(set: PooledSample, value: number): void {
    if (!set.interned) return this.add(set.labels, value);
    if (set.pass === this.#pass) {
      set.value += value;
      return;
    }
    this.#checkArity(set.labels);
    set.pass = this.#pass;
    set.value = value;
    this.#samples[this.#count++] = set;
  }

  /** The summed series, in no particular order. */
  samples(): ScalarSample[] {
    // Drops what an earlier pass left past this one's samples (a no-op when the count held).
    if (this.#samples.length !== this.#count) this.#samples.length = this.#count;
    if (this.#loose.size === 0) return this.#samples;
    // A loose row can carry the same labels as an interned set (a transient decode, or a
    // full cache): merge them so that every label set is one series.
    const pooled = this.#samples;
    // Pooled samples keep no key string (memory per series): build each only on this path.
    for (const s of pooled) {
      const key = labelKey(s.labels, s.labels.length);
      const loose = this.#loose.get(key);
      if (loose === undefined) continue;
      s.value += loose.value;
      this.#loose.delete(key);
    }
    const out: ScalarSample[] = pooled;
    for (const s of this.#loose.values()) out.push(s);
    this.#loose.clear();
    return out;
  }
}

/** Sums rows with equal label sets into one sample each. */
export function aggregate(rows: Iterable<Row>): ScalarSample[] {
  // Only `add` is used, which never stamps pooled samples, so the pass number is moot.
  const agg = new Aggregator(0);
  for (const r of rows) agg.add(r.labels, r.value);
  return agg.samples();
}
