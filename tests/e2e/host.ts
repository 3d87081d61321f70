/**
 * A deterministic host for decoders that read one: the small tables a fixture records
 * (kallsyms lines, partitions, cgroup directories, interfaces) plus the committed pci.ids, and
 * a clock that never moves. Everything the e2e test knows about the `Host` is here, so a
 * reshaped host interface is adapted in this one place.
 */

import { Host } from "../../src/host/host.ts";
import { KALLSYMS_PATH } from "../../src/host/kallsyms.ts";
import { PARTITIONS_PATH } from "../../src/host/devices.ts";
import { PCI_IDS_PATHS } from "../../src/decoders/pci_ids.ts";

/** Where the fake host mounts its cgroup v2 tree. */
export const FAKE_CGROUP_ROOT = "/sys/fs/cgroup";

/** What a fixture records of the host its maps were read on (only what its decoders read). */
export interface HostTables {
  /** Lines of /proc/kallsyms: the symbols the recorded kernel addresses resolve to. */
  kallsyms?: string[];
  /** Lines of /proc/partitions, header included. */
  partitions?: string[];
  /** Cgroup v2 directories as [path below the root, id (the directory's inode)]. */
  cgroups?: Array<[string, number]>;
  /** Network interfaces as [ifindex, name]. */
  interfaces?: Array<[number, string]>;
}

const PCI_IDS = new URL("../fixtures/decoders/pci.ids", import.meta.url);
const utf8 = new TextEncoder();

/** A Host answering only from `tables` (and the committed pci.ids). */
export function fakeHost(tables: HostTables): Host {
  const files = new Map<string, Uint8Array>();
  const lines = (l: string[]) => utf8.encode(l.map((x) => x + "\n").join(""));
  if (tables.kallsyms !== undefined) files.set(KALLSYMS_PATH, lines(tables.kallsyms));
  if (tables.partitions !== undefined) files.set(PARTITIONS_PATH, lines(tables.partitions));
  files.set(PCI_IDS_PATHS[0]!, Deno.readFileSync(PCI_IDS));
  const dirs = cgroupDirs(tables.cgroups ?? []);
  return new Host({
    readFile: (path) => files.get(path) ?? null,
    listDirs: (path) => dirs.get(path) ?? (path.startsWith(FAKE_CGROUP_ROOT) ? [] : null),
    cgroupRoot: FAKE_CGROUP_ROOT,
    interfaces: () => tables.interfaces ?? [],
    now: () => 0,
  });
}

// Directory listings of the fake cgroup tree: every recorded path and its ancestors.
function cgroupDirs(cgroups: Array<[string, number]>): Map<string, Array<[string, bigint]>> {
  const dirs = new Map<string, Array<[string, bigint]>>();
  for (const [path, id] of cgroups) {
    const cut = path.lastIndexOf("/");
    const parent = FAKE_CGROUP_ROOT + path.slice(0, cut);
    const list = dirs.get(parent) ?? [];
    list.push([path.slice(cut + 1), BigInt(id)]);
    dirs.set(parent, list);
  }
  return dirs;
}
