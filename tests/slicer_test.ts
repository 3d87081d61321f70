import assert from "node:assert/strict";
import { Slicer } from "../src/slicer.ts";

Deno.test("a used-up slice gives way to timers queued before it", async () => {
  const slicer = new Slicer(0);
  let ran = false;
  setTimeout(() => ran = true, 0);
  await slicer.maybeYield();
  assert.equal(ran, true);
  assert.equal(slicer.yields, 1);
});

Deno.test("a slice with budget left does not give way", async () => {
  const slicer = new Slicer(60_000);
  for (let i = 0; i < 100; i++) await slicer.maybeYield();
  assert.equal(slicer.yields, 0);
});
