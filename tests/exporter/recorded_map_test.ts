import assert from "node:assert/strict";
import { fromHex, toHex } from "../../src/exporter/hex.ts";
import { recordedMap } from "../../src/exporter/recorded_map.ts";
import type { LabelConfig } from "../../src/config/types.ts";
import { keyLayout } from "../../src/spec/key_layout.ts";
import { forEachRow } from "../../src/exporter/rows.ts";

const def = { name: "m", type: 1, keySize: 2, valueSize: 8, maxEntries: 16, perCpu: false };
/** One 2-byte label, as the recorded maps' keys hold. */
const labels: LabelConfig[] = [
  { name: "k", size: 2, padding: 0, decoders: [], pos: { file: "t.yaml", line: 1, key: "k" } },
];

Deno.test("a recorded plain map reads back as a kernel read lays it out", () => {
  const src = recordedMap({
    ...def,
    entries: [{ key: "0100", value: "0500000000000000" }, {
      key: "0200",
      value: "ff00000000000001",
    }],
  });
  assert.equal(src.name, "m");
  assert.equal(src.maxEntries, 16);
  const e = src.readAll();
  assert.deepEqual(
    { count: e.count, stride: e.valueStride, slotSize: e.slotSize, slots: e.slots },
    { count: 2, stride: 8, slotSize: 8, slots: 1 },
  );
  assert.equal(toHex(e.keys), "01000200");
  const rows: Array<[string, number]> = [];
  forEachRow(
    e,
    keyLayout(labels, false),
    (buf, off, len, v) => rows.push([toHex(buf.subarray(off, off + len)), v]),
  );
  assert.deepEqual(rows, [["0100", 5], ["0200", 2 ** 56 + 255]]);
});

Deno.test("recorded per-CPU values sit in 8-byte slots, one per recorded CPU", () => {
  const src = recordedMap({
    ...def,
    type: 5,
    valueSize: 4,
    perCpu: true,
    entries: [{ key: "0700", values: ["01000000", "02000000", "04000000"] }],
  });
  const e = src.readAll();
  assert.deepEqual([e.slots, e.slotSize, e.valueStride], [3, 8, 24]);
  assert.equal(toHex(e.values), "010000000000000002000000000000000400000000000000");
  const sums: number[] = [];
  forEachRow(e, keyLayout(labels, true), (_b, _o, _l, v) => sums.push(v));
  assert.deepEqual(sums, [7]);
});

Deno.test("recorded entries of the wrong size or CPU count are refused", () => {
  assert.throws(
    () => recordedMap({ ...def, entries: [{ key: "01", value: "0000000000000000" }] }),
    /key of map "m": 1 bytes, want 2/,
  );
  assert.throws(
    () => recordedMap({ ...def, entries: [{ key: "0100", value: "00" }] }),
    /value of map "m": 1 bytes, want 8/,
  );
  assert.throws(
    () =>
      recordedMap({
        ...def,
        valueSize: 4,
        perCpu: true,
        entries: [{ key: "0100", values: ["00000000", "00000000"] }, {
          key: "0200",
          values: ["00000000"],
        }],
      }),
    /entry 0200 has 1 values, want 2/,
  );
  assert.throws(() => fromHex("0g"), /expected pairs of hex digits/);
  assert.throws(() => fromHex("123"), /expected pairs of hex digits/);
  assert.deepEqual(fromHex("00FFa0"), new Uint8Array([0, 255, 160]));
});
