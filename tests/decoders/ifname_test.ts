import assert from "node:assert/strict";
import { interfacesFromProc } from "../../src/host/devices.ts";
import { DecodeError } from "../../src/decoders/types.ts";
import { b, build, conf, fakeContext, run } from "./helpers.ts";

Deno.test("ifname names known interface indexes", () => {
  const { ctx } = fakeContext({ interfaces: [[1, "lo"], [2734686214, "eth42"]] });
  const d = build(conf("ifname"), ctx);
  assert.deepEqual(run(d, b(0x01, 0x00, 0x00, 0x00)), { out: "lo", transient: false });
  assert.deepEqual(run(d, b(0x06, 0x00, 0x00, 0xa3)), { out: "eth42", transient: false });
});

Deno.test("ifname marks unknown indexes as transient", () => {
  const { ctx } = fakeContext({ interfaces: [[1, "lo"]] });
  const d = build(conf("ifname"), ctx);
  assert.deepEqual(run(d, b(0, 0, 0, 0)), { out: "unknown:0", transient: true });
});

Deno.test("ifname re-reads interfaces on a miss at most once per second", () => {
  const { ctx, host } = fakeContext({ interfaces: [[1, "lo"]] });
  const d = build(conf("ifname"), ctx);
  assert.equal(run(d, b(1, 0, 0, 0)).out, "lo");
  host.interfaces = [[1, "lo"], [7, "veth7"]];
  assert.equal(run(d, b(7, 0, 0, 0)).out, "unknown:7");
  host.time += 1000;
  assert.deepEqual(run(d, b(7, 0, 0, 0)), { out: "veth7", transient: false });
});

Deno.test("ifname reads procfs and sysfs when the host has no interface list", () => {
  const { ctx } = fakeContext({
    files: {
      "/proc/net/dev": "Inter-|   Receive |  Transmit\n face |bytes packets|bytes\n" +
        "    lo:    3193      29\n  eth0: 113332140    3599\n",
      "/sys/class/net/lo/ifindex": "1\n",
      "/sys/class/net/eth0/ifindex": "2\n",
    },
  });
  assert.deepEqual(interfacesFromProc((p) => ctx.readFile(p)), [[1, "lo"], [2, "eth0"]]);
  assert.equal(run(build(conf("ifname"), ctx), b(2, 0, 0, 0)).out, "eth0");
});

Deno.test("ifname needs four bytes", () => {
  const d = build(conf("ifname"), fakeContext({ interfaces: [] }).ctx);
  assert.throws(() => d.decode(b(1, 0)), DecodeError);
});
