import assert from "node:assert/strict";
import { LogThrottle } from "../src/log_throttle.ts";

Deno.test("one message per key per interval, then the count held back", () => {
  let now = 0;
  const t = new LogThrottle(1000, () => now);
  assert.equal(t.pass("a", "bad record"), "bad record");
  assert.equal(t.pass("a", "bad record"), null);
  assert.equal(t.pass("a", "bad record"), null);
  // Another key is not held by the first one.
  assert.equal(t.pass("b", "other"), "other");
  now = 999;
  assert.equal(t.pass("a", "bad record"), null);
  now = 1000;
  assert.equal(t.pass("a", "bad record"), "bad record (and 3 more like it since the last report)");
  now = 5000;
  assert.equal(t.pass("a", "bad record"), "bad record");
});
