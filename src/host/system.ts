/** The real host: files and directories read through libc (see ffi/libc.ts). */

import { readDirViaLibc, tryReadFileViaLibc } from "../../ffi/libc.ts";
import { findCgroup2Root } from "./cgroups.ts";
import { Host } from "./host.ts";

/** Subdirectories of `path` as [name, inode], or `null` when it cannot be listed. */
function listDirs(path: string): Array<[string, bigint]> | null {
  try {
    return readDirViaLibc(path)
      .filter((e) => e.isDirectory)
      .map((e): [string, bigint] => [e.name, e.inode]);
  } catch {
    return null; // removed while walking, or not readable
  }
}

/** A Host backed by this machine's /proc and /sys. */
export function systemHost(): Host {
  return new Host({
    readFile: tryReadFileViaLibc,
    listDirs,
    cgroupRoot: findCgroup2Root(),
  });
}
