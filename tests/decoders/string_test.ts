import assert from "node:assert/strict";
import { build, conf, decodeText } from "./helpers.ts";

Deno.test("string keeps input without a NUL unchanged", () => {
  assert.equal(decodeText(build(conf("string")), "regular string"), "regular string");
});

Deno.test("string cuts at the first NUL", () => {
  const d = build(conf("string"));
  assert.equal(
    decodeText(d, "null terminated string\0bananas after null"),
    "null terminated string",
  );
  assert.equal(decodeText(d, "\0\0\0"), "");
});
