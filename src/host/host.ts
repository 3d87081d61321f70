/**
 * The host as the exporter sees it: the one place that reads the host's changing tables
 * (kernel symbols, the cgroup tree, interface and block device names). One Host belongs to one
 * exporter instance and is injected where those tables are needed (decoders, kaddrs,
 * cgroup_id_map); each table is read on first use and reloaded on misses, rate-limited.
 */

import { CgroupPaths, DEFAULT_CGROUP_ROOT, type ListDirs, walkCgroupTree } from "./cgroups.ts";
import { accumulatingNames, interfacesFromProc, partitionsFrom } from "./devices.ts";
import { Kallsyms, KALLSYMS_PATH } from "./kallsyms.ts";
import { RefreshingTable, RereadLimiter } from "./refresh.ts";

/** Raw access to a host: the real one through libc (see system.ts), or fixtures in tests. */
export interface HostSource {
  /** Reads a whole file; `null` when it cannot be read. */
  readFile(path: string): Uint8Array | null;
  /** Lists a directory's subdirectories as [name, inode] pairs; `null` when unreadable. */
  listDirs?: ListDirs;
  /** Mount point of the cgroup v2 hierarchy; defaults to `/sys/fs/cgroup`. */
  cgroupRoot?: string;
  /**
   * Every network interface as [ifindex, name]. Without it names come from `/proc/net/dev`
   * and indexes from `/sys/class/net/<name>/ifindex`, through `readFile`.
   */
  interfaces?(): Array<[number, string]>;
  /** Monotonic milliseconds, used to rate-limit reloads; defaults to `performance.now()`. */
  now?(): number;
}

/** The tables of one host, each built on first use and shared by everything that asks. */
export class Host {
  /** Mount point of the cgroup v2 hierarchy. */
  readonly cgroupRoot: string;
  #source: HostSource;
  #kallsyms: Kallsyms | null = null;
  #cgroupPaths: CgroupPaths | null = null;
  #interfaces: RefreshingTable<Map<number, string>>;
  #partitions: RefreshingTable<Map<string, string>>;
  #derived = new Map<string, unknown>();

  /** A host over `source`; nothing is read until a table is asked for. */
  constructor(source: HostSource) {
    this.#source = source;
    this.cgroupRoot = source.cgroupRoot ?? DEFAULT_CGROUP_ROOT;
    const read = (path: string) => source.readFile(path);
    this.#interfaces = new RefreshingTable(
      accumulatingNames(() => source.interfaces?.() ?? interfacesFromProc(read)),
      this.#limiter(),
    );
    this.#partitions = new RefreshingTable(
      accumulatingNames(() => partitionsFrom(read)),
      this.#limiter(),
    );
  }

  /** Reads a whole file; `null` when it cannot be read. */
  readFile(path: string): Uint8Array | null {
    return this.#source.readFile(path);
  }

  /** Monotonic milliseconds. */
  now(): number {
    return this.#source.now?.() ?? performance.now();
  }

  /** The kernel's symbols, read on first use; throws `HostReadError` when unreadable. */
  kallsyms(): Kallsyms {
    this.#kallsyms ??= new Kallsyms(() => this.readFile(KALLSYMS_PATH), this.#limiter());
    return this.#kallsyms;
  }

  /** Whether this host can list directories (walk the cgroup tree). */
  get canListDirs(): boolean {
    return this.#source.listDirs !== undefined;
  }

  /** Every cgroup below the root as path → id, walked now (empty when dirs cannot be listed). */
  cgroupTree(): Map<string, bigint> {
    const list = this.#source.listDirs;
    return list === undefined ? new Map() : walkCgroupTree(this.cgroupRoot, list);
  }

  /** The path of cgroup `id` (the root's id is 1), or `null` when unknown or unlistable. */
  cgroupPath(id: bigint): string | null {
    const list = this.#source.listDirs;
    if (list === undefined) return null;
    this.#cgroupPaths ??= new CgroupPaths(this.cgroupRoot, list, () => this.now(), this.#limiter());
    return this.#cgroupPaths.lookup(id);
  }

  /** The name of network interface `index`, or `null` when unknown. */
  interfaceName(index: number): string | null {
    return this.#interfaces.lookup((t) => t.get(index) ?? null);
  }

  /**
   * The name of block device `major:minor`, or `null` when unknown; throws `HostReadError`
   * when a permitted read of /proc/partitions fails.
   */
  blockDeviceName(major: number, minor: number): string | null {
    return this.#partitions.lookup((t) => t.get(`${major}:${minor}`) ?? null);
  }

  /**
   * A value derived from this host's files that does not change (the pci.ids database),
   * built by `create` on first use and shared by every caller of the same `key`.
   */
  derived<T>(key: string, create: () => T): T {
    if (!this.#derived.has(key)) this.#derived.set(key, create());
    return this.#derived.get(key) as T;
  }

  #limiter(): RereadLimiter {
    return new RereadLimiter(() => this.now());
  }
}
