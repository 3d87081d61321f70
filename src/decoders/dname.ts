/**
 * `dname`: a DNS wire-format name (length-prefixed labels) → dotted text. Empty input gives
 * `.`; a length byte that runs past the end returns the input unchanged. A trailing root label
 * (zero length byte) leaves a trailing dot, as upstream does.
 */

import type { DecoderFactory } from "./types.ts";

const DOT = 0x2e;

function decodeName(input: Uint8Array): Uint8Array {
  if (input.length === 0) return Uint8Array.of(DOT);
  const out = new Uint8Array(input.length);
  let off = 0;
  while (off < input.length) {
    const n = input[off]!;
    out[off] = DOT;
    off++;
    if (off + n > input.length) return input;
    out.set(input.subarray(off, off + n), off);
    off += n;
  }
  // Every length byte became a dot; the first one is not part of the name.
  return out.subarray(1);
}

/** Builds the `dname` decoder (no config keys). */
export const dnameDecoder: DecoderFactory = () => ({ decode: decodeName });
