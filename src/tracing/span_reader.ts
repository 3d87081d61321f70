/**
 * One span config's ring buffer → spans. Each record is truncated to the labels' total size,
 * decoded through the label decoder chains (no cache: records are one-off), mapped to a span
 * and handed to the sink. Records that cannot become spans are counted, never fatal.
 */

import { monotonicNs } from "../../ffi/libc.ts";
import { RingBuffer } from "../../ffi/ringbuf.ts";
import type { BpfMap } from "../../ffi/libbpf.ts";
import type { SpanConfig } from "../config/types.ts";
import { LabelSetDecoder } from "../decoders/labels.ts";
import { DecodeError } from "../decoders/types.ts";
import type { Host } from "../host/host.ts";
import { rowKeyLayout } from "../spec/key_layout.ts";
import type { ClockPair, SpanSink } from "./otel.ts";
import { type SpanData, spanFromLabels } from "./span_labels.ts";

/**
 * Shortest time between two drains of a ring. Measured with exec-trace at ~50 execs/s on this
 * shared 2-core host: 0.63 ms of exporter CPU per record when every record woke the reader,
 * 0.27 ms with this pause (OTEL_TRACES_EXPORTER=none); spans wait at most this long more.
 */
export const DRAIN_INTERVAL_MS = 100;

/** Counts of one ring buffer, for the exporter's own metrics. */
export interface RingbufStats {
  readonly config: string;
  readonly ringbuf: string;
  /** Records read from the ring. */
  records: number;
  /** Records that became no span: too short, undecodable, or with unusable ids. */
  dropped: number;
}

/** Told about a record that could not become a span (after it was counted as dropped). */
export type RecordErrorSink = (config: string, span: SpanConfig, error: Error) => void;

/** Wall-clock ns now, to the microsecond. */
export function wallNs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
}

/** Decodes records of one span config into spans. */
export class SpanDecoder {
  readonly stats: RingbufStats;
  #conf: SpanConfig;
  #labels: LabelSetDecoder;
  #onError: RecordErrorSink;

  /** Builds the label decoders now, so a bad decoder config fails before anything starts. */
  constructor(config: string, conf: SpanConfig, host: Host, onError: RecordErrorSink) {
    this.#conf = conf;
    this.#labels = new LabelSetDecoder(conf.labels, host, rowKeyLayout(conf.labels));
    this.#onError = onError;
    this.stats = { config, ringbuf: conf.ringbuf, records: 0, dropped: 0 };
  }

  /** The span of one raw record, or null when it is skipped or dropped. */
  decode(record: Uint8Array): SpanData | null {
    this.stats.records++;
    const size = this.#labels.keySize;
    try {
      if (record.length < size) {
        throw new DecodeError(
          `record of ${record.length} bytes is shorter than the labels' ${size}`,
        );
      }
      const values = this.#labels.decode(record.subarray(0, size));
      // A decoder asked to skip: dropped silently, as a metrics row would be.
      if (values === null) return null;
      return spanFromLabels(this.#labels.names, values, this.#conf.name, this.stats.config);
    } catch (e) {
      // Runs inside libbpf's sample callback: nothing may be thrown through C frames, so even
      // an unexpected error only costs this record.
      this.drop(e instanceof Error ? e : new Error(String(e)));
      return null;
    }
  }

  /** Counts a record that became no span and reports why. */
  drop(e: Error): void {
    this.stats.dropped++;
    this.#onError(this.stats.config, this.#conf, e);
  }
}

/** Reads one ring buffer until closed, feeding the sink after every drain. */
export class SpanReader {
  readonly decoder: SpanDecoder;
  #ring: RingBuffer;
  #sink: SpanSink;
  #service: string;
  #pending: SpanData[] = [];
  #loop: Promise<void> | null = null;
  #closed = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #resume: () => void = () => {};

  /** Opens the ring of a loaded map; nothing is read until `start()`. */
  constructor(map: BpfMap, conf: SpanConfig, decoder: SpanDecoder, sink: SpanSink) {
    this.decoder = decoder;
    this.#sink = sink;
    this.#service = conf.service;
    this.#ring = new RingBuffer(map, (data) => {
      const span = decoder.decode(data);
      if (span !== null) this.#pending.push(span);
    });
  }

  /** Starts the wait → drain loop. */
  start(): void {
    // A failing wait (poll(2) itself) ends this ring's reading, never the exporter.
    this.#loop ??= this.#run().catch((e) => {
      this.decoder.drop(
        new Error(`Cannot wait on ring buffer: ${(e as Error).message}`, { cause: e }),
      );
    });
  }

  /** Drains what is ready now and hands the spans to the sink. */
  drain(): void {
    this.#ring.consume();
    if (this.#pending.length === 0) return;
    const clocks: ClockPair = { monotonicNs: monotonicNs(), wallNs: wallNs() };
    for (const span of this.#pending.splice(0)) {
      try {
        this.#sink.emit(span, this.#service, clocks);
      } catch (e) {
        this.decoder.drop(e instanceof Error ? e : new Error(String(e)));
      }
    }
  }

  async #run(): Promise<void> {
    for (;;) {
      this.drain();
      if (this.#closed) return;
      // Each wake-up costs a trip through the blocking pool; waiting a little after a drain
      // lets a busy ring gather records, so they are drained in batches.
      await new Promise<void>((resolve) => {
        this.#resume = resolve;
        this.#timer = setTimeout(resolve, DRAIN_INTERVAL_MS);
      });
      if (this.#closed || !await this.#ring.wait()) return;
    }
  }

  /** Stops the loop after a last drain and frees the ring. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#resume();
    this.#ring.wake();
    await this.#loop;
    this.drain();
    await this.#ring.close();
  }
}

/**
 * The span decoders of every span of a config; throws naming the config when a decoder config
 * is bad (no kernel involved, so --config.check runs it too).
 */
export function configSpanDecoders(
  config: { name: string; spans: SpanConfig[] },
  host: Host,
  onError: RecordErrorSink,
): SpanDecoder[] {
  try {
    return config.spans.map((s) => new SpanDecoder(config.name, s, host, onError));
  } catch (e) {
    throw new Error(`Cannot use config "${config.name}": ${(e as Error).message}`, { cause: e });
  }
}
