/**
 * Tables read from the host that change while the exporter runs (kernel symbols, cgroups,
 * interfaces, block devices). A lookup that misses may mean the table is stale, so a miss
 * reloads it, but at most as often as a `RereadLimiter` allows: reading and parsing such a
 * source can cost tens of milliseconds, and some inputs never resolve.
 */

/** Limits on how often a source may be re-read after misses. */
export interface RereadLimits {
  /** Minimum time between two re-reads; also the interval after a re-read that found changes. */
  minIntervalMs: number;
  /** Cap for the interval, which doubles after every re-read that found nothing new. */
  maxIntervalMs: number;
}

/** At most one re-read per second, backing off to one per 30 s while re-reads change nothing. */
export const DEFAULT_REREAD_LIMITS: RereadLimits = { minIntervalMs: 1000, maxIntervalMs: 30_000 };

/**
 * Decides when a miss may re-read its source. The first re-read is always allowed; later ones
 * wait out an interval that starts at `minIntervalMs` and doubles (up to `maxIntervalMs`) each
 * time a re-read found nothing new, so a permanently unresolvable input (for example a stack
 * address outside every symbol) costs at most one re-read per `maxIntervalMs`.
 */
export class RereadLimiter {
  #now: () => number;
  #limits: RereadLimits;
  #interval: number;
  #last = Number.NEGATIVE_INFINITY;

  /** A limiter on the monotonic millisecond clock `now`. */
  constructor(now: () => number, limits: RereadLimits = DEFAULT_REREAD_LIMITS) {
    this.#now = now;
    this.#limits = limits;
    this.#interval = limits.minIntervalMs;
  }

  /** Whether a re-read may run now; when it may, the attempt is recorded. */
  tryAcquire(): boolean {
    const t = this.#now();
    if (t - this.#last < this.#interval) return false;
    this.#last = t;
    return true;
  }

  /** Reports what the re-read found, resetting or doubling the interval. */
  settle(changed: boolean): void {
    this.#interval = changed
      ? this.#limits.minIntervalMs
      : Math.min(this.#interval * 2, this.#limits.maxIntervalMs);
  }
}

/** What a reload produced: the new table and whether it holds anything the old one lacked. */
export interface Reloaded<T> {
  table: T;
  changed: boolean;
}

/** How a table is built and reloaded. */
export interface TableSource<T> {
  /**
   * The table on first use, read from the source without rate limit (may throw when it is
   * unreadable); or, with `startsEmpty`, an empty table that the first miss fills by a reload.
   */
  initial(): T;
  /** `initial` reads nothing: the source is first read by a (rate-limited) reload. */
  startsEmpty?: boolean;
  /** A fresh table (or `current`, updated in place), `null` to keep `current`; may throw. */
  reload(current: T): Reloaded<T> | null;
}

/**
 * A table built on first use and reloaded on misses, as often as its limiter allows. One lookup
 * reads the source at most once: a miss in the lookup that first read the table does not
 * reload it (the read is as fresh as it gets); the next miss may.
 */
export class RefreshingTable<T> {
  #source: TableSource<T>;
  #limiter: RereadLimiter;
  #table: { value: T } | null = null;

  /** A table over `source` whose miss-triggered reloads `limiter` paces. */
  constructor(source: TableSource<T>, limiter: RereadLimiter) {
    this.#source = source;
    this.#limiter = limiter;
  }

  /** The table now, built on first use. */
  current(): T {
    this.#table ??= { value: this.#source.initial() };
    return this.#table.value;
  }

  /**
   * `find` on the table; when its result `missed` (is `null`, by default), one permitted reload
   * and `find` again.
   */
  lookup<R>(find: (table: T) => R, missed: (result: R) => boolean = (r) => r === null): R {
    const justRead = this.#table === null && this.#source.startsEmpty !== true;
    const first = find(this.current());
    if (!missed(first) || justRead || !this.#reload()) return first;
    return find(this.current());
  }

  /** Reloads when the limiter allows; returns whether the table may have changed. */
  #reload(): boolean {
    if (!this.#limiter.tryAcquire()) return false;
    let reloaded: Reloaded<T> | null;
    try {
      reloaded = this.#source.reload(this.current());
    } catch (e) {
      this.#limiter.settle(false);
      throw e;
    }
    this.#limiter.settle(reloaded?.changed ?? false);
    if (reloaded === null) return false;
    this.#table = { value: reloaded.table };
    return true;
  }
}
