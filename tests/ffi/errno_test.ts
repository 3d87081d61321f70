/** Errno-carrying errors: symbolic codes, the not-supported mapping and the cause chain. */

import assert from "node:assert/strict";
import {
  EACCES,
  ENOSYS,
  ENOTSUPP,
  EOPNOTSUPP,
  EPERM,
  errnoCode,
  ErrnoError,
  errnoError,
  findCause,
  findErrno,
  isNotSupported,
  NotSupportedError,
} from "../../ffi/errno.ts";

Deno.test("an ErrnoError keeps a positive errno and its symbolic code", () => {
  const e = new ErrnoError("Cannot open", -EACCES);
  assert.equal(e.errno, 13);
  assert.equal(e.code, "EACCES");
  assert.equal(errnoCode(-EPERM), "EPERM");
  assert.equal(errnoCode(4001), "errno 4001");
});

Deno.test("EOPNOTSUPP, ENOTSUPP and ENOSYS mean the kernel lacks the feature; EINVAL does not", () => {
  assert.deepEqual([EOPNOTSUPP, ENOTSUPP, ENOSYS, 22, 1].map(isNotSupported), [
    true,
    true,
    true,
    false,
    false,
  ]);
  assert.ok(errnoError("x", -ENOTSUPP) instanceof NotSupportedError);
  const plain = errnoError("x", EPERM);
  assert.ok(plain instanceof ErrnoError && !(plain instanceof NotSupportedError));
});

Deno.test("the errno is found through any number of wrapping errors", () => {
  const root = new ErrnoError("Cannot attach: Operation not permitted", EPERM);
  const mid = new Error("Cannot attach program", { cause: root });
  const top = new Error('Cannot load config "x"', { cause: mid });
  assert.equal(findErrno(top), root);
  assert.equal(findCause(top, ErrnoError), root);
  assert.equal(findErrno(new Error("Operation not permitted (EPERM)")), null);
  assert.equal(findErrno("EPERM"), null);
});

Deno.test("a cause cycle ends the walk instead of looping", () => {
  const a = new Error("a");
  const b = new Error("b", { cause: a });
  (a as { cause?: unknown }).cause = b;
  assert.equal(findErrno(b), null);
});
