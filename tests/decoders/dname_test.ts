import assert from "node:assert/strict";
import { build, conf, decodeText } from "./helpers.ts";

const d = build(conf("dname"));

Deno.test("dname turns wire-format labels into a dotted name", () => {
  assert.equal(decodeText(d, ""), ".");
  assert.equal(decodeText(d, "\x03com"), "com");
  assert.equal(decodeText(d, "\x07example\x03com"), "example.com");
  assert.equal(decodeText(d, "\x03com\x00"), "com.");
});

Deno.test("dname returns input unchanged when a length overruns it", () => {
  assert.equal(decodeText(d, "\x05com"), "\x05com");
});
