import assert from "node:assert/strict";
import { parseCpuList } from "../../ffi/perf.ts";

Deno.test("kernel CPU lists expand ranges and singles", () => {
  assert.deepEqual(parseCpuList("0-1\n"), [0, 1]);
  assert.deepEqual(parseCpuList("0,2-4,7"), [0, 2, 3, 4, 7]);
  assert.deepEqual(parseCpuList("5"), [5]);
});

Deno.test("malformed CPU lists are rejected", () => {
  assert.throws(() => parseCpuList("3-1"), SyntaxError);
  assert.throws(() => parseCpuList("a"), SyntaxError);
});
