/**
 * `ifname`: the first 4 bytes as a host-endian u32 ifindex → interface name. Found names are
 * kept for the life of the process (as upstream); an unknown index gives `unknown:<idx>`, which
 * is transient. The host reads the interface list on a miss, rate-limited (see src/host/).
 */

import type { DecoderFactory } from "./types.ts";
import { DecodeError } from "./types.ts";
import { utf8 } from "./text.ts";

/** Builds the `ifname` decoder (no config keys). */
export const ifnameDecoder: DecoderFactory = (_conf, host) => {
  return {
    decode(input, state) {
      if (input.length < 4) {
        throw new DecodeError(`Cannot decode with ifname: need 4 bytes, got ${input.length}`);
      }
      const index = new DataView(input.buffer, input.byteOffset, 4).getUint32(0, true);
      const name = host.interfaceName(index);
      if (name !== null) return utf8(name);
      if (state) state.transient = true;
      return utf8(`unknown:${index}`);
    },
  };
};
