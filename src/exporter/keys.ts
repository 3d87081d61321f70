/** A metric's key decoder: its label chains behind the per-metric decode cache. */

import type { Config, LabelConfig } from "../config/types.ts";
import { DecodeCache, type RepairSink } from "../decoders/cache.ts";
import { LabelSetDecoder } from "../decoders/labels.ts";
import type { Host } from "../host/host.ts";
import { rowKeyLayout } from "../spec/key_layout.ts";
import { type LabelSet, makeLabelSet } from "./series.ts";

/** Decodes raw keys of one metric into label sets, caching what is stable. */
export type KeyDecoder = DecodeCache<LabelSet>;

/** Builds every decoder of a metric now, so bad decoder configs fail before anything loads. */
export function keyDecoder(
  labels: LabelConfig[],
  host: Host,
  skipCacheSize: number,
  onRepair?: RepairSink,
): KeyDecoder {
  const set = new LabelSetDecoder(labels, host, rowKeyLayout(labels));
  const opts = onRepair === undefined ? { skipCacheSize } : { skipCacheSize, onRepair };
  return new DecodeCache(set, opts, makeLabelSet);
}

/**
 * The key decoder of every counter and histogram of a config, by metric name; throws naming the
 * config when a decoder config is bad (no kernel involved, so --config.check runs it too).
 */
export function configKeyDecoders(
  config: Config,
  host: Host,
  skipCacheSize: number,
  onRepair?: RepairSink,
): Map<string, KeyDecoder> {
  const out = new Map<string, KeyDecoder>();
  for (const m of [...config.counters, ...config.histograms]) {
    try {
      out.set(m.name, keyDecoder(m.labels, host, skipCacheSize, onRepair));
    } catch (e) {
      throw new Error(`Cannot use config "${config.name}": ${(e as Error).message}`, { cause: e });
    }
  }
  return out;
}
