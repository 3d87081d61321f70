/**
 * Splits a raw map key (or event record) into label values: each label takes `size` bytes,
 * then `padding` bytes are skipped; the label's decoder chain runs in order (the output bytes
 * of one are the input of the next) and the final bytes are the label value as UTF-8.
 *
 * The two special key rules of spec 3.5 depend on the map type, which only the caller knows,
 * so they are options:
 * 1. No labels and a key of exactly four zero bytes → an empty label set (always on).
 * 2. `perCpu`: a per-CPU map whose only label is `cpu` and whose key starts with four zero
 *    bytes → those four bytes are dropped, leaving the u16 CPU index the caller appended.
 */

import type { LabelConfig } from "../config/types.ts";
import type { Decoder, DecoderContext, DecodeState } from "./types.ts";
import { DecodeError, DecoderConfigError } from "./types.ts";
import { describePos } from "./config_error.ts";
import { createDecoder } from "./registry.ts";

/** What the caller knows about the map the keys come from. */
export interface LabelSetOptions {
  /** The map is a per-CPU type (PERCPU_HASH, PERCPU_ARRAY, LRU_PERCPU_HASH). */
  perCpu?: boolean;
}

/** Anything that turns a raw key into label values (`null` = skip), for the cache to wrap. */
export interface LabelSetDecoding {
  /** Label values for `key`, or `null` when the row must be skipped. */
  decode(key: Uint8Array, state?: DecodeState): string[] | null;
}

interface Label {
  name: string;
  size: number;
  padding: number;
  chain: Decoder[];
}

const utf8Strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The configured labels of one metric or span, with their decoder chains built. */
export class LabelSetDecoder implements LabelSetDecoding {
  /** Label names in key order. */
  readonly names: string[];
  /** Bytes a key must have: the sum of every label's size and padding. */
  readonly keySize: number;
  #labels: Label[];
  #cpuOnly: boolean;

  /** Builds every decoder now; bad sizes or decoder configs throw `DecoderConfigError`. */
  constructor(labels: LabelConfig[], ctx: DecoderContext, opts: LabelSetOptions = {}) {
    this.#labels = labels.map((l) => {
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
        size: l.size,
        padding: l.padding,
        chain: l.decoders.map((d) => createDecoder(d, ctx)),
      };
    });
    this.names = labels.map((l) => l.name);
    this.keySize = this.#labels.reduce((n, l) => n + l.size + l.padding, 0);
    this.#cpuOnly = opts.perCpu === true && labels.length === 1 && labels[0]!.name === "cpu";
  }

  /**
   * Label values for `key`, or `null` when a decoder asked to skip the row. Sets
   * `state.transient` when any decoder's output may change later. Throws `DecodeError` on a
   * size mismatch, a failing decoder or a value that is not valid UTF-8.
   */
  decode(key: Uint8Array, state?: DecodeState): string[] | null {
    if (this.#labels.length === 0 && key.length === 4 && isZero(key, 4)) return [];
    let raw = key;
    if (this.#cpuOnly && raw.length >= 4 && isZero(raw, 4)) raw = raw.subarray(4);
    if (raw.length !== this.keySize) {
      throw new DecodeError(
        `Cannot decode key: labels need ${this.keySize} bytes, key has ${raw.length}`,
      );
    }
    const values: string[] = [];
    let off = 0;
    for (const label of this.#labels) {
      let bytes: Uint8Array | null = raw.subarray(off, off + label.size);
      off += label.size + label.padding;
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
      values.push(labelText(label.name, bytes));
    }
    return values;
  }
}

function labelText(name: string, bytes: Uint8Array): string {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    throw new DecodeError(`Cannot decode label "${name}": value is not valid UTF-8`);
  }
}

function isZero(b: Uint8Array, n: number): boolean {
  for (let i = 0; i < n; i++) if (b[i] !== 0) return false;
  return true;
}
