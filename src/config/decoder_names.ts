/** Every decoder name a config may use (upstream's registry names). */
export const DECODER_NAMES = [
  "cgroup",
  "dname",
  "errno",
  "hex",
  "ifname",
  "inet_ip",
  "ksym",
  "kstack",
  "majorminor",
  "pci_class",
  "pci_device",
  "pci_subclass",
  "pci_vendor",
  "regexp",
  "static_map",
  "string",
  "syscall",
  "uint",
] as const;

/** A known decoder name. */
export type DecoderName = typeof DECODER_NAMES[number];
