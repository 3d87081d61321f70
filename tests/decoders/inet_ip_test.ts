import assert from "node:assert/strict";
import { b, build, conf, decodeText } from "./helpers.ts";

const d = build(conf("inet_ip"));

Deno.test("inet_ip prints 4 bytes as a dotted quad", () => {
  assert.equal(decodeText(d, b(1, 2, 3, 4)), "1.2.3.4");
});

Deno.test("inet_ip prints 16 bytes as compressed IPv6", () => {
  const v6 = b(0x24, 0x00, 0xcb, 0x00, 0x00, 0x04, 0x10, 0x24, 0, 0, 0, 0, 0xa2, 0x9e, 0xfd, 0x8f);
  assert.equal(decodeText(d, v6), "2400:cb00:4:1024::a29e:fd8f");
  assert.equal(decodeText(d, b(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)), "::1");
  assert.equal(decodeText(d, new Uint8Array(16)), "::");
  // A single zero group is not compressed; the first of two equal runs is.
  assert.equal(
    decodeText(d, b(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1)),
    "2001:db8:0:1:1:1:1:1",
  );
  assert.equal(
    decodeText(d, b(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1)),
    "2001:db8::1:0:0:1",
  );
});

Deno.test("inet_ip prints IPv4-mapped IPv6 as a dotted quad", () => {
  assert.equal(
    decodeText(d, b(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1)),
    "192.0.2.1",
  );
});

Deno.test("inet_ip marks other lengths with a question mark", () => {
  assert.equal(decodeText(d, b()), "<nil>");
  assert.equal(decodeText(d, b(1, 2, 3)), "?010203");
});
