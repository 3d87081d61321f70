import assert from "node:assert/strict";
import type { DecodeState } from "../../src/decoders/types.ts";
import { DecodeError, DecoderConfigError } from "../../src/decoders/types.ts";
import { b, concat, conf, fakeContext, label, labelSet } from "./helpers.ts";

const ctx = fakeContext().ctx;

function padded(text: string, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(new TextEncoder().encode(text));
  return out;
}

const number4 = label("number", 4, [conf("uint")]);
const fruit32 = label("fruit", 32, [conf("string")]);
const bananaKey = concat(b(0x08, 0x00, 0x00, 0x00), padded("bananas", 32));

Deno.test("label set splits a key by label sizes", () => {
  const set = labelSet([number4, fruit32], ctx);
  assert.deepEqual(set.names, ["number", "fruit"]);
  assert.equal(set.keySize, 36);
  assert.deepEqual(set.decode(bananaKey), ["8", "bananas"]);
});

Deno.test("label set rejects keys whose size does not match the labels", () => {
  const set = labelSet([number4], ctx);
  assert.throws(() => set.decode(bananaKey), DecodeError);
  assert.throws(() => set.decode(bananaKey), /Cannot decode key: labels need 4 bytes, key has 36/);
});

Deno.test("label set skips padding bytes after a label", () => {
  const set = labelSet([label("number", 1, [conf("uint")], 3), fruit32], ctx);
  const key = concat(b(0x08, 0x01, 0x01, 0x01), padded("bananas", 32));
  assert.deepEqual(set.decode(key), ["8", "bananas"]);
});

Deno.test("label set returns null when a decoder skips the row", () => {
  const set = labelSet(
    [number4, label("fruit", 32, [conf("string"), conf("regexp", { regexps: ["^tomato$"] })])],
    ctx,
  );
  assert.equal(set.decode(bananaKey), null);
});

Deno.test("label set chains decoders, each taking the previous output", () => {
  const set = labelSet(
    [label("op", 4, [conf("uint"), conf("static_map", { static_map: { "8": "write" } })])],
    ctx,
  );
  assert.deepEqual(set.decode(b(8, 0, 0, 0)), ["write"]);
});

Deno.test("label set reports transient decoder output", () => {
  const { ctx: cg } = fakeContext({ dirs: { "/sys/fs/cgroup": [] } });
  const set = labelSet([label("cgroup", 8, [conf("uint"), conf("cgroup")])], cg);
  const state: DecodeState = { transient: false };
  assert.deepEqual(set.decode(b(9, 0, 0, 0, 0, 0, 0, 0), state), ["unknown_cgroup_id:9"]);
  assert.equal(state.transient, true);
});

Deno.test("label set without labels accepts a four-byte zero key only", () => {
  const set = labelSet([], ctx);
  assert.deepEqual(set.decode(b(0, 0, 0, 0)), []);
  assert.throws(() => set.decode(b(1, 0, 0, 0)), /labels need 0 bytes, key has 4/);
});

/** The one label value `string` decodes from `bytes`, and how many values were repaired. */
function repaired(bytes: number[]): [string, number] {
  const set = labelSet([label("raw", bytes.length, [conf("string")])], ctx);
  const state: DecodeState = { transient: false, repaired: 0 };
  const values = set.decode(Uint8Array.from(bytes), state);
  return [values![0]!, state.repaired!];
}

Deno.test("label set repairs invalid UTF-8 the WHATWG way and counts each value once", () => {
  // One U+FFFD per maximal invalid subpart (WHATWG "utf-8 decode", as TextDecoder does).
  assert.deepEqual(repaired([0xff, 0xfe, 0x41]), ["\uFFFD\uFFFDA", 1]);
  assert.deepEqual(repaired([0xff, 0xfe]), ["\uFFFD\uFFFD", 1]);
  // Overlong encodings of "/" and of NUL: every byte is invalid on its own.
  assert.deepEqual(repaired([0xc0, 0xaf]), ["\uFFFD\uFFFD", 1]);
  assert.deepEqual(repaired([0xe0, 0x80, 0xaf]), ["\uFFFD\uFFFD\uFFFD", 1]);
  assert.deepEqual(repaired([0xf0, 0x80, 0x80, 0xaf]), ["\uFFFD\uFFFD\uFFFD\uFFFD", 1]);
  // Truncated sequences: a valid prefix cut short is one U+FFFD.
  assert.deepEqual(repaired([0x61, 0xe2, 0x82]), ["a\uFFFD", 1]);
  assert.deepEqual(repaired([0xe2, 0x82, 0x41]), ["\uFFFDA", 1]);
  assert.deepEqual(repaired([0xf0, 0x9f, 0x98]), ["\uFFFD", 1]);
  // An encoded surrogate and a lone continuation byte.
  assert.deepEqual(repaired([0xed, 0xa0, 0x80]), ["\uFFFD\uFFFD\uFFFD", 1]);
  assert.deepEqual(repaired([0x80, 0x61]), ["\uFFFDa", 1]);
  // Valid multibyte text, a BOM and a literal U+FFFD are kept and not counted.
  assert.deepEqual(repaired([0x68, 0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80]), ["hé😀", 0]);
  assert.deepEqual(repaired([0xef, 0xbb, 0xbf, 0x61]), ["\uFEFFa", 0]);
  assert.deepEqual(repaired([0xef, 0xbf, 0xbd]), ["\uFFFD", 0]);
});

Deno.test("label set repairs only the bad value of a row, through any decoder chain", () => {
  const set = labelSet([
    label("comm", 4, [conf("string")]),
    label("name", 6, [conf("dname")]),
    label("fruit", 32, [conf("string")]),
  ], ctx);
  const key = concat(b(0xff, 0xfe, 0x41, 0), b(2, 0x61, 0xc0, 1, 0x62, 0), padded("bananas", 32));
  const state: DecodeState = { transient: false, repaired: 0 };
  assert.deepEqual(set.decode(key, state), ["\uFFFD\uFFFDA", "a\uFFFD.b.", "bananas"]);
  assert.equal(state.repaired, 2);
  // Without a state to count in, the value is still repaired.
  assert.deepEqual(set.decode(key), ["\uFFFD\uFFFDA", "a\uFFFD.b.", "bananas"]);
});

Deno.test("label set names the label whose decoder failed", () => {
  const set = labelSet([label("weird", 3, [conf("uint")])], ctx);
  assert.throws(() => set.decode(b(1, 2, 3)), /Cannot decode label "weird": .*length 3/);
});

Deno.test("label set validates sizes and decoders at construction", () => {
  assert.throws(
    () => labelSet([label("x", 0, [conf("uint")])], ctx),
    /Cannot use label "x" at test\.yaml:5 .*: size is zero or not set/,
  );
  assert.throws(() => labelSet([label("x", 4, [])], ctx), /no decoders set/);
  assert.throws(
    () => labelSet([label("x", 4, [conf("nope")])], ctx),
    DecoderConfigError,
  );
});
