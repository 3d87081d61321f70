import assert from "node:assert/strict";
import { CgroupPaths, DEAD_RETENTION_MS } from "../../src/host/cgroups.ts";
import { RereadLimiter } from "../../src/host/refresh.ts";
import { DecodeError, DecoderConfigError } from "../../src/decoders/types.ts";
import { build, conf, fakeContext, run } from "./helpers.ts";

const ROOT = "/sys/fs/cgroup/unified";

function tree() {
  return fakeContext({
    cgroupRoot: ROOT,
    dirs: {
      [ROOT]: [["system.slice", 100n], ["user.slice", 200n]],
      [`${ROOT}/system.slice`]: [["ssh.service", 101n]],
      [`${ROOT}/system.slice/ssh.service`]: [],
      [`${ROOT}/user.slice`]: [],
    },
  });
}

Deno.test("cgroup resolves ids to full paths under the configured root", () => {
  const d = build(conf("cgroup"), tree().ctx);
  assert.deepEqual(run(d, "101"), {
    out: "/sys/fs/cgroup/unified/system.slice/ssh.service",
    transient: false,
  });
  assert.equal(run(d, "200").out, "/sys/fs/cgroup/unified/user.slice");
  assert.equal(run(d, "1").out, "/sys/fs/cgroup/unified");
});

Deno.test("cgroup defaults to /sys/fs/cgroup", () => {
  const { ctx } = fakeContext({ dirs: { "/sys/fs/cgroup": [["init.scope", 5n]] } });
  assert.equal(run(build(conf("cgroup"), ctx), "5").out, "/sys/fs/cgroup/init.scope");
});

Deno.test("cgroup marks unknown ids as transient", () => {
  const d = build(conf("cgroup"), tree().ctx);
  assert.deepEqual(run(d, "999"), { out: "unknown_cgroup_id:999", transient: true });
});

Deno.test("cgroup re-walks on a miss, backing off while walks find nothing", () => {
  const { ctx, host } = tree();
  const d = build(conf("cgroup"), ctx);
  assert.equal(run(d, "100").out, `${ROOT}/system.slice`);
  assert.equal(host.reads.get(ROOT), 1);
  assert.equal(run(d, "300").out, "unknown_cgroup_id:300"); // first miss re-walks
  assert.equal(host.reads.get(ROOT), 2);
  host.dirs.set(ROOT, [["system.slice", 100n], ["user.slice", 200n], ["new.slice", 300n]]);
  host.dirs.set(`${ROOT}/new.slice`, []);
  assert.equal(run(d, "300").out, "unknown_cgroup_id:300"); // too soon
  assert.equal(host.reads.get(ROOT), 2);
  host.time += 1000; // the fruitless walk doubled the interval to 2 s
  assert.equal(run(d, "300").out, "unknown_cgroup_id:300");
  assert.equal(host.reads.get(ROOT), 2);
  host.time += 1000;
  assert.deepEqual(run(d, "300"), { out: `${ROOT}/new.slice`, transient: false });
  assert.equal(host.reads.get(ROOT), 3);
});

Deno.test("cgroup forgets vanished cgroups after the retention time", () => {
  let now = 0;
  const dirs = new Map<string, Array<[string, bigint]>>([["/cg", [["a", 10n], ["b", 11n]]]]);
  const paths = new CgroupPaths(
    "/cg",
    (p) => dirs.get(p) ?? null,
    () => now,
    new RereadLimiter(() => now),
  );
  assert.equal(paths.lookup(10n), "/cg/a");
  dirs.set("/cg", [["b", 11n]]);
  now += 1000;
  assert.equal(paths.lookup(12n), null); // re-walk: "a" is gone but still remembered
  assert.equal(paths.lookup(10n), "/cg/a");
  now += DEAD_RETENTION_MS + 60_000;
  assert.equal(paths.lookup(12n), null); // re-walk after the retention time
  assert.equal(paths.lookup(10n), null);
  assert.equal(paths.size, 2); // root and "b"
});

Deno.test("cgroup rejects input that is not a decimal number", () => {
  const d = build(conf("cgroup"), tree().ctx);
  assert.throws(() => d.decode(new Uint8Array([1, 0, 0, 0])), DecodeError);
});

Deno.test("cgroup needs a host that can list directories", () => {
  assert.throws(
    () => build(conf("cgroup"), fakeContext({ withoutDirs: true }).ctx),
    DecoderConfigError,
  );
});
