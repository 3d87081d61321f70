import assert from "node:assert/strict";
import { Kallsyms, KallsymsTable, sortedOrder } from "../../src/host/kallsyms.ts";
import { HostReadError } from "../../src/host/errors.ts";
import { RereadLimiter } from "../../src/host/refresh.ts";
import { fixture } from "../decoders/helpers.ts";

const parse = (text: string) => new KallsymsTable(new TextEncoder().encode(text));
const names = (t: KallsymsTable) => Array.from({ length: t.size }, (_, i) => t.nameAt(i));

Deno.test("kallsyms parsing keeps module suffixes and skips malformed lines", () => {
  const t = parse(
    fixture("kallsyms_pipe.txt") + "nonsense\nzz T bad\n12 T\n00000000000000000 T long\n",
  );
  assert.equal(t.size, 5);
  assert.equal(t.addressAt(1), 0xffffffeb19d90830n);
  assert.equal(t.nameAt(1), "pipe_lock");
  assert.equal(t.nameAt(4), "jbd2_journal_start\t[jbd2]");
});

Deno.test("kallsyms parsing keeps only the third field as the name", () => {
  const t = parse("10 T a extra fields\n20 t b\n30 T \n");
  assert.deepEqual(names(t), ["a", "b", ""]);
  assert.deepEqual([0, 1, 2].map((i) => t.addressAt(i)), [0x10n, 0x20n, 0x30n]);
});

Deno.test("kallsyms parsing sorts by address and prefers the first of equal addresses", () => {
  const t = parse("0000000000000020 T b\n0000000000000010 T a\n0000000000000020 T c\n");
  assert.deepEqual([0, 1, 2].map((i) => t.addressAt(i)), [0x10n, 0x20n, 0x20n]);
  assert.deepEqual(names(t), ["a", "b", "c"]);
  assert.equal(t.nameAt(t.floorIndex(0x25n)), "b");
  assert.equal(t.symbolAt(0x20n), "b");
  assert.equal(t.symbolBefore(0x25n), "b");
  assert.equal(t.symbolAt(0x25n), null);
  assert.equal(t.floorIndex(0x0fn), -1);
  assert.equal(t.symbolBefore(0x0fn), null);
  assert.equal(parse("").floorIndex(0x10n), -1);
});

Deno.test("kallsyms names resolve to addresses exactly, module symbols with their suffix", () => {
  const t = parse(
    [
      "ffffffff81000000 T _stext",
      "ffffffffc0a01000 t commit_timeout\t[jbd2]",
      "not-hex T broken",
      "",
    ].join("\n"),
  );
  assert.equal(t.addressOf("_stext"), 0xffffffff81000000n);
  assert.equal(t.addressOf("commit_timeout\t[jbd2]"), 0xffffffffc0a01000n);
  assert.equal(t.addressOf("commit_timeout"), null);
  assert.equal(t.addressOf("broken"), null);
});

Deno.test("the last of duplicate kallsyms names gives the address", () => {
  const t = parse("0000000000000001 t dup\n0000000000000002 t dup\n");
  assert.equal(t.addressOf("dup"), 2n);
});

Deno.test("kallsyms with every address zeroed (kptr_restrict) resolves nothing", () => {
  const t = parse("0000000000000000 T _text\n0000000000000000 T pipe_lock\n");
  assert.equal(t.hidden, true);
  assert.equal(t.size, 2);
  assert.equal(t.symbolAt(0n), null);
  assert.equal(t.symbolBefore(0xffffffff81000000n), null);
  assert.equal(t.addressOf("pipe_lock"), null);
  const shown = parse("0000000000000000 A fixed_percpu_data\n0000000000000010 T a\n");
  assert.equal(shown.hidden, false);
  assert.equal(shown.symbolAt(0n), "fixed_percpu_data");
  assert.equal(shown.addressOf("fixed_percpu_data"), 0n);
});

Deno.test("kallsyms lookups re-read at most as the limiter allows", () => {
  let text = "0000000000000010 T a\n";
  let reads = 0;
  let now = 0;
  const syms = new Kallsyms(() => {
    reads++;
    return new TextEncoder().encode(text);
  }, new RereadLimiter(() => now, { minIntervalMs: 1000, maxIntervalMs: 4000 }));
  assert.equal(reads, 1);
  text += "0000000000000030 T c\n";
  assert.equal(syms.exact(0x30n), "c"); // first miss always re-reads
  assert.equal(reads, 2);
  assert.equal(syms.exact(0x40n), null); // too soon
  assert.equal(reads, 2);
  now += 1000;
  assert.deepEqual(syms.stack([0x5n, 0x31n]), [null, "c"]); // re-read, unchanged file
  assert.equal(reads, 3);
  now += 1000; // interval doubled to 2 s after an unchanged re-read
  assert.equal(syms.addressOf("d"), null);
  assert.equal(reads, 3);
  now += 1000;
  text += "0000000000000040 T d\n";
  assert.equal(syms.addressOf("d"), 0x40n);
  assert.equal(reads, 4);
  assert.equal(syms.size, 3);
});

Deno.test("kallsyms that cannot be read first is a HostReadError; later failures keep the table", () => {
  assert.throws(
    () => new Kallsyms(() => null, new RereadLimiter(() => 0)),
    (e) => e instanceof HostReadError && e.path === "/proc/kallsyms",
  );
  let raw: Uint8Array | null = new TextEncoder().encode("0000000000000010 T a\n");
  const syms = new Kallsyms(() => raw, new RereadLimiter(() => 0));
  raw = null;
  assert.equal(syms.exact(0x20n), null);
  assert.equal(syms.exact(0x10n), "a");
});

Deno.test("a kallsyms table keeps only addresses and names, not the file it was parsed from", () => {
  const text = "ffffffff81000000 T _stext\nffffffffc0a01000 t commit_timeout\t[jbd2]\n";
  const raw = new TextEncoder().encode(text);
  const t = new KallsymsTable(raw);
  raw.fill(0); // a reused read buffer: the table must not see later writes
  assert.equal(t.nameAt(1), "commit_timeout\t[jbd2]");
  const nameBytes = "_stext".length + "commit_timeout\t[jbd2]".length;
  // Per symbol 8 bytes of address and a 4-byte name offset, plus the end of the last name.
  assert.equal(t.retainedBytes, nameBytes + 2 * (8 + 4) + 4);
  assert.equal(t.bytes, raw.length);
});

Deno.test("the merge of sorted runs orders like a stable sort, whatever the runs", () => {
  // A fixed pseudo-random sequence: runs of every length, many equal addresses.
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) % 7;
  for (const count of [0, 1, 2, 3, 17, 1000]) {
    const hi = Uint32Array.from({ length: count }, () => next() < 3 ? 0xffffffff : 0);
    const lo = Uint32Array.from({ length: count }, () => next());
    const expected = Array.from({ length: count }, (_, k) => k)
      .sort((a, b) => (hi[a]! - hi[b]!) || (lo[a]! - lo[b]!));
    const order = sortedOrder(hi, lo, count);
    const got = order === null ? Array.from({ length: count }, (_, k) => k) : [...order];
    assert.deepEqual(got, expected, `count ${count}`);
  }
  // Already sorted: no permutation at all.
  assert.equal(sortedOrder(Uint32Array.of(1, 1, 2), Uint32Array.of(0, 5, 0), 3), null);
});
