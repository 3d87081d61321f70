import assert from "node:assert/strict";
import { DecodeError } from "../../src/decoders/types.ts";
import { build, conf, fakeContext, fixture, run, u64s } from "./helpers.ts";

Deno.test("kstack resolves frames to the nearest preceding symbol", () => {
  const { ctx, host } = fakeContext({ files: { "/proc/kallsyms": fixture("kallsyms_stack.txt") } });
  const d = build(conf("kstack"), ctx);
  // Written after the decoder read kallsyms: only a re-read can find it.
  host.files.set("/proc/kallsyms", fixture("kallsyms_stack.txt") + "0000000000000002 T zero\n");

  assert.deepEqual(run(d, u64s(0n, 0n)), { out: "", transient: false });
  assert.deepEqual(run(d, u64s(4n, 5n, 6n, 0n)), { out: "one\none\ntwo", transient: false });
  assert.deepEqual(run(d, u64s(0xabn, 0x10n, 6n, 0n)), {
    out: "three\ntwo\ntwo",
    transient: false,
  });
  assert.deepEqual(run(d, u64s(0xabn, 3n, 0n)), { out: "three\nzero", transient: false });
  assert.deepEqual(run(d, u64s(1n, 0xacn, 1n, 0n)), { out: "??\nthree\n??", transient: true });
});

Deno.test("kstack reads up to the end when there is no zero frame", () => {
  const { ctx } = fakeContext({ files: { "/proc/kallsyms": fixture("kallsyms_stack.txt") } });
  const d = build(conf("kstack"), ctx);
  assert.equal(run(d, u64s(6n, 4n)).out, "two\none");
  assert.throws(() => d.decode(new Uint8Array(12)), DecodeError);
});

Deno.test("kstack does not re-read kallsyms for every unresolved stack", () => {
  const { ctx, host } = fakeContext({ files: { "/proc/kallsyms": fixture("kallsyms_stack.txt") } });
  const d = build(conf("kstack"), ctx);
  for (let i = 0; i < 10; i++) run(d, u64s(1n, 0n));
  assert.equal(host.reads.get("/proc/kallsyms"), 2);
  // The re-read found an unchanged file, so the next one waits 2 s instead of 1 s.
  host.time += 1000;
  run(d, u64s(1n, 0n));
  assert.equal(host.reads.get("/proc/kallsyms"), 2);
  host.time += 1000;
  run(d, u64s(1n, 0n));
  assert.equal(host.reads.get("/proc/kallsyms"), 3);
});
