import assert from "node:assert/strict";
import { compileRe2, groupCount, Re2SyntaxError, translateRe2 } from "../src/re2.ts";

function matches(pattern: string, input: string): string | null {
  return compileRe2(pattern).exec(input)?.[0] ?? null;
}

Deno.test("re2 translates Python-style named groups", () => {
  assert.equal(translateRe2("(?P<name>a+)").source, "(?<name>a+)");
  assert.equal(compileRe2("(?P<x>b)").exec("abc")?.groups?.x, "b");
  assert.equal(translateRe2("(?<y>a)").source, "(?<y>a)");
});

Deno.test("re2 turns leading flag groups into flags", () => {
  assert.deepEqual(translateRe2("(?i)abc"), { source: "abc", flags: "iu" });
  assert.equal(matches("(?i)^abc$", "ABC"), "ABC");
  assert.equal(matches("(?s)a.b", "a\nb"), "a\nb");
  assert.equal(matches("a.b", "a\nb"), null);
  assert.equal(matches("(?m)^b$", "a\nb\nc"), "b");
  assert.equal(matches("(?is)^A.B$", "a\nb"), "a\nb");
});

Deno.test("re2 keeps scoped flag groups", () => {
  assert.equal(matches("a(?i:b)c", "aBc"), "aBc");
  assert.equal(matches("a(?i:b)c", "aBC"), null);
  assert.equal(matches("(?s:.)", "\n"), "\n");
});

Deno.test("re2 dot excludes only newline", () => {
  assert.equal(matches("a.b", "a\rb"), "a\rb");
  assert.equal(matches("^.$", "😀"), "😀");
});

Deno.test("re2 multi-line anchors break only at newline", () => {
  assert.equal(matches("(?m)^b$", "a\rb"), null);
});

Deno.test("re2 translates RE2-only escapes", () => {
  assert.equal(matches("\\Aab\\z", "ab"), "ab");
  assert.equal(matches("\\Aab\\z", "ab\n"), null);
  assert.equal(matches("\\Qa.b\\E", "axb"), null);
  assert.equal(matches("\\Qa.b\\E", "a.b"), "a.b");
  assert.equal(matches("\\x{41}\\x42", "AB"), "AB");
  assert.equal(matches("\\101", "A"), "A");
  assert.equal(matches("\\a", "\x07"), "\x07");
  assert.equal(matches("\\-\\#\\:", "-#:"), "-#:");
  assert.equal(matches("\\pL+", "héllo1"), "héllo");
  assert.equal(matches("\\p{Greek}+", "abγδ"), "γδ");
  assert.equal(matches("\\P{L}+", "ab12"), "12");
});

Deno.test("re2 whitespace class is ASCII only", () => {
  assert.equal(matches("\\s", "\v"), null);
  assert.equal(matches("\\s", "\u00a0"), null);
  assert.equal(matches("[\\s]", "\t"), "\t");
  assert.equal(matches("\\S+", "ab c"), "ab");
  assert.equal(matches("[\\S]+", "ab c"), "ab");
});

Deno.test("re2 character classes accept POSIX names and a leading bracket", () => {
  assert.equal(matches("[[:alpha:]]+", "abc123"), "abc");
  assert.equal(matches("[[:digit:][:upper:]]+", "A1b"), "A1");
  assert.equal(matches("[]a]+", "]a]b"), "]a]");
  assert.equal(matches("[^]a]+", "]bc"), "bc");
});

Deno.test("re2 treats braces that are not repetitions as literals", () => {
  assert.equal(matches("a{2}", "aaa"), "aa");
  assert.equal(matches("a{,3}", "a{,3}"), "a{,3}");
  assert.equal(matches("x{y}", "x{y}"), "x{y}");
});

Deno.test("re2 rejects constructs RE2 does not support", () => {
  const cases: Array<[string, RegExp]> = [
    ["(?=a)", /lookahead and lookbehind/],
    ["(?!a)", /lookahead and lookbehind/],
    ["(?<=a)b", /lookahead and lookbehind/],
    ["(?<!a)b", /lookahead and lookbehind/],
    ["(a)\\1", /backreferences/],
    ["(?P<n>a)(?P=n)", /backreferences/],
    ["a\\C", /any byte/],
    ["a\\Z", /not supported by RE2/],
    ["(?U)a+", /ungreedy/],
    ["a(?i)b", /only supported at the start/],
    ["a{1001}", /repetition count too large/],
    ["\\q", /invalid escape/],
    ["[[:^alpha:]]", /negated POSIX class/],
    ["a**", /Nothing to repeat/],
    ["(a", /missing closing \)/],
    ["a)", /unexpected \)/],
    ["[a", /missing closing \]/],
  ];
  for (const [pattern, message] of cases) {
    assert.throws(() => compileRe2(pattern), Re2SyntaxError, pattern);
    assert.throws(() => compileRe2(pattern), message, pattern);
  }
});

Deno.test("re2 counts capture groups", () => {
  assert.equal(groupCount(compileRe2("abc")), 0);
  assert.equal(groupCount(compileRe2("(?:a)(b)")), 1);
  assert.equal(groupCount(compileRe2("(?P<x>a)(b)")), 2);
  assert.equal(groupCount(compileRe2("[(]")), 0);
});
