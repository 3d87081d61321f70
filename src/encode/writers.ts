/**
 * The exposition writers an exporter owns, one per format it can answer with. Each keeps its
 * own reuse state (sort order, line prefixes), so every exporter builds its own set.
 */

import type { MetricFamily } from "./model.ts";
import type { ExpositionFormat } from "./negotiate.ts";
import { openMetricsWriter } from "./openmetrics.ts";
import { encodeProtobufChunks } from "./protobuf.ts";
import type { SlabPool } from "./slab_pool.ts";
import { TextWriter } from "./text.ts";

/** Turns one scrape's families into the bytes of one format. */
export interface ExpositionWriter {
  /**
   * The exposition as chunks of roughly `targetChunkBytes`. Must read every value it needs
   * before returning: samples are refilled by the next scrape while the chunks stream.
   */
  chunks(
    families: readonly MetricFamily[],
    targetChunkBytes: number,
  ): Iterator<Uint8Array<ArrayBuffer>>;
  /**
   * Like `chunks`, awaiting `pause()` between steps of its preparation (writers whose
   * preparation of a large scrape would otherwise hold the event loop have it).
   */
  chunksSliced?(
    families: readonly MetricFamily[],
    targetChunkBytes: number,
    pause: () => Promise<void>,
  ): Promise<Iterator<Uint8Array<ArrayBuffer>>>;
}

/**
 * A fresh writer for every format this build writes. A format missing here is never chosen:
 * negotiation falls through to the client's next acceptable one. The text formats write into
 * `pool`'s slabs when given one.
 */
export function expositionWriters(pool?: SlabPool): Map<ExpositionFormat, ExpositionWriter> {
  const opts = pool === undefined ? {} : { pool };
  return new Map<ExpositionFormat, ExpositionWriter>([
    ["text", new TextWriter(opts)],
    ["openmetrics", openMetricsWriter(opts)],
    ["protobuf", protobufWriter],
  ]);
}

/**
 * Delimited protobuf MetricFamily messages. The encoder is a lazy generator, and samples are
 * refilled by the next scrape while chunks stream, so every chunk is encoded before returning.
 */
const protobufWriter: ExpositionWriter = {
  chunks(families, targetChunkBytes) {
    return [...encodeProtobufChunks(families, targetChunkBytes)].values();
  },
};
