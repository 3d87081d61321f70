import assert from "node:assert/strict";
import { ByteWriter } from "../../src/encode/bytes.ts";
import { SharedChunks } from "../../src/encode/shared_chunks.ts";
import { SlabPool } from "../../src/encode/slab_pool.ts";

Deno.test("a slab is free only when its last hold is given back, then reused", () => {
  const pool = new SlabPool(32, 4);
  const a = pool.acquire();
  assert.equal(a.length, 32);
  assert.equal(pool.holds(a), 1);
  const chunk = a.subarray(8, 16);
  pool.hold(chunk);
  pool.hold(chunk);
  assert.equal(pool.holds(a), 3);
  pool.release(a);
  pool.release(chunk);
  assert.equal(pool.holds(a), 1);
  assert.equal(pool.free, 0);
  pool.release(chunk);
  assert.equal(pool.holds(a), 0);
  assert.equal(pool.free, 1);
  const b = pool.acquire();
  assert.equal(b.buffer, a.buffer);
  assert.deepEqual(pool.stats, { made: 1, reused: 1 });
});

Deno.test("buffers the pool did not make are ignored, and a free slab is not released twice", () => {
  const pool = new SlabPool(32, 4);
  const other = new Uint8Array(32);
  pool.hold(other);
  pool.release(other);
  assert.equal(pool.holds(other), 0);
  assert.equal(pool.free, 0);
  const a = pool.acquire();
  pool.release(a);
  pool.release(a);
  assert.equal(pool.free, 1);
});

Deno.test("the free list keeps at most maxFree slabs", () => {
  const pool = new SlabPool(16, 2);
  const slabs = [pool.acquire(), pool.acquire(), pool.acquire()];
  for (const s of slabs) pool.release(s);
  assert.equal(pool.free, 2);
  assert.deepEqual(pool.stats, { made: 3, reused: 0 });
});

Deno.test("a writer holds the pooled slab it writes into until it moves on or finishes", () => {
  const pool = new SlabPool(16, 4);
  const w = new ByteWriter(16, 16, pool);
  w.bytes("01234567");
  // The first slab of 16 bytes comes from the pool: the writer's hold.
  const c1 = w.take();
  assert.equal(pool.holds(c1), 1);
  w.bytes("abcdefgh");
  const c2 = w.take();
  assert.equal(c2.buffer, c1.buffer);
  w.bytes("xy");
  // The slab is full: the writer moves to a second one and gives the first back.
  assert.equal(pool.holds(c1), 0);
  assert.equal(pool.free, 1);
  assert.equal(new TextDecoder().decode(c2), "abcdefgh");
  const c3 = w.take();
  assert.notEqual(c3.buffer, c1.buffer);
  assert.equal(pool.holds(c3), 1);
  w.finish();
  assert.equal(pool.holds(c3), 0);
  assert.equal(pool.free, 2);
  assert.deepEqual(pool.stats, { made: 2, reused: 0 });
});

Deno.test("a writer without a pool or a line longer than a slab takes no pooled slab", () => {
  const pool = new SlabPool(16, 4);
  const w = new ByteWriter(16, 16, pool);
  w.bytes("x".repeat(40));
  const c = w.take();
  assert.equal(c.length, 40);
  assert.equal(pool.holds(c), 0);
  w.finish();
  assert.deepEqual(pool.stats, { made: 0, reused: 0 });
});

Deno.test("shared chunks hold a slab while kept and for each reader until it is sent", () => {
  const pool = new SlabPool(64, 4);
  const slab = pool.acquire();
  const chunks = [slab.subarray(0, 8), slab.subarray(8, 16)];
  const shared = new SharedChunks(pool);
  shared.setSource(chunks.values());
  const r1 = shared.reader();
  const r2 = shared.reader();
  // The writer's hold.
  assert.equal(pool.holds(slab), 1);
  const a = r1.next().value!;
  // Kept for r2 (1) and handed out by r1 (1).
  assert.equal(pool.holds(slab), 3);
  r2.next();
  // r2 passed it too: no longer kept; two hand-outs are not yet sent.
  assert.equal(pool.holds(slab), 3);
  pool.release(a);
  pool.release(a);
  assert.equal(pool.holds(slab), 1);
  r1.next();
  assert.equal(pool.holds(slab), 3);
  // r2 leaves early: the chunk is no longer kept for it.
  r2.return();
  assert.equal(pool.holds(slab), 2);
  pool.release(chunks[1]!);
  pool.release(slab);
  assert.equal(pool.holds(slab), 0);
  assert.equal(pool.free, 1);
  assert.equal(r1.next().done, true);
});
