/**
 * The per-config scrape budget (--metrics.config-timeout): each config's metrics are gathered
 * against their own deadline, so one slow config costs its own families, never the others'.
 */

/** One config's metrics took longer than the scrape budget allows. */
export class ConfigTimeoutError extends Error {
  override name = "ConfigTimeoutError";
}

/** Tracks the config being gathered, its deadline and where its families start. */
export class ConfigBudget {
  readonly #limitMs: number;
  readonly #clock: () => number;
  #config: string | null = null;
  #deadline = Infinity;
  #firstFamily = 0;
  #skipping = false;

  /** `limitMs` 0 means no limit; `clock` returns milliseconds. */
  constructor(limitMs: number, clock: () => number = () => performance.now()) {
    this.#limitMs = limitMs;
    this.#clock = clock;
  }

  /**
   * Called before each metric with the count of families gathered so far; starts the clock on
   * a config's first metric. Returns whether the metric is to be skipped (its config timed out).
   */
  enter(config: string, families: number): boolean {
    if (config !== this.#config) {
      this.#config = config;
      this.#firstFamily = families;
      this.#skipping = false;
      this.#deadline = this.#limitMs > 0 ? this.#clock() + this.#limitMs : Infinity;
    }
    return this.#skipping;
  }

  /** Throws ConfigTimeoutError once the current config is past its deadline. */
  check(metric: string): void {
    if (this.#deadline === Infinity || this.#clock() <= this.#deadline) return;
    throw new ConfigTimeoutError(
      `Config "${this.#config}" exceeded its scrape budget of ${this.#limitMs}ms ` +
        `while reading metric "${metric}"`,
    );
  }

  /** Marks the current config's remaining metrics as skipped; returns its first family index. */
  skip(): number {
    this.#skipping = true;
    return this.#firstFamily;
  }
}
