/**
 * The packed binary's footprint: its size, the time from exec to the first answered scrape, and
 * its resident memory while idle, once after start-up and once after a first scrape. The binary
 * is `make build`'s ./ebpf_exporter (make rebuilds it only when a source is newer); when it cannot
 * be built the section says why, loudly, and reports no figures.
 */

import { ROOT } from "./build.ts";
import { cpuMs, memory } from "./proc.ts";
import { round, summarize, type Summary } from "./stats.ts";

/** The embedded example every run serves: tracepoint-based, so it attaches on most kernels. */
export const FOOTPRINT_CONFIG = "timers";
const BINARY = `${ROOT}/ebpf_exporter`;
// Long enough for the post-start-up malloc_trim and a scavenge or two to have happened.
const SETTLE_MS = 2000;
const START_TIMEOUT_MS = 30_000;

/** Figures of the packed binary, or why there are none. */
export interface FootprintResults {
  binary: string;
  config: string;
  runs: number;
  /** Set when the section did not run; every figure is then null. */
  skipped: string | null;
  sizeMB: number | null;
  /** Exec to the first 200 from /metrics (wall, ms). */
  firstScrapeMs: Summary | null;
  /** CPU the process used up to that first scrape (ms, 10 ms steps). */
  firstScrapeCpuMs: Summary | null;
  /** VmRSS 2 s after /-/ready answered 200, before any scrape (MiB). */
  idleAfterStartMiB: Summary | null;
  /** VmRSS 2 s after the first scrape (MiB). */
  idleAfterScrapeMiB: Summary | null;
  /** Lines of /metrics at the first scrape (a fact, not a timing). */
  firstScrapeLines: number | null;
}

/** Builds the binary if it is missing or stale; the reason when that is not possible. */
async function ensureBinary(say: (line: string) => void): Promise<string | null> {
  say("make build (the packed binary; rebuilt only when stale)");
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("make", {
      args: ["-C", ROOT, "--no-print-directory", "build"],
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (e) {
    return `cannot run make: ${(e as Error).message}`;
  }
  if (out.code !== 0) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join(" | ");
    return `\`make build\` failed (exit ${out.code}): ${err}`;
  }
  return null;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A started binary on a loopback port, stopped by `stop`. */
class Started {
  readonly child: Deno.ChildProcess;
  readonly url: string;
  readonly t0: number;
  #log = "";
  #pump: Promise<void>;

  constructor(port: number) {
    this.url = `http://127.0.0.1:${port}`;
    this.t0 = performance.now();
    const child = new Deno.Command(BINARY, {
      args: [
        "--config.names",
        FOOTPRINT_CONFIG,
        `--web.listen-address=127.0.0.1:${port}`,
        "--log.no-timestamps",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    this.child = child;
    this.#pump = (async () => {
      for await (const c of child.stderr.pipeThrough(new TextDecoderStream())) this.#log += c;
    })();
  }

  /** Polls `path` until it answers 200; the body, or an error carrying the binary's log. */
  async poll(path: string): Promise<string> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      try {
        const res = await fetch(this.url + path);
        const body = await res.text();
        if (res.status === 200) return body;
      } catch { /* not listening yet */ }
      const exited = await Promise.race([this.child.status, sleep(5).then(() => null)]);
      if (exited !== null) {
        await this.#pump;
        throw new Error(`the binary exited with ${exited.code} before answering:\n${this.#log}`);
      }
      if (Date.now() > deadline) throw new Error(`no answer within 30 s:\n${this.#log}`);
    }
  }

  async stop(): Promise<void> {
    try {
      this.child.kill("SIGTERM");
    } catch { /* already gone */ }
    await this.child.status;
    await this.#pump;
  }
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** One start measured for time to first scrape; returns [wall ms, cpu ms, lines]. */
async function timeFirstScrape(): Promise<[number, number, number]> {
  const s = new Started(freePort());
  try {
    const body = await s.poll("/metrics");
    const ms = performance.now() - s.t0;
    return [ms, cpuMs(s.child.pid), body.split("\n").filter((l) => l !== "").length];
  } finally {
    await s.stop();
  }
}

/** One start measured for idle memory; returns [after start, after first scrape] in MiB. */
async function idleMemory(): Promise<[number, number]> {
  const s = new Started(freePort());
  try {
    await s.poll("/-/ready");
    await sleep(SETTLE_MS);
    const afterStart = memory(s.child.pid).rssMiB;
    await s.poll("/metrics");
    await sleep(SETTLE_MS);
    return [afterStart, memory(s.child.pid).rssMiB];
  } finally {
    await s.stop();
  }
}

/** Measures the packed binary over `runs` starts of each kind (see the module doc). */
export async function runFootprint(
  runs: number,
  say: (line: string) => void,
): Promise<FootprintResults> {
  const none = {
    binary: BINARY,
    config: FOOTPRINT_CONFIG,
    runs,
    sizeMB: null,
    firstScrapeMs: null,
    firstScrapeCpuMs: null,
    idleAfterStartMiB: null,
    idleAfterScrapeMiB: null,
    firstScrapeLines: null,
  };
  const why = await ensureBinary(say);
  if (why !== null) return { ...none, skipped: why };
  const wall: number[] = [], cpu: number[] = [], start: number[] = [], scraped: number[] = [];
  let lines = 0;
  try {
    for (let i = 0; i < runs; i++) {
      say(`footprint: start ${i + 1} of ${runs}`);
      const [ms, c, n] = await timeFirstScrape();
      wall.push(ms);
      cpu.push(c);
      lines = n;
      const [a, b] = await idleMemory();
      start.push(a);
      scraped.push(b);
    }
  } catch (e) {
    return {
      ...none,
      skipped: `the binary did not serve ${FOOTPRINT_CONFIG}: ${(e as Error).message}`,
    };
  }
  return {
    ...none,
    skipped: null,
    sizeMB: Deno.statSync(BINARY).size / 1e6,
    firstScrapeMs: summarize(wall),
    firstScrapeCpuMs: summarize(cpu),
    idleAfterStartMiB: summarize(start),
    idleAfterScrapeMiB: summarize(scraped),
    firstScrapeLines: lines,
  };
}

/** The section's text: one line per figure, or a loud SKIPPED line. */
export function footprintReport(r: FootprintResults): string {
  const head =
    `Packed binary footprint (${r.binary}, --config.names ${r.config}, ${r.runs} starts)`;
  if (r.skipped !== null) return `${head}\n  SKIPPED: ${r.skipped}`;
  const med = (s: Summary | null, unit: string) =>
    s === null ? "-" : `${round(s.median)} ${unit} (min ${round(s.min)}, max ${round(s.max)})`;
  return [
    head,
    `  binary size                      ${round(r.sizeMB!)} MB (target <= 45)`,
    `  start to first scrape            ${med(r.firstScrapeMs, "ms")} (target < 1000)`,
    `  CPU up to first scrape           ${med(r.firstScrapeCpuMs, "ms")}`,
    `  idle RSS after start             ${med(r.idleAfterStartMiB, "MiB")} (target <= 64)`,
    `  idle RSS after first scrape      ${med(r.idleAfterScrapeMiB, "MiB")} (target <= 64)`,
  ].join("\n");
}
