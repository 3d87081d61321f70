/** Byte/string conversions shared by the decoders. */

const encoder = new TextEncoder();

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export { lenientText } from "../host/text.ts";

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
