/**
 * `cgroup_id_map`: keeps a BPF map holding the ids of cgroups whose path matches the config's
 * regexps, so programs can filter by cgroup. Where fanotify works on the cgroup filesystem, a
 * created or deleted directory triggers a rescan within 100 ms (plus a slow safety rescan);
 * elsewhere the tree is rescanned every 500 ms. Changes are applied as differences. The regexps
 * are RE2, compiled by the same engine that validated them at config load (re2.ts), and search
 * the full path unanchored, as Go's MatchString does.
 */

import type { BpfMap } from "../../ffi/libbpf.ts";
import { MapType } from "../../ffi/libbpf.ts";
import { closeFd, DirectoryChangeWatch, openDirectory } from "../../ffi/libc.ts";
import type { CgroupIdMapConfig } from "../config/types.ts";
import type { Host } from "../host/host.ts";
import { compileRe2, type Re2 } from "../re2.ts";

/** Mirrors matching cgroups into one map. */
export class CgroupIdMap {
  #map: BpfMap;
  #conf: CgroupIdMapConfig;
  #host: Host;
  #patterns: Re2[];
  #present = new Map<string, bigint>(); // path → id currently in the map
  #timers: Array<ReturnType<typeof setInterval>> = [];
  #watch: DirectoryChangeWatch | null = null;

  /** Checks the map's layout; throws naming expected and actual sizes. */
  constructor(map: BpfMap, conf: CgroupIdMapConfig, host: Host) {
    const wantKey = conf.type === "hash" ? 8 : 4;
    const wantType = conf.type === "hash" ? null : MapType.CGRP_STORAGE;
    if (map.keySize !== wantKey || map.valueSize !== 8) {
      throw new Error(
        `cgroup_id_map "${conf.name}" of type ${conf.type} needs ${wantKey}-byte keys and 8-byte ` +
          `values, the map has ${map.keySize}-byte keys and ${map.valueSize}-byte values`,
      );
    }
    if (wantType !== null && map.type !== wantType) {
      throw new Error(
        `cgroup_id_map "${conf.name}" of type cgrp_storage needs a BPF_MAP_TYPE_CGRP_STORAGE map`,
      );
    }
    this.#map = map;
    this.#conf = conf;
    this.#host = host;
    this.#patterns = conf.regexps.map((r) => compileRe2(r));
  }

  /** Applies the current tree to the map once. */
  sync(): void {
    const now = this.#host.cgroupTree();
    const one = new Uint8Array(8);
    one[0] = 1;
    for (const [path, id] of now) {
      if (this.#present.get(path) === id) continue;
      if (!this.#patterns.some((p) => p.test(path))) continue;
      try {
        this.#add(path, id, one);
        this.#present.set(path, id);
      } catch {
        // The cgroup vanished between the walk and the update; the next sync settles it.
      }
    }
    for (const [path, id] of this.#present) {
      if (now.get(path) === id) continue;
      this.#present.delete(path);
      // cgrp_storage entries die with their cgroup; hash entries must be removed by us.
      if (this.#conf.type === "hash") this.#map.delete(idKey(id));
    }
  }

  #add(path: string, id: bigint, value: Uint8Array): void {
    if (this.#conf.type === "hash") {
      this.#map.update(idKey(id), value);
      return;
    }
    const fd = openDirectory(path);
    try {
      const key = new Uint8Array(4);
      new DataView(key.buffer).setInt32(0, fd, true);
      this.#map.update(key, value);
    } finally {
      closeFd(fd);
    }
  }

  /** Syncs now, then on changes (fanotify) or every 500 ms; returns how it keeps in sync. */
  start(): string {
    const { watch, reason } = DirectoryChangeWatch.open(this.#host.cgroupRoot);
    this.#watch = watch;
    this.sync();
    if (watch !== null) {
      this.#timers.push(setInterval(() => {
        if (watch.drain()) this.sync();
      }, 100));
      this.#timers.push(setInterval(() => this.sync(), 30_000));
      return "fanotify";
    }
    this.#timers.push(setInterval(() => this.sync(), 500));
    return `rescans every 500 ms (${reason})`;
  }

  /** Stops watching and rescanning. Idempotent. */
  stop(): void {
    for (const t of this.#timers.splice(0)) clearInterval(t);
    this.#watch?.close();
    this.#watch = null;
  }
}

function idKey(id: bigint): Uint8Array {
  const key = new Uint8Array(8);
  new DataView(key.buffer).setBigUint64(0, id, true);
  return key;
}
