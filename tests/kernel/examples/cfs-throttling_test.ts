/**
 * cfs-throttling: a shell spins in a fresh cgroup limited to 1 ms of CPU per 10 ms period, so
 * the scheduler throttles the cgroup's run queue as soon as it uses up its quota and
 * unthrottles it at the next period. The test waits until both show up for that cgroup (the
 * series of a cgroup that did not exist before counts only what the test caused), then stops
 * the spinner.
 */

import assert from "node:assert/strict";
import { hasFeature, kernelTest, note, waitUntil } from "../harness.ts";
import { metrics, uniqueTag, valueOf, withExample } from "./common.ts";
import { expectLoadRefused } from "./kernel_functions.ts";
import {
  controllersMissing,
  readSysFile,
  spawnInCgroup,
  withCgroup,
  writeSysFile,
} from "./cgroups.ts";

const THROTTLES = "ebpf_exporter_cfs_throttles_total";
const THROTTLED = "ebpf_exporter_cfs_throttled_seconds";

kernelTest(
  "cfs-throttling counts throttles of a cgroup at its CPU quota and times them",
  async () => {
    if (!(await hasFeature("fentry"))) {
      await expectLoadRefused("cfs-throttling", [
        "throttle_cfs_rq_exit",
        "unthrottle_cfs_rq_entry",
      ]);
      return;
    }
    const noCpu = controllersMissing(["cpu"]);
    if (noCpu !== null) {
      note(`cpu cgroup controller unavailable (${noCpu}): only load and attach are checked`);
      await withExample("cfs-throttling", () => Promise.resolve());
      return;
    }
    await withCgroup(`ebpfex-cfs-${uniqueTag()}`, ["cpu"], async (cgroup) => {
      await writeSysFile(`${cgroup}/cpu.max`, "1000 10000");
      await withExample("cfs-throttling", async (ex) => {
        const spinner = spawnInCgroup(cgroup, "sh", ["-c", "while :; do :; done"]);
        try {
          await waitUntil("the cgroup to be throttled and unthrottled", async () => {
            const text = await metrics(ex);
            return valueOf(text, THROTTLES, { cgroup }) >= 1 &&
              valueOf(text, `${THROTTLED}_count`, { cgroup }) >= 1;
          }, { timeoutMs: 60000, intervalMs: 250 });
        } finally {
          spinner.kill("SIGKILL");
          await spinner.status;
        }
        // With the spinner gone nothing new is throttled, and each unthrottle ends a throttle
        // the program counted before.
        const text = await metrics(ex);
        const count = valueOf(text, `${THROTTLED}_count`, { cgroup });
        assert.ok(count <= valueOf(text, THROTTLES, { cgroup }), text);
        const stat = readSysFile(`${cgroup}/cpu.stat`) ?? "";
        const kernelThrottles = Number(/^nr_throttled (\d+)$/m.exec(stat)?.[1]);
        assert.ok(kernelThrottles >= 1, `the kernel saw no throttling:\n${stat}`);
      });
    });
  },
);
