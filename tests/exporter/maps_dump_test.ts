import assert from "node:assert/strict";
import { formatMapsJson, formatMapsText } from "../../src/exporter/maps_dump.ts";

const maps = [
  {
    config: "biolatency",
    map: "ops",
    error: null,
    rows: [
      { key: new Uint8Array([1, 0, 0, 0]), labels: ["read"], value: 42 },
      { key: new Uint8Array([0xff]), labels: null, value: 1 },
    ],
  },
  { config: "biolatency", map: "broken", error: "Cannot read map", rows: [] },
];

Deno.test("the text dump follows upstream's layout with Go byte-slice keys", () => {
  assert.equal(
    formatMapsText(maps),
    [
      "## Config: biolatency",
      "",
      "### Map: ops",
      "",
      "```",
      "[]byte{0x1, 0x0, 0x0, 0x0} (labels: [read]) -> 42",
      "[]byte{0xff} (labels: skipped) -> 1",
      "```",
      "",
      "### Map: broken",
      "",
      "```",
      "error: Cannot read map",
      "```",
      "",
      "",
    ].join("\n"),
  );
});

Deno.test("the JSON dump gives hex keys, labels and values", () => {
  const parsed = JSON.parse(formatMapsJson(maps));
  assert.deepEqual(parsed[0].rows[0], { key: "01000000", labels: ["read"], value: 42 });
  assert.equal(parsed[1].error, "Cannot read map");
});
