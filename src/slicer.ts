/**
 * Time slices for long work on the event loop: a scrape's map read, decode, preparation and
 * response writing check in between steps, and give way to pending requests once their slice
 * is used up.
 */

/**
 * Yields to the event loop once a slice of work has run for `budgetMs`. The yield is a
 * `setTimeout(0)` (1–2.5 ms): the runtime parks and reads its sockets. A MessagePort round trip
 * costs only 0.1 ms, but Deno polls sockets only after dozens of such yields, so during a
 * 1M-key scrape `/` waited 300–500 ms behind them (measured, see README "Performance").
 */
export class Slicer {
  #start = performance.now();
  readonly budgetMs: number;
  #yields = 0;

  constructor(budgetMs = 8) {
    this.budgetMs = budgetMs;
  }

  /** How many times this slicer gave way so far. */
  get yields(): number {
    return this.#yields;
  }

  /** Waits for a macrotask when the current slice is used up. */
  async maybeYield(): Promise<void> {
    if (performance.now() - this.#start < this.budgetMs) return;
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    this.#yields++;
    this.#start = performance.now();
  }
}

/** Runs stepped work (a generator that yields between steps) to its end without pausing. */
export function runSteps<T>(steps: Generator<void, T>): T {
  for (let r = steps.next();; r = steps.next()) if (r.done) return r.value;
}

/** Runs stepped work to its end, awaiting `pause()` after every step. */
export async function runStepsPaused<T>(
  steps: Generator<void, T>,
  pause: () => Promise<void>,
): Promise<T> {
  for (let r = steps.next();; r = steps.next()) {
    if (r.done) return r.value;
    await pause();
  }
}
