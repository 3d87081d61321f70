import assert from "node:assert/strict";
import { HostReadError } from "../../src/host/errors.ts";
import { Host } from "../../src/host/host.ts";
import { fakeContext, fixture } from "../decoders/helpers.ts";

Deno.test("a Host reads nothing until asked and shares each table among its callers", () => {
  const { ctx: host, host: fake } = fakeContext({
    files: { "/proc/kallsyms": fixture("kallsyms_pipe.txt") },
  });
  assert.equal(fake.reads.size, 0);
  assert.equal(host.kallsyms(), host.kallsyms());
  assert.equal(fake.reads.get("/proc/kallsyms"), 1);
  let built = 0;
  const make = () => ++built;
  assert.deepEqual([host.derived("db", make), host.derived("db", make)], [1, 1]);
});

Deno.test("a Host walks the cgroup tree from its root, or finds nothing without listing", () => {
  const { ctx: host } = fakeContext({
    dirs: { "/sys/fs/cgroup": [["init.scope", 5n]], "/sys/fs/cgroup/init.scope": [] },
  });
  assert.equal(host.cgroupRoot, "/sys/fs/cgroup");
  assert.deepEqual([...host.cgroupTree()], [["/sys/fs/cgroup/init.scope", 5n]]);
  assert.equal(host.cgroupPath(1n), "/sys/fs/cgroup");
  const blind = new Host({ readFile: () => null, cgroupRoot: "/cg" });
  assert.equal(blind.canListDirs, false);
  assert.equal(blind.cgroupTree().size, 0);
  assert.equal(blind.cgroupPath(1n), null);
});

Deno.test("a Host names interfaces and block devices, failing typed on unreadable partitions", () => {
  const { ctx: host } = fakeContext({
    interfaces: [[1, "lo"]],
    files: { "/proc/partitions": fixture("partitions.txt") },
  });
  assert.equal(host.interfaceName(1), "lo");
  assert.equal(host.interfaceName(2), null);
  assert.equal(host.blockDeviceName(8, 0), "sda");
  assert.throws(() => new Host({ readFile: () => null }).blockDeviceName(8, 0), HostReadError);
  assert.throws(() => new Host({ readFile: () => null }).kallsyms(), HostReadError);
});
