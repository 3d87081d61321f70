/** The biolatency example counts block IO by device name: writes to a loop device of its own. */

import assert from "node:assert/strict";
import {
  kernelTest,
  note,
  parseExposition,
  ROOT,
  scrape,
  sh,
  waitUntil,
  withExporter,
} from "../harness.ts";

/** Makes a loop device over a new temporary file; null (with the reason) when there is none. */
async function loopDevice(file: string): Promise<{ dev: string } | { reason: string }> {
  try {
    return { dev: (await sh("losetup", ["--find", "--show", file])).trim() };
  } catch (first) {
    // A kernel with loop as a module creates /dev/loop-control only once the module is in.
    await sh("modprobe", ["loop"]).catch(() => {});
    try {
      return { dev: (await sh("losetup", ["--find", "--show", file])).trim() };
    } catch {
      return { reason: (first as Error).message.trim() };
    }
  }
}

kernelTest("direct writes to a loop device are counted by biolatency under its name", async () => {
  // A loop device of our own: the machine's root may be on no block device at all (a VM's 9p
  // or overlay root), and other writers' IO must not count.
  const file = await Deno.makeTempFile({ prefix: "ebpf-exporter-bio-" });
  let dev: string | null = null;
  try {
    await Deno.truncate(file, 8 << 20);
    const loop = await loopDevice(file);
    const args = ["--config.dir", `${ROOT}/examples`, "--config.names", "biolatency"];
    await withExporter(args, {}, async (ex) => {
      if ("reason" in loop) {
        // In the kernel matrix's "FEATURE: missing (why)" form.
        note(`loop_device: missing (${loop.reason}; checked only that biolatency attached)`);
        const text = await scrape(`${ex.url}/metrics`);
        assert.match(text, /^ebpf_exporter_ebpf_program_attached\{id="\d+"\} 1$/m);
        assert.doesNotMatch(text, /^ebpf_exporter_ebpf_program_attached\{id="\d+"\} 0$/m);
        return;
      }
      dev = loop.dev;
      const name = dev.slice("/dev/".length);
      const key = `ebpf_exporter_bio_latency_seconds_count{device="${name}",operation="write"}`;
      const count = async () => parseExposition(await scrape(`${ex.url}/metrics`)).get(key) ?? 0;
      const a = await count();
      // 16 synchronous 64 KiB writes: each completes before the next is issued.
      await sh("dd", [
        "if=/dev/zero",
        `of=${dev}`,
        "bs=64k",
        "count=16",
        "oflag=direct",
        "status=none",
      ]);
      let b = a;
      await waitUntil(`16 writes to ${name} to be counted`, async () => {
        b = await count();
        return b - a >= 16;
      });
      const text = await scrape(`${ex.url}/metrics`);
      assert.match(
        text,
        new RegExp(
          `^ebpf_exporter_bio_latency_seconds_bucket\\{device="${name}",operation="write",le="9.5367431640625e-07"\\} \\d+$`,
          "m",
        ),
      );
    });
  } finally {
    if (dev !== null) await sh("losetup", ["--detach", dev]).catch(() => {});
    await Deno.remove(file);
  }
});
