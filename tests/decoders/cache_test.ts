import assert from "node:assert/strict";
import {
  type CachedLabels,
  DecodeCache,
  InternedSets,
  labelsHash,
  LruSet,
} from "../../src/decoders/cache.ts";
import type { LabelSetDecoding } from "../../src/decoders/labels.ts";
import { DecodeError, type DecodeState } from "../../src/decoders/types.ts";
import { b, concat, conf, fakeContext, label, labelSet } from "./helpers.ts";

/** A decoder scripted per key, counting its calls. */
function scripted(
  answer: (key: Uint8Array, state: DecodeState) => string[] | null,
): LabelSetDecoding & { calls: number } {
  const d = {
    calls: 0,
    decode(key: Uint8Array, state?: DecodeState) {
      d.calls++;
      return answer(key, state ?? { transient: false });
    },
  };
  return d;
}

Deno.test("decode cache serves repeated keys without decoding again", () => {
  const d = scripted((k) => [String(k[0])]);
  const cache = new DecodeCache(d);
  assert.deepEqual(cache.decode(b(1, 2)), ["1"]);
  assert.deepEqual(cache.decode(b(1, 2)), ["1"]);
  assert.deepEqual(cache.decode(b(1, 3)), ["1"]);
  assert.equal(d.calls, 2);
  assert.deepEqual(cache.stats, { hits: 1, misses: 2, skipHits: 0 });
});

Deno.test("decode cache never stores transient results", () => {
  const { ctx, host } = fakeContext({ dirs: { "/sys/fs/cgroup": [] } });
  const set = labelSet([label("cgroup", 8, [conf("uint"), conf("cgroup")])], ctx);
  const cache = new DecodeCache(set);
  const key = b(42, 0, 0, 0, 0, 0, 0, 0);
  assert.deepEqual(cache.decode(key), ["unknown_cgroup_id:42"]);
  assert.equal(cache.size, 0);
  host.dirs.set("/sys/fs/cgroup", [["late.scope", 42n]]);
  host.time += 1000;
  assert.deepEqual(cache.decode(key), ["/sys/fs/cgroup/late.scope"]);
  assert.equal(cache.size, 1);
  host.dirs.set("/sys/fs/cgroup", []);
  assert.deepEqual(cache.decode(key), ["/sys/fs/cgroup/late.scope"]);
});

Deno.test("skip cache remembers whole two-label keys", () => {
  const set = labelSet(
    [
      label("number", 4, [conf("uint")]),
      label("comm", 16, [conf("string"), conf("regexp", { regexps: ["^tomato$"] })]),
    ],
    fakeContext().ctx,
  );
  const cache = new DecodeCache(set, { skipCacheSize: 100 });
  const comm = new Uint8Array(16);
  comm.set(new TextEncoder().encode("bananas"));
  const key = concat(b(8, 0, 0, 0), comm);
  assert.equal(cache.decode(key), null);
  assert.equal(cache.skipCache.size, 1);
  assert.equal(cache.decode(key), null);
  assert.deepEqual(cache.stats, { hits: 0, misses: 1, skipHits: 1 });
});

Deno.test("skip cache is off at size zero", () => {
  const d = scripted(() => null);
  const cache = new DecodeCache(d, { skipCacheSize: 0 });
  cache.decode(b(1));
  cache.decode(b(1));
  assert.equal(d.calls, 2);
  assert.equal(cache.skipCache.size, 0);
});

Deno.test("skip cache does not store transient skips", () => {
  const d = scripted((_k, state) => {
    state.transient = true;
    return null;
  });
  const cache = new DecodeCache(d, { skipCacheSize: 10 });
  cache.decode(b(1));
  cache.decode(b(1));
  assert.equal(d.calls, 2);
});

Deno.test("skip cache evicts the least recently used key", () => {
  const lru = new LruSet(2);
  lru.add("a");
  lru.add("b");
  assert.equal(lru.has("a"), true);
  lru.add("c");
  assert.equal(lru.has("b"), false);
  assert.equal(lru.has("a"), true);
  assert.equal(lru.has("c"), true);
  assert.equal(lru.size, 2);
});

