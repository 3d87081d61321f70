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

Deno.test("label set rejects values that are not valid UTF-8", () => {
  const set = labelSet([label("raw", 2, [conf("string")])], ctx);
  assert.throws(() => set.decode(b(0xff, 0xfe)), /label "raw": value is not valid UTF-8/);
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
