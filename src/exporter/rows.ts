/**
 * Turns one map read into (raw key, value) rows following spec 3.5: per-CPU slots are summed
 * per key, or split by an appended u16 CPU index when the metric's last label is `cpu`.
 */

import type { MapEntries } from "../../ffi/libbpf.ts";

/** How a metric's keys relate to its map. */
export interface RowShape {
  keySize: number;
  perCpu: boolean;
  /** The last label is `cpu` on a per-CPU map: append the CPU index to each key. */
  cpuLabel: boolean;
  /** A lone `cpu` label: the 4-byte map key is replaced by the CPU index. */
  cpuOnly: boolean;
}

/**
 * Receives rows: the key is `length` bytes of `buf` from `offset`, valid only during the call.
 * Passing a position instead of a view spares one object per row on the scrape path.
 */
export type RowSink = (buf: Uint8Array, offset: number, length: number, value: number) => void;

/** Calls sink once per row of entries [from, to) of a map read (all of them by default). */
export function forEachRow(
  entries: MapEntries,
  shape: RowShape,
  sink: RowSink,
  from = 0,
  to = entries.count,
): void {
  const { keys, values, valueStride, slotSize, slots } = entries;
  const count = Math.min(to, entries.count);
  const ks = shape.keySize;
  const view = new DataView(values.buffer, values.byteOffset, values.byteLength);
  if (!shape.perCpu) {
    for (let i = from; i < count; i++) sink(keys, i * ks, ks, u64(view, i * valueStride));
    return;
  }
  if (!shape.cpuLabel) {
    for (let i = from; i < count; i++) {
      let sum = 0;
      const base = i * valueStride;
      for (let c = 0; c < slots; c++) sum += u64(view, base + c * slotSize);
      sink(keys, i * ks, ks, sum);
    }
    return;
  }
  const extended = new Uint8Array(ks + 2);
  const cpuOnly = new Uint8Array(2);
  for (let i = from; i < count; i++) {
    const key = keys.subarray(i * ks, (i + 1) * ks);
    const dropKey = shape.cpuOnly && isZero(key, 4);
    const out = dropKey ? cpuOnly : extended;
    if (!dropKey) extended.set(key);
    const base = i * valueStride;
    for (let c = 0; c < slots; c++) {
      // The CPU index is host-endian u16 (little-endian on every supported arch).
      out[out.length - 2] = c & 0xff;
      out[out.length - 1] = c >> 8;
      sink(out, 0, out.length, u64(view, base + c * slotSize));
    }
  }
}

function isZero(b: Uint8Array, n: number): boolean {
  for (let i = 0; i < n && i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

/** Reads a little-endian u64 as a float (exact up to 2^53, like upstream's float64 cast). */
function u64(view: DataView, off: number): number {
  return view.getUint32(off, true) + view.getUint32(off + 4, true) * 4294967296;
}
