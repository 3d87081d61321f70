/**
 * cxx-exceptions: builds thrower.cc with clang++ under a name of its own, runs it once, and
 * checks that every exception it threw was counted under its mangled type name.
 */

import assert from "node:assert/strict";
import { hasFeature, kernelTest, note, ROOT, sh } from "../harness.ts";
import { expectNotAttached, metrics, samples, uniqueTag, valueOf, withExample } from "./common.ts";

const METRIC = "ebpf_exporter_cxx_exceptions_total";
const OUT_OF_RANGE = 7;
const CUSTOM = 4;

/**
 * Null when the libstdc++ that `binary` loads carries the libstdcxx:throw probe (Debian builds
 * it with SystemTap probes; other builds may not), else why not.
 */
async function throwProbeMissing(binary: string): Promise<string | null> {
  const lib = /libstdc\+\+\.so\.6 => (\S+)/.exec(await sh("ldd", [binary]))?.[1];
  if (lib === undefined) return `${binary} does not load libstdc++.so.6`;
  const notes = await sh("readelf", ["-n", lib]);
  return /Provider: libstdcxx\s+Name: throw\b/.test(notes)
    ? null
    : `${lib} has no libstdcxx:throw USDT probe (built without SystemTap probes)`;
}

kernelTest("cxx-exceptions counts each C++ exception a command throws, by type", async () => {
  // The probe must be in the library, and the kernel must give BPF cookies to uprobes.
  const dir = await Deno.makeTempDir({ prefix: "ebpf-exporter-cxx-" });
  try {
    const command = `cxx-${uniqueTag()}`;
    await sh("clang++", [
      "-O1",
      "-o",
      `${dir}/${command}`,
      `${ROOT}/tests/kernel/examples/thrower.cc`,
    ]);
    // Without BPF cookies libbpf attaches a USDT in a shared library for one process only.
    const cookies = await hasFeature("bpf_cookie");
    const why = await throwProbeMissing(`${dir}/${command}`) ??
      (cookies ? null : "no BPF cookies: libbpf refuses a USDT in a shared library for all");
    if (why !== null) {
      note(`clear-error path: ${why}`);
      await expectNotAttached("cxx-exceptions", "cxx_throw");
      return;
    }
    note("working path: libstdc++ has the libstdcxx:throw probe and uprobes get BPF cookies");
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
