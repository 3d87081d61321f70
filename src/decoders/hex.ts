/** `hex`: lowercase hex digits of every input byte. */

import type { DecoderFactory } from "./types.ts";

const DIGITS = new TextEncoder().encode("0123456789abcdef");

/** Builds the `hex` decoder (no config keys). */
export const hexDecoder: DecoderFactory = () => ({
  decode(input) {
    const out = new Uint8Array(input.length * 2);
    for (let i = 0; i < input.length; i++) {
      const b = input[i]!;
      out[2 * i] = DIGITS[b >> 4]!;
      out[2 * i + 1] = DIGITS[b & 0xf]!;
    }
    return out;
  },
});
