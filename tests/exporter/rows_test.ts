import assert from "node:assert/strict";
import type { MapEntries } from "../../ffi/libbpf.ts";
import type { LabelConfig } from "../../src/config/types.ts";
import { type KeyLayout, keyLayout } from "../../src/spec/key_layout.ts";
import { forEachRow } from "../../src/exporter/rows.ts";

function entries(keys: number[][], values: number[][], slotSize = 8): MapEntries {
  const slots = values[0]?.length ?? 1;
  const k = new Uint8Array(keys.flat());
  const v = new Uint8Array(values.length * slots * slotSize);
  const dv = new DataView(v.buffer);
  values.forEach((vs, i) =>
    vs.forEach((x, c) => dv.setBigUint64((i * slots + c) * slotSize, BigInt(x), true))
  );
  return { count: keys.length, keys: k, values: v, valueStride: slots * slotSize, slotSize, slots };
}

function rows(
  e: MapEntries,
  layout: KeyLayout,
  from?: number,
  to?: number,
): Array<[number[], number]> {
  const out: Array<[number[], number]> = [];
  forEachRow(
    e,
    layout,
    (buf, off, len, value) => {
      out.push([[...buf.subarray(off, off + len)], value]);
    },
    from,
    to,
  );
  return out;
}

function label(name: string, size: number): LabelConfig {
  return { name, size, padding: 0, decoders: [], pos: { file: "t.yaml", line: 1, key: name } };
}

const plain = keyLayout([label("kind", 2)], false);

Deno.test("plain maps give one row per entry with the u64 value", () => {
  const e = entries([[1, 0], [2, 0]], [[5], [7]]);
  assert.deepEqual(rows(e, plain), [[[1, 0], 5], [[2, 0], 7]]);
});

Deno.test("row ranges cover only the requested entries", () => {
  const e = entries([[1, 0], [2, 0], [3, 0]], [[5], [7], [9]]);
  assert.deepEqual(rows(e, plain, 1, 2), [[[2, 0], 7]]);
  assert.deepEqual(rows(e, plain, 2, 99), [[[3, 0], 9]]);
});

Deno.test("per-CPU values are summed per key without a cpu label", () => {
  const e = entries([[1, 0]], [[5, 6]]);
  assert.deepEqual(rows(e, keyLayout([label("kind", 2)], true)), [[[1, 0], 11]]);
});

Deno.test("a trailing cpu label appends the CPU index as a little-endian u16", () => {
  const e = entries([[1, 0]], [[5, 6]]);
  const shape = keyLayout([label("kind", 2), label("cpu", 2)], true);
  assert.deepEqual(rows(e, shape), [[[1, 0, 0, 0], 5], [[1, 0, 1, 0], 6]]);
});

Deno.test("a lone cpu label drops a zero 4-byte key and keeps only the CPU index", () => {
  const e = entries([[0, 0, 0, 0]], [[3, 4]]);
  const shape = keyLayout([label("cpu", 2)], true);
  assert.deepEqual(rows(e, shape), [[[0, 0], 3], [[1, 0], 4]]);
});

Deno.test("a lone cpu label keeps a non-zero key, which then fails to decode", () => {
  const e = entries([[1, 0, 0, 0]], [[3, 4]]);
  const shape = keyLayout([label("cpu", 2)], true);
  assert.deepEqual(rows(e, shape)[0], [[1, 0, 0, 0, 0, 0], 3]);
});

Deno.test("u64 values above 2^53 round like a float64 conversion", () => {
  const e = entries([[1, 0]], [[0]]);
  new DataView(e.values.buffer).setBigUint64(0, 0xffffffffffffffffn, true);
  assert.equal(rows(e, plain)[0]![1], Number(0xffffffffffffffffn));
});
