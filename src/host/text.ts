/** Text of the host's files. */

const lenient = new TextDecoder("utf-8", { ignoreBOM: true });

/** Text of UTF-8 bytes, with U+FFFD for invalid sequences (for matching and messages). */
export function lenientText(bytes: Uint8Array): string {
  return lenient.decode(bytes);
}
