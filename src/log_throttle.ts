/**
 * Keeps a per-record error from flooding the log: records come from processes we do not
 * control (a program passing malformed span ids through a probe, say), so one bad producer could
 * otherwise write a line per record. Owned by whoever reports the errors (the exporter instance).
 */

/** Lets one message per key through every `intervalMs`, and says how many were held back. */
export class LogThrottle {
  readonly #intervalMs: number;
  readonly #clock: () => number;
  readonly #keys = new Map<string, { last: number; held: number }>();

  constructor(intervalMs: number, clock: () => number = () => performance.now()) {
    this.#intervalMs = intervalMs;
    this.#clock = clock;
  }

  /** `message` to log now (with the count held back since the last one), or null to hold it. */
  pass(key: string, message: string): string | null {
    const now = this.#clock();
    const k = this.#keys.get(key);
    if (k !== undefined && now - k.last < this.#intervalMs) {
      k.held++;
      return null;
    }
    const held = k?.held ?? 0;
    this.#keys.set(key, { last: now, held: 0 });
    return held === 0 ? message : `${message} (and ${held} more like it since the last report)`;
  }
}
