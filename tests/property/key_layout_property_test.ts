/** Key splitting: random label layouts and keys split into rows and reassemble to the key. */

import assert from "node:assert/strict";
import fc from "fast-check";
import type { MapEntries } from "../../ffi/libbpf.ts";
import type { LabelConfig } from "../../src/config/types.ts";
import { forEachRow } from "../../src/exporter/rows.ts";
import { keyLayout } from "../../src/spec/key_layout.ts";
import { fromHex } from "../../src/exporter/hex.ts";
import { conf, fakeContext, labelSet } from "../decoders/helpers.ts";
import { check } from "./runs.ts";

function label(name: string, size: number, padding: number): LabelConfig {
  return { name, size, padding, decoders: [], pos: { file: "p.yaml", line: 1, key: name } };
}

// Ordinary labels of 1..16 bytes with 0..8 bytes of padding.
const plainLabels = fc.array(
  fc.record({ size: fc.integer({ min: 1, max: 16 }), padding: fc.integer({ min: 0, max: 8 }) }),
  { minLength: 1, maxLength: 6 },
).map((ls) => ls.map((l, i) => label(`l${i}`, l.size, l.padding)));

/** Map entries of `count` random keys of `keySize` bytes and `slots` u64 value slots each. */
function entries(keys: Uint8Array, keySize: number, values: bigint[], slots: number): MapEntries {
  const count = keys.length / keySize;
  const out = new Uint8Array(count * slots * 8);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setBigUint64(i * 8, v, true));
  return { count, keys, values: out, valueStride: slots * 8, slotSize: 8, slots };
}

interface Row {
  key: Uint8Array;
  value: number;
}

function rows(e: MapEntries, labels: LabelConfig[], perCpu: boolean): Row[] {
  const out: Row[] = [];
  forEachRow(e, keyLayout(labels, perCpu), (buf, offset, length, value) => {
    out.push({ key: buf.slice(offset, offset + length), value });
  });
  return out;
}

// Labels, count keys of the layout's map key size, and values below 2^53 (exact as numbers).
const caseOf = (perCpu: boolean, cpuLabel: boolean) =>
  plainLabels.chain((plain) => {
    const labels = cpuLabel ? [...plain, label("cpu", 2, 0)] : plain;
    const ks = keyLayout(labels, perCpu).mapKeySize;
    const slots = perCpu ? 3 : 1;
    return fc.integer({ min: 0, max: 20 }).chain((count) =>
      fc.record({
        labels: fc.constant(labels),
        keys: fc.uint8Array({ minLength: count * ks, maxLength: count * ks }),
        values: fc.array(fc.bigInt({ min: 0n, max: 2n ** 53n - 1n }), {
          minLength: count * slots,
          maxLength: count * slots,
        }),
        slots: fc.constant(slots),
      })
    );
  });

/**
 * Splits a row key the way the exporter does (the label set decoder, every label `hex`) and
 * joins the label values back at the layout's offsets, padding taken from the key.
 */
function reassemble(key: Uint8Array, labels: LabelConfig[], perCpu: boolean): Uint8Array {
  const layout = keyLayout(labels, perCpu);
  const hexLabels = labels.map((l) => ({ ...l, decoders: [conf("hex")] }));
  const values = labelSet(hexLabels, fakeContext().ctx).decode(key)!;
  const out = key.slice();
  labels.forEach((l, i) => {
    const at = layout.offsets[i]!;
    out.fill(0xee, at, at + l.size);
    out.set(fromHex(values[i]!), at);
  });
  return out;
}

Deno.test("plain maps: one row per key, the key splits into labels and reassembles", () => {
  check(
    fc.property(caseOf(false, false), ({ labels, keys, values, slots }) => {
      const layout = keyLayout(labels, false);
      const e = entries(keys, layout.mapKeySize, values, slots);
      const got = rows(e, labels, false);
      assert.equal(got.length, e.count);
      got.forEach((r, i) => {
        assert.equal(r.key.length, layout.rowKeySize);
        const mapKey = keys.subarray(i * layout.mapKeySize, (i + 1) * layout.mapKeySize);
        assert.deepEqual(reassemble(r.key, labels, false), mapKey);
        assert.equal(r.value, Number(values[i]));
      });
    }),
    300,
  );
});

Deno.test("per-CPU maps without a cpu label: one row per key with the slots summed", () => {
  check(
    fc.property(caseOf(true, false), ({ labels, keys, values, slots }) => {
      const layout = keyLayout(labels, true);
      const got = rows(entries(keys, layout.mapKeySize, values, slots), labels, true);
      got.forEach((r, i) => {
        assert.deepEqual(r.key, keys.subarray(i * layout.mapKeySize, (i + 1) * layout.mapKeySize));
        const sum = values.slice(i * slots, (i + 1) * slots).reduce((a, v) => a + Number(v), 0);
        assert.equal(r.value, sum);
      });
    }),
    300,
  );
});

Deno.test("a trailing cpu label: one row per key and CPU, the index in the cpu label's bytes", () => {
  check(
    fc.property(caseOf(true, true), ({ labels, keys, values, slots }) => {
      const layout = keyLayout(labels, true);
      const ks = layout.mapKeySize;
      const got = rows(entries(keys, ks, values, slots), labels, true);
      assert.equal(got.length, (keys.length / ks) * slots);
      got.forEach((r, j) => {
        const i = Math.floor(j / slots);
        const cpu = j % slots;
        // The row key is exactly what the label decoders split: map key, then u16 CPU index.
        assert.equal(r.key.length, layout.rowKeySize);
        assert.deepEqual(r.key.subarray(0, ks), keys.subarray(i * ks, (i + 1) * ks));
        assert.equal(r.key[layout.offsets.at(-1)!]! | (r.key[ks + 1]! << 8), cpu);
        assert.equal(r.value, Number(values[j]));
      });
    }),
    300,
  );
});