Deno.test("decode cache drops entries unused for the configured number of scrapes", () => {
  const d = scripted((k) => [String(k[0])]);
  const cache = new DecodeCache(d, { maxIdleScrapes: 3 });
  cache.decode(b(1));
  cache.decode(b(2));
  cache.endScrape();
  for (let i = 0; i < 2; i++) {
    cache.decode(b(1));
    cache.endScrape();
  }
  assert.equal(cache.size, 2); // key 2 idle for 2 scrapes
  cache.decode(b(1));
  cache.endScrape();
  assert.equal(cache.size, 1); // key 2 idle for 3 scrapes
  cache.decode(b(2));
  assert.equal(d.calls, 3);
});

Deno.test("decode cache keeps entries used in every scrape", () => {
  const cache = new DecodeCache(scripted(() => ["x"]), { maxIdleScrapes: 1 });
  for (let i = 0; i < 5; i++) {
    cache.decode(b(1));
    cache.endScrape();
  }
  assert.equal(cache.size, 1);
  cache.endScrape();
  assert.equal(cache.size, 0);
});

Deno.test("decode cache stops storing at its hard cap", () => {
  const d = scripted((k) => [String(k[0])]);
  const cache = new DecodeCache(d, { maxEntries: 2 });
  assert.deepEqual(cache.decode(b(1)), ["1"]);
  assert.deepEqual(cache.decode(b(2)), ["2"]);
  assert.deepEqual(cache.decode(b(3)), ["3"]);
  assert.equal(cache.size, 2);
  cache.decode(b(3));
  assert.equal(d.calls, 4);
});

Deno.test("decode cache does not store errors", () => {
  const d = scripted(() => {
    throw new DecodeError("broken");
  });
  const cache = new DecodeCache(d, { skipCacheSize: 10 });
  assert.throws(() => cache.decode(b(1)), DecodeError);
  assert.throws(() => cache.decode(b(1)), DecodeError);
  assert.equal(d.calls, 2);
  assert.equal(cache.size, 0);
});

Deno.test("decode cache keys are exact bytes", () => {
  const d = scripted((k) => [Array.from(k).join(",")]);
  const cache = new DecodeCache(d);
  assert.deepEqual(cache.decode(b(0xff, 0)), ["255,0"]);
  assert.deepEqual(cache.decode(b(0xff)), ["255"]);
  assert.deepEqual(cache.decode(new Uint8Array(300).fill(0x80)), [Array(300).fill(128).join(",")]);
  assert.equal(cache.size, 3);
});

Deno.test("decode cache hands out one shared label set per label tuple", () => {
  const d = scripted((k) => [String(k[0]! % 2)]);
  const cache = new DecodeCache(d, { maxIdleScrapes: 2 });
  const a = cache.lookup(b(1));
  const c = cache.lookup(b(3));
  assert.ok(a !== null && c !== null);
  assert.equal(a, c);
  assert.equal(a.interned, true);
  assert.equal(a.refs, 2);
  assert.notEqual(cache.lookup(b(2)), a);
  // The set leaves the cache only when no cached key points at it any more.
  cache.endScrape();
  for (let i = 0; i < 2; i++) {
    cache.lookup(b(3));
    cache.endScrape();
  }
  assert.equal(a.refs, 1);
  assert.equal(cache.lookup(b(1)), a);
});

Deno.test("decode cache returns loose label sets when full, reusing an interned one if known", () => {
  const d = scripted((k) => [String(k[0]! % 2)]);
  const cache = new DecodeCache(d, { maxEntries: 1 });
  const one = cache.lookup(b(1));
  const three = cache.lookup(b(3));
  const two = cache.lookup(b(2));
  assert.equal(three, one);
  assert.ok(two !== null);
  assert.equal(two.interned, false);
  assert.deepEqual(two.labels, ["0"]);
  assert.equal(cache.size, 1);
});

Deno.test("decode cache reserve raises the cap", () => {
  const cache = new DecodeCache(scripted((k) => [String(k[0])]), { maxEntries: 1 });
  cache.reserve(3);
  assert.equal(cache.maxEntries, 3);
  for (let i = 0; i < 3; i++) cache.lookup(b(i));
  assert.equal(cache.size, 3);
  cache.reserve(2);
  assert.equal(cache.maxEntries, 3);
});

