/** Byte/string conversions shared by the decoders. */

import { lenientText } from "../host/text.ts";
import type { DecodeState } from "./types.ts";

export { lenientText };

const encoder = new TextEncoder();

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Text of bytes from the kernel, which need not be UTF-8 (a process may name itself
 * `"\xff\xfe"`). Invalid sequences become U+FFFD the way the WHATWG decoder does it (one per
 * maximal invalid subpart); each repaired value adds one to `state.repaired`, so the exporter
 * can count it. A BOM is kept as U+FEFF: it is part of the value.
 */
export function repairedText(bytes: Uint8Array, state?: DecodeState): string {
  try {
    return strict.decode(bytes);
  } catch {
    if (state) state.repaired = (state.repaired ?? 0) + 1;
    return lenientText(bytes);
  }
}

/**
 * One char per byte (latin1): a cheap, exact string form of raw bytes for use as a Map key or
 * for byte-exact comparisons. V8 stores such strings at one byte per char.
 */
export function byteString(bytes: Uint8Array): string {
  // fromCharCode takes its arguments on the stack, so very long inputs go in chunks.
  const chunk = 8192;
  if (bytes.length <= chunk) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let out = "";
  for (let i = 0; i < bytes.length; i += chunk) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, i + chunk) as unknown as number[]);
  }
  return out;
}

/** Bytes of a `byteString` (inverse of it). */
export function bytesOfByteString(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}
