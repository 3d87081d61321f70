/**
 * `majorminor`: the first 4 bytes as a host-endian u32 device number in the kernel's
 * `new_encode_dev` form → the block device name from /proc/partitions. Found names are kept
 * for the life of the process (as upstream); an unknown device gives `unknown:<major>:<minor>`,
 * which is transient. A miss re-reads /proc/partitions, rate-limited like kallsyms (see
 * shared.ts); a permitted re-read that cannot open the file is a decode error.
 */

import type { DecoderContext, DecoderFactory } from "./types.ts";
import { DecodeError } from "./types.ts";
import { clockOf, RereadLimiter, shared } from "./shared.ts";
import { lenientText, utf8 } from "./text.ts";

/** Where the kernel lists block devices. */
export const PARTITIONS_PATH = "/proc/partitions";

/** Splits a `new_encode_dev` device number into [major, minor]. */
export function splitDev(dev: number): [number, number] {
  const major = (dev >>> 8) & 0xfff;
  const minor = (dev & 0xff) | ((dev >>> 12) & 0xfff00);
  return [major, minor];
}

/** Parses /proc/partitions (`major minor #blocks name`) into "major:minor" → name. */
export function parsePartitions(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length !== 4 || !/^\d+$/.test(f[0]!) || !/^\d+$/.test(f[1]!)) continue;
    out.set(`${Number(f[0])}:${Number(f[1])}`, f[3]!);
  }
  return out;
}

class DeviceNames {
  #ctx: DecoderContext;
  #limiter: RereadLimiter;
  #names = new Map<string, string>();

  constructor(ctx: DecoderContext) {
    this.#ctx = ctx;
    this.#limiter = new RereadLimiter(clockOf(ctx));
  }

  lookup(key: string): string | null {
    const hit = this.#names.get(key);
    if (hit !== undefined || !this.#limiter.tryAcquire()) return hit ?? null;
    const raw = this.#ctx.readFile(PARTITIONS_PATH);
    if (raw === null) {
      this.#limiter.settle(false);
      throw new DecodeError(`Cannot decode with majorminor: cannot read "${PARTITIONS_PATH}"`);
    }
    let added = false;
    for (const [k, name] of parsePartitions(lenientText(raw))) {
      if (!this.#names.has(k)) added = true;
      this.#names.set(k, name);
    }
    this.#limiter.settle(added);
    return this.#names.get(key) ?? null;
  }
}

/** Builds the `majorminor` decoder (no config keys). */
export const majorminorDecoder: DecoderFactory = (_conf, ctx) => {
  const names = shared(ctx, "partitions", () => new DeviceNames(ctx));
  return {
    decode(input, state) {
      if (input.length < 4) {
        throw new DecodeError(`Cannot decode with majorminor: need 4 bytes, got ${input.length}`);
      }
      const dev = new DataView(input.buffer, input.byteOffset, 4).getUint32(0, true);
      const [major, minor] = splitDev(dev);
      const name = names.lookup(`${major}:${minor}`);
      if (name !== null) return utf8(name);
      if (state) state.transient = true;
      return utf8(`unknown:${major}:${minor}`);
    },
  };
};
