/**
 * `pci_vendor`: decimal vendor id → vendor name from pci.ids; a miss gives
 * `unknown pci vendor: 0x<vvvv>`.
 *
 * Deliberate difference: upstream formats the key without zero padding (`%02x`), so vendors
 * below 0x1000 (e.g. 0x0e11 Compaq) never match there; here keys are padded to the four
 * digits pci.ids uses. Outputs for vendors ≥ 0x1000 are identical.
 */

import type { DecoderFactory } from "./types.ts";
import { hexKey, pciDecoder } from "./pci_ids.ts";

/** Builds the `pci_vendor` decoder (no config keys). */
export const pciVendorDecoder: DecoderFactory = (_conf, host) =>
  pciDecoder("pci_vendor", host, (db, n) => {
    const key = hexKey(n, 4);
    return db.vendors.get(key) ?? `unknown pci vendor: 0x${key}`;
  });
