import assert from "node:assert/strict";
import { DecoderConfigError } from "../../src/decoders/types.ts";
import { build, conf, decodeText } from "./helpers.ts";

Deno.test("regexp passes inputs matching any pattern and skips the rest", () => {
  const d = build(conf("regexp", { regexps: ["^systemd-journal$", "^syslog-ng$"] }));
  assert.equal(decodeText(d, "systemd-journal"), "systemd-journal");
  assert.equal(decodeText(d, "syslog-ng"), "syslog-ng");
  assert.equal(decodeText(d, "systemd-bananad"), null);
});

Deno.test("regexp with one group returns the group", () => {
  const d = build(conf("regexp", { regexps: ["^(systemd).*$", "^syslog-ng$"] }));
  assert.equal(decodeText(d, "systemd-bananad"), "systemd");
  assert.equal(decodeText(d, "syslog-ng"), "syslog-ng");
});

Deno.test("regexp without groups returns the matched text", () => {
  const d = build(conf("regexp", { regexps: ["kswapd", "^systemd"] }));
  assert.equal(decodeText(d, "kswapd0"), "kswapd");
  assert.equal(decodeText(d, "systemd-udevd"), "systemd");
});

Deno.test("regexp with two groups uses the first one (unlike upstream)", () => {
  const d = build(conf("regexp", { regexps: ["^(kworker)/(\\d+)"] }));
  assert.equal(decodeText(d, "kworker/3:1"), "kworker");
});

Deno.test("regexp gives an empty value for a group that did not take part", () => {
  const d = build(conf("regexp", { regexps: ["^(?:(x)|y)"] }));
  assert.equal(decodeText(d, "y"), "");
});

Deno.test("regexp uses the first matching pattern in order", () => {
  const d = build(conf("regexp", { regexps: ["^(ab)", "^(a)"] }));
  assert.equal(decodeText(d, "abc"), "ab");
  assert.equal(decodeText(d, "axe"), "a");
});

Deno.test("regexp understands RE2 named groups and case folding", () => {
  const d = build(conf("regexp", { regexps: ["(?i)^(?P<unit>[a-z]+)\\.service$"] }));
  assert.equal(decodeText(d, "SSHD.service"), "SSHD");
});

Deno.test("regexp without patterns is a config error", () => {
  assert.throws(() => build(conf("regexp")), /no regexps defined in config/);
  assert.throws(() => build(conf("regexp", { regexps: [] })), DecoderConfigError);
});

Deno.test("regexp with an invalid pattern is a config error naming it", () => {
  assert.throws(
    () => build(conf("regexp", { regexps: ["ok", "(unclosed"] })),
    /invalid pattern "\(unclosed": missing closing \)/,
  );
  assert.throws(
    () => build(conf("regexp", { regexps: ["(?<=a)b"] })),
    /invalid pattern "\(\?<=a\)b": lookahead and lookbehind assertions are not supported by RE2/,
  );
});
