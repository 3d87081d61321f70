/**
 * The exporter under test as a child process: started on a free loopback port, scraped over
 * HTTP exactly as Prometheus would (keep-alive, uncompressed unless asked), stopped by pid.
 */

import { permissionFlags } from "../src/permissions.ts";
import { LAUNCHER_GLIBC_TUNABLES, launcherV8Argument } from "../pack/runtime_flags.ts";
import { ROOT } from "./build.ts";
import { cpuMs, type Memory, memory } from "./proc.ts";
import { summarize, type Summary } from "./stats.ts";

const PERMS = permissionFlags("exporter");

/** A running exporter. */
export class ExporterProcess {
  readonly child: Deno.ChildProcess;
  readonly url: string;
  readonly pid: number;
  #log: () => string;
  #stopped = false;
  /** Where children's stdout goes: "inherit" shows V8's `--trace-gc` lines (bench/big_scrape.ts). */
  static stdout: "null" | "inherit" = "null";

  private constructor(child: Deno.ChildProcess, url: string, log: () => string) {
    this.child = child;
    this.url = url;
    this.pid = child.pid;
    this.#log = log;
  }

  /**
   * Starts `main.ts` with one config (and `env` added) and waits until it listens (or fails).
   * It runs with the single binary's V8 flags and malloc tunable, so the bench measures the
   * runtime settings that ship.
   */
  static async start(
    configDir: string,
    configName: string,
    denoFlags: string[] = [],
    env: Record<string, string> = {},
  ): Promise<ExporterProcess> {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        launcherV8Argument(),
        ...denoFlags,
        ...PERMS,
        `${ROOT}/main.ts`,
        "--config.dir",
        configDir,
        "--config.names",
        configName,
        "--web.listen-address=127.0.0.1:0",
        "--log.no-timestamps",
        // The bench times scrapes, not the guards: a cold 1M-key scrape on a busy machine can
        // outlast the default 5 s budget, which would drop the family from the compared text.
        "--metrics.config-timeout=0",
      ],
      env: { GLIBC_TUNABLES: LAUNCHER_GLIBC_TUNABLES, ...env },
      stdin: "null",
      stdout: ExporterProcess.stdout,
      stderr: "piped",
    }).spawn();
    let log = "";
    const pump = (async () => {
      for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) log += chunk;
    })();
    const deadline = Date.now() + 30_000;
    for (;;) {
      const m = /Listening on [^\s]*:(\d+)/.exec(log);
      if (m) return new ExporterProcess(child, `http://127.0.0.1:${m[1]}`, () => log);
      const exited = await Promise.race([
        child.status,
        new Promise<null>((r) => setTimeout(() => r(null), 20)),
      ]);
      if (exited !== null) {
        await pump;
        throw new Error(`Exporter exited with ${exited.code} before listening:\n${log}`);
      }
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        await child.status;
        throw new Error(`Exporter did not listen within 30 s:\n${log}`);
      }
    }
  }

  /** The exporter's log so far. */
  get log(): string {
    return this.#log();
  }

  /** One request for `path`; returns the raw body and the wall time in ms. */
  async get(path = "/metrics", gzip = false): Promise<{ ms: number; body: Uint8Array }> {
    const t0 = performance.now();
    const res = await fetch(this.url + path, {
      headers: { "accept-encoding": gzip ? "gzip" : "identity" },
    });
    const body = new Uint8Array(await res.arrayBuffer());
    const ms = performance.now() - t0;
    if (res.status !== 200) {
      throw new Error(`GET ${path} answered ${res.status}: ${new TextDecoder().decode(body)}`);
    }
    return { ms, body };
  }

  /** The text of one scrape. */
  async text(path = "/metrics"): Promise<string> {
    return new TextDecoder().decode((await this.get(path)).body);
  }

  /** CPU time the exporter has used so far (ms). */
  cpuMs(): number {
    return cpuMs(this.pid);
  }

  /** The exporter's current memory. */
  memory(): Memory {
    return memory(this.pid);
  }

  /** Stops with SIGTERM (SIGKILL after 5 s); idempotent. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    try {
      this.child.kill("SIGTERM");
    } catch { /* already gone */ }
    const timer = setTimeout(() => {
      try {
        this.child.kill("SIGKILL");
      } catch { /* already gone */ }
    }, 5000);
    await this.child.status;
    clearTimeout(timer);
  }
}

/** How long and how often to sample. */
export interface SamplePlan {
  warmup: number;
  minSamples: number;
  /** Keep sampling until this much wall time has passed (for CPU-tick resolution). */
  minMs: number;
  maxSamples: number;
}

/** Scrape figures of one map size. */
export interface ScrapeFigures {
  wall: Summary;
  cpuMsPerScrape: number;
  bytes: number;
  memory: Memory;
}

/** Times full HTTP scrapes after warm-up. */
export async function timeScrapes(ex: ExporterProcess, plan: SamplePlan): Promise<ScrapeFigures> {
  let bytes = 0;
  for (let i = 0; i < plan.warmup; i++) bytes = (await ex.get()).body.length;
  const samples: number[] = [];
  const cpu0 = ex.cpuMs();
  const t0 = performance.now();
  while (
    samples.length < plan.maxSamples &&
    (samples.length < plan.minSamples || performance.now() - t0 < plan.minMs)
  ) {
    const r = await ex.get();
    samples.push(r.ms);
    bytes = r.body.length;
  }
  const cpu = ex.cpuMs() - cpu0;
  return {
    wall: summarize(samples),
    cpuMsPerScrape: cpu / samples.length,
    bytes,
    memory: ex.memory(),
  };
}
