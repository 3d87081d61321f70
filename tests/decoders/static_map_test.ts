import assert from "node:assert/strict";
import { DecoderConfigError } from "../../src/decoders/types.ts";
import { build, conf, decodeText } from "./helpers.ts";

const map = { "1": "read", "2": "write" };

Deno.test("static_map maps known inputs", () => {
  const d = build(conf("static_map", { static_map: map }));
  assert.equal(decodeText(d, "1"), "read");
  assert.equal(decodeText(d, "2"), "write");
});

Deno.test("static_map marks unknown inputs unless allow_unknown is set", () => {
  assert.equal(decodeText(build(conf("static_map", { static_map: map })), "3"), "unknown:3");
  const lenient = build(conf("static_map", { static_map: map, allow_unknown: true }));
  assert.equal(decodeText(lenient, "3"), "3");
});

Deno.test("static_map compares keys byte for byte", () => {
  const d = build(conf("static_map", { static_map: { "0x10": "hex", "é": "accent" } }));
  assert.equal(decodeText(d, "16"), "unknown:16");
  assert.equal(decodeText(d, "é"), "accent");
});

Deno.test("static_map without a map is a config error", () => {
  assert.throws(() => build(conf("static_map")), DecoderConfigError);
  assert.throws(
    () => build(conf("static_map")),
    /^DecoderConfigError: Cannot use decoder "static_map" at test\.yaml:7 .*: no static_map defined/,
  );
});
