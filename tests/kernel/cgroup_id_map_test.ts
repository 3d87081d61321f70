/** cgroup_id_map: a matching cgroup created by the test appears in the map, and leaves on rmdir. */

import assert from "node:assert/strict";
import { readDirViaLibc } from "../../ffi/libc.ts";
import { findCgroup2Root } from "../../src/exporter/host.ts";
import {
  kernelTest,
  parseExposition,
  programMapEntries,
  reportedProgramIds,
  ROOT,
  scrape,
  sh,
  startExporter,
} from "./harness.ts";

async function waitFor(cond: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

kernelTest("cgroup_id_map tracks matching cgroups as they come and go", async () => {
  const root = findCgroup2Root();
  const top = `${root}/ebpf-exporter-test-${Deno.pid}`;
  const dir = `${top}/match-me`;
  await sh("mkdir", ["-p", top]);
  const ex = await startExporter([
    "--config.dir",
    `${ROOT}/tests/fixtures/events`,
    "--config.names",
    "cgroup_ids",
  ]);
  try {
    const text = await scrape(`${ex.url}/metrics`);
    const progId = reportedProgramIds(text)[0]!;
    assert.equal(parseExposition(text).get("ebpf_exporter_matched_syscalls_total"), 0);
    await sh("mkdir", [dir]);
    const inode = readDirViaLibc(top).find((e) => e.name === "match-me")!.inode;
    const present = await waitFor(
      async () => (await programMapEntries(progId, "test_cgroup_ids")).has(inode),
      1000,
    );
    assert.ok(present, `cgroup ${inode} in the map within a second`);
    await sh("rmdir", [dir]);
    const gone = await waitFor(
      async () => !(await programMapEntries(progId, "test_cgroup_ids")).has(inode),
      1000,
    );
    assert.ok(gone, `cgroup ${inode} removed from the map within a second`);
  } finally {
    assert.equal(await ex.stop(), 0, ex.stderr());
    await sh("rmdir", [dir]).catch(() => {});
    await sh("rmdir", [top]).catch(() => {});
  }
});
