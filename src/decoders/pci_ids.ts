/**
 * The pci.ids database shared by the four `pci_*` decoders: parsed once per Host from the
 * first readable of /usr/share/misc/pci.ids and /usr/share/hwdata/pci.ids. Without one every
 * PCI decoder answers `missing pci.ids db`.
 */

import type { Host } from "../host/host.ts";
import type { Decoder } from "./types.ts";
import { parseDecimal } from "./numeric.ts";
import { lenientText, utf8 } from "./text.ts";

/** Where pci.ids is looked for, in order. */
export const PCI_IDS_PATHS = ["/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids"];

/** Output of every PCI decoder when no pci.ids could be read. */
export const MISSING_PCI_IDS = "missing pci.ids db";

/** One device class with its subclasses (keys are 2 lowercase hex digits). */
export interface PciClass {
  name: string;
  subclasses: Map<string, string>;
}

/** Parsed pci.ids; keys are lowercase hex as written in the file. */
export interface PciDb {
  /** `vvvv` → vendor name. */
  vendors: Map<string, string>;
  /** `vvvvdddd` → device name. */
  devices: Map<string, string>;
  /** `cc` → class. */
  classes: Map<string, PciClass>;
}

const VENDOR = /^([0-9a-f]{4})\s+(.*)$/;
const DEVICE = /^\t([0-9a-f]{4})\s+(.*)$/;
const CLASS = /^C ([0-9a-f]{2})\s+(.*)$/;
const SUBCLASS = /^\t([0-9a-f]{2})\s+(.*)$/;

/**
 * Parses pci.ids text: vendors with their devices (subsystem lines are ignored), then the `C`
 * section with classes and subclasses (programming interfaces are ignored).
 */
export function parsePciIds(text: string): PciDb {
  const db: PciDb = { vendors: new Map(), devices: new Map(), classes: new Map() };
  let vendor: string | null = null;
  let cls: PciClass | null = null;
  for (const raw of text.split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line === "" || line.startsWith("#")) continue;
    let m: RegExpExecArray | null;
    if (cls !== null && line.startsWith("\t")) {
      if ((m = SUBCLASS.exec(line))) cls.subclasses.set(m[1]!, m[2]!);
      continue;
    }
    cls = null;
    if ((m = CLASS.exec(line))) {
      cls = { name: m[2]!, subclasses: new Map() };
      db.classes.set(m[1]!, cls);
      vendor = null;
    } else if ((m = VENDOR.exec(line))) {
      vendor = m[1]!;
      db.vendors.set(vendor, m[2]!);
    } else if (vendor !== null && (m = DEVICE.exec(line))) {
      db.devices.set(vendor + m[1]!, m[2]!);
    }
  }
  return db;
}

/** The pci.ids database of `host`, or `null` when none is readable (looked up once). */
export function pciDbFor(host: Host): PciDb | null {
  return host.derived("pci.ids", () => {
    for (const path of PCI_IDS_PATHS) {
      const raw = host.readFile(path);
      if (raw !== null) return parsePciIds(lenientText(raw));
    }
    return null;
  });
}

/** Lowercase hex of `n`, zero-padded to `width` digits. */
export function hexKey(n: bigint, width: number): string {
  return n.toString(16).padStart(width, "0");
}

/** A PCI decoder: parses the decimal input and answers `lookup(db, n)`, or the missing-db text. */
export function pciDecoder(
  name: string,
  host: Host,
  lookup: (db: PciDb, n: bigint) => string,
): Decoder {
  const db = pciDbFor(host);
  const missing = utf8(MISSING_PCI_IDS);
  return {
    decode(input) {
      if (db === null) return missing;
      return utf8(lookup(db, parseDecimal(input, name)));
    },
  };
}
