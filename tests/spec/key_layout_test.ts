import assert from "node:assert/strict";
import type { MapEntries } from "../../ffi/libbpf.ts";
import type { LabelConfig } from "../../src/config/types.ts";
import { expectedKeySize, keyLayout, rowKeyLayout } from "../../src/spec/key_layout.ts";
import { forEachRow } from "../../src/exporter/rows.ts";
import { conf, fakeContext, label as decodedLabel, labelSet } from "../decoders/helpers.ts";

function label(name: string, size: number, padding = 0): LabelConfig {
  return { name, size, padding, decoders: [], pos: { file: "t.yaml", line: 1, key: name } };
}

Deno.test("label offsets follow each label's size and padding", () => {
  const labels = [label("a", 4), label("b", 1, 3), label("c", 8, 2)];
  assert.deepEqual(rowKeyLayout(labels), { offsets: [0, 4, 8], rowKeySize: 18 });
  assert.deepEqual(keyLayout(labels, true), {
    offsets: [0, 4, 8],
    rowKeySize: 18,
    mapKeySize: 18,
    perCpu: true,
    cpuLabel: false,
    cpuOnly: false,
  });
});

Deno.test("a metric without labels has an empty row key on a 4-byte map key", () => {
  assert.equal(keyLayout([], false).mapKeySize, 4);
  assert.deepEqual(keyLayout([], true), {
    offsets: [],
    rowKeySize: 0,
    mapKeySize: 4,
    perCpu: true,
    cpuLabel: false,
    cpuOnly: false,
  });
});

Deno.test("a trailing cpu label on a per-CPU map is in the row key only", () => {
  assert.equal(keyLayout([label("vector", 1, 3), label("cpu", 2, 2)], true).mapKeySize, 4);
  assert.deepEqual(keyLayout([label("vector", 4), label("cpu", 2)], true), {
    offsets: [0, 4],
    rowKeySize: 6,
    mapKeySize: 4,
    perCpu: true,
    cpuLabel: true,
    cpuOnly: false,
  });
  assert.equal(keyLayout([label("vector", 4), label("cpu", 2)], false).cpuLabel, false);
});

Deno.test("a cpu label that is not last is an ordinary label", () => {
  const labels = [label("cpu", 2, 2), label("vector", 4)];
  assert.equal(keyLayout(labels, true).mapKeySize, 8);
  assert.equal(keyLayout(labels, true).cpuLabel, false);
});

Deno.test("a lone cpu label on a per-CPU map sits on a u32 map key, only on per-CPU maps", () => {
  assert.deepEqual(keyLayout([label("cpu", 2)], true), {
    offsets: [0],
    rowKeySize: 2,
    mapKeySize: 4,
    perCpu: true,
    cpuLabel: true,
    cpuOnly: true,
  });
  assert.equal(keyLayout([label("cpu", 2)], false).mapKeySize, 2);
});

/** A per-CPU map read of one entry with two CPU slots. */
function twoCpus(key: number[], a: number, b: number): MapEntries {
  const values = new Uint8Array(16);
  const view = new DataView(values.buffer);
  view.setBigUint64(0, BigInt(a), true);
  view.setBigUint64(8, BigInt(b), true);
  const keys = Uint8Array.from(key);
  return { count: 1, keys, values, valueStride: 16, slotSize: 8, slots: 2 };
}

/** Rows of a read decoded through a label set laid out like the exporter lays it out. */
function decodedRows(labels: LabelConfig[], entries: MapEntries): Array<[string[], number]> {
  const layout = keyLayout(labels, true);
  const set = labelSet(labels, fakeContext().ctx);
  const out: Array<[string[], number]> = [];
  forEachRow(entries, layout, (buf, off, len, value) => {
    out.push([set.decode(buf.subarray(off, off + len))!, value]);
  });
  return out;
}

Deno.test("rows of a lone cpu label decode to the CPU index alone", () => {
  const labels = [decodedLabel("cpu", 2, [conf("uint")])];
  assert.deepEqual(decodedRows(labels, twoCpus([0, 0, 0, 0], 3, 4)), [[["0"], 3], [["1"], 4]]);
});

Deno.test("rows of a trailing cpu label decode to the key's labels and the CPU index", () => {
  const labels = [decodedLabel("kind", 4, [conf("uint")]), decodedLabel("cpu", 2, [conf("uint")])];
  assert.deepEqual(decodedRows(labels, twoCpus([7, 0, 0, 0], 5, 6)), [
    [["7", "0"], 5],
    [["7", "1"], 6],
  ]);
});

Deno.test("key size is the sum of label sizes and paddings", () => {
  assert.equal(expectedKeySize([label("a", 4), label("b", 1, 3), label("c", 8)], false), 16);
});

Deno.test("a metric without labels reads a one-slot array's 4-byte key", () => {
  assert.equal(expectedKeySize([], false), 4);
  assert.equal(expectedKeySize([], true), 4);
});

Deno.test("a trailing cpu label on a per-CPU map is not part of the map key", () => {
  assert.equal(expectedKeySize([label("vector", 4), label("cpu", 2)], true), 4);
  assert.equal(expectedKeySize([label("vector", 4), label("cpu", 2)], false), 6);
});

Deno.test("a lone cpu label on a per-CPU map sits on a u32 key", () => {
  assert.equal(expectedKeySize([label("cpu", 2)], true), 4);
});
