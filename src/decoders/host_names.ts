/** Decoders that name a number through one of the host's tables (`ifname`, `majorminor`). */

import type { Decoder } from "./types.ts";
import { DecodeError } from "./types.ts";
import { utf8 } from "./text.ts";

/**
 * Decodes the first 4 bytes as a host-endian u32 and names it with `lookup`, which gives the
 * name, or the text for an unknown number (`{ unknown }`), which is transient: the host's table
 * may know it after a later reload.
 */
export function u32NameDecoder(
  decoder: string,
  lookup: (n: number) => string | { unknown: string },
): Decoder {
  return {
    decode(input, state) {
      if (input.length < 4) {
        throw new DecodeError(`Cannot decode with ${decoder}: need 4 bytes, got ${input.length}`);
      }
      const n = new DataView(input.buffer, input.byteOffset, 4).getUint32(0, true);
      const name = lookup(n);
      if (typeof name === "string") return utf8(name);
      if (state) state.transient = true;
      return utf8(name.unknown);
    },
  };
}
