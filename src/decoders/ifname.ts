/**
 * `ifname`: the first 4 bytes as a host-endian u32 ifindex → interface name. Found names are
 * kept for the life of the process (as upstream); an unknown index gives `unknown:<idx>`, which
 * is transient. The host reads the interface list on a miss, rate-limited (see src/host/).
 */

import type { DecoderFactory } from "./types.ts";
import { u32NameDecoder } from "./host_names.ts";

/** Builds the `ifname` decoder (no config keys). */
export const ifnameDecoder: DecoderFactory = (_conf, host) =>
  u32NameDecoder("ifname", (index) => host.interfaceName(index) ?? { unknown: `unknown:${index}` });
