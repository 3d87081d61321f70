/**
 * bio-trace: 16 direct 64 KiB writes to a loop device of our own reach a local OTLP receiver as
 * block-io spans naming the device, a write operation and the request sizes.
 */

import assert from "node:assert/strict";
import { kernelTest, note, sh, waitUntil } from "../harness.ts";
import { tracepointMissing, withExample } from "./common.ts";
import { startReceiver, withEnv } from "./otlp_receiver.ts";

const WRITES = 16;

kernelTest("bio-trace sends one span per block request with device and operation", async () => {
  for (const event of ["block_rq_issue", "block_rq_complete"]) {
    const why = await tracepointMissing("block", event);
    if (why !== null) {
      note(`tracepoint block/${event}: missing (${why})`);
      return;
    }
  }
  const file = await Deno.makeTempFile({ prefix: "ebpf-exporter-bio-trace-" });
  const receiver = startReceiver();
  let dev: string | null = null;
  try {
    await Deno.truncate(file, 8 << 20);
    await sh("modprobe", ["loop"]).catch(() => {});
    try {
      dev = (await sh("losetup", ["--find", "--show", file])).trim();
    } catch (e) {
      note(`loop_device: missing (${(e as Error).message.trim()})`);
      return;
    }
    const name = dev.slice("/dev/".length);
    const env = {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: "100",
    };
    await withEnv(env, () =>
      withExample("bio-trace", async () => {
        await sh("dd", [
          "if=/dev/zero",
          `of=${dev}`,
          "bs=64k",
          `count=${WRITES}`,
          "oflag=direct",
          "status=none",
        ]);
        const mine = () =>
          receiver.spans.filter((s) =>
            s.attributes.device === name && s.attributes.operation?.startsWith("W")
          );
        const bytes = () => mine().reduce((n, s) => n + Number(s.attributes.bytes), 0);
        await waitUntil(`${WRITES} writes to ${name} as spans`, () => bytes() >= WRITES * 65536);
        for (const s of mine()) {
          assert.deepEqual(
            [s.service, s.name, s.attributes["ebpf_exporter.config"]],
            ["ebpf_exporter", "block-io", "bio-trace"],
          );
          assert.ok(s.startNs < s.endNs, `start ${s.startNs} is not before end ${s.endNs}`);
          assert.match(s.attributes.sector ?? "", /^\d+$/);
        }
        const one = mine()[0]!;
        const shown = { ...one, startNs: `${one.startNs}`, endNs: `${one.endNs}` };
        console.error(`received: ${JSON.stringify(shown)}`);
      }));
  } finally {
    if (dev !== null) await sh("losetup", ["--detach", dev]).catch(() => {});
    await receiver.close();
    await Deno.remove(file);
  }
});
