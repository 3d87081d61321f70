import assert from "node:assert/strict";
import { parseDecimal, toSafeNumber } from "../../src/decoders/numeric.ts";
import { DecodeError } from "../../src/decoders/types.ts";

const text = (s: string) => new TextEncoder().encode(s);

Deno.test("numeric parses decimal text of any size", () => {
  assert.equal(parseDecimal(text("0"), "t"), 0n);
  assert.equal(parseDecimal(text("007"), "t"), 7n);
  assert.equal(parseDecimal(text("18446744073709551615"), "t"), 18446744073709551615n);
  assert.equal(toSafeNumber(42n), 42);
  assert.equal(toSafeNumber(2n ** 60n), null);
});

Deno.test("numeric rejects anything but digits, naming the decoder", () => {
  for (const bad of ["", "-1", "+1", "1.5", " 1", "0x10"]) {
    assert.throws(() => parseDecimal(text(bad), "errno"), DecodeError, bad);
  }
  assert.throws(() => parseDecimal(text("x"), "errno"), /Cannot decode "x" with errno/);
});
