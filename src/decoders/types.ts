/** The decoder contract: raw label bytes in, label bytes out, `null` to skip the whole row. */

import type { DecoderConfig } from "../config/types.ts";
import type { Host } from "../host/host.ts";

/**
 * Per-decode side channel. A decoder sets `transient` when its output is a miss that may
 * resolve later (an unknown cgroup id, kernel address or interface), so callers must not cache
 * the decoded label set. Decoders only ever set it to `true`; the caller resets it.
 */
export interface DecodeState {
  transient: boolean;
  /** Label values whose bytes were not valid UTF-8 and were repaired (see `repairedText`). */
  repaired?: number;
}

/** One configured decoder instance (built once per label at load time). */
export interface Decoder {
  /** Returns the decoded bytes, or `null` when the row must be skipped (regexp no-match). */
  decode(input: Uint8Array, state?: DecodeState): Uint8Array | null;
}

/**
 * Builds a decoder from its config and the host whose tables it reads, throwing a
 * `DecoderConfigError` when the config is unusable.
 */
export type DecoderFactory = (conf: DecoderConfig, host: Host) => Decoder;

/** Thrown at load time when a decoder's own config is invalid. */
export class DecoderConfigError extends Error {
  override name = "DecoderConfigError";
}

/** Thrown at decode time when input cannot be decoded (the row's metric is dropped for this scrape). */
export class DecodeError extends Error {
  override name = "DecodeError";
}
