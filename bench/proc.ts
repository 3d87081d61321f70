/**
 * CPU time and memory of a process from /proc, read through libc (Deno's own fs API refuses
 * /proc without --allow-all).
 */

import { readFileViaLibc } from "../ffi/libc.ts";

// USER_HZ is 100 on every Linux ABI Deno runs on; /proc/<pid>/stat counts in these ticks.
const TICK_MS = 10;
const decoder = new TextDecoder();

/** User + system CPU time of every thread of a process so far, in milliseconds (10 ms steps). */
export function cpuMs(pid: number): number {
  const text = decoder.decode(readFileViaLibc(`/proc/${pid}/stat`));
  // The command name may hold spaces and parentheses: fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // After the name, utime and stime are the 12th and 13th fields (stat fields 14 and 15).
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** Resident and peak resident memory of a process, in MiB. */
export interface Memory {
  rssMiB: number;
  hwmMiB: number;
}

/** Reads VmRSS and VmHWM of a process. */
export function memory(pid: number): Memory {
  const text = decoder.decode(readFileViaLibc(`/proc/${pid}/status`));
  const kb = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
    return m ? Number(m[1]) : NaN;
  };
  return { rssMiB: kb("VmRSS") / 1024, hwmMiB: kb("VmHWM") / 1024 };
}

/** Effective uid of this process (Deno.uid() would need --allow-sys). */
export function effectiveUid(): number {
  const text = decoder.decode(readFileViaLibc("/proc/self/status"));
  // "Uid:\treal\teffective\tsaved\tfs"
  const m = /^Uid:\s+\d+\s+(\d+)/m.exec(text);
  return m ? Number(m[1]) : -1;
}

/** The running kernel's release (Deno.osRelease() would need --allow-sys). */
export function kernelRelease(): string {
  return decoder.decode(readFileViaLibc("/proc/sys/kernel/osrelease")).trim();
}
