import assert from "node:assert/strict";
import { DecodeError, DecoderConfigError } from "../../src/decoders/types.ts";
import { build, conf, fakeContext, fixture, run, u64s } from "./helpers.ts";

function withKallsyms() {
  return fakeContext({ files: { "/proc/kallsyms": fixture("kallsyms_pipe.txt") } });
}

Deno.test("ksym resolves exact symbol addresses", () => {
  const d = build(conf("ksym"), withKallsyms().ctx);
  assert.deepEqual(run(d, u64s(0xffffffeb19d90830n)), { out: "pipe_lock", transient: false });
  assert.deepEqual(run(d, u64s(0xffffffeb19d90870n)), { out: "pipe_unlock", transient: false });
  assert.equal(run(d, u64s(0xffffffeb1a000000n)).out, "jbd2_journal_start\t[jbd2]");
});

Deno.test("ksym marks addresses that are not a symbol start as transient", () => {
  const d = build(conf("ksym"), withKallsyms().ctx);
  assert.deepEqual(run(d, u64s(0xffffffeb19d90828n)), {
    out: "unknown_addr:0xffffffeb19d90828",
    transient: true,
  });
  assert.deepEqual(run(d, u64s(0xffffffeb19d90878n)), {
    out: "unknown_addr:0xffffffeb19d90878",
    transient: true,
  });
});

Deno.test("ksym uses only the first eight bytes", () => {
  const d = build(conf("ksym"), withKallsyms().ctx);
  assert.equal(run(d, u64s(0xffffffeb19d90830n, 0x1234n)).out, "pipe_lock");
  assert.throws(() => d.decode(new Uint8Array(4)), DecodeError);
});

Deno.test("ksym re-reads kallsyms on a miss and finds new symbols", () => {
  const { ctx, host } = withKallsyms();
  const d = build(conf("ksym"), ctx);
  host.files.set(
    "/proc/kallsyms",
    fixture("kallsyms_pipe.txt") + "ffffffffc0001000 t bpf_prog_abc_x\t[bpf]\n",
  );
  assert.equal(run(d, u64s(0xffffffffc0001000n)).out, "bpf_prog_abc_x\t[bpf]");
  assert.equal(host.reads.get("/proc/kallsyms"), 2);
});

Deno.test("ksym and kstack share one kallsyms read per host", () => {
  const { ctx, host } = withKallsyms();
  build(conf("ksym"), ctx);
  build(conf("ksym"), ctx);
  build(conf("kstack"), ctx);
  assert.equal(host.reads.get("/proc/kallsyms"), 1);
});

Deno.test("ksym without a readable kallsyms is a config error", () => {
  assert.throws(() => build(conf("ksym"), fakeContext().ctx), DecoderConfigError);
  assert.throws(
    () => build(conf("ksym"), fakeContext().ctx),
    /Cannot use decoder "ksym" at .*: cannot read "\/proc\/kallsyms"/,
  );
});
