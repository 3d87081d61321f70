/**
 * The config loader's public contract (`parseConfig`): any mutation of an example config either
 * parses or throws ConfigError, never anything else.
 */

import fc from "fast-check";
import { ConfigError } from "../../src/config/errors.ts";
import { parseConfig } from "../../src/config/parse.ts";
import { exampleNames, EXAMPLES } from "../e2e/pipeline.ts";
import { check } from "./runs.ts";

const sources = exampleNames().map((name) => ({
  name,
  text: Deno.readTextFileSync(`${EXAMPLES}${name}.yaml`),
}));

// Snippets that are meaningful to YAML or to the config schema.
const snippet = fc.oneof(
  fc.constantFrom(
    ":",
    "- ",
    "  ",
    "\n",
    "#",
    "&a ",
    "*a",
    "!!int ",
    "!!binary ",
    "{",
    "}",
    "[",
    "]",
    "'",
    '"',
    "|",
    ">",
    "~",
    "null",
    "-1",
    "0x10",
    "1e400",
    "99999999999999999999",
    "NaN",
    ".inf",
    "size: 0",
    "decoders: []",
    "labels:",
    "bucket_type: fixed",
    "bucket_keys: [3, 1]",
    "name: x",
    "<<: *a",
    "\t",
    "\u0000",
    "\ufeff",
  ),
  fc.string({ unit: "binary", maxLength: 8 }),
);

type Mutation =
  | { kind: "insert"; at: number; text: string }
  | { kind: "delete"; at: number; length: number }
  | { kind: "duplicate"; line: number }
  | { kind: "swap"; a: number; b: number }
  | { kind: "indent"; line: number; by: number };

const position = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("insert" as const), at: position, text: snippet }),
  fc.record({
    kind: fc.constant("delete" as const),
    at: position,
    length: fc.integer({ min: 1, max: 40 }),
  }),
  fc.record({ kind: fc.constant("duplicate" as const), line: position }),
  fc.record({ kind: fc.constant("swap" as const), a: position, b: position }),
  fc.record({
    kind: fc.constant("indent" as const),
    line: position,
    by: fc.integer({ min: -4, max: 4 }),
  }),
);

function apply(text: string, m: Mutation): string {
  const lines = text.split("\n");
  const at = (p: number, n: number) => Math.floor(p * n);
  switch (m.kind) {
    case "insert": {
      const i = at(m.at, text.length + 1);
      return text.slice(0, i) + m.text + text.slice(i);
    }
    case "delete": {
      const i = at(m.at, text.length);
      return text.slice(0, i) + text.slice(i + m.length);
    }
    case "duplicate": {
      const i = at(m.line, lines.length);
      lines.splice(i, 0, lines[i]!);
      return lines.join("\n");
    }
    case "swap": {
      const [a, b] = [at(m.a, lines.length), at(m.b, lines.length)];
      [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      return lines.join("\n");
    }
    case "indent": {
      const i = at(m.line, lines.length);
      const line = lines[i]!;
      lines[i] = m.by >= 0
        ? " ".repeat(m.by) + line
        : line.slice(Math.min(-m.by, line.search(/\S|$/)));
      return lines.join("\n");
    }
  }
}

Deno.test("mutated example configs parse or throw ConfigError", () => {
  check(
    fc.property(
      fc.constantFrom(...sources),
      fc.array(mutation, { minLength: 1, maxLength: 5 }),
      (src, mutations) => {
        const text = mutations.reduce(apply, src.text);
        try {
          parseConfig({ name: src.name, file: `${src.name}.yaml`, objectPath: "", text });
        } catch (e) {
          if (!(e instanceof ConfigError)) throw e;
        }
      },
    ),
    1000,
  );
});
