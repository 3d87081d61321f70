import assert from "node:assert/strict";
import { notifySocketAddress, SystemdNotifier } from "../../ffi/notify.ts";

Deno.test("a path NOTIFY_SOCKET becomes a NUL-terminated sockaddr_un", () => {
  assert.deepEqual(
    [...notifySocketAddress("/run/n")!],
    [1, 0, ...new TextEncoder().encode("/run/n"), 0],
  );
});

Deno.test("an abstract NOTIFY_SOCKET starts with NUL and has no terminator", () => {
  assert.deepEqual([...notifySocketAddress("@sd")!], [1, 0, 0, 115, 100]);
});

Deno.test("unsupported or oversized NOTIFY_SOCKET values disable notifications", () => {
  assert.equal(notifySocketAddress("vsock:2:1234"), null);
  assert.equal(notifySocketAddress("/" + "x".repeat(200)), null);
  assert.equal(new SystemdNotifier("vsock:2:1234").enabled, false);
  assert.equal(new SystemdNotifier("").enabled, false);
  assert.equal(new SystemdNotifier(undefined).enabled, false);
  new SystemdNotifier(undefined).notify("READY=1"); // a no-op, not an error
});
