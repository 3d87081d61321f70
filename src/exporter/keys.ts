/** A metric's key decoder: its label chains behind the per-metric decode cache. */

import type { LabelConfig } from "../config/types.ts";
import { DecodeCache } from "../decoders/cache.ts";
import { LabelSetDecoder } from "../decoders/labels.ts";
import type { Host } from "../host/host.ts";
import { rowKeyLayout } from "./key_layout.ts";
import { type LabelSet, makeLabelSet } from "./series.ts";

/** Decodes raw keys of one metric into label sets, caching what is stable. */
export type KeyDecoder = DecodeCache<LabelSet>;

/** Builds every decoder of a metric now, so bad decoder configs fail before anything loads. */
export function keyDecoder(
  labels: LabelConfig[],
  host: Host,
  skipCacheSize: number,
): KeyDecoder {
  const set = new LabelSetDecoder(labels, host, rowKeyLayout(labels));
  return new DecodeCache(set, { skipCacheSize }, makeLabelSet);
}
