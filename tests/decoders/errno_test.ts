import assert from "node:assert/strict";
import { DecodeError } from "../../src/decoders/types.ts";
import { ERRNO_NAMES } from "../../src/decoders/tables/errno.ts";
import { build, conf, decodeText } from "./helpers.ts";

const d = build(conf("errno"));

Deno.test("errno names known numbers", () => {
  assert.equal(decodeText(d, "1"), "EPERM");
  assert.equal(decodeText(d, "32"), "EPIPE");
  assert.equal(decodeText(d, "104"), "ECONNRESET");
});

Deno.test("errno marks zero and unknown numbers", () => {
  assert.equal(decodeText(d, "0"), "unknown:0");
  assert.equal(decodeText(d, "1000"), "unknown:1000");
  assert.equal(decodeText(d, "18446744073709551615"), "unknown:18446744073709551615");
});

Deno.test("errno rejects input that is not a decimal number", () => {
  assert.throws(() => d.decode(new TextEncoder().encode("x1")), DecodeError);
  assert.throws(() => d.decode(new Uint8Array()), /"" with errno: not an unsigned decimal number/);
});

Deno.test("errno table keeps one name per number, skipping aliases", () => {
  assert.equal(ERRNO_NAMES.get(11), "EAGAIN");
  assert.equal(ERRNO_NAMES.get(35), "EDEADLK");
  assert.equal(ERRNO_NAMES.get(95), "EOPNOTSUPP");
  assert.equal(ERRNO_NAMES.get(133), "EHWPOISON");
  assert.ok(![...ERRNO_NAMES.values()].includes("EWOULDBLOCK"));
});
