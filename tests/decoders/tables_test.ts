import assert from "node:assert/strict";
import { SYSCALLS_ARM64 } from "../../src/decoders/tables/syscalls_arm64.ts";
import { SYSCALLS_X86_64 } from "../../src/decoders/tables/syscalls_x86_64.ts";

const TABLES = new URL("../../src/decoders/tables/", import.meta.url);

Deno.test("generated tables name their source in the header", () => {
  for (const file of ["syscalls_x86_64.ts", "syscalls_arm64.ts", "errno.ts"]) {
    const head = Deno.readTextFileSync(new URL(file, TABLES)).split("\n").slice(0, 3).join("\n");
    assert.match(head, /Source: (strace \d|Linux \d)/, file);
  }
});

Deno.test("syscall tables hold strace's internal names", () => {
  assert.equal(SYSCALLS_X86_64.get(231), "exit");
  assert.equal(SYSCALLS_X86_64.get(60), "exit");
  assert.equal(SYSCALLS_X86_64.get(35), "nanosleep_time64");
  assert.equal(SYSCALLS_X86_64.get(18), "pwrite");
  assert.equal(SYSCALLS_X86_64.has(335), false);
  assert.equal(SYSCALLS_ARM64.get(6), "setxattr");
  assert.equal(SYSCALLS_ARM64.has(244), false);
});
