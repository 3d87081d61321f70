/**
 * The cgroup v2 tree: where it is mounted, one walk of it, and cgroup id → path resolution.
 * A cgroup's id is the inode number of its directory, its path the directory's full path; the
 * root directory is the kernfs root, whose id is always 1.
 */

import { tryReadFileViaLibc } from "../../ffi/libc.ts";
import { RefreshingTable, type RereadLimiter } from "./refresh.ts";
import { lenientText } from "./text.ts";

/** Default mount point of the cgroup v2 hierarchy. */
export const DEFAULT_CGROUP_ROOT = "/sys/fs/cgroup";

/** How long a vanished cgroup keeps resolving after the walk that last saw it. */
export const DEAD_RETENTION_MS = 10 * 60 * 1000;

const ROOT_ID = 1n;

/** Lists a directory's subdirectories as [name, inode] pairs; `null` when it cannot be read. */
export type ListDirs = (path: string) => Array<[string, bigint]> | null;

/** Where the cgroup v2 hierarchy is mounted (hybrid hosts mount it at /sys/fs/cgroup/unified). */
export function findCgroup2Root(readFile = tryReadFileViaLibc): string {
  const raw = readFile("/proc/self/mountinfo");
  if (raw !== null) {
    for (const line of lenientText(raw).split("\n")) {
      // mountinfo: id parent maj:min root mountpoint options ... - fstype source superopts
      const [left, right] = line.split(" - ");
      if (right?.startsWith("cgroup2 ")) {
        const mountPoint = left?.split(" ")[4];
        if (mountPoint) return mountPoint.replace(/\\040/g, " ");
      }
    }
  }
  return DEFAULT_CGROUP_ROOT;
}

/**
 * Every cgroup below `root` (not root itself) as path → id. Directories that cannot be listed
 * (removed while walking) are skipped with what lies below them.
 */
export function walkCgroupTree(root: string, list: ListDirs): Map<string, bigint> {
  const out = new Map<string, bigint>();
  const pending = [trimRoot(root)];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    for (const [name, inode] of list(dir) ?? []) {
      const path = dir === "/" ? `/${name}` : `${dir}/${name}`;
      out.set(path, inode);
      pending.push(path);
    }
  }
  return out;
}

function trimRoot(root: string): string {
  return root.length > 1 ? root.replace(/\/+$/, "") : root;
}

interface Known {
  path: string;
  seenAt: number;
}

/**
 * Cgroup id → path of one host. The first lookup walks the whole tree; a miss re-walks it as
 * often as the limiter allows. Each walk refreshes every live cgroup; cgroups that disappeared
 * stay resolvable for `DEAD_RETENTION_MS` (their ids can still sit in BPF maps) and are then
 * forgotten, so memory follows the live tree rather than everything ever seen.
 */
export class CgroupPaths {
  #table: RefreshingTable<Map<bigint, Known>>;

  /** Paths of the tree at `root`, listed by `list`, timed by the millisecond clock `now`. */
  constructor(root: string, list: ListDirs, now: () => number, limiter: RereadLimiter) {
    const walk = (known: Map<bigint, Known>) => {
      const t = now();
      let changed = false;
      const see = (id: bigint, path: string) => {
        if (known.get(id)?.path !== path) changed = true;
        known.set(id, { path, seenAt: t });
      };
      see(ROOT_ID, trimRoot(root));
      for (const [path, id] of walkCgroupTree(root, list)) see(id, path);
      for (const [id, k] of known) if (t - k.seenAt > DEAD_RETENTION_MS) known.delete(id);
      return { table: known, changed };
    };
    this.#table = new RefreshingTable(
      { initial: () => walk(new Map()).table, reload: walk },
      limiter,
    );
  }

  /** Number of ids currently known (walks the tree on first use). */
  get size(): number {
    return this.#table.current().size;
  }

  /** The path of cgroup `id`, or `null` when it is unknown even after a permitted re-walk. */
  lookup(id: bigint): string | null {
    return this.#table.lookup((known) => known.get(id)?.path ?? null);
  }
}
