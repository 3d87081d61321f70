import assert from "node:assert/strict";
import {
  addressAt,
  floorIndex,
  Kallsyms,
  nameAt,
  parseKallsyms,
  symbolCount,
} from "../../src/decoders/kallsyms.ts";
import { RereadLimiter } from "../../src/decoders/shared.ts";
import { fixture } from "./helpers.ts";

const parse = (text: string) => parseKallsyms(new TextEncoder().encode(text));

Deno.test("kallsyms parsing keeps module suffixes and skips malformed lines", () => {
  const t = parse(
    fixture("kallsyms_pipe.txt") + "nonsense\nzz T bad\n12 T\n00000000000000000 T long\n",
  );
  assert.equal(symbolCount(t), 5);
  assert.equal(addressAt(t, 1), 0xffffffeb19d90830n);
  assert.equal(nameAt(t, 1), "pipe_lock");
  assert.equal(nameAt(t, 4), "jbd2_journal_start\t[jbd2]");
});

Deno.test("kallsyms parsing keeps only the third field as the name", () => {
  const t = parse("10 T a extra fields\n20 t b\n30 T \n");
  assert.deepEqual([0, 1, 2].map((i) => nameAt(t, i)), ["a", "b", ""]);
  assert.deepEqual([0, 1, 2].map((i) => addressAt(t, i)), [0x10n, 0x20n, 0x30n]);
});

Deno.test("kallsyms parsing sorts by address and prefers the first of equal addresses", () => {
  const t = parse("0000000000000020 T b\n0000000000000010 T a\n0000000000000020 T c\n");
  assert.deepEqual([0, 1, 2].map((i) => addressAt(t, i)), [0x10n, 0x20n, 0x20n]);
  assert.deepEqual([0, 1, 2].map((i) => nameAt(t, i)), ["a", "b", "c"]);
  assert.equal(nameAt(t, floorIndex(t, 0x25n)), "b");
  assert.equal(floorIndex(t, 0x0fn), -1);
  assert.equal(floorIndex(parse(""), 0x10n), -1);
});

Deno.test("kallsyms exact and stack lookups re-read at most as the limiter allows", () => {
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
  assert.equal(syms.exact(0x40n), null);
  assert.equal(reads, 3);
  now += 1000;
  assert.equal(syms.exact(0x40n), null);
  assert.equal(reads, 4);
});
