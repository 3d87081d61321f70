/**
 * Per-metric decode cache: raw key bytes → decoded label values, plus a skip cache of whole raw
 * keys whose decode was skipped.
 *
 * Memory bound. The value cache holds at most `maxEntries` raw keys (default 100,000, raised by
 * `reserve()` to what the metric's map can hold). Raw keys live in a flat byte arena
 * (`ByteKeyTable`); keys that decode to equal label values share one interned entry (built by
 * the cache's owner, which may give it other roles: see src/exporter/series.ts). Measured with a u32+u32 key and two short
 * labels: about 330 bytes per cached key (330 MB for 1,000,000). Entries not looked up during
 * `maxIdleScrapes` consecutive scrapes (default 5) are dropped by `endScrape()`; when the cache
 * is full, new results are simply not stored until idle entries age out (storing would evict
 * live entries and thrash on every scrape). The skip cache holds at most `skipCacheSize` keys
 * (`--config.skip-cache-size`, 0 = off), evicting the least recently used.
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
import { ByteKeyTable, MISSING } from "./key_table.ts";
import { byteString } from "./text.ts";

/** Told how many label values a decode repaired (invalid UTF-8 made valid). */
export type RepairSink = (count: number) => void;

/** Cache sizes and hooks; see the module comment for the memory the sizes imply. */
export interface DecodeCacheOptions {
  /** Size of the skip cache; 0 (the default) disables it. */
  skipCacheSize?: number;
  /** Hard cap on cached label sets. */
  maxEntries?: number;
  /** Scrapes an entry may go unused before `endScrape()` drops it. */
  maxIdleScrapes?: number;
  /**
   * Told how many label values a fresh decode had to repair (invalid UTF-8): the exporter counts
   * them as decoder errors. Cached keys are not decoded again, so each is told once.
   */
  onRepair?: RepairSink;
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

/**
 * The decode cache's role of an entry: one decoded label tuple, shared by every raw key that
 * decodes to it while cached, so its identity stands for its values.
 */
export interface CachedLabels {
  readonly labels: string[];
  /** Whether the cache holds this entry (only interned entries are unique per label tuple). */
  readonly interned: boolean;
  /** Cached raw keys pointing here; only the cache changes it. */
  refs: number;
}

/** Builds the cache's entries: the owner picks the type, to give entries further roles. */
export type CachedLabelsFactory<E extends CachedLabels> = (
  labels: string[],
  interned: boolean,
) => E;

function plainEntry(labels: string[], interned: boolean): CachedLabels {
  return { labels, interned, refs: 0 };
}

/**
 * A hash of label values for the interned table: 30 bits, so a Map keys it as a small integer.
 * Each value's length goes in too, so tuples that only differ in where one value ends differ.
 */
export function labelsHash(labels: readonly string[]): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i] as string;
    h = Math.imul(h ^ v.length, 0x01000193);
    for (let j = 0; j < v.length; j++) h = Math.imul(h ^ v.charCodeAt(j), 0x01000193);
  }
  return (h ^ (h >>> 15)) & 0x3fffffff;
}

