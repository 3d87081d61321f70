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
import { u32NameDecoder } from "./host_names.ts";

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
export const majorminorDecoder: DecoderFactory = (_conf, host) =>
  u32NameDecoder("majorminor", (dev) => {
    const [major, minor] = splitDev(dev);
    return deviceName(host, major, minor) ?? { unknown: `unknown:${major}:${minor}` };
  });
