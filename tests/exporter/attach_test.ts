import assert from "node:assert/strict";
import { parsePerfEventSection } from "../../src/exporter/attach.ts";

Deno.test("perf_event sections parse type, config and frequency", () => {
  assert.deepEqual(parsePerfEventSection("type=1,config=0,frequency=99"), {
    type: 1,
    config: 0n,
    frequency: 99,
    period: 0n,
  });
  assert.deepEqual(parsePerfEventSection("type=0,config=3,period=100000"), {
    type: 0,
    config: 3n,
    frequency: 0,
    period: 100000n,
  });
});

Deno.test("perf_event configs keep full 64-bit precision", () => {
  assert.equal(parsePerfEventSection("config=18446744073709551615").config, 2n ** 64n - 1n);
});

Deno.test("perf_event sections reject unknown keys, missing values and non-decimal numbers", () => {
  assert.throws(() => parsePerfEventSection("type=1,bogus=2"), /Unknown perf_event item "bogus=2"/);
  assert.throws(() => parsePerfEventSection("type"), /Invalid perf_event item "type"/);
  assert.throws(() => parsePerfEventSection("type=0x1"), /decimal integer/);
});
