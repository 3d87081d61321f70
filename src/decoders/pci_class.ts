/** `pci_class`: decimal class code → class name from pci.ids; a miss gives `unknown pci class: 0x<cc>`. */

import type { DecoderFactory } from "./types.ts";
import { hexKey, pciDecoder } from "./pci_ids.ts";

/** Builds the `pci_class` decoder (no config keys). */
export const pciClassDecoder: DecoderFactory = (_conf, host) =>
  pciDecoder("pci_class", host, (db, n) => {
    const key = hexKey(n, 2);
    return db.classes.get(key)?.name ?? `unknown pci class: 0x${key}`;
  });
