import assert from "node:assert/strict";
import { parseDuration } from "../../src/config/duration.ts";

const S = 1_000_000_000n;

const VALID: Array<[string, bigint]> = [
  ["0", 0n],
  ["-0", 0n],
  ["30s", 30n * S],
  ["1h5m", 3900n * S],
  ["1.5h", 5400n * S],
  ["300ms", 300_000_000n],
  ["2us", 2_000n],
  ["2\u00b5s", 2_000n],
  ["2\u03bcs", 2_000n],
  ["10ns", 10n],
  ["+5s", 5n * S],
  ["-1.5h", -5400n * S],
  [".5s", 500_000_000n],
  ["1.s", S],
  ["1h2m3s4ms5us6ns", 3723n * S + 4_005_006n],
  ["1.0000000001s", S],
  ["0.3ms", 300_000n],
  ["9223372036854775807ns", 9223372036854775807n],
  ["-9223372036854775808ns", -9223372036854775808n],
];

for (const [text, ns] of VALID) {
  Deno.test(`duration ${JSON.stringify(text)} is ${ns} nanoseconds`, () => {
    assert.equal(parseDuration(text), ns);
  });
}

const INVALID: Array<[string, RegExp]> = [
  ["", /^Invalid duration ""$/],
  ["-", /^Invalid duration "-"$/],
  ["1", /^Missing unit in duration "1"$/],
  ["1h5", /^Missing unit in duration "1h5"$/],
  ["1.2.3s", /^Missing unit in duration "1.2.3s"$/],
  ["1d", /^Unknown unit "d" in duration "1d"$/],
  ["1h 5m", /^Unknown unit "h " in duration "1h 5m"$/],
  ["s", /^Invalid duration "s"$/],
  [".s", /^Invalid duration ".s"$/],
  ["1h-5m", /^Unknown unit "h-" in duration "1h-5m"$/],
];

for (const [text, message] of INVALID) {
  Deno.test(`duration ${JSON.stringify(text)} is rejected`, () => {
    assert.throws(() => parseDuration(text), { name: "SyntaxError", message });
  });
}

Deno.test("durations beyond Go's int64 nanoseconds are out of range", () => {
  assert.throws(() => parseDuration("9223372036854775808ns"), RangeError);
  assert.throws(() => parseDuration("2562048h"), {
    name: "RangeError",
    message: 'Duration "2562048h" is out of range',
  });
});
