import assert from "node:assert/strict";
import { ByteWriter, utf8Bytes } from "../../src/encode/bytes.ts";
import { formatFloat } from "../../src/encode/float.ts";

const dec = new TextDecoder();

Deno.test("byte writer writes UTF-8 text and grows past its initial size", () => {
  const w = new ByteWriter(16);
  w.bytes("x");
  const first = w.take();
  const text = "plain ascii, then é, 日本, 🐝 and ascii again ".repeat(50);
  w.text(text);
  w.bytes(utf8Bytes("«x»"));
  assert.equal(dec.decode(w.take()), text + "«x»");
  // Handed-out chunks are never written again.
  assert.equal(dec.decode(first), "x");
  assert.equal(w.length, 0);
  assert.equal(w.take().length, 0);
});

Deno.test("utf8Bytes keeps ASCII as is and spells other text as its UTF-8 bytes", () => {
  assert.equal(utf8Bytes("abc"), "abc");
  assert.equal(utf8Bytes("é"), "\xc3\xa9");
  assert.equal(utf8Bytes("🐝"), "\xf0\x9f\x90\x9d");
});

Deno.test("byte writer sample lines spell values as formatFloat does", () => {
  const w = new ByteWriter(16);
  const values = [
    0,
    5,
    10,
    999999,
    1e6,
    1000001,
    123456789,
    1.5e7,
    12e9,
    1e15,
    0.5,
    -3,
    -0,
    NaN,
    Infinity,
    -Infinity,
    2 ** 53 - 1,
    2 ** 53,
    1e21,
  ];
  const enc = new TextEncoder();
  const prefix = enc.encode('xx m{a="b"} yy');
  for (const v of values) w.line(prefix, 3, 11, v);
  const want = values.map((v) => `m{a="b"} ${formatFloat(v)}\n`).join("");
  assert.equal(dec.decode(w.take()), want);
});

Deno.test("byte writer spells every integer like formatFloat", () => {
  const w = new ByteWriter(16);
  const values: number[] = [];
  for (let e = 0; e < 16; e++) {
    for (const m of [1, 2, 9, 10, 11, 99, 101, 1234, 5000, 99999]) values.push(m * 10 ** e);
  }
  for (let i = 0; i < 2000; i++) values.push(Math.floor(Math.random() * 2 ** 53));
  const safe = values.filter((v) => v <= Number.MAX_SAFE_INTEGER);
  for (const v of safe) w.value(v);
  assert.equal(dec.decode(w.take()), safe.map((v) => ` ${formatFloat(v)}\n`).join(""));
});

Deno.test("byte writer copies byte ranges", () => {
  const w = new ByteWriter(4);
  w.range(new TextEncoder().encode("abcdef"), 1, 4);
  assert.equal(dec.decode(w.take()), "bcd");
});

Deno.test("byte writer runs of lines read their prefixes by ends and values from an offset", () => {
  const enc = new TextEncoder();
  // Three prefixes back to back after two bytes of something else.
  const src = enc.encode('..h{le="1"}h{le="2.5"}h{é="x",le="+Inf"}');
  const ends = Int32Array.of(0, 0, 11, 22, 41);
  const values = Float64Array.of(-1, 7, 1.5e7, 0.25, -1);
  // A small first slab, so the run crosses into a new one.
  const w = new ByteWriter(16);
  w.bytes("#\n");
  const end = w.lines(src, 2, ends, 2, 3, values, 1);
  assert.equal(end, 41);
  assert.equal(w.lines(src, 41, ends, 5, 0, values, 5), 41, "an empty run writes nothing");
  assert.equal(
    dec.decode(w.take()),
    '#\nh{le="1"} 7\nh{le="2.5"} 1.5e+07\nh{é="x",le="+Inf"} 0.25\n',
  );
});
