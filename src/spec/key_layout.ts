/**
 * The byte layout of one metric's keys (spec 3.5), the only place that knows it.
 *
 * A map key holds each label's `size` bytes followed by its `padding` bytes, in label order; a
 * metric without labels reads a one-slot array, whose key is a u32. On a per-CPU map whose last
 * label is named `cpu`, that label is not in the map key: every CPU's slot becomes its own row
 * and the exporter appends the CPU index as a host-endian u16. A lone `cpu` label has nothing
 * else to key on, so it sits on a u32 map key (zero), which rows drop before appending the index.
 *
 * Two keys are told apart: the map key (what the kernel stores) and the row key (what the label
 * decoders split: the map key with the CPU index appended, or the index alone).
 */

import type { LabelConfig } from "../config/types.ts";

/** Where each label's bytes sit in a row key. */
export interface RowKeyLayout {
  /** Offset of each label's first byte, in label order. */
  readonly offsets: readonly number[];
  /** Bytes of a row key: every label's size and padding. */
  readonly rowKeySize: number;
}

/** A metric's row key layout and how its map's entries become rows. */
export interface KeyLayout extends RowKeyLayout {
  /** Bytes of a key in the map. */
  readonly mapKeySize: number;
  /** The map keeps one value slot per CPU. */
  readonly perCpu: boolean;
  /** Per-CPU map with a trailing `cpu` label: one row per CPU, index appended to the key. */
  readonly cpuLabel: boolean;
  /** The `cpu` label is the only one: a zero u32 map key is replaced by the CPU index. */
  readonly cpuOnly: boolean;
}

/** Bytes of the u32 key of a one-slot array (no labels, or a lone cpu label). */
const U32_KEY = 4;

/** Offsets and size of the row key the labels describe. */
export function rowKeyLayout(labels: readonly LabelConfig[]): RowKeyLayout {
  const offsets: number[] = [];
  let size = 0;
  for (const l of labels) {
    offsets.push(size);
    size += l.size + l.padding;
  }
  return { offsets, rowKeySize: size };
}

/** The layout of a metric's keys in a map that is (or is not) per-CPU. */
export function keyLayout(labels: readonly LabelConfig[], perCpu: boolean): KeyLayout {
  const row = rowKeyLayout(labels);
  const last = labels[labels.length - 1];
  const cpuLabel = perCpu && last?.name === "cpu";
  const cpuOnly = cpuLabel && labels.length === 1;
  let mapKeySize = row.rowKeySize;
  if (labels.length === 0 || cpuOnly) mapKeySize = U32_KEY;
  else if (cpuLabel) mapKeySize = row.offsets[labels.length - 1]!;
  return { ...row, mapKeySize, perCpu, cpuLabel, cpuOnly };
}

/** Bytes of a map key the labels of a metric describe (the map key size of `keyLayout`). */
export function expectedKeySize(labels: readonly LabelConfig[], perCpu: boolean): number {
  return keyLayout(labels, perCpu).mapKeySize;
}
