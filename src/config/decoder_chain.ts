/**
 * What each decoder reads and what it writes, so a chain that can only produce garbage (or an
 * error on every row) is refused when the config loads instead of at every scrape.
 *
 * Derived from the decoders themselves (src/decoders/): the binary decoders read a fixed-size
 * field of the label's own bytes, the lookup decoders parse decimal digits (what `uint`
 * writes), and the text decoders take any bytes. Every decoder writes text.
 */

import type { DecoderName } from "./decoder_names.ts";

/** What a decoder reads. */
export type DecoderInput =
  /** A binary field of the label's own bytes; `sizes` says which label sizes fit. */
  | { kind: "raw"; sizes: (size: number) => string | null }
  /** Decimal digits, as `uint` writes them. */
  | { kind: "decimal" }
  /** Any bytes, text included. */
  | { kind: "bytes" };

/**
 * What a decoder writes: `decimal` digits, `text` the config chose (a static_map value, a
 * regexp group, a string) that may be digits, or a looked-up `name` that never is.
 */
export type DecoderOutput = "decimal" | "text" | "name";

/** One decoder's signature. */
export interface DecoderSignature {
  input: DecoderInput;
  output: DecoderOutput;
}

const exactly = (allowed: number[], text: string) => (n: number) =>
  allowed.includes(n) ? null : text;
const atLeast = (min: number) => (n: number) => n >= min ? null : `at least ${min}`;
const raw = (sizes: (n: number) => string | null): DecoderInput => ({ kind: "raw", sizes });
// A lookup by number (errno, syscall, cgroup id, PCI id) parses uint's digits into a name.
const LOOKUP: DecoderSignature = { input: { kind: "decimal" }, output: "name" };
const BYTES: DecoderInput = { kind: "bytes" };

/** Every decoder's signature. */
export const DECODER_SIGNATURES: Readonly<Record<DecoderName, DecoderSignature>> = {
  uint: { input: raw(exactly([1, 2, 4, 8], "1, 2, 4 or 8")), output: "decimal" },
  inet_ip: { input: raw(exactly([4, 16], "4 or 16")), output: "name" },
  // Labels may fold padding into their size, so these only need enough bytes.
  ksym: { input: raw(atLeast(8)), output: "name" },
  majorminor: { input: raw(atLeast(4)), output: "name" },
  ifname: { input: raw(atLeast(4)), output: "name" },
  kstack: { input: raw((n) => n % 8 === 0 ? null : "a multiple of 8"), output: "name" },
  cgroup: LOOKUP,
  errno: LOOKUP,
  syscall: LOOKUP,
  pci_class: LOOKUP,
  pci_device: LOOKUP,
  pci_subclass: LOOKUP,
  pci_vendor: LOOKUP,
  dname: { input: BYTES, output: "name" },
  hex: { input: BYTES, output: "name" },
  regexp: { input: BYTES, output: "text" },
  static_map: { input: BYTES, output: "text" },
  string: { input: BYTES, output: "text" },
};

/** A decoder in a chain, for checking: its name and what came before it. */
export interface ChainLink {
  name: DecoderName;
  /** The decoder before this one, or null for the first (which reads the label's bytes). */
  previous: DecoderName | null;
}

/** Why `link` cannot read what comes before it, or null when it can. */
export function chainProblem(link: ChainLink): string | null {
  const input = DECODER_SIGNATURES[link.name].input;
  const prev = link.previous;
  if (prev === null) {
    if (input.kind !== "decimal") return null;
    return `decoder "${link.name}" reads decimal digits, but as the first decoder it would get ` +
      `the label's raw bytes; put decoder "uint" before it`;
  }
  const output = DECODER_SIGNATURES[prev].output;
  if (input.kind === "raw") {
    return `decoder "${link.name}" reads the label's raw bytes, so it must be the first ` +
      `decoder; here it would get the text decoder "${prev}" writes`;
  }
  if (input.kind === "decimal" && output === "name") {
    return `decoder "${link.name}" reads decimal digits, but decoder "${prev}" before it ` +
      `writes names`;
  }
  return null;
}

/** Why a label of `size` bytes cannot feed `first`, or null when it can. */
export function firstSizeProblem(first: DecoderName, size: number): string | null {
  const input = DECODER_SIGNATURES[first].input;
  const rule = input.kind === "raw" ? input.sizes(size) : null;
  return rule === null ? null : `decoder "${first}" needs a size of ${rule} bytes, got ${size}`;
}
