import assert from "node:assert/strict";
import { findCgroup2Root, walkCgroupTree } from "../../src/host/cgroups.ts";

const TREE = new Map<string, Array<[string, bigint]>>([
  ["/cg", [["a", 10n], ["b", 11n]]],
  ["/cg/a", [["x", 12n]]],
  ["/cg/a/x", []],
]);

Deno.test("the cgroup walk lists every directory below the root as path → id", () => {
  const walked = walkCgroupTree("/cg/", (p) => TREE.get(p) ?? null);
  assert.deepEqual([...walked].sort(), [["/cg/a", 10n], ["/cg/a/x", 12n], ["/cg/b", 11n]]);
});

Deno.test("the cgroup walk skips directories that cannot be listed and joins under /", () => {
  assert.deepEqual([...walkCgroupTree("/", (p) => (p === "/" ? [["s", 3n]] : null))], [
    ["/s", 3n],
  ]);
  assert.equal(walkCgroupTree("/gone", () => null).size, 0);
});

Deno.test("the cgroup2 mount comes from mountinfo, with escaped spaces", () => {
  const mountinfo = [
    "22 1 0:21 / /proc rw,nosuid - proc proc rw",
    "30 25 0:26 / /sys/fs/cgroup/un\\040ified rw - cgroup2 cgroup2 rw,nsdelegate",
    "",
  ].join("\n");
  const read = (text: string | null) => () => text === null ? null : new TextEncoder().encode(text);
  assert.equal(findCgroup2Root(read(mountinfo)), "/sys/fs/cgroup/un ified");
  assert.equal(findCgroup2Root(read("22 1 0:21 / /proc rw - proc proc rw\n")), "/sys/fs/cgroup");
  assert.equal(findCgroup2Root(read(null)), "/sys/fs/cgroup");
});
