/**
 * `pci_subclass`: decimal `class << 8 | subclass` → subclass name from pci.ids. An unknown class
 * gives `unknown pci class: 0x<cc>`, an unknown subclass `unknown pci subclass: 0x<ss> (class 0x<cc>)`.
 */

import type { DecoderFactory } from "./types.ts";
import { hexKey, pciDecoder } from "./pci_ids.ts";

/** Builds the `pci_subclass` decoder (no config keys). */
export const pciSubclassDecoder: DecoderFactory = (_conf, host) =>
  pciDecoder("pci_subclass", host, (db, n) => {
    const classKey = hexKey(n >> 8n, 2);
    const cls = db.classes.get(classKey);
    if (cls === undefined) return `unknown pci class: 0x${classKey}`;
    const subKey = hexKey(n & 0xffn, 2);
    return cls.subclasses.get(subKey) ?? `unknown pci subclass: 0x${subKey} (class 0x${classKey})`;
  });
