import assert from "node:assert/strict";
import { RefreshingTable, RereadLimiter, type TableSource } from "../../src/host/refresh.ts";

/** A source whose reads return the current `value`, counting reads. */
function counted(startsEmpty: boolean) {
  const s = { value: "a", reads: 0, now: 0 };
  const source: TableSource<string> = {
    initial: () => {
      if (startsEmpty) return "";
      s.reads++;
      return s.value;
    },
    reload: (current) => {
      s.reads++;
      return { table: s.value, changed: s.value !== current };
    },
    startsEmpty,
  };
  const table = new RefreshingTable(source, new RereadLimiter(() => s.now));
  const find = (want: string) => table.lookup((t) => (t.includes(want) ? want : null));
  return { s, table, find };
}

Deno.test("a refreshing table reads on first use and not again in the same lookup", () => {
  const { s, find } = counted(false);
  assert.equal(s.reads, 0);
  assert.equal(find("b"), null);
  assert.equal(s.reads, 1);
  s.value = "ab";
  assert.equal(find("b"), "b"); // the next miss reloads at once
  assert.equal(s.reads, 2);
  assert.equal(find("b"), "b");
  assert.equal(s.reads, 2);
});

Deno.test("a table that starts empty reads on its first miss, through the limiter", () => {
  const { s, find } = counted(true);
  assert.equal(find("a"), "a");
  assert.equal(s.reads, 1);
  s.value = "ac";
  assert.equal(find("c"), null); // too soon after the first read
  s.now += 1000;
  assert.equal(find("c"), "c");
  assert.equal(s.reads, 2);
});

Deno.test("misses back off while reloads find nothing new, and reset when they do", () => {
  const { s, find } = counted(false);
  find("z"); // first read
  const readsAt = (ms: number) => {
    s.now = ms;
    find("z");
    return s.reads;
  };
  // Reloads at 0 (unchanged: 2 s), then 2000 (unchanged: 4 s), then 6000.
  assert.deepEqual([0, 1000, 2000, 5000, 6000].map(readsAt), [2, 2, 3, 3, 4]);
  s.value = "b";
  assert.equal(readsAt(14000), 5); // found something: back to 1 s
  s.value = "bc";
  assert.equal(readsAt(15000), 6);
});

Deno.test("a reload that throws keeps the table and counts as finding nothing", () => {
  let fail = false;
  let now = 0;
  const table = new RefreshingTable<string>({
    initial: () => "a",
    reload: () => {
      if (fail) throw new Error("gone");
      return null;
    },
  }, new RereadLimiter(() => now));
  table.current();
  fail = true;
  assert.throws(() => table.lookup(() => null), /gone/);
  now += 1000; // the failed reload doubled the interval to 2 s
  assert.equal(table.lookup(() => null), null);
  assert.equal(table.current(), "a");
});
