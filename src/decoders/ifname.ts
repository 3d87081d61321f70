/**
 * `ifname`: the first 4 bytes as a host-endian u32 ifindex → interface name. Found names are
 * kept for the life of the process (as upstream); an unknown index gives `unknown:<idx>`, which
 * is transient. A miss re-reads the interface list, rate-limited like kallsyms (see shared.ts).
 *
 * The list comes from `ctx.interfaces()` when present, else from `/proc/net/dev` (names) and
 * `/sys/class/net/<name>/ifindex` (indexes) through `ctx.readFile`.
 */

import type { DecoderContext, DecoderFactory } from "./types.ts";
import { DecodeError } from "./types.ts";
import { clockOf, RereadLimiter, shared } from "./shared.ts";
import { lenientText, utf8 } from "./text.ts";

/** Reads [ifindex, name] pairs from procfs and sysfs through `ctx.readFile`. */
export function interfacesFromProc(ctx: DecoderContext): Array<[number, string]> {
  const dev = ctx.readFile("/proc/net/dev");
  if (dev === null) return [];
  const out: Array<[number, string]> = [];
  for (const line of lenientText(dev).split("\n")) {
    const colon = line.indexOf(":");
    // The two header lines have `|` separators and no `name:` prefix.
    if (colon < 0 || line.includes("|")) continue;
    const name = line.slice(0, colon).trim();
    const raw = ctx.readFile(`/sys/class/net/${name}/ifindex`);
    const index = raw === null ? NaN : Number(lenientText(raw).trim());
    if (Number.isInteger(index)) out.push([index, name]);
  }
  return out;
}

class InterfaceNames {
  #ctx: DecoderContext;
  #limiter: RereadLimiter;
  #names = new Map<number, string>();

  constructor(ctx: DecoderContext) {
    this.#ctx = ctx;
    this.#limiter = new RereadLimiter(clockOf(ctx));
  }

  lookup(index: number): string | null {
    const hit = this.#names.get(index);
    if (hit !== undefined || !this.#limiter.tryAcquire()) return hit ?? null;
    const list = this.#ctx.interfaces?.() ?? interfacesFromProc(this.#ctx);
    let added = false;
    for (const [i, name] of list) {
      if (!this.#names.has(i)) added = true;
      this.#names.set(i, name);
    }
    this.#limiter.settle(added);
    return this.#names.get(index) ?? null;
  }
}

/** Builds the `ifname` decoder (no config keys). */
export const ifnameDecoder: DecoderFactory = (_conf, ctx) => {
  const names = shared(ctx, "ifnames", () => new InterfaceNames(ctx));
  return {
    decode(input, state) {
      if (input.length < 4) {
        throw new DecodeError(`Cannot decode with ifname: need 4 bytes, got ${input.length}`);
      }
      const index = new DataView(input.buffer, input.byteOffset, 4).getUint32(0, true);
      const name = names.lookup(index);
      if (name !== null) return utf8(name);
      if (state) state.transient = true;
      return utf8(`unknown:${index}`);
    },
  };
};
