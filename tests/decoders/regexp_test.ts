import assert from "node:assert/strict";
import { DecoderConfigError, type DecodeState } from "../../src/decoders/types.ts";
import { utf8 } from "../../src/decoders/text.ts";
import { b, build, conf, decodeText } from "./helpers.ts";

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
    /invalid pattern "\(unclosed": error parsing regexp: missing closing \)/,
  );
  assert.throws(
    () => build(conf("regexp", { regexps: ["(?<=a)b"] })),
    /invalid pattern "\(\?<=a\)b": .*\(RE2 has no lookahead, lookbehind or backreferences\)/,
  );
});

Deno.test("regexp matches RE2 anchors and flags, not their JS look-alikes", () => {
  const d = build(conf("regexp", { regexps: ["\\Asystem\\.slice\\z", "(?i)^(docker)"] }));
  assert.equal(decodeText(d, "system.slice"), "system.slice");
  assert.equal(decodeText(d, "Asystem.slicez"), null);
  assert.equal(decodeText(d, "DOCKER-abc.scope"), "DOCKER");
});

Deno.test("regexp matches invalid UTF-8 as repaired text and counts the repair", () => {
  const d = build(conf("regexp", { regexps: ["^(.*)A$"] }));
  const state: DecodeState = { transient: false };
  const out = d.decode(b(0xff, 0xfe, 0x41), state);
  assert.deepEqual(out, utf8("\uFFFD\uFFFD"));
  assert.equal(state.repaired, 1);
  const valid: DecodeState = { transient: false };
  assert.deepEqual(d.decode(utf8("héA"), valid), utf8("hé"));
  assert.equal(valid.repaired, undefined);
});

Deno.test("regexp over a pathological pattern answers a long input", () => {
  const d = build(conf("regexp", { regexps: ["^(([a-z_]|[a-z_])+)+X$", "^(([a-z_])+)+$"] }));
  const input = "a".repeat(4096);
  assert.equal(decodeText(d, input), input);
  assert.equal(decodeText(d, input + "!"), null);
});
