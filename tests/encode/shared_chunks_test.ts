import assert from "node:assert/strict";
import { SharedChunks } from "../../src/encode/shared_chunks.ts";

function source(n: number): { it: Iterator<Uint8Array<ArrayBuffer>>; pulled: () => number } {
  let pulled = 0;
  function* gen() {
    for (let i = 0; i < n; i++) {
      pulled++;
      yield new Uint8Array([i]);
    }
  }
  return { it: gen(), pulled: () => pulled };
}

const bytes = (r: Iterable<Uint8Array>) => [...r].map((c) => c[0]);

Deno.test("every reader gets every chunk; the source is pulled once per chunk", () => {
  const shared = new SharedChunks();
  const a = shared.reader();
  const b = shared.reader();
  const src = source(5);
  shared.setSource(src.it);
  assert.deepEqual(bytes(a), [0, 1, 2, 3, 4]);
  assert.equal(shared.keptChunks, 5, "all kept for b, which has read nothing");
  assert.deepEqual(bytes(b), [0, 1, 2, 3, 4]);
  assert.equal(src.pulled(), 5);
  assert.deepEqual([shared.keptChunks, shared.readers], [0, 0]);
});

Deno.test("chunks are released once the slowest reader has them", () => {
  const shared = new SharedChunks();
  const a = shared.reader();
  const b = shared.reader();
  shared.setSource(source(4).it);
  a.next();
  a.next();
  a.next();
  assert.equal(shared.keptChunks, 3);
  b.next();
  assert.equal(shared.keptChunks, 2);
  b.next();
  b.next();
  assert.equal(shared.keptChunks, 0);
});

Deno.test("a reader that leaves releases what only it still needed", () => {
  const shared = new SharedChunks();
  const fast = shared.reader();
  const slow = shared.reader();
  shared.setSource(source(10).it);
  for (let i = 0; i < 6; i++) fast.next();
  assert.equal(shared.keptChunks, 6);
  slow.return();
  assert.equal(shared.keptChunks, 0);
  assert.deepEqual(slow.next(), { done: true, value: undefined });
  assert.deepEqual(bytes(fast), [6, 7, 8, 9]);
});

Deno.test("when every reader leaves, the source is closed and never pulled again", () => {
  const shared = new SharedChunks();
  const a = shared.reader();
  const src = source(10);
  shared.setSource(src.it);
  a.next();
  a.return();
  assert.equal(src.pulled(), 1);
  assert.deepEqual(src.it.next(), { done: true, value: undefined });
});

Deno.test("no reader can join once chunks were released", () => {
  const shared = new SharedChunks();
  const a = shared.reader();
  shared.setSource(source(3).it);
  a.next();
  assert.throws(() => shared.reader(), /first chunks are released/);
});
