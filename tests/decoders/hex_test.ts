import assert from "node:assert/strict";
import { b, build, conf, decodeText } from "./helpers.ts";

Deno.test("hex prints every byte as two lowercase digits", () => {
  const d = build(conf("hex"));
  assert.equal(decodeText(d, b(0x01)), "01");
  assert.equal(decodeText(d, b(0x01, 0x02)), "0102");
  assert.equal(decodeText(d, b(0xde, 0xad, 0xbe, 0xef)), "deadbeef");
  assert.equal(decodeText(d, b()), "");
});
