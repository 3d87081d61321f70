import assert from "node:assert/strict";
import { DecodeError } from "../../src/decoders/types.ts";
import { b, build, conf, decodeText } from "./helpers.ts";

Deno.test("uint decodes 1, 2, 4 and 8-byte little-endian integers", () => {
  const d = build(conf("uint"));
  assert.equal(decodeText(d, b(0x01)), "1");
  assert.equal(decodeText(d, b(0x02, 0x00)), "2");
  assert.equal(decodeText(d, b(0x04, 0x00, 0x00, 0x00)), "4");
  assert.equal(decodeText(d, b(0x08, 0, 0, 0, 0, 0, 0, 0)), "8");
  assert.equal(
    decodeText(d, b(0x00, 0xb6, 0xc2, 0x5b, 0x85, 0xff, 0xff, 0xff)),
    "18446743546968061440",
  );
  assert.equal(
    decodeText(d, b(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)),
    "18446744073709551615",
  );
});

Deno.test("uint rejects other lengths with a decode error", () => {
  const d = build(conf("uint"));
  assert.throws(() => d.decode(b(1, 2, 3)), DecodeError);
  assert.throws(() => d.decode(b()), /unknown value length 0/);
});
