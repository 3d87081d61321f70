import assert from "node:assert/strict";
import { splitDev } from "../../src/decoders/majorminor.ts";
import { DecodeError } from "../../src/decoders/types.ts";
import { b, build, conf, fakeContext, fixture, run } from "./helpers.ts";

function withPartitions() {
  return fakeContext({ files: { "/proc/partitions": fixture("partitions.txt") } });
}

Deno.test("majorminor names devices from /proc/partitions", () => {
  const d = build(conf("majorminor"), withPartitions().ctx);
  assert.deepEqual(run(d, b(0x00, 0x08, 0x00, 0x00)), { out: "sda", transient: false });
  assert.deepEqual(run(d, b(0x10, 0x08, 0x00, 0x00)), { out: "sdb", transient: false });
  assert.deepEqual(run(d, b(0x01, 0x08, 0x00, 0x00)), { out: "sda1", transient: false });
});

Deno.test("majorminor marks unknown devices as transient", () => {
  const d = build(conf("majorminor"), withPartitions().ctx);
  assert.deepEqual(run(d, b(0x10, 0x88, 0x00, 0x00)), { out: "unknown:136:16", transient: true });
});

Deno.test("majorminor reads partitions once for many hits", () => {
  const { ctx, host } = withPartitions();
  const d = build(conf("majorminor"), ctx);
  for (let i = 0; i < 5; i++) run(d, b(0x00, 0x08, 0x00, 0x00));
  assert.equal(host.reads.get("/proc/partitions"), 1);
});

Deno.test("majorminor re-reads partitions on a miss at most once per second", () => {
  const { ctx, host } = withPartitions();
  const d = build(conf("majorminor"), ctx);
  assert.equal(run(d, b(0x00, 0x08, 0x00, 0x00)).out, "sda");
  host.files.set("/proc/partitions", fixture("partitions.txt") + " 136 16 1024 sdz\n");
  assert.equal(run(d, b(0x10, 0x88, 0x00, 0x00)).out, "unknown:136:16");
  host.time += 1000;
  assert.equal(run(d, b(0x10, 0x88, 0x00, 0x00)).out, "sdz");
  assert.equal(host.reads.get("/proc/partitions"), 2);
});

Deno.test("majorminor fails when /proc/partitions cannot be read", () => {
  const d = build(conf("majorminor"), fakeContext().ctx);
  assert.throws(() => d.decode(b(0, 8, 0, 0)), DecodeError);
});

Deno.test("majorminor splits kernel-encoded device numbers", () => {
  assert.deepEqual(splitDev(0x0800), [8, 0]);
  assert.deepEqual(splitDev(0x8810), [136, 16]);
  assert.deepEqual(splitDev(0x100300), [3, 256]); // minor bits above 0xff sit at bit 20
});
