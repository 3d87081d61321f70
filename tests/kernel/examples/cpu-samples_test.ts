/**
 * cpu-samples: dd (under a name of its own) copies /dev/zero to /dev/null, spending nearly all
 * its time in the kernel's read path. The test waits until samples of it show that path, with
 * the innermost frame first.
 */

import assert from "node:assert/strict";
import { kernelTest, waitUntil } from "../harness.ts";
import { metrics, samples, uniqueTag, withExample, withNamedBinary } from "./common.ts";

const METRIC = "ebpf_exporter_cpu_samples_total";
const WANTED = 5;
/** The C function that calls a system call's handler on this architecture. */
const SYSCALL_ENTRY = Deno.build.arch === "x86_64" ? "do_syscall_64" : "invoke_syscall";

kernelTest("cpu-samples records the kernel stacks of a busy command", async () => {
  // perf_event with the software cpu-clock needs no hardware PMU: nothing to probe.
  const command = `cpu-${uniqueTag()}`;
  await withNamedBinary(command, "/usr/bin/dd", (dd) =>
    withExample("cpu-samples", async (ex) => {
      const child = new Deno.Command(dd, {
        args: ["if=/dev/zero", "of=/dev/null", "bs=64k", "count=100000000", "status=none"],
      }).spawn();
      let text = "";
      let inRead = 0;
      try {
        await waitUntil(`${WANTED} samples of ${command} in vfs_read`, async () => {
          text = await metrics(ex);
          inRead = samples(text, METRIC)
            .filter((s) => s.labels.command === command)
            .filter((s) => s.labels.stack!.split("\n").includes("vfs_read"))
            .reduce((n, s) => n + s.value, 0);
          return inRead >= WANTED;
        }, { timeoutMs: 60000, intervalMs: 500 });
      } finally {
        child.kill("SIGKILL");
        await child.status;
      }
      // vfs_read is called from the syscall entry: it comes first, innermost-first, in every
      // stack that holds both, and at least one does (else this check would prove nothing).
      let ordered = 0;
      for (const s of samples(text, METRIC).filter((s) => s.labels.command === command)) {
        const frames = s.labels.stack!.split("\n");
        const read = frames.indexOf("vfs_read");
        const entry = frames.indexOf(SYSCALL_ENTRY);
        if (read < 0 || entry < 0) continue;
        assert.ok(read < entry, s.labels.stack ?? "");
        ordered++;
      }
      assert.ok(ordered > 0, `no stack holds both vfs_read and ${SYSCALL_ENTRY}:\n${text}`);
    }));
});
