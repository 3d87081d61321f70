/**
 * Per-metric decode cache: raw key bytes → decoded label values, plus a skip cache of whole raw
 * keys whose decode was skipped.
 *
 * Memory bound. The value cache holds at most `maxEntries` entries (default 100,000); each costs
 * about the key length (keys are stored as one-byte-per-char strings) + the label value strings
 * + ~150 bytes of Map/array overhead, e.g. ~25 MB for 100,000 entries of a 16-byte key with two
 * short labels. Entries not looked up during `maxIdleScrapes` consecutive scrapes (default 5)
 * are dropped by `endScrape()`; when the cache is full, new results are simply not stored until
 * idle entries age out (storing would evict live entries and thrash on every scrape). The skip
 * cache holds at most `skipCacheSize` keys (`--config.skip-cache-size`, 0 = off), evicting the
 * least recently used.
 *
 * Differences from upstream, on purpose:
 * - results marked transient by a decoder (`unknown_cgroup_id:N`, `unknown_addr:…`, stacks with
 *   `??`, `unknown:…` interfaces and devices) are never stored, so they resolve once the host
 *   knows them (upstream keeps the first answer forever);
 * - the value cache is bounded (upstream's grows forever);
 * - the skip cache stores and tests the whole raw key, so it also works for multi-label keys
 *   (upstream stores one label's bytes and tests whole keys, which only ever hits single-label
 *   keys), and it is per metric, since the same bytes can mean different labels elsewhere.
 */

import type { DecodeState } from "./types.ts";
import type { LabelSetDecoding } from "./labels.ts";
import { byteString } from "./text.ts";

/** Cache sizes; see the module comment for the memory they imply. */
export interface DecodeCacheOptions {
  /** Size of the skip cache; 0 (the default) disables it. */
  skipCacheSize?: number;
  /** Hard cap on cached label sets. */
  maxEntries?: number;
  /** Scrapes an entry may go unused before `endScrape()` drops it. */
  maxIdleScrapes?: number;
}

/** Default hard cap on cached label sets per metric. */
export const DEFAULT_MAX_ENTRIES = 100_000;
/** Default number of scrapes an unused entry survives. */
export const DEFAULT_MAX_IDLE_SCRAPES = 5;

/** Lookup counters, for tests and debug output. */
export interface DecodeCacheStats {
  hits: number;
  misses: number;
  skipHits: number;
}

interface Entry {
  values: string[];
  lastScrape: number;
}

/** A least-recently-used set of strings. */
export class LruSet {
  readonly capacity: number;
  #items = new Set<string>();

  constructor(capacity: number) {
    this.capacity = Math.max(0, Math.floor(capacity));
  }

  /** Number of items held. */
  get size(): number {
    return this.#items.size;
  }

  /** Whether `item` is held; a hit makes it the most recently used. */
  has(item: string): boolean {
    if (!this.#items.has(item)) return false;
    this.#items.delete(item);
    this.#items.add(item);
    return true;
  }

  /** Adds `item` as the most recently used, evicting the least recently used when full. */
  add(item: string): void {
    if (this.capacity === 0) return;
    this.#items.delete(item);
    this.#items.add(item);
    if (this.#items.size > this.capacity) {
      this.#items.delete(this.#items.values().next().value!);
    }
  }
}

/** Caches a LabelSetDecoding's results for one metric. */
export class DecodeCache {
  readonly stats: DecodeCacheStats = { hits: 0, misses: 0, skipHits: 0 };
  #decoder: LabelSetDecoding;
  #entries = new Map<string, Entry>();
  #skips: LruSet;
  #maxEntries: number;
  #maxIdle: number;
  #scrape = 0;
  #state: DecodeState = { transient: false };

  constructor(decoder: LabelSetDecoding, opts: DecodeCacheOptions = {}) {
    this.#decoder = decoder;
    this.#skips = new LruSet(opts.skipCacheSize ?? 0);
    this.#maxEntries = opts.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.#maxIdle = Math.max(1, opts.maxIdleScrapes ?? DEFAULT_MAX_IDLE_SCRAPES);
  }

  /** Number of cached label sets. */
  get size(): number {
    return this.#entries.size;
  }

  /** The skip cache (exposed for inspection). */
  get skipCache(): LruSet {
    return this.#skips;
  }

  /**
   * Label values for `key` (`null` = skip the row), from the cache when possible. The returned
   * array is shared with the cache: do not modify it. Decode errors propagate uncached.
   */
  decode(key: Uint8Array): string[] | null {
    const k = byteString(key);
    const entry = this.#entries.get(k);
    if (entry !== undefined) {
      entry.lastScrape = this.#scrape;
      this.stats.hits++;
      return entry.values;
    }
    if (this.#skips.capacity > 0 && this.#skips.has(k)) {
      this.stats.skipHits++;
      return null;
    }
    this.stats.misses++;
    const state = this.#state;
    state.transient = false;
    const values = this.#decoder.decode(key, state);
    if (state.transient) return values;
    if (values === null) {
      this.#skips.add(k);
    } else if (this.#entries.size < this.#maxEntries) {
      this.#entries.set(k, { values, lastScrape: this.#scrape });
    }
    return values;
  }

  /** Ends a scrape: drops entries unused for `maxIdleScrapes` scrapes. */
  endScrape(): void {
    this.#scrape++;
    for (const [k, entry] of this.#entries) {
      if (this.#scrape - 1 - entry.lastScrape >= this.#maxIdle) this.#entries.delete(k);
    }
  }
}
