/** The decoder contract: raw label bytes in, label bytes out, `null` to skip the whole row. */

import type { DecoderConfig } from "../config/types.ts";

/**
 * Per-decode side channel. A decoder sets `transient` when its output is a miss that may
 * resolve later (an unknown cgroup id, kernel address or interface), so callers must not cache
 * the decoded label set. Decoders only ever set it to `true`; the caller resets it.
 */
export interface DecodeState {
  transient: boolean;
}

/** One configured decoder instance (built once per label at load time). */
export interface Decoder {
  /** Returns the decoded bytes, or `null` when the row must be skipped (regexp no-match). */
  decode(input: Uint8Array, state?: DecodeState): Uint8Array | null;
}

/** Host services decoders may need; injected so decoders stay pure and testable. */
export interface DecoderContext {
  /** Reads a whole file (through libc for /proc and /sys); `null` when it cannot be read. */
  readFile(path: string): Uint8Array | null;
  /** Lists a directory's subdirectories as [name, inode] pairs; `null` when unreadable. */
  readDirInodes?(path: string): Array<[string, bigint]> | null;
  /** Mount point of the cgroup v2 hierarchy; defaults to `/sys/fs/cgroup`. */
  cgroupRoot?: string;
  /**
   * Every network interface as [ifindex, name]. Without it `ifname` reads `/proc/net/dev` for
   * names and `/sys/class/net/<name>/ifindex` for indexes through `readFile`.
   */
  interfaces?(): Array<[number, string]>;
  /** Monotonic milliseconds, used to rate-limit re-reads; defaults to `performance.now()`. */
  now?(): number;
}

/** Builds a decoder from its config, throwing a `DecoderConfigError` when the config is unusable. */
export type DecoderFactory = (conf: DecoderConfig, ctx: DecoderContext) => Decoder;

/** Thrown at load time when a decoder's own config is invalid. */
export class DecoderConfigError extends Error {
  override name = "DecoderConfigError";
}

/** Thrown at decode time when input cannot be decoded (the row's metric is dropped for this scrape). */
export class DecodeError extends Error {
  override name = "DecodeError";
}
