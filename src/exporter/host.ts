/** The decoders' view of this host: files and directories read through libc (see ffi/libc.ts). */

import { readDirViaLibc, tryReadFileViaLibc } from "../../ffi/libc.ts";
import type { DecoderContext } from "../decoders/types.ts";

/** Where the cgroup v2 hierarchy is mounted (hybrid hosts mount it at /sys/fs/cgroup/unified). */
export function findCgroup2Root(readFile = tryReadFileViaLibc): string {
  const raw = readFile("/proc/self/mountinfo");
  if (raw !== null) {
    for (const line of new TextDecoder().decode(raw).split("\n")) {
      // mountinfo: id parent maj:min root mountpoint options ... - fstype source superopts
      const [left, right] = line.split(" - ");
      if (right?.startsWith("cgroup2 ")) {
        const mountPoint = left?.split(" ")[4];
        if (mountPoint) return mountPoint.replace(/\\040/g, " ");
      }
    }
  }
  return "/sys/fs/cgroup";
}

/** A DecoderContext backed by the real /proc and /sys. */
export function hostDecoderContext(): DecoderContext {
  return {
    readFile: tryReadFileViaLibc,
    readDirInodes(path: string) {
      try {
        return readDirViaLibc(path)
          .filter((e) => e.isDirectory)
          .map((e): [string, bigint] => [e.name, e.inode]);
      } catch {
        return null;
      }
    },
  };
}
