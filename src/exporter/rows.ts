/**
 * Turns one map read into (row key, value) rows following the metric's KeyLayout: per-CPU
 * slots are summed per key, or split by an appended u16 CPU index when the layout has a cpu
 * label.
 */

import type { MapEntries } from "../../ffi/libbpf.ts";
import type { KeyLayout } from "../spec/key_layout.ts";

/**
 * Receives rows: the key is `length` bytes of `buf` from `offset`, valid only during the call.
 * Passing a position instead of a view spares one object per row on the scrape path.
 */
export type RowSink = (buf: Uint8Array, offset: number, length: number, value: number) => void;

/** Calls sink once per row of entries [from, to) of a map read (all of them by default). */
export function forEachRow(
  entries: MapEntries,
  layout: KeyLayout,
  sink: RowSink,
  from = 0,
  to = entries.count,
): void {
  const { keys, values, valueStride, slotSize, slots } = entries;
  const count = Math.min(to, entries.count);
  const ks = layout.mapKeySize;
  const view = new DataView(values.buffer, values.byteOffset, values.byteLength);
  if (!layout.perCpu) {
    for (let i = from; i < count; i++) sink(keys, i * ks, ks, u64(view, i * valueStride));
    return;
  }
  if (!layout.cpuLabel) {
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
    const dropKey = layout.cpuOnly && isZero(key);
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

function isZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

/** Reads a little-endian u64 as a float (exact up to 2^53, like upstream's float64 cast). */
function u64(view: DataView, off: number): number {
  return view.getUint32(off, true) + view.getUint32(off + 4, true) * 4294967296;
}
