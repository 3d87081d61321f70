/**
 * `kstack`: consecutive 8-byte host-endian addresses (up to the first zero or the end) → the
 * nearest preceding kallsyms symbol of each, joined by newlines; `??` where no symbol precedes
 * the address. Output containing `??` is transient. All-zero input gives an empty string.
 */

import type { DecoderFactory } from "./types.ts";
import { DecodeError } from "./types.ts";
import { kallsymsFor } from "./kernel_symbols.ts";
import { utf8 } from "./text.ts";

/** Builds the `kstack` decoder; reads kallsyms at load time (no config keys). */
export const kstackDecoder: DecoderFactory = (conf, host) => {
  const syms = kallsymsFor(conf, host);
  return {
    decode(input, state) {
      if (input.length % 8 !== 0) {
        throw new DecodeError(
          `Cannot decode with kstack: length ${input.length} is not a multiple of 8`,
        );
      }
      const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
      const addrs: bigint[] = [];
      for (let off = 0; off < input.length; off += 8) {
        const addr = view.getBigUint64(off, true);
        if (addr === 0n) break;
        addrs.push(addr);
      }
      const frames = syms.stack(addrs);
      if (frames.includes(null) && state) state.transient = true;
      return utf8(frames.map((f) => f ?? "??").join("\n"));
    },
  };
};
