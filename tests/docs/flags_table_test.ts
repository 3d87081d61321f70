/**
 * README.md's flags table against `--help`, both ways: every flag --help prints has a row, every
 * row is a flag --help prints, and the defaults agree.
 */

import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url).pathname;

interface FlagRow {
  names: string[];
  default: string;
}

/** Rows of the table under `## Flags`: flag names (a row may hold `--help`, `-h`) → default. */
function readmeFlags(): Map<string, FlagRow> {
  const text = Deno.readTextFileSync(`${ROOT}README.md`);
  const start = text.indexOf("\n## Flags\n");
  assert.ok(start >= 0, "README.md has no ## Flags section");
  const section = text.slice(start, text.indexOf("\n## ", start + 1));
  const rows = new Map<string, FlagRow>();
  for (const line of section.split("\n")) {
    const cells = line.split(" | ").map((c) => c.replace(/^\| ?| ?\|$/g, "").trim());
    const names = [...(cells[0] ?? "").matchAll(/`(--?[a-z][a-z0-9.-]*)`/g)].map((m) => m[1]!);
    if (names.length === 0) continue;
    const row = { names, default: (cells[1] ?? "").replaceAll("`", "") };
    for (const n of names) rows.set(n, row);
  }
  return rows;
}

/** Flags of `--help`: `--name` (and `-h`) → default, `false` for booleans, "" when none. */
async function helpFlags(): Promise<Map<string, string>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-P=exporter", `${ROOT}main.ts`, "--help"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0);
  const flags = new Map<string, string>();
  for (const line of new TextDecoder().decode(out.stdout).split("\n")) {
    const m = /^\s+(?:(-[a-z]), )?--(\[no-\])?([a-z][a-z0-9.-]*)(=\S+)?\s+(.*)$/.exec(line);
    if (m === null) continue;
    // A value (`:9435`, `5s`); a described default ("the bundled examples") is prose, not one.
    const def = /\(default: (\S+)\)$/.exec(m[5]!)?.[1];
    const value = m[2] !== undefined ? "false" : def ?? "";
    flags.set(`--${m[3]}`, value);
    if (m[1] !== undefined) flags.set(m[1], value);
  }
  return flags;
}

Deno.test("the README flags table and --help list the same flags with the same defaults", async () => {
  const table = readmeFlags();
  const help = await helpFlags();
  assert.ok(help.size >= 15, `only ${help.size} flags in --help`);
  const notInTable = [...help.keys()].filter((f) => !table.has(f));
  const notInHelp = [...table.keys()].filter((f) => !help.has(f));
  assert.deepEqual(notInTable, [], "flags --help prints that README.md's table lacks");
  assert.deepEqual(notInHelp, [], "flags README.md's table lists that --help does not print");
  for (const [flag, def] of help) {
    // A default --help prints must be the table's; flags without one may explain theirs.
    if (def !== "") assert.equal(table.get(flag)!.default, def, `default of ${flag}`);
  }
});
