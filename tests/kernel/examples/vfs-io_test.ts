/**
 * vfs-io: dd under a name of its own copies READS blocks of 3000 bytes from /dev/zero to
 * /dev/null (3000 bytes fall in the exp2 bucket (2048, 4096]), then tries to read a directory a
 * few times, which fails with EISDIR. dd's own start-up does other small reads and writes, so
 * the size buckets are bounded below; the EISDIR count is exact.
 */

import assert from "node:assert/strict";
import { hasFeature, kernelTest } from "../harness.ts";
import { metrics, uniqueTag, valueOf, withExample, withNamedBinary } from "./common.ts";
import { expectLoadRefused } from "./kernel_functions.ts";

const BYTES = "ebpf_exporter_vfs_io_bytes";
const ERRORS = "ebpf_exporter_vfs_io_errors_total";
const BLOCK = 3000;
const READS = 40;
const DIRECTORY_READS = 3;

/** Runs a command and returns its exit code, whatever it is. */
async function run(path: string, args: string[]): Promise<number> {
  const out = await new Deno.Command(path, { args, stdout: "null", stderr: "null" }).output();
  return out.code;
}

kernelTest(
  "vfs-io histograms read and write sizes by command and counts errors by errno",
  async () => {
    if (!(await hasFeature("fentry"))) {
      await expectLoadRefused("vfs-io", ["vfs_read_exit", "vfs_write_exit"]);
      return;
    }
    const command = `vfs-dd-${uniqueTag()}`;
    await withExample("vfs-io", async (ex) => {
      await withNamedBinary(command, "/bin/dd", async (dd) => {
        assert.equal(
          await run(dd, ["if=/dev/zero", "of=/dev/null", `bs=${BLOCK}`, `count=${READS}`]),
          0,
        );
        for (let i = 0; i < DIRECTORY_READS; i++) {
          assert.notEqual(await run(dd, ["if=/", "of=/dev/null", "count=1"]), 0);
        }
      });
      const text = await metrics(ex);
      for (const operation of ["read", "write"]) {
        const bucket = (le: string) => valueOf(text, `${BYTES}_bucket`, { command, operation, le });
        const inRange = bucket("4096") - bucket("2048");
        assert.ok(inRange >= READS, `${operation}s of ${BLOCK} bytes: ${inRange}\n${text}`);
        const sum = valueOf(text, `${BYTES}_sum`, { command, operation });
        assert.ok(sum >= READS * BLOCK, `${operation} bytes sum ${sum}\n${text}`);
      }
      assert.equal(
        valueOf(text, ERRORS, { command, operation: "read", errno: "EISDIR" }),
        DIRECTORY_READS,
        text,
      );
    });
  },
);
