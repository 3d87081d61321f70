/** cgroup_id_map: a matching cgroup created by the test appears in the map, and leaves on rmdir. */

import assert from "node:assert/strict";
import { readDirViaLibc } from "../../ffi/libc.ts";
import { findCgroup2Root } from "../../src/host/cgroups.ts";
import {
  hasFeature,
  kernelTest,
  parseExposition,
  programMapEntries,
  reportedProgramIds,
  ROOT,
  runExporter,
  scrape,
  sh,
  waitUntil,
  withExporter,
} from "./harness.ts";

const EVENTS = `${ROOT}/tests/fixtures/events`;

kernelTest("cgroup_id_map tracks matching cgroups as they come and go", async () => {
  const root = findCgroup2Root();
  const top = `${root}/ebpf-exporter-test-${Deno.pid}`;
  const dir = `${top}/match-me`;
  await sh("mkdir", ["-p", top]);
  try {
    const args = ["--config.dir", EVENTS, "--config.names", "cgroup_ids"];
    await withExporter(args, {}, async (ex) => {
      const text = await scrape(`${ex.url}/metrics`);
      const progId = reportedProgramIds(text)[0]!;
      assert.equal(parseExposition(text).get("ebpf_exporter_matched_syscalls_total"), 0);
      await sh("mkdir", [dir]);
      const inode = readDirViaLibc(top).find((e) => e.name === "match-me")!.inode;
      const inMap = async () => (await programMapEntries(progId, "test_cgroup_ids")).has(inode);
      await waitUntil(`cgroup ${inode} to enter the map`, inMap);
      await sh("rmdir", [dir]);
      await waitUntil(`cgroup ${inode} to leave the map`, async () => !(await inMap()));
    });
  } finally {
    await sh("rmdir", [dir]).catch(() => {});
    await sh("rmdir", [top]).catch(() => {});
  }
});

kernelTest(
  "cgroup_id_map of type cgrp_storage marks matching cgroups for the program",
  async () => {
    // hasFeature notes the path taken ("cgrp_storage: present" or "... missing (why)").
    if (!await hasFeature("cgrp_storage")) {
      const r = await runExporter(["--config.dir", EVENTS, "--config.names", "cgroup_storage"]);
      assert.notEqual(r.code, 0, r.stderr);
      assert.match(r.stderr, /Cannot load config "cgroup_storage": \S/);
      return;
    }
    const root = findCgroup2Root();
    const top = `${root}/ebpf-exporter-test-${Deno.pid}`;
    const marked = `${top}/marked`;
    const other = `${top}/other`;
    await sh("mkdir", ["-p", marked, other]);
    const metric = "ebpf_exporter_marked_syscalls_total";
    // A shell that moves itself into a cgroup, then makes syscalls there, and exits.
    const runIn = (dir: string) =>
      sh("sh", ["-c", `echo $$ > ${dir}/cgroup.procs && for i in 1 2 3 4 5; do /bin/true; done`]);
    try {
      const args = ["--config.dir", EVENTS, "--config.names", "cgroup_storage"];
      await withExporter(args, {}, async (ex) => {
        const count = async () =>
          parseExposition(await scrape(`${ex.url}/metrics`)).get(metric) ?? NaN;
        // The exporter marks matching cgroups as it finds them (fanotify or a periodic rescan).
        await waitUntil("syscalls in the marked cgroup to be counted", async () => {
          await runIn(marked);
          return await count() > 0;
        });
        // Nothing is left in the marked cgroup now, so work elsewhere must not move the counter.
        const before = await count();
        await runIn(other);
        assert.equal(await count(), before, "syscalls outside marked cgroups are not counted");
      });
    } finally {
      for (const d of [marked, other, top]) await sh("rmdir", [d]).catch(() => {});
    }
  },
);
