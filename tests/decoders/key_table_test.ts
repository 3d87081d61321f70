import assert from "node:assert/strict";
import { ByteKeyTable, hashBytes, MISSING } from "../../src/decoders/key_table.ts";

function key(n: number): Uint8Array {
  return new Uint8Array(new Uint32Array([n, n * 7]).buffer);
}

Deno.test("byte key table stores, finds and overwrites fixed-size keys", () => {
  const t = new ByteKeyTable<string>(8, 100);
  assert.equal(t.set(key(1), "a"), true);
  assert.equal(t.set(key(2), "b"), true);
  assert.equal(t.get(key(1)), "a");
  assert.equal(t.get(key(3)), undefined);
  assert.equal(t.set(key(1), "c"), true);
  assert.equal(t.get(key(1)), "c");
  assert.equal(t.size, 2);
});

Deno.test("byte key table refuses keys of another length and keys beyond its cap", () => {
  const t = new ByteKeyTable<number>(8, 2);
  assert.equal(t.set(new Uint8Array(4), 1), false);
  assert.equal(t.get(new Uint8Array(4)), undefined);
  assert.equal(t.set(key(1), 1), true);
  assert.equal(t.set(key(2), 2), true);
  assert.equal(t.set(key(3), 3), false);
  assert.equal(t.size, 2);
});

Deno.test("byte key table keeps every key findable through growth and sweeps", () => {
  const t = new ByteKeyTable<number>(8, 1 << 16);
  const n = 20_000;
  for (let i = 0; i < n; i++) assert.equal(t.set(key(i), i), true);
  assert.equal(t.size, n);
  // Drop every third key: backward-shift deletion must not strand keys behind a gap.
  t.sweep((v) => v % 3 === 0);
  for (let i = 0; i < n; i++) assert.equal(t.get(key(i)), i % 3 === 0 ? undefined : i, `key ${i}`);
  assert.equal(t.size, n - Math.ceil(n / 3));
  // Freed entries are reused.
  for (let i = 0; i < n; i += 3) assert.equal(t.set(key(i), -i), true);
  assert.equal(t.size, n);
  assert.equal(t.get(key(3)), -3);
  let sum = 0;
  t.forEach(() => sum++);
  assert.equal(sum, n);
});

Deno.test("byte key table survives keys that all share one hash slot chain", () => {
  // 1-byte keys fill a small table densely, so chains wrap around the slot array.
  const t = new ByteKeyTable<number>(1, 256);
  for (let i = 0; i < 256; i++) t.set(new Uint8Array([i]), i);
  t.sweep((v) => v % 2 === 1);
  for (let i = 0; i < 256; i++) {
    assert.equal(t.get(new Uint8Array([i])), i % 2 === 1 ? undefined : i);
  }
});

Deno.test("byte key hash depends on every byte", () => {
  const base = new Uint8Array(16);
  const h = hashBytes(base);
  for (let i = 0; i < 16; i++) {
    const k = base.slice();
    k[i] = 1;
    assert.notEqual(hashBytes(k), h, `byte ${i}`);
  }
});

Deno.test("byte key table finds keys inside a larger buffer and keeps a stamp per entry", () => {
  const t = new ByteKeyTable<string>(8, 10);
  t.set(key(5), "five", 3);
  const buf = new Uint8Array(24);
  buf.set(key(5), 8);
  const e = t.find(buf, 8, 8);
  assert.notEqual(e, MISSING);
  assert.equal(t.value(e), "five");
  assert.equal(t.stamp(e), 3);
  t.setStamp(e, 4);
  assert.equal(t.stamp(t.find(key(5), 0, 8)), 4);
  assert.equal(t.find(buf, 0, 8), MISSING);
  assert.equal(t.find(buf, 8, 4), MISSING);
  t.sweep((_, stamp) => stamp === 4);
  assert.equal(t.size, 0);
});
