/**
 * A `MapSource` that replays recorded map contents: the fixture format of the kernel-free
 * end-to-end test (tests/fixtures/e2e/), written by tests/e2e/record.ts.
 */

import type { MapEntries } from "../../ffi/libbpf.ts";
import type { MapDefinition, MapSource } from "./map_source.ts";

/** One recorded entry: the key, and the value (or one value per CPU), as lowercase hex. */
export interface RecordedEntry {
  key: string;
  value?: string;
  values?: string[];
}

/** One recorded map: its definition and its entries. */
export interface RecordedMapData extends MapDefinition {
  entries: RecordedEntry[];
}

/** Parses lowercase or uppercase hex into bytes. */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new SyntaxError(`Cannot parse hex "${hex}": expected pairs of hex digits`);
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Bytes as lowercase hex. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** Replays one recorded map; every read returns the same entries. */
export function recordedMap(data: RecordedMapData): MapSource {
  const laidOut = layOut(data);
  const { entries: _, ...definition } = data;
  return { ...definition, readAll: () => laidOut };
}

// Per-CPU slots are 8-byte aligned, as the kernel copies them out (see BpfMap.readAll).
function layOut(data: RecordedMapData): MapEntries {
  const slots = data.perCpu ? Math.max(1, ...data.entries.map((e) => e.values?.length ?? 0)) : 1;
  const slotSize = data.perCpu ? Math.ceil(data.valueSize / 8) * 8 : data.valueSize;
  const stride = slotSize * slots;
  const count = data.entries.length;
  const keys = new Uint8Array(count * data.keySize);
  const values = new Uint8Array(count * stride);
  data.entries.forEach((e, i) => {
    keys.set(sized(fromHex(e.key), data.keySize, `key of map "${data.name}"`), i * data.keySize);
    const slotsHex = data.perCpu ? e.values ?? [] : [e.value ?? ""];
    if (slotsHex.length !== slots) {
      throw new RangeError(
        `Cannot replay map "${data.name}": entry ${e.key} has ${slotsHex.length} values, ` +
          `want ${slots}`,
      );
    }
    slotsHex.forEach((hex, c) => {
      const v = sized(fromHex(hex), data.valueSize, `value of map "${data.name}"`);
      values.set(v, i * stride + c * slotSize);
    });
  });
  return { count, keys, values, valueStride: stride, slotSize, slots };
}

function sized(bytes: Uint8Array, size: number, what: string): Uint8Array {
  if (bytes.length !== size) {
    throw new RangeError(`Cannot replay ${what}: ${bytes.length} bytes, want ${size}`);
  }
  return bytes;
}
