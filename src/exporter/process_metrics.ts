/**
 * The exporter process's own `process_*` metrics, named and computed as Prometheus client
 * libraries do, from /proc/self (read through libc: Deno's fs API refuses /proc).
 */

import type { ScalarFamily } from "../encode/model.ts";

/** The fields of /proc/PID/stat the process metrics use. */
export interface ProcStat {
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
  /** Start time after boot, in clock ticks. */
  startTicks: number;
  vsizeBytes: number;
  rssPages: number;
}

/**
 * Parses /proc/PID/stat. The command name (field 2) may hold spaces and parentheses, so fields
 * are counted from the last `)`.
 */
export function parseProcStat(text: string): ProcStat {
  const close = text.lastIndexOf(")");
  if (close < 0) throw new SyntaxError(`Cannot parse /proc stat: no ")" in "${text.slice(0, 40)}"`);
  // After ") ": field 3 (state) is index 0, so field N is index N - 3.
  const f = text.slice(close + 2).trim().split(" ");
  const field = (n: number) => {
    const v = Number(f[n - 3]);
    if (!Number.isFinite(v)) throw new SyntaxError(`Cannot parse /proc stat: field ${n} missing`);
    return v;
  };
  return {
    cpuTicks: field(14) + field(15),
    startTicks: field(22),
    vsizeBytes: field(23),
    rssPages: field(24),
  };
}

/** The soft "Max open files" limit from /proc/PID/limits, or null (unlimited or absent). */
export function parseMaxFds(limits: string): number | null {
  const m = /^Max open files\s+(\d+)\s/m.exec(limits);
  return m === null ? null : Number(m[1]);
}

/** Boot time in seconds since the epoch, from /proc/stat's `btime` line, or null. */
export function parseBootTime(stat: string): number | null {
  const m = /^btime\s+(\d+)$/m.exec(stat);
  return m === null ? null : Number(m[1]);
}

/** Where the process metrics come from: the real /proc through libc, or fixtures in tests. */
export interface ProcessSource {
  /** A file's text, or null when it cannot be read. */
  readText(path: string): string | null;
  /** How many entries a directory holds, or null when it cannot be listed. */
  countEntries(path: string): number | null;
  clockTicks: number;
  pageSize: number;
}

function gauge(name: string, help: string, value: number): ScalarFamily {
  return { name, help, type: "gauge", labelNames: [], samples: [{ labels: [], value }] };
}

/**
 * Builds the `process_*` families on each scrape. Boot time never changes, so it is read once;
 * everything else costs three small reads of /proc/self per scrape.
 */
export class ProcessMetrics {
  readonly #src: ProcessSource;
  #bootTime: number | null | undefined;

  /** Metrics of the process `source` describes. */
  constructor(source: ProcessSource) {
    this.#src = source;
  }

  /** The families, leaving out any whose source cannot be read. */
  families(): ScalarFamily[] {
    const src = this.#src;
    const out: ScalarFamily[] = [];
    const statText = src.readText("/proc/self/stat");
    if (statText !== null) {
      const stat = parseProcStat(statText);
      out.push({
        name: "process_cpu_seconds_total",
        help: "Total user and system CPU time spent in seconds.",
        type: "counter",
        labelNames: [],
        samples: [{ labels: [], value: stat.cpuTicks / src.clockTicks }],
      });
      out.push(
        gauge(
          "process_resident_memory_bytes",
          "Resident memory size in bytes.",
          stat.rssPages * src.pageSize,
        ),
        gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", stat.vsizeBytes),
      );
      if (this.#bootTime === undefined) {
        const procStat = src.readText("/proc/stat");
        this.#bootTime = procStat === null ? null : parseBootTime(procStat);
      }
      if (this.#bootTime !== null) {
        out.push(gauge(
          "process_start_time_seconds",
          "Start time of the process since unix epoch in seconds.",
          this.#bootTime + stat.startTicks / src.clockTicks,
        ));
      }
    }
    const fds = src.countEntries("/proc/self/fd");
    if (fds !== null) out.push(gauge("process_open_fds", "Number of open file descriptors.", fds));
    const limits = src.readText("/proc/self/limits");
    const max = limits === null ? null : parseMaxFds(limits);
    if (max !== null) {
      out.push(gauge("process_max_fds", "Maximum number of open file descriptors.", max));
    }
    return out;
  }
}
