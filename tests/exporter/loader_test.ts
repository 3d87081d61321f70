import assert from "node:assert/strict";
import type { LabelConfig } from "../../src/config/types.ts";
import { expectedKeySize } from "../../src/exporter/loader.ts";

function label(name: string, size: number, padding = 0): LabelConfig {
  return { name, size, padding, decoders: [], pos: { file: "t.yaml", line: 1, key: name } };
}

Deno.test("key size is the sum of label sizes and paddings", () => {
  assert.equal(expectedKeySize([label("a", 4), label("b", 1, 3), label("c", 8)], false), 16);
});

Deno.test("a metric without labels reads a one-slot array's 4-byte key", () => {
  assert.equal(expectedKeySize([], false), 4);
  assert.equal(expectedKeySize([], true), 4);
});

Deno.test("a trailing cpu label on a per-CPU map is not part of the map key", () => {
  assert.equal(expectedKeySize([label("vector", 4), label("cpu", 2)], true), 4);
  assert.equal(expectedKeySize([label("vector", 4), label("cpu", 2)], false), 6);
});

Deno.test("a lone cpu label on a per-CPU map sits on a u32 key", () => {
  assert.equal(expectedKeySize([label("cpu", 2)], true), 4);
});
