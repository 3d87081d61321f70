/** `string`: bytes up to the first NUL (the whole input when there is none). */

import type { DecoderFactory } from "./types.ts";

/** Builds the `string` decoder (no config keys). */
export const stringDecoder: DecoderFactory = () => ({
  decode(input) {
    const end = input.indexOf(0);
    return end < 0 ? input : input.subarray(0, end);
  },
});
