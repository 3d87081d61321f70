/**
 * page-faults: dd (under a name of its own) reads 16 MiB of /dev/zero into a fresh buffer. The
 * kernel's copy into that buffer faults in every page it first writes: at least 8 faults even
 * when transparent huge pages back it with 2 MiB pages. dd's own start-up faults in user mode.
 */

import assert from "node:assert/strict";
import { kernelTest } from "../harness.ts";
import {
  expectNotAttached,
  metrics,
  samples,
  tracepointMissing,
  uniqueTag,
  valueOf,
  withExample,
  withNamedBinary,
} from "./common.ts";

const METRIC = "ebpf_exporter_page_faults_total";
const BUFFER_MIB = 16;

kernelTest("page-faults counts the faults of a command filling a fresh buffer", async () => {
  if (await tracepointMissing("exceptions", "page_fault_user") !== null) {
    await expectNotAttached("page-faults", "page_fault_user");
    return;
  }
  const command = `pf-${uniqueTag()}`;
  await withNamedBinary(command, "/usr/bin/dd", (dd) =>
    withExample("page-faults", async (ex) => {
      const out = await new Deno.Command(dd, {
        args: [
          "if=/dev/zero",
          "of=/dev/null",
          `bs=${BUFFER_MIB}M`,
          "count=1",
          "iflag=fullblock",
          "status=none",
        ],
      }).output();
      assert.equal(out.code, 0);
      const text = await metrics(ex);
      const copies = valueOf(text, METRIC, {
        command,
        mode: "kernel",
        access: "write",
        cause: "not_present",
      });
      assert.ok(copies >= BUFFER_MIB / 2, `kernel write faults: ${copies}\n${text}`);
      const user = samples(text, METRIC)
        .filter((s) => s.labels.command === command && s.labels.mode === "user")
        .reduce((n, s) => n + s.value, 0);
      assert.ok(user >= 1, `user-mode faults: ${user}\n${text}`);
    }));
});
