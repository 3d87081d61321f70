/**
 * `majorminor`: the first 4 bytes as a host-endian u32 device number in the kernel's
 * `new_encode_dev` form → the block device name from /proc/partitions. Found names are kept
 * for the life of the process (as upstream); an unknown device gives `unknown:<major>:<minor>`,
 * which is transient. The host re-reads /proc/partitions on a miss, rate-limited (see
 * src/host/); a permitted re-read that cannot open the file is a decode error.
 */

import type { Host } from "../host/host.ts";
import { HostReadError } from "../host/errors.ts";
import type { DecoderFactory } from "./types.ts";
import { DecodeError } from "./types.ts";
import { utf8 } from "./text.ts";

/** Splits a `new_encode_dev` device number into [major, minor]. */
export function splitDev(dev: number): [number, number] {
  const major = (dev >>> 8) & 0xfff;
  const minor = (dev & 0xff) | ((dev >>> 12) & 0xfff00);
  return [major, minor];
}

function deviceName(host: Host, major: number, minor: number): string | null {
  try {
    return host.blockDeviceName(major, minor);
  } catch (e) {
    if (e instanceof HostReadError) {
      throw new DecodeError(`Cannot decode with majorminor: cannot read "${e.path}"`);
    }
    throw e;
  }
}

/** Builds the `majorminor` decoder (no config keys). */
export const majorminorDecoder: DecoderFactory = (_conf, host) => {
  return {
    decode(input, state) {
      if (input.length < 4) {
        throw new DecodeError(`Cannot decode with majorminor: need 4 bytes, got ${input.length}`);
      }
      const dev = new DataView(input.buffer, input.byteOffset, 4).getUint32(0, true);
      const [major, minor] = splitDev(dev);
      const name = deviceName(host, major, minor);
      if (name !== null) return utf8(name);
      if (state) state.transient = true;
      return utf8(`unknown:${major}:${minor}`);
    },
  };
};
