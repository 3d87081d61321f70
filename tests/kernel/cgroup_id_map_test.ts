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

kernelTest(
  "cgroup_id_map of type cgrp_storage marks matching cgroups for the program",
  async () => {
    const root = findCgroup2Root();
    const top = `${root}/ebpf-exporter-test-${Deno.pid}`;
    const marked = `${top}/marked`;
    const other = `${top}/other`;
    await sh("mkdir", ["-p", marked, other]);
    const ex = await startExporter([
      "--config.dir",
      `${ROOT}/tests/fixtures/events`,
      "--config.names",
      "cgroup_storage",
    ]);
    const metric = "ebpf_exporter_marked_syscalls_total";
    // A shell that moves itself into a cgroup, then makes syscalls there.
    const runIn = (dir: string) =>
      sh("sh", ["-c", `echo $$ > ${dir}/cgroup.procs && for i in 1 2 3 4 5; do /bin/true; done`]);
    try {
      await new Promise((r) => setTimeout(r, 700)); // one rescan period and then some
      await runIn(other);
      const a = parseExposition(await scrape(`${ex.url}/metrics`)).get(metric) ?? -1;
      assert.equal(a, 0, "syscalls outside marked cgroups are not counted");
      await runIn(marked);
      const b = parseExposition(await scrape(`${ex.url}/metrics`)).get(metric) ?? -1;
      assert.ok(b > 0, `syscalls in the marked cgroup counted: ${b}`);
    } finally {
      assert.equal(await ex.stop(), 0, ex.stderr());
      for (const d of [marked, other, top]) await sh("rmdir", [d]).catch(() => {});
    }
  },
);
