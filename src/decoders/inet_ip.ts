/**
 * `inet_ip`: 4 bytes → dotted quad, 16 bytes → RFC 5952 IPv6 text (IPv4-mapped addresses print
 * as a dotted quad), any other length → `?` + hex, empty → `<nil>` (the forms users of the Go
 * exporter already see).
 */

import type { DecoderFactory } from "./types.ts";
import { utf8 } from "./text.ts";

function dotted(b: Uint8Array, off: number): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

function ipv6(b: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
  // The longest run of two or more zero groups (the first one on ties) becomes "::".
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (g: number[]) => g.map((x) => x.toString(16)).join(":");
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

function format(b: Uint8Array): string {
  if (b.length === 0) return "<nil>";
  if (b.length === 4) return dotted(b, 0);
  if (b.length === 16) return isV4Mapped(b) ? dotted(b, 12) : ipv6(b);
  return "?" + Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** Builds the `inet_ip` decoder (no config keys). */
export const inetIpDecoder: DecoderFactory = () => ({
  decode: (input) => utf8(format(input)),
});
