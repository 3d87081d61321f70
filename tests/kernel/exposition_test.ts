/** Every example this kernel can load, together: a live scrape promtool accepts. */

import assert from "node:assert/strict";
import { findCgroup2Root } from "../../src/host/cgroups.ts";
import {
  causeTimers,
  kernelTest,
  loadableExamples,
  parseExposition,
  ROOT,
  scrape,
  withExporter,
} from "./harness.ts";

kernelTest("promtool accepts a live scrape of every example this kernel can load", async () => {
  const names = await loadableExamples();
  const args = ["--config.dir", `${ROOT}/examples`, "--config.names", names.join(",")];
  await withExporter(args, {}, async (ex) => {
    await causeTimers();
    const text = await scrape(`${ex.url}/metrics`);
    const p = new Deno.Command("promtool", {
      args: ["check", "metrics"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const w = p.stdin.getWriter();
    await w.write(new TextEncoder().encode(text));
    await w.close();
    const out = await p.output();
    const msg = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, `promtool check metrics failed:\n${msg}\n---\n${text}`);
    const m = parseExposition(text);
    for (const n of names) {
      assert.equal(m.get(`ebpf_exporter_decoder_errors_total{config="${n}"}`), 0);
    }
    // The cgroup decoder turns ids into paths under the cgroup v2 mount.
    assert.match(
      text,
      new RegExp(`ebpf_exporter_cgroup_syscalls_total\\{cgroup="${findCgroup2Root()}[^"]*"\\}`),
    );
  });
});
