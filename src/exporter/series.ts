/**
 * The object a metric's interned label set is, on the scrape path: one object per decoded label
 * tuple plays three roles with three owners, so that a scrape allocates nothing per series.
 *
 * - decode cache entry (`CachedLabels`, owned by the metric's DecodeCache): `labels`,
 *   `interned`, `refs`;
 * - aggregation sample (`PooledSample`, owned by the metric's Aggregator of the current pass):
 *   `value`, `pass`;
 * - writer memo (`SeriesMemo`, owned by the exporter's TextWriter): `rank`, `epoch`, `owner`.
 *
 * Invariant: one LabelSet belongs to one metric of one exporter. Its cache, its aggregator and
 * the writer that ranks it all belong to that exporter, so no other instance reads or writes its
 * fields; each owner writes only its own fields.
 */

import type { CachedLabels, CachedLabelsFactory } from "../decoders/cache.ts";
import type { Epoch, SeriesMemo } from "../encode/model.ts";
import type { PooledSample } from "./aggregate.ts";

/** A decoded label tuple that is also its own sample and its own series memo. */
export class LabelSet implements CachedLabels, PooledSample, SeriesMemo {
  readonly labels: string[];
  // Cached raw keys pointing here; -1 marks a set the cache does not hold (not interned). One
  // field for both facts, and `memo` a getter: a million live sets are 16 MB smaller.
  refs: number;
  value = 0;
  pass = -1;
  rank = -1;
  epoch: Epoch = -1;
  owner: object | null = null;

  constructor(labels: string[], interned: boolean) {
    this.labels = labels;
    this.refs = interned ? 0 : -1;
  }

  /** Whether the decode cache holds this set (only interned sets are unique per tuple). */
  get interned(): boolean {
    return this.refs >= 0;
  }

  /** The set is its own series memo. */
  get memo(): SeriesMemo {
    return this;
  }
}

/** The decode cache factory for metrics on the scrape path. */
export const makeLabelSet: CachedLabelsFactory<LabelSet> = (labels, interned) =>
  new LabelSet(labels, interned);
