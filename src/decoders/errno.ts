/** `errno`: decimal text (from `uint`) → Linux errno name; 0 or unknown → `unknown:<n>`. */

import type { DecoderFactory } from "./types.ts";
import { parseDecimal, toSafeNumber } from "./numeric.ts";
import { utf8 } from "./text.ts";
import { ERRNO_NAMES } from "./tables/errno.ts";

/** Builds the `errno` decoder (no config keys). */
export const errnoDecoder: DecoderFactory = () => ({
  decode(input) {
    const n = parseDecimal(input, "errno");
    const name = ERRNO_NAMES.get(toSafeNumber(n) ?? -1);
    return utf8(name ?? `unknown:${n}`);
  },
});
