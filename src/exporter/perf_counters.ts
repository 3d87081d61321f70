/**
 * Counters fed by perf event arrays (`perf_event_array: true`): every record is one event,
 * decoded into labels and counted; the series reset every `flush_interval` (default 1 h).
 */

import type { BpfMap } from "../../ffi/libbpf.ts";
import { PerfBuffer } from "../../ffi/perfbuf.ts";
import type { CounterConfig } from "../config/types.ts";
import type { ScalarFamily } from "../encode/model.ts";
import type { KeyDecoder } from "./keys.ts";

const DEFAULT_FLUSH_MS = 60 * 60 * 1000;
// 64 pages per CPU (256 KiB with 4 KiB pages) holds thousands of small records between polls.
const PAGES_PER_CPU = 64;

/** One perf-event-array counter of one config. */
export class PerfEventCounter {
  readonly config: string;
  readonly conf: CounterConfig;
  #map: BpfMap;
  #keys: KeyDecoder;
  #keyLength: number;
  #series = new Map<string, { labels: string[]; value: number }>();
  #buffer: PerfBuffer | null = null;
  #flushTimer: ReturnType<typeof setInterval> | null = null;
  #onError: (e: Error) => void;
  /** Records the kernel dropped because the buffer was full. */
  lost = 0;

  constructor(
    config: string,
    conf: CounterConfig,
    map: BpfMap,
    keys: KeyDecoder,
    onError: (e: Error) => void,
  ) {
    this.config = config;
    this.conf = conf;
    this.#map = map;
    this.#keys = keys;
    this.#onError = onError;
    this.#keyLength = conf.labels.reduce((n, l) => n + l.size + l.padding, 0);
  }

  /** Opens the perf buffer and starts the flush timer. */
  start(): void {
    this.#buffer = new PerfBuffer(
      this.#map,
      PAGES_PER_CPU,
      (_cpu, data) => this.#record(data),
      (_cpu, n) => {
        this.lost += n;
      },
    );
    const every = this.conf.flush_interval_ms > 0 ? this.conf.flush_interval_ms : DEFAULT_FLUSH_MS;
    this.#flushTimer = setInterval(() => this.#series.clear(), every);
  }

  #record(data: Uint8Array): void {
    // Records are padded by the kernel to 8 bytes: only the labels' bytes are the key.
    if (data.length < this.#keyLength) {
      this.#onError(
        new Error(
          `perf record of ${data.length} bytes is shorter than the labels' ${this.#keyLength}`,
        ),
      );
      return;
    }
    let labels: string[] | null;
    try {
      labels = this.#keys.decode(data.subarray(0, this.#keyLength));
    } catch (e) {
      this.#onError(e as Error);
      return;
    }
    if (labels === null) return;
    const id = labels.join("\0");
    const s = this.#series.get(id);
    if (s) s.value++;
    else this.#series.set(id, { labels, value: 1 });
  }

  /** Drains pending records without blocking. */
  poll(): void {
    this.#buffer?.poll();
  }

  /** The counter family as of now. */
  family(prefix: string): ScalarFamily {
    return {
      name: prefix + this.conf.name,
      help: this.conf.help,
      type: "counter",
      labelNames: this.conf.labels.map((l) => l.name),
      samples: [...this.#series.values()].map((s) => ({ labels: s.labels, value: s.value })),
    };
  }

  /** Stops the timer and frees the buffer. Idempotent. */
  close(): void {
    if (this.#flushTimer !== null) clearInterval(this.#flushTimer);
    this.#flushTimer = null;
    this.#buffer?.close();
    this.#buffer = null;
  }
}
