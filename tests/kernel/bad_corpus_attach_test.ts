/**
 * The bad-input corpus cases marked `"attach": true` through `--config.check-attach`: the same
 * exit code and message line as `--config.check` (tests/app/bad_corpus_test.ts), and no program of
 * the fixture objects left loaded, including one an earlier good config had loaded.
 */

import assert from "node:assert/strict";
import { kernelTest, loadedProgramIds, runExporter, waitNewProgramsGone } from "./harness.ts";
import { expectedLine, materialize, readCorpus } from "../app/bad_corpus.ts";

// Program names of tests/fixtures/bpf/*.bpf.c as bpftool shows them (cut to 15 characters).
const FIXTURE_PROGRAMS = ["badmaps_fixture", "maptypes_fixtur"];

const cases = readCorpus().filter((c) => c.attach === true);

kernelTest(
  "bad-input corpus cases fail --config.check-attach and leave nothing loaded",
  async () => {
    assert.ok(cases.length >= 5, `only ${cases.length} attach cases`);
    const tmp = await Deno.makeTempDir({ prefix: "ebpf-exporter-corpus-attach-" });
    try {
      for (const c of cases) {
        const dir = await materialize(c, tmp);
        const before = await loadedProgramIds();
        const r = await runExporter([
          "--config.dir",
          dir,
          "--config.names",
          c.names,
          ...(c.args ?? []),
          "--config.check-attach",
        ]);
        const where = `${c.category}/${c.name}:\n${r.stderr}`;
        assert.equal(r.code, 1, where);
        // The full start-up logs its detach after the error, so the message is a line, not the last.
        assert.ok(r.stderr.split("\n").includes(expectedLine(c, dir)), where);
        assert.doesNotMatch(r.stderr, /Config check successful|Listening on/, where);
        await waitNewProgramsGone(before, FIXTURE_PROGRAMS);
      }
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
);
