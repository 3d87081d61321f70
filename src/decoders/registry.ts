/** Decoder name → factory, and the one entry point that builds a configured decoder. */

import type { DecoderConfig } from "../config/types.ts";
import type { Host } from "../host/host.ts";
import type { Decoder, DecoderFactory } from "./types.ts";
import type { DecoderName } from "../config/decoder_names.ts";
import { describePos } from "./config_error.ts";
import { DecoderConfigError } from "./types.ts";
import { cgroupDecoder } from "./cgroup.ts";
import { dnameDecoder } from "./dname.ts";
import { errnoDecoder } from "./errno.ts";
import { hexDecoder } from "./hex.ts";
import { ifnameDecoder } from "./ifname.ts";
import { inetIpDecoder } from "./inet_ip.ts";
import { ksymDecoder } from "./ksym.ts";
import { kstackDecoder } from "./kstack.ts";
import { majorminorDecoder } from "./majorminor.ts";
import { pciClassDecoder } from "./pci_class.ts";
import { pciDeviceDecoder } from "./pci_device.ts";
import { pciSubclassDecoder } from "./pci_subclass.ts";
import { pciVendorDecoder } from "./pci_vendor.ts";
import { regexpDecoder } from "./regexp.ts";
import { staticMapDecoder } from "./static_map.ts";
import { stringDecoder } from "./string.ts";
import { syscallDecoder } from "./syscall.ts";
import { uintDecoder } from "./uint.ts";

/** Every decoder factory by registry name. */
export const DECODER_FACTORIES: Readonly<Record<DecoderName, DecoderFactory>> = {
  cgroup: cgroupDecoder,
  dname: dnameDecoder,
  errno: errnoDecoder,
  hex: hexDecoder,
  ifname: ifnameDecoder,
  inet_ip: inetIpDecoder,
  ksym: ksymDecoder,
  kstack: kstackDecoder,
  majorminor: majorminorDecoder,
  pci_class: pciClassDecoder,
  pci_device: pciDeviceDecoder,
  pci_subclass: pciSubclassDecoder,
  pci_vendor: pciVendorDecoder,
  regexp: regexpDecoder,
  static_map: staticMapDecoder,
  string: stringDecoder,
  syscall: syscallDecoder,
  uint: uintDecoder,
};

/** Builds the decoder `conf` names; an unknown name or bad config throws `DecoderConfigError`. */
export function createDecoder(conf: DecoderConfig, host: Host): Decoder {
  const factory = Object.hasOwn(DECODER_FACTORIES, conf.name)
    ? DECODER_FACTORIES[conf.name as DecoderName]
    : undefined;
  if (factory === undefined) {
    throw new DecoderConfigError(`Unknown decoder "${conf.name}" at ${describePos(conf.pos)}`);
  }
  return factory(conf, host);
}
