/**
 * Names of the host's network interfaces and block devices. Found names are kept for the life
 * of the process (as upstream): each reload merges what it reads into what was known.
 */

import { HostReadError } from "./errors.ts";
import type { TableSource } from "./refresh.ts";
import { lenientText } from "./text.ts";

/** Where the kernel lists block devices. */
export const PARTITIONS_PATH = "/proc/partitions";

/** Reads a whole file; `null` when it cannot be read. */
export type ReadFile = (path: string) => Uint8Array | null;

/** [ifindex, name] of every interface, from /proc/net/dev (names) and sysfs (indexes). */
export function interfacesFromProc(readFile: ReadFile): Array<[number, string]> {
  const dev = readFile("/proc/net/dev");
  if (dev === null) return [];
  const out: Array<[number, string]> = [];
  for (const line of lenientText(dev).split("\n")) {
    const colon = line.indexOf(":");
    // The two header lines have `|` separators and no `name:` prefix.
    if (colon < 0 || line.includes("|")) continue;
    const name = line.slice(0, colon).trim();
    const raw = readFile(`/sys/class/net/${name}/ifindex`);
    const index = raw === null ? NaN : Number(lenientText(raw).trim());
    if (Number.isInteger(index)) out.push([index, name]);
  }
  return out;
}

/** Parses /proc/partitions (`major minor #blocks name`) into "major:minor" → name. */
export function parsePartitions(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length !== 4 || !/^\d+$/.test(f[0]!) || !/^\d+$/.test(f[1]!)) continue;
    out.set(`${Number(f[0])}:${Number(f[1])}`, f[3]!);
  }
  return out;
}

/** "major:minor" → name of every block device; throws `HostReadError` when unreadable. */
export function partitionsFrom(readFile: ReadFile): Map<string, string> {
  const raw = readFile(PARTITIONS_PATH);
  if (raw === null) throw new HostReadError(PARTITIONS_PATH);
  return parsePartitions(lenientText(raw));
}

/**
 * A name table that starts empty (so the first lookup is a miss that reads the source) and
 * merges every reload's entries into itself; it changed when an entry was new.
 */
export function accumulatingNames<K>(
  list: () => Iterable<[K, string]>,
): TableSource<Map<K, string>> {
  return {
    initial: () => new Map(),
    startsEmpty: true,
    reload(current) {
      let changed = false;
      for (const [k, name] of list()) {
        if (!current.has(k)) changed = true;
        current.set(k, name);
      }
      return { table: current, changed };
    },
  };
}
