/**
 * Kernel tests that pin bench maps run themselves again under `unshare --mount` with a fresh
 * bpffs (bench/namespace.ts), so their pins never touch the host's /sys/fs/bpf and vanish with
 * the namespace even when the test is killed.
 */

import assert from "node:assert/strict";
import { privateBpffsArgs } from "../../bench/namespace.ts";
import { ROOT } from "./harness.ts";

const IN_NAMESPACE = "EBPF_EXPORTER_TEST_PRIVATE_BPFFS";

/** Whether this process is the re-run inside the private mount namespace. */
export function inPrivateBpffs(): boolean {
  return Deno.env.get(IN_NAMESPACE) === "1";
}

/** Runs the test file at `testFileUrl` again in a private bpffs; its output is the caller's. */
export async function rerunInPrivateBpffs(testFileUrl: string): Promise<void> {
  const out = await new Deno.Command("unshare", {
    args: privateBpffsArgs([
      Deno.execPath(),
      "test",
      "--quiet",
      "-P=test",
      new URL(testFileUrl).pathname,
    ]),
    cwd: ROOT,
    env: { [IN_NAMESPACE]: "1" },
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  assert.equal(out.code, 0, "the test failed in its private bpffs (its output is above)");
}
