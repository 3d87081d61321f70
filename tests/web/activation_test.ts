/** Which fd fd://N names, given LISTEN_FDS and LISTEN_PID. */
import assert from "node:assert/strict";
import { ActivationError, activationFd } from "../../src/web/activation.ts";

Deno.test("fd://N is fd 3+N when enough sockets were passed to this process", () => {
  assert.equal(activationFd(0, { listenFds: "1", listenPid: "42" }, 42), 3);
  assert.equal(activationFd(1, { listenFds: "2", listenPid: "42" }, 42), 4);
});

Deno.test("too few sockets, or sockets meant for another process, are clear errors", () => {
  assert.throws(
    () => activationFd(1, { listenFds: "1", listenPid: "42" }, 42),
    (e) => e instanceof ActivationError && /only 1 listener\(s\) passed/.test(e.message),
  );
  for (
    const env of [
      { listenFds: "1", listenPid: "41" },
      { listenFds: undefined, listenPid: undefined },
      { listenFds: "1", listenPid: "x" },
    ]
  ) {
    assert.throws(() => activationFd(0, env, 42), /^ActivationError: no listeners passed/);
  }
  assert.throws(() => activationFd(0, { listenFds: "lots", listenPid: "42" }, 42), /LISTEN_FDS/);
});
