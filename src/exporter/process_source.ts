/** The real /proc behind the `process_*` metrics, read through libc. */

import { clockTicksAndPageSize, readDirViaLibc, tryReadFileViaLibc } from "../../ffi/libc.ts";
import type { ProcessSource } from "./process_metrics.ts";

const utf8 = new TextDecoder();

/** This process's /proc, through libc. */
export function procSource(): ProcessSource {
  const { clockTicks, pageSize } = clockTicksAndPageSize();
  return {
    readText(path) {
      const raw = tryReadFileViaLibc(path);
      return raw === null ? null : utf8.decode(raw);
    },
    countEntries(path) {
      try {
        // The listing holds the fd that reads it, as client libraries' counts do.
        return readDirViaLibc(path).length;
      } catch {
        return null;
      }
    },
    clockTicks,
    pageSize,
  };
}
