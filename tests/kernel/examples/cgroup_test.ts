/**
 * cgroup: syscalls made inside a private cgroup of the test are counted under that cgroup's path
 * (the cgroup decoder turns the id the program records into the directory under the v2 mount).
 */

import assert from "node:assert/strict";
import { kernelTest, waitUntil } from "../harness.ts";
import { spawnInCgroup, withCgroup } from "./cgroups.ts";
import { metrics, uniqueTag, valueOf, withExample } from "./common.ts";

const METRIC = "ebpf_exporter_cgroup_syscalls_total";
const CALLS = 500;

kernelTest("cgroup counts a test cgroup's syscalls under its path", async () => {
  await withCgroup(`ebpf-exporter-cgroup-${uniqueTag()}`, [], async (path) => {
    await withExample("cgroup", async (ex) => {
      const child = spawnInCgroup(path, "python3", [
        "-c",
        `import os\nfor _ in range(${CALLS}): os.getppid()`,
      ]);
      assert.equal((await child.status).code, 0);
      // Everything the process did ran in the cgroup: at least its getppid calls.
      let seen = 0;
      await waitUntil(`${CALLS} syscalls counted under ${path}`, async () => {
        seen = valueOf(await metrics(ex), METRIC, { cgroup: path });
        return seen >= CALLS;
      }).catch((e) => {
        throw new Error(`${(e as Error).message}: ${seen} counted`);
      });
    });
  });
});
