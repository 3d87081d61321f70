/**
 * `pci_device`: decimal `vendor << 16 | device` → device name from pci.ids; a miss gives
 * `unknown pci device: 0x<vvvvdddd>`. Keys are zero-padded to 8 hex digits (upstream does not
 * pad, which only matters for vendors below 0x1000; see pci_vendor.ts).
 */

import type { DecoderFactory } from "./types.ts";
import { hexKey, pciDecoder } from "./pci_ids.ts";

/** Builds the `pci_device` decoder (no config keys). */
export const pciDeviceDecoder: DecoderFactory = (_conf, host) =>
  pciDecoder("pci_device", host, (db, n) => {
    const key = hexKey(n, 8);
    return db.devices.get(key) ?? `unknown pci device: 0x${key}`;
  });
