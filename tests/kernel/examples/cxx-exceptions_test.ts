/**
 * cxx-exceptions: builds thrower.cc with clang++ under a name of its own, runs it once, and
 * checks that every exception it threw was counted under its mangled type name.
 */

import assert from "node:assert/strict";
import { kernelTest, ROOT, sh } from "../harness.ts";
import { metrics, samples, uniqueTag, valueOf, withExample } from "./common.ts";

const METRIC = "ebpf_exporter_cxx_exceptions_total";
const OUT_OF_RANGE = 7;
const CUSTOM = 4;

kernelTest("cxx-exceptions counts each C++ exception a command throws, by type", async () => {
  // USDT probes are uprobes underneath: every kernel of the matrix has them, nothing to probe.
  const dir = await Deno.makeTempDir({ prefix: "ebpf-exporter-cxx-" });
  try {
    const command = `cxx-${uniqueTag()}`;
    await sh("clang++", [
      "-O1",
      "-o",
      `${dir}/${command}`,
      `${ROOT}/tests/kernel/examples/thrower.cc`,
    ]);
    await withExample("cxx-exceptions", async (ex) => {
      await sh(`${dir}/${command}`, [String(OUT_OF_RANGE), String(CUSTOM)]);
      const text = await metrics(ex);
      assert.equal(valueOf(text, METRIC, { command, type: "St12out_of_range" }), OUT_OF_RANGE);
      const custom = "N18ebpf_exporter_test12custom_errorE";
      assert.equal(valueOf(text, METRIC, { command, type: custom }), CUSTOM, text);
      assert.equal(samples(text, METRIC).filter((s) => s.labels.command === command).length, 2);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
