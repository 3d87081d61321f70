import assert from "node:assert/strict";
import { DECODER_NAMES } from "../src/config/decoder_names.ts";
import { exampleNames, examplesTable } from "./examples_table.ts";

const ROOT = new URL("../", import.meta.url).pathname;
/** Attach types the examples must show between them (issue: every type an operator meets). */
const ATTACH_TYPES = [
  "fentry",
  "fexit",
  "kprobe",
  "kretprobe",
  "perf_event",
  "raw_tp",
  "tp_btf",
  "tracepoint",
  "uprobe",
  "usdt",
  "xdp",
];

Deno.test("the README's examples table matches the examples' programs and configs", () => {
  const readme = Deno.readTextFileSync(`${ROOT}README.md`);
  assert.ok(
    readme.includes(examplesTable()),
    "README.md's examples table is stale: paste the output of " +
      "`deno run --allow-read --allow-env tests/examples_table.ts`",
  );
});

Deno.test("every example has a section in examples/README.md", () => {
  const doc = Deno.readTextFileSync(`${ROOT}examples/README.md`);
  const sections = new Set([...doc.matchAll(/^## (\S+)$/gm)].map((m) => m[1]));
  assert.deepEqual(exampleNames().filter((n) => !sections.has(n)), []);
});

Deno.test("the examples use every attach type and every decoder between them", () => {
  const table = examplesTable();
  const used = new Set([...table.matchAll(/`([a-z_.0-9]+)`/g)].map((m) => m[1]));
  assert.deepEqual(ATTACH_TYPES.filter((t) => !used.has(t)), []);
  assert.deepEqual(DECODER_NAMES.filter((d) => !used.has(d)), []);
});