function sameLabels(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// Entries a collision bucket holds as an array before it becomes a map keyed by `labelKey`.
const BUCKET_ARRAY_MAX = 8;

type Bucket<E> = E | E[] | Map<string, E>;

/**
 * Interned entries by label values. Keyed by a hash of the values rather than by a string made
 * of them: a million label sets would otherwise keep a million key strings alive (about 80
 * bytes each). Entries whose hashes collide share a bucket: a short array, or past
 * BUCKET_ARRAY_MAX entries a map keyed by `labelKey`, so label values crafted to collide (they
 * can come from any process, e.g. a comm) cost a string key each, never a linear search.
 */
export class InternedSets<E extends CachedLabels> {
  #byHash = new Map<number, Bucket<E>>();
  readonly #hash: (labels: readonly string[]) => number;

  /** `hash` is `labelsHash` unless a test needs collisions. */
  constructor(hash: (labels: readonly string[]) => number = labelsHash) {
    this.#hash = hash;
  }

  /** The hash this table files `labels` under. */
  hash(labels: readonly string[]): number {
    return this.#hash(labels);
  }

  /** The entry with these label values, if any. */
  get(labels: readonly string[], hash: number): E | undefined {
    const b = this.#byHash.get(hash);
    if (b === undefined) return undefined;
    if (b instanceof Map) return b.get(labelKey(labels, labels.length));
    if (!Array.isArray(b)) return sameLabels(b.labels, labels) ? b : undefined;
    for (const e of b) if (sameLabels(e.labels, labels)) return e;
    return undefined;
  }

  /** Adds `e`, whose label values are not held yet. */
  add(e: E, hash: number): void {
    const b = this.#byHash.get(hash);
    if (b === undefined) this.#byHash.set(hash, e);
    else if (b instanceof Map) b.set(labelKey(e.labels, e.labels.length), e);
    else if (!Array.isArray(b)) this.#byHash.set(hash, [b, e]);
    else if (b.length < BUCKET_ARRAY_MAX) b.push(e);
    else {
      const m = new Map<string, E>();
      for (const x of b) m.set(labelKey(x.labels, x.labels.length), x);
      m.set(labelKey(e.labels, e.labels.length), e);
      this.#byHash.set(hash, m);
    }
  }

  /** Removes `e` (by identity). */
  delete(e: E): void {
    const hash = this.#hash(e.labels);
    const b = this.#byHash.get(hash);
    if (b === e) this.#byHash.delete(hash);
    else if (b instanceof Map) {
      const k = labelKey(e.labels, e.labels.length);
      if (b.get(k) === e) b.delete(k);
      if (b.size === 0) this.#byHash.delete(hash);
    } else if (Array.isArray(b)) {
      const i = b.indexOf(e);
      if (i >= 0) b.splice(i, 1);
      if (b.length === 1) this.#byHash.set(hash, b[0] as E);
    }
  }

  clear(): void {
    this.#byHash.clear();
  }
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

/** Caches a LabelSetDecoding's results for one metric, as entries of type `E`. */
export class DecodeCache<E extends CachedLabels = CachedLabels> {
  readonly stats: DecodeCacheStats = { hits: 0, misses: 0, skipHits: 0 };
  #decoder: LabelSetDecoding;
  #make: CachedLabelsFactory<E>;
  // One table per key length: a metric's keys almost always share one length.
  #tables = new Map<number, ByteKeyTable<E>>();
  #last: ByteKeyTable<E> | null = null;
  #interned = new InternedSets<E>();
  #size = 0;
  /** Cached entries looked up during the current scrape. */
  #seen = 0;
  #skips: LruSet;
  #maxEntries: number;
  #maxIdle: number;
  #scrape = 0;
  #state: Required<DecodeState> = { transient: false, repaired: 0 };
  #onRepair: RepairSink | null;

  constructor(
    decoder: LabelSetDecoding,
    opts: DecodeCacheOptions = {},
    make: CachedLabelsFactory<E> = plainEntry as CachedLabelsFactory<E>,
  ) {
    this.#decoder = decoder;
    this.#make = make;
    this.#skips = new LruSet(opts.skipCacheSize ?? 0);
    this.#maxEntries = opts.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.#maxIdle = Math.max(1, opts.maxIdleScrapes ?? DEFAULT_MAX_IDLE_SCRAPES);
    this.#onRepair = opts.onRepair ?? null;
  }

  /** Number of cached raw keys. */
  get size(): number {
    return this.#size;
  }

  /** The hard cap on cached raw keys. */
  get maxEntries(): number {
    return this.#maxEntries;
  }

  /**
   * Raises the hard cap to at least `n` (the number of keys the metric's map can hold): a map
   * bigger than the cap would decode its excess keys afresh on every scrape.
   */
  reserve(n: number): void {
    if (n <= this.#maxEntries) return;
    this.#maxEntries = Math.floor(n);
    this.#tables.clear();
    this.#last = null;
    this.#interned.clear();
    this.#size = 0;
    this.#seen = 0;
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
    return this.lookup(key)?.labels ?? null;
  }

  /** Like `decode`, but returns the shared label set (`null` = skip the row). */
  lookup(key: Uint8Array): E | null {
    return this.lookupAt(key, 0, key.length);
  }

  /** `lookup` of the key at `buf[offset .. offset + length)`: no view needed on a hit. */
  lookupAt(buf: Uint8Array, offset: number, length: number): E | null {
    let table = this.#last;
    if (table === null || table.keySize !== length) table = this.#table(length);
    const e = table.find(buf, offset, length);
    if (e !== MISSING) {
      if (table.stamp(e) !== this.#scrape) {
        table.setStamp(e, this.#scrape);
        this.#seen++;
      }
      this.stats.hits++;
      return table.value(e);
    }
    return this.#miss(table, buf.subarray(offset, offset + length));
  }

  #miss(table: ByteKeyTable<E>, key: Uint8Array): E | null {
    let k: string | null = null;
    if (this.#skips.capacity > 0 && this.#skips.has(k = byteString(key))) {
      this.stats.skipHits++;
      return null;
    }
    this.stats.misses++;
    const state = this.#state;
    state.transient = false;
    state.repaired = 0;
    const values = this.#decoder.decode(key, state);
    if (state.repaired > 0) this.#onRepair?.(state.repaired);
    if (values === null) {
      if (!state.transient) this.#skips.add(k ?? byteString(key));
      return null;
    }
    const hash = this.#interned.hash(values);
    const known = this.#interned.get(values, hash);
    if (state.transient || this.#size >= this.#maxEntries) {
      return known ?? this.#make(values, false);
    }
    let set = known;
    if (set === undefined) {
      set = this.#make(values, true);
      this.#interned.add(set, hash);
    }
    if (table.set(key, set, this.#scrape)) {
      set.refs++;
      this.#size++;
      this.#seen++;
    } else if (set.refs === 0) {
      this.#interned.delete(set);
    }
    return set;
  }

  #table(size: number): ByteKeyTable<E> {
    let t = this.#tables.get(size);
    if (t === undefined) {
      t = new ByteKeyTable<E>(size, this.#maxEntries);
      this.#tables.set(size, t);
    }
    this.#last = t;
    return t;
  }

  /** Ends a scrape: drops entries unused for `maxIdleScrapes` scrapes. */
  endScrape(): void {
    const everySeen = this.#seen === this.#size;
    this.#seen = 0;
    this.#scrape++;
    // Entries all looked up in the scrape just ended cannot be idle: skip the walk.
    if (everySeen) return;
    const oldest = this.#scrape - 1 - this.#maxIdle;
    for (const t of this.#tables.values()) {
      t.sweep((set, lastScrape) => {
        if (lastScrape > oldest) return false;
        if (--set.refs === 0) this.#interned.delete(set);
        this.#size--;
        return true;
      });
    }
  }
}
