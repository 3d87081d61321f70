/**
 * `static_map`: exact lookup of the input in the configured map. A miss gives `unknown:<input>`,
 * or the input unchanged with `allow_unknown: true`. Keys are compared byte for byte (their
 * UTF-8 form against the raw input), like upstream's Go string comparison.
 *
 * Deliberate difference: upstream answers every input with `empty mapping` when the
 * `static_map` key is absent; a config without a map is almost certainly a mistake, so this
 * rejects it at load time instead.
 */

import type { DecoderFactory } from "./types.ts";
import { configError } from "./config_error.ts";
import { byteString, utf8 } from "./text.ts";

const UNKNOWN = utf8("unknown:");

/** Builds the `static_map` decoder from `static_map` and `allow_unknown`. */
export const staticMapDecoder: DecoderFactory = (conf) => {
  if (conf.static_map === undefined) {
    throw configError(conf, "no static_map defined in config");
  }
  const table = new Map<string, Uint8Array>();
  for (const [key, value] of Object.entries(conf.static_map)) {
    table.set(byteString(utf8(key)), utf8(value));
  }
  const allowUnknown = conf.allow_unknown;
  return {
    decode(input) {
      const hit = table.get(byteString(input));
      if (hit !== undefined) return hit;
      if (allowUnknown) return input;
      const out = new Uint8Array(UNKNOWN.length + input.length);
      out.set(UNKNOWN);
      out.set(input, UNKNOWN.length);
      return out;
    },
  };
};
