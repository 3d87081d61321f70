/**
 * exec-counts: runs a system binary by its full path, the same binary through a link in a
 * temporary directory, and through a relative path, then checks which of them the regexps kept.
 */

import assert from "node:assert/strict";
import { kernelTest } from "../harness.ts";
import {
  expectNotAttached,
  metrics,
  samples,
  tracepointMissing,
  uniqueTag,
  valueOf,
  withExample,
} from "./common.ts";

const METRIC = "ebpf_exporter_execs_total";
const RUNS = 5;

async function run(path: string, cwd?: string): Promise<void> {
  const out = await new Deno.Command(path, { ...(cwd !== undefined ? { cwd } : {}) }).output();
  assert.equal(out.code, 0, `${path} failed`);
}

kernelTest(
  "exec-counts keeps system binaries by name and temporary ones by directory",
  async () => {
    if (await tracepointMissing("sched", "sched_process_exec") !== null) {
      await expectNotAttached("exec-counts", "sched_process_exec");
      return;
    }
    const dir = await Deno.makeTempDir({ dir: "/tmp", prefix: "ebpf-exporter-exec-" });
    try {
      const link = `runme-${uniqueTag()}`;
      await Deno.symlink("/usr/bin/true", `${dir}/${link}`);
      await withExample("exec-counts", async (ex) => {
        const before = await metrics(ex);
        for (let i = 0; i < RUNS; i++) {
          await run("/usr/bin/true");
          await run(`${dir}/${link}`);
          await run(`./${link}`, dir);
        }
        const after = await metrics(ex);
        // Other processes may exec too: at least our runs, never fewer.
        for (const program of ["true", "/tmp/"]) {
          const grew = valueOf(after, METRIC, { program }) - valueOf(before, METRIC, { program });
          assert.ok(grew >= RUNS, `program="${program}" grew by ${grew}:\n${after}`);
        }
        // The relative path matched no regexp, and nothing else leaks the link's name.
        const leaked = samples(after, METRIC).filter((s) => s.labels.program?.includes(link));
        assert.deepEqual(leaked, [], after);
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
