/**
 * A `MapSource` that replays recorded map contents: the fixture format of the kernel-free
 * end-to-end test (tests/fixtures/e2e/), written by tests/e2e/record.ts.
 */

import type { MapEntries } from "../../ffi/libbpf.ts";
import { fromHex } from "./hex.ts";
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
