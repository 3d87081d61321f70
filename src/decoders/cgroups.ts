/**
 * Cgroup id → path resolution for the `cgroup` decoder by walking the cgroup v2 tree: a cgroup's
 * id is the inode number of its directory, its path the directory's full path.
 *
 * The first lookup walks the whole tree; a miss re-walks it, rate-limited by a `RereadLimiter`
 * (at most once per second, backing off to once per 30 s while walks find nothing new). Each
 * walk refreshes every live cgroup; cgroups that disappeared stay resolvable for
 * `DEAD_RETENTION_MS` (their ids can still sit in BPF maps) and are then forgotten, so memory
 * follows the live tree rather than everything ever seen.
 */

import type { DecoderContext } from "./types.ts";
import { clockOf, RereadLimiter, shared } from "./shared.ts";

/** Default mount point of the cgroup v2 hierarchy. */
export const DEFAULT_CGROUP_ROOT = "/sys/fs/cgroup";

/** How long a vanished cgroup keeps resolving after the walk that last saw it. */
export const DEAD_RETENTION_MS = 10 * 60 * 1000;

/** The cgroup v2 root directory is the kernfs root, whose id is always 1. */
const ROOT_ID = 1n;

interface Known {
  path: string;
  seenAt: number;
}

/** Cgroup id → path map of one host, filled by walking the tree. */
export class CgroupPaths {
  #root: string;
  #list: (path: string) => Array<[string, bigint]> | null;
  #now: () => number;
  #limiter: RereadLimiter;
  #known = new Map<bigint, Known>();
  #walked = false;

  constructor(
    root: string,
    list: (path: string) => Array<[string, bigint]> | null,
    now: () => number,
    limiter: RereadLimiter,
  ) {
    this.#root = root.length > 1 ? root.replace(/\/+$/, "") : root;
    this.#list = list;
    this.#now = now;
    this.#limiter = limiter;
  }

  /** Number of ids currently known. */
  get size(): number {
    return this.#known.size;
  }

  /** The path of cgroup `id`, or `null` when it is unknown even after a permitted re-walk. */
  lookup(id: bigint): string | null {
    if (!this.#walked) {
      this.#walked = true;
      this.#walk();
    } else if (!this.#known.has(id) && this.#limiter.tryAcquire()) {
      this.#limiter.settle(this.#walk());
    }
    return this.#known.get(id)?.path ?? null;
  }

  /** Walks the whole tree; returns whether it found an id it did not know. */
  #walk(): boolean {
    const now = this.#now();
    let added = false;
    const see = (id: bigint, path: string) => {
      const known = this.#known.get(id);
      if (known === undefined || known.path !== path) added = true;
      this.#known.set(id, { path, seenAt: now });
    };
    see(ROOT_ID, this.#root);
    const pending = [this.#root];
    while (pending.length > 0) {
      const dir = pending.pop()!;
      const entries = this.#list(dir);
      if (entries === null) continue;
      for (const [name, inode] of entries) {
        const path = dir === "/" ? `/${name}` : `${dir}/${name}`;
        see(inode, path);
        pending.push(path);
      }
    }
    for (const [id, known] of this.#known) {
      if (now - known.seenAt > DEAD_RETENTION_MS) this.#known.delete(id);
    }
    return added;
  }
}

/** The CgroupPaths shared by every decoder of `ctx`; `null` when ctx cannot list directories. */
export function cgroupPathsFor(ctx: DecoderContext): CgroupPaths | null {
  const list = ctx.readDirInodes?.bind(ctx);
  if (list === undefined) return null;
  const root = ctx.cgroupRoot ?? DEFAULT_CGROUP_ROOT;
  return shared(
    ctx,
    `cgroups:${root}`,
    () => new CgroupPaths(root, list, clockOf(ctx), new RereadLimiter(clockOf(ctx))),
  );
}
