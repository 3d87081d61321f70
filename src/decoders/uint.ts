/** `uint`: a 1, 2, 4 or 8-byte host-endian unsigned integer → its decimal text. */

import type { DecoderFactory } from "./types.ts";
import { DecodeError } from "./types.ts";
import { utf8 } from "./text.ts";

// Every platform Deno ships for (x86_64, aarch64) is little-endian, so host order = LE.
function decimal(input: Uint8Array): string {
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  switch (input.length) {
    case 1:
      return String(input[0]);
    case 2:
      return String(view.getUint16(0, true));
    case 4:
      return String(view.getUint32(0, true));
    case 8:
      return view.getBigUint64(0, true).toString();
    default:
      throw new DecodeError(
        `Cannot decode with uint: unknown value length ${input.length} (want 1, 2, 4 or 8 bytes)`,
      );
  }
}

/** Builds the `uint` decoder (no config keys). */
export const uintDecoder: DecoderFactory = () => ({
  decode: (input) => utf8(decimal(input)),
});
