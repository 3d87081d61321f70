import assert from "node:assert/strict";
import { syscallDecoderWith, syscallTableFor } from "../../src/decoders/syscall.ts";
import { SYSCALLS_ARM64 } from "../../src/decoders/tables/syscalls_arm64.ts";
import { SYSCALLS_X86_64 } from "../../src/decoders/tables/syscalls_x86_64.ts";
import { DecodeError } from "../../src/decoders/types.ts";
import { build, conf, decodeText } from "./helpers.ts";

Deno.test("syscall names amd64 numbers with strace's names", () => {
  const d = syscallDecoderWith(SYSCALLS_X86_64);
  assert.equal(decodeText(d, "0"), "read");
  assert.equal(decodeText(d, "1"), "write");
  assert.equal(decodeText(d, "293"), "pipe2");
  assert.equal(decodeText(d, "447"), "memfd_secret");
  assert.equal(decodeText(d, "7"), "poll_time64");
  assert.equal(decodeText(d, "17"), "pread");
  assert.equal(decodeText(d, "231"), "exit");
});

Deno.test("syscall names arm64 numbers with strace's names", () => {
  const d = syscallDecoderWith(SYSCALLS_ARM64);
  assert.equal(decodeText(d, "0"), "io_setup");
  assert.equal(decodeText(d, "1"), "io_destroy");
  assert.equal(decodeText(d, "293"), "rseq");
  assert.equal(decodeText(d, "447"), "memfd_secret");
});

Deno.test("syscall marks numbers missing from the table", () => {
  const d = syscallDecoderWith(SYSCALLS_X86_64);
  assert.equal(decodeText(d, "400"), "unknown_syscall:400");
  assert.equal(decodeText(d, "99999999999999999999"), "unknown_syscall:99999999999999999999");
  assert.throws(() => d.decode(new TextEncoder().encode("read")), DecodeError);
});

Deno.test("syscall uses the running architecture's table", () => {
  const table = syscallTableFor(Deno.build.arch);
  assert.ok(table !== null);
  assert.equal(decodeText(build(conf("syscall")), "0"), table.get(0));
  assert.equal(syscallTableFor("riscv64"), null);
});
