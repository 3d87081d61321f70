import assert from "node:assert/strict";
import { MAP_BEGIN, MAP_END, moduleMap, modulePaths, moduleSummary } from "./architecture_map.ts";

const ROOT = new URL("../", import.meta.url).pathname;

Deno.test("every module opens with a doc comment that says what it holds", () => {
  const bare = modulePaths().filter((p) =>
    moduleSummary(Deno.readTextFileSync(`${ROOT}${p}`)) === null
  );
  assert.deepEqual(bare, []);
});

Deno.test("ARCHITECTURE.md's module map lists the modules as they are", () => {
  const doc = Deno.readTextFileSync(`${ROOT}ARCHITECTURE.md`);
  const start = doc.indexOf(MAP_BEGIN);
  const end = doc.indexOf(MAP_END);
  assert.ok(start !== -1 && end > start, "ARCHITECTURE.md lacks the module-map markers");
  assert.equal(
    doc.slice(start + MAP_BEGIN.length, end).trim(),
    moduleMap(),
    "ARCHITECTURE.md's module map is stale: run `deno run --allow-read --allow-write tests/architecture_map.ts " +
      "--write`",
  );
});

Deno.test("a module summary is the first clause of the leading doc comment", () => {
  assert.equal(
    moduleSummary("/** Safe classes over libbpf: object, map. */\n"),
    "Safe classes over libbpf",
  );
  assert.equal(
    moduleSummary("/**\n * Label entries (`labels: [...]`) of a metric. More.\n */\nx"),
    "Label entries (`labels: [...]`) of a metric",
  );
  assert.equal(moduleSummary("// a line comment\n/** After a line. */"), "After a line");
  assert.equal(moduleSummary("const x = 1;\n/** Too late. */"), null);
});

Deno.test("a dot inside a word does not end the summary", () => {
  assert.equal(moduleSummary("/** The pci.ids database. More. */"), "The pci.ids database");
  assert.equal(
    moduleSummary("/** Format 0.0.4, as Go writes it */"),
    "Format 0.0.4, as Go writes it",
  );
});
