/**
 * State shared by every decoder built from one DecoderContext (kallsyms, pci.ids, cgroup paths,
 * interface and partition names), plus the rate limiter that bounds how often a miss may
 * trigger a re-read of such a source.
 */

import type { DecoderContext } from "./types.ts";

const perContext = new WeakMap<DecoderContext, Map<string, unknown>>();

/** The value stored under `key` for `ctx`, created by `create` on first use. */
export function shared<T>(ctx: DecoderContext, key: string, create: () => T): T {
  let state = perContext.get(ctx);
  if (state === undefined) {
    state = new Map();
    perContext.set(ctx, state);
  }
  if (state.has(key)) return state.get(key) as T;
  const value = create();
  state.set(key, value);
  return value;
}

/** The context's monotonic millisecond clock. */
export function clockOf(ctx: DecoderContext): () => number {
  return () => ctx.now?.() ?? performance.now();
}

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
