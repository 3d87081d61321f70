/**
 * Runs every case of the bad-input corpus (tests/fixtures/bad/) through `--config.check` as a
 * subprocess of main.ts: each must exit 1 with its exact message as the last line of stderr,
 * and none may quote the file outside the config dir that symlink cases point at. Nothing here
 * loads into the kernel.
 */

import assert from "node:assert/strict";
import { permissionFlags } from "../../src/permissions.ts";
import {
  type Case,
  expectedLine,
  lastLine,
  materialize,
  OUTSIDE_SECRET,
  readCorpus,
} from "./bad_corpus.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const PERMS = permissionFlags("exporter");
// A case that hangs (a FIFO read, an alias bomb) fails here instead of stalling the suite.
const HANG_BOUND_MS = 60_000;
const PARALLEL = 3;
const dec = new TextDecoder();

interface Outcome {
  code: number;
  stderr: string;
  dir: string;
}

async function runCase(c: Case, tmp: string): Promise<Outcome> {
  const dir = await materialize(c, tmp);
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      ...PERMS,
      `${ROOT}main.ts`,
      "--log.no-timestamps",
      "--config.dir",
      dir,
      "--config.names",
      c.names,
      ...(c.args ?? []),
      "--config.check",
    ],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
    signal: AbortSignal.timeout(HANG_BOUND_MS),
  }).output();
  return { code: out.code, stderr: dec.decode(out.stdout) + dec.decode(out.stderr), dir };
}

/** Runs `cases` with at most PARALLEL at once, keeping their order. */
async function runAll(cases: Case[], tmp: string): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      outcomes[i] = await runCase(cases[i]!, tmp);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return outcomes;
}

const cases = readCorpus();

Deno.test("the bad-input corpus has at least 60 cases in every category", () => {
  assert.ok(cases.length >= 60, `only ${cases.length} cases`);
  const categories = new Set(cases.map((c) => c.category));
  for (
    const want of ["yaml", "names", "keys", "metric-names", "label-sizes", "decoders"]
      .concat(["histograms", "objects", "cross"])
  ) {
    assert.ok(categories.has(want), `no cases in category ${want}`);
  }
});

Deno.test("every bad-input case fails --config.check with its message", async (t) => {
  const tmp = await Deno.makeTempDir({ prefix: "ebpf-exporter-corpus-" });
  try {
    const outcomes = await runAll(cases, tmp);
    for (const [i, c] of cases.entries()) {
      await t.step(`${c.category}/${c.name}: ${c.what}`, () => {
        const o = outcomes[i]!;
        assert.equal(o.code, 1, o.stderr);
        assert.equal(lastLine(o.stderr), expectedLine(c, o.dir));
        assert.ok(!o.stderr.includes(OUTSIDE_SECRET.trim()), "quotes the file outside");
        assert.doesNotMatch(o.stderr, /Config check successful|Listening on/);
      });
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
