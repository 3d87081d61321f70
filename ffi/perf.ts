/** perf_event_open through libc, for programs in `perf_event/type=..,config=..` sections. */

import { errnoError, errnoText } from "./errno.ts";
import { closeFd, errno, libc, readFileViaLibc } from "./libc.ts";
import { PERF_EVENT_ATTR } from "./structs.ts";

const SYS_PERF_EVENT_OPEN: Record<string, number> = { x86_64: 298, aarch64: 241 };
const PERF_FLAG_FD_CLOEXEC = 8;
// `freq` is bit 10 of the bitfield word (disabled, inherit, pinned, exclusive, exclude_user,
// exclude_kernel, exclude_hv, exclude_idle, mmap, comm, freq).
const ATTR_FREQ_BIT = 1n << 10n;

/** What a perf_event section asks for. */
export interface PerfEventSpec {
  type: number;
  config: bigint;
  /** Samples per second; 0 means sample_period is used instead. */
  frequency: number;
  /** Events between samples when no frequency is given. */
  period: bigint;
}

/** Opens one perf event on a CPU for every thread (pid -1); throws with errno on failure. */
export function openPerfEvent(spec: PerfEventSpec, cpu: number): number {
  const nr = SYS_PERF_EVENT_OPEN[Deno.build.arch];
  if (nr === undefined) throw new Error(`perf_event_open is not wired for ${Deno.build.arch}`);
  const { size, fields, computed } = PERF_EVENT_ATTR;
  const attr = new Uint8Array(size);
  const v = new DataView(attr.buffer);
  v.setUint32(fields.type, spec.type, true);
  v.setUint32(fields.size, size, true);
  v.setBigUint64(fields.config, spec.config, true);
  if (spec.frequency > 0) {
    v.setBigUint64(fields.sample_freq, BigInt(spec.frequency), true);
    v.setBigUint64(computed.flags.offset, ATTR_FREQ_BIT, true);
  } else {
    v.setBigUint64(fields.sample_period, spec.period, true);
  }
  const fd = Number(libc().syscall(BigInt(nr), attr, -1, cpu, -1, BigInt(PERF_FLAG_FD_CLOEXEC)));
  if (fd < 0) {
    const e = errno();
    throw errnoError(`Cannot open perf event on CPU ${cpu}: ${errnoText(e)}`, e);
  }
  return fd;
}

/** Closes a perf event fd that was not handed to a link. */
export function closePerfEvent(fd: number): void {
  closeFd(fd);
}

/** Parses a kernel CPU list such as "0-3,5,7-8". */
export function parseCpuList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(",")) {
    if (part === "") continue;
    const [a, b] = part.split("-");
    const lo = Number(a);
    const hi = b === undefined ? lo : Number(b);
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi < lo) {
      throw new SyntaxError(`Cannot parse CPU list "${text.trim()}"`);
    }
    for (let c = lo; c <= hi; c++) out.push(c);
  }
  return out;
}

/** CPUs that are online now (/sys/devices/system/cpu/online). */
export function onlineCpus(): number[] {
  return parseCpuList(new TextDecoder().decode(readFileViaLibc("/sys/devices/system/cpu/online")));
}
