/**
 * Splits a row key (a map key, with the CPU index the exporter appended, or an event record)
 * into label values: each label's bytes sit where the caller's layout says (see the exporter's
 * KeyLayout, which owns sizes, padding and the per-CPU rules); the label's decoder chain runs in
 * order (the output bytes of one are the input of the next) and the final bytes are the label
 * value as UTF-8, repaired when they are not valid UTF-8 (`repairedText`: U+FFFD per invalid
 * sequence, counted in `state.repaired`), so one odd value never costs a row or a family. A
 * metric without labels reads a one-slot array, so its only key is four zero bytes, which
 * decodes to an empty label set.
 */

import type { LabelConfig } from "../config/types.ts";
import type { Host } from "../host/host.ts";
import type { Decoder, DecodeState } from "./types.ts";
import { DecodeError, DecoderConfigError } from "./types.ts";
import { describePos } from "./config_error.ts";
import { createDecoder } from "./registry.ts";
import { repairedText } from "./text.ts";

/** Where each label's bytes sit in a row key (the exporter's KeyLayout is one). */
export interface LabelOffsets {
  /** Offset of each label's first byte, in label order. */
  readonly offsets: readonly number[];
  /** Bytes a row key must have. */
  readonly rowKeySize: number;
}

/** Anything that turns a raw key into label values (`null` = skip), for the cache to wrap. */
export interface LabelSetDecoding {
  /** Label values for `key`, or `null` when the row must be skipped. */
  decode(key: Uint8Array, state?: DecodeState): string[] | null;
}

interface Label {
  name: string;
  offset: number;
  size: number;
  chain: Decoder[];
}

/** The configured labels of one metric or span, with their decoder chains built. */
export class LabelSetDecoder implements LabelSetDecoding {
  /** Label names in key order. */
  readonly names: string[];
  /** Bytes a row key must have. */
  readonly keySize: number;
  #labels: Label[];

  /** Builds every decoder now; bad sizes or decoder configs throw `DecoderConfigError`. */
  constructor(labels: LabelConfig[], host: Host, layout: LabelOffsets) {
    this.#labels = labels.map((l, i) => {
      const where = `label "${l.name}" at ${describePos(l.pos)}`;
      if (!Number.isInteger(l.size) || l.size <= 0) {
        throw new DecoderConfigError(`Cannot use ${where}: size is zero or not set`);
      }
      if (!Number.isInteger(l.padding) || l.padding < 0) {
        throw new DecoderConfigError(`Cannot use ${where}: padding ${l.padding} is invalid`);
      }
      if (l.decoders.length === 0) {
        throw new DecoderConfigError(`Cannot use ${where}: no decoders set`);
      }
      return {
        name: l.name,
        offset: layout.offsets[i]!,
        size: l.size,
        chain: l.decoders.map((d) => createDecoder(d, host)),
      };
    });
    this.names = labels.map((l) => l.name);
    this.keySize = layout.rowKeySize;
  }

  /**
   * Label values for `key`, or `null` when a decoder asked to skip the row. Sets
   * `state.transient` when any decoder's output may change later, and counts repaired values in
   * `state.repaired`. Throws `DecodeError` on a size mismatch or a failing decoder.
   */
  decode(key: Uint8Array, state?: DecodeState): string[] | null {
    if (this.#labels.length === 0 && key.length === 4 && isZero(key, 4)) return [];
    if (key.length !== this.keySize) {
      throw new DecodeError(
        `Cannot decode key: labels need ${this.keySize} bytes, key has ${key.length}`,
      );
    }
    // Sized up front: an array grown by push keeps room for 17 values, and an interned set
    // keeps its values for as long as it lives (measured: 192 bytes per 2-label set, 72 sized).
    const labels = this.#labels;
    const values = new Array<string>(labels.length);
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i]!;
      let bytes: Uint8Array | null = key.subarray(label.offset, label.offset + label.size);
      for (const decoder of label.chain) {
        try {
          bytes = decoder.decode(bytes, state);
        } catch (e) {
          if (e instanceof DecodeError) {
            throw new DecodeError(`Cannot decode label "${label.name}": ${e.message}`);
          }
          throw e;
        }
        if (bytes === null) return null;
      }
      values[i] = repairedText(bytes, state);
    }
    return values;
  }
}

function isZero(b: Uint8Array, n: number): boolean {
  for (let i = 0; i < n; i++) if (b[i] !== 0) return false;
  return true;
}
