/**
 * `ksym`: the first 8 bytes as a host-endian kernel address → the kallsyms symbol at exactly
 * that address; otherwise `unknown_addr:0x<hex>`, which is transient (a later re-read of
 * kallsyms may know it).
 */

import type { DecoderFactory } from "./types.ts";
import { DecodeError } from "./types.ts";
import { kallsymsFor } from "./kernel_symbols.ts";
import { utf8 } from "./text.ts";

/** Builds the `ksym` decoder; reads kallsyms at load time (no config keys). */
export const ksymDecoder: DecoderFactory = (conf, host) => {
  const syms = kallsymsFor(conf, host);
  return {
    decode(input, state) {
      if (input.length < 8) {
        throw new DecodeError(`Cannot decode with ksym: need 8 bytes, got ${input.length}`);
      }
      const view = new DataView(input.buffer, input.byteOffset, 8);
      const addr = view.getBigUint64(0, true);
      const name = syms.exact(addr);
      if (name !== null) return utf8(name);
      if (state) state.transient = true;
      return utf8(`unknown_addr:0x${addr.toString(16)}`);
    },
  };
};
