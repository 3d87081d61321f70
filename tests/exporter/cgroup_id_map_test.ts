import assert from "node:assert/strict";
import type { BpfMap } from "../../ffi/libbpf.ts";
import type { CgroupIdMapConfig } from "../../src/config/types.ts";
import { CgroupIdMap } from "../../src/exporter/cgroup_id_map.ts";
import { fakeContext } from "../decoders/helpers.ts";

/** A hash map stand-in that records the cgroup ids put into it. */
function fakeHashMap(): { map: BpfMap; ids: Set<bigint> } {
  const ids = new Set<bigint>();
  const id = (key: Uint8Array) => new DataView(key.buffer).getBigUint64(0, true);
  const map = {
    keySize: 8,
    valueSize: 8,
    update: (key: Uint8Array) => void ids.add(id(key)),
    delete: (key: Uint8Array) => void ids.delete(id(key)),
  };
  return { map: map as unknown as BpfMap, ids };
}

/** The ids a hash cgroup_id_map with `regexps` keeps for a small fixed tree. */
function matchedIds(regexps: string[]): bigint[] {
  const { ctx } = fakeContext({
    dirs: {
      "/sys/fs/cgroup": [["system.slice", 10n], ["docker", 20n], ["Asystem.slicez", 30n]],
      "/sys/fs/cgroup/system.slice": [["ssh.service", 11n]],
      "/sys/fs/cgroup/docker": [["DOCKER-1.scope", 21n]],
    },
  });
  const conf: CgroupIdMapConfig = {
    name: "ids",
    type: "hash",
    regexps,
    pos: { file: "t.yaml", line: 1, key: "cgroup_id_map" },
  };
  const { map, ids } = fakeHashMap();
  new CgroupIdMap(map, conf, ctx).sync();
  return [...ids].sort((a, b) => Number(a - b));
}

Deno.test("cgroup_id_map matches paths with RE2 semantics, unanchored", () => {
  // (?i) is RE2's case folding; JS RegExp throws on it.
  assert.deepEqual(matchedIds(["(?i)/docker-"]), [21n]);
  // \A and \z anchor the whole path; JS RegExp would read them as the letters A and z.
  assert.deepEqual(matchedIds(["\\A/sys/fs/cgroup/system\\.slice\\z"]), [10n]);
  assert.deepEqual(matchedIds(["system\\.slice"]), [10n, 11n, 30n]);
  assert.deepEqual(matchedIds(["^.*(system.slice/.*)$", "docker$"]), [11n, 20n]);
});