Deno.test("decode cache reports repaired values once per fresh decode", () => {
  const set = labelSet([label("comm", 4, [conf("string")])], fakeContext().ctx);
  const told: number[] = [];
  const cache = new DecodeCache(set, { onRepair: (n) => told.push(n) });
  assert.deepEqual(cache.decode(b(0xff, 0xfe, 0x41, 0)), ["\uFFFD\uFFFDA"]);
  assert.deepEqual(cache.decode(b(0xff, 0xfe, 0x41, 0)), ["\uFFFD\uFFFDA"]);
  assert.deepEqual(cache.decode(b(0x61, 0x62, 0, 0)), ["ab"]);
  assert.deepEqual(cache.decode(b(0xfe, 0, 0, 0)), ["\uFFFD"]);
  assert.deepEqual(told, [1, 1]);
});

/** Two label values whose labelsHash is equal, found by search (deterministic). */
function collidingValues(): [string, string] {
  const seen = new Map<number, string>();
  for (let i = 0;; i++) {
    const v = `v${i}`;
    const h = labelsHash([v]);
    const other = seen.get(h);
    if (other !== undefined) return [other, v];
    seen.set(h, v);
  }
}

Deno.test("labelsHash tells apart tuples that differ only in where a value ends", () => {
  assert.notEqual(labelsHash(["ab", "c"]), labelsHash(["a", "bc"]));
  assert.equal(labelsHash(["a", "b"]), labelsHash(["a", "b"]));
  assert.ok(labelsHash(["x"]) >= 0 && labelsHash(["x"]) < 2 ** 30);
});

Deno.test("decode cache keeps label sets with colliding hashes apart, and drops each alone", () => {
  const [x, y] = collidingValues();
  assert.equal(labelsHash([x]), labelsHash([y]));
  // Keys 0 and 2 decode to x, key 1 to y.
  const d = scripted((k) => [k[0] === 1 ? y : x]);
  const cache = new DecodeCache(d, { maxIdleScrapes: 1 });
  const a = cache.lookup(b(0))!;
  const c = cache.lookup(b(1))!;
  assert.notEqual(a, c);
  assert.deepEqual([a.labels, c.labels], [[x], [y]]);
  assert.equal(cache.lookup(b(2)), a);
  assert.equal(a.refs, 2);
  // Only y's key stays in use: x's set leaves, y's stays interned.
  cache.endScrape();
  cache.lookup(b(1));
  cache.endScrape();
  cache.lookup(b(1));
  cache.endScrape();
  assert.equal(cache.size, 1);
  assert.equal(cache.lookup(b(1)), c);
  const again = cache.lookup(b(0))!;
  assert.notEqual(again, a);
  assert.deepEqual(again.labels, [x]);
  assert.equal(cache.lookup(b(2)), again);
});

Deno.test("interned sets stay exact when every tuple collides, through array and map buckets", () => {
  // A constant hash: every tuple shares one bucket, which outgrows its array form.
  const sets = new InternedSets<CachedLabels>(() => 7);
  const entry = (labels: string[]): CachedLabels => ({ labels, interned: true, refs: 0 });
  // Tuples that a joined key without lengths would confuse ("a|b","c" vs "a","b|c").
  const tuples = Array.from({ length: 20 }, (_, i) => [`v${i}`, i % 2 === 0 ? "a|b" : "a"]);
  tuples.push(["v0|a", "b"]);
  const entries = tuples.map(entry);
  entries.forEach((e, i) => {
    assert.equal(sets.get(e.labels, 7), undefined, `before add ${i}`);
    sets.add(e, sets.hash(e.labels));
  });
  entries.forEach((e, i) => assert.equal(sets.get(e.labels.slice(), 7), e, `get ${i}`));
  assert.equal(sets.get(["v0", "a|c"], 7), undefined);
  // Removing every other entry leaves exactly the rest.
  entries.forEach((e, i) => i % 2 === 1 && sets.delete(e));
  entries.forEach((e, i) => assert.equal(sets.get(e.labels, 7), i % 2 === 1 ? undefined : e));
  for (const e of entries) sets.delete(e);
  for (const e of entries) assert.equal(sets.get(e.labels, 7), undefined);
  // Small buckets still work after the map form emptied.
  sets.add(entries[0]!, 7);
  assert.equal(sets.get(entries[0]!.labels, 7), entries[0]);
});
