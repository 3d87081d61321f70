/** Parsing of the decimal text that `uint` produces, for decoders chained after it. */

import { DecodeError } from "./types.ts";
import { lenientText } from "./text.ts";

/**
 * Parses input made only of ASCII digits as an unsigned integer (any size, leading zeros
 * allowed), throwing a `DecodeError` that names `decoder` otherwise.
 */
export function parseDecimal(input: Uint8Array, decoder: string): bigint {
  if (input.length === 0) throw notDecimal(input, decoder);
  let small = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (c < 0x30 || c > 0x39) throw notDecimal(input, decoder);
    small = small * 10 + (c - 0x30);
  }
  // Up to 15 digits the float accumulation above is exact; longer inputs go through BigInt.
  return input.length <= 15 ? BigInt(small) : BigInt(lenientText(input));
}

/** The value as a number when it is a safe integer, else `null` (never in a small table). */
export function toSafeNumber(n: bigint): number | null {
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : null;
}

function notDecimal(input: Uint8Array, decoder: string): DecodeError {
  return new DecodeError(
    `Cannot decode ${JSON.stringify(lenientText(input))} with ${decoder}: ` +
      "not an unsigned decimal number",
  );
}
