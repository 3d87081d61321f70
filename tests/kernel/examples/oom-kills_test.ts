/**
 * oom-kills: dd under a name of its own runs alone in a fresh cgroup whose memory is capped at
 * 16 MiB and reads 256 MiB of zeros into one buffer, so the memory cgroup's OOM killer picks it.
 * The kill is confined to that cgroup, and nothing else runs under that name there, so its
 * series counts exactly one kill.
 */

import assert from "node:assert/strict";
import { hasFeature, kernelTest, note } from "../harness.ts";
import { metrics, uniqueTag, valueOf, withExample, withNamedBinary } from "./common.ts";
import { expectNoneAttached } from "./kernel_functions.ts";
import {
  controllersMissing,
  readSysFile,
  spawnInCgroup,
  withCgroup,
  writeSysFile,
} from "./cgroups.ts";

const METRIC = "ebpf_exporter_oom_kills_total";
const LIMIT = String(16 << 20);

kernelTest(
  "oom-kills counts a memory cgroup's OOM kill by command, cgroup and constraint",
  async () => {
    if (!(await hasFeature("kprobe"))) {
      await expectNoneAttached("oom-kills", ["oom_kill_process"]);
      return;
    }
    const noMemcg = controllersMissing(["memory"]);
    if (noMemcg !== null) {
      // Without a memory cgroup no OOM kill can be confined, so none is caused.
      note(`memory cgroup unavailable (${noMemcg}): only attach is checked`);
      await withExample("oom-kills", () => Promise.resolve());
      return;
    }
    const tag = uniqueTag();
    const command = `oom-dd-${tag}`;
    await withCgroup(`ebpfex-oom-${tag}`, ["memory"], async (cgroup) => {
      await writeSysFile(`${cgroup}/memory.max`, LIMIT);
      // Without swap limits the victim could swap instead of being killed.
      await writeSysFile(`${cgroup}/memory.swap.max`, "0").catch(() => {});
      await withExample("oom-kills", async (ex) => {
        const status = await withNamedBinary(command, "/bin/dd", async (dd) => {
          const child = spawnInCgroup(cgroup, dd, [
            "if=/dev/zero",
            "of=/dev/null",
            "bs=256M",
            "count=1",
          ]);
          return await child.status;
        });
        assert.equal(
          status.signal,
          "SIGKILL",
          `dd should be OOM-killed: ${JSON.stringify(status)}`,
        );
        const events = readSysFile(`${cgroup}/memory.events`) ?? "";
        assert.match(events, /^oom_kill 1$/m, events);

        const text = await metrics(ex);
        assert.equal(valueOf(text, METRIC, { command, cgroup, constraint: "memcg" }), 1, text);
      });
    });
  },
);
