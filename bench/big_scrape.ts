/**
 * One big counter map scraped alone, in this process: per scrape the CPU time, the longest
 * event-loop stall a 1 ms probe timer saw, and after a forced GC the V8 heap and VmRSS; the
 * retained bytes per series are (RSS after the last scrape − RSS before the first) / keys.
 * Add `--trace-gc` to the V8 flags to see which collections stall the loop.
 *
 * Usage (as root):
 *
 *   unshare --mount --propagation private sh -c 'mount -t bpf bpf /sys/fs/bpf && exec "$@"' sh \
 *     deno run -A --v8-flags=--max-semi-space-size=4,--expose-gc bench/big_scrape.ts [KEYS] [SCRAPES]
 *
 * `… bench/big_scrape.ts KEYS SCRAPES http [V8_FLAGS]` runs the exporter as a child over HTTP
 * instead (with the shipped V8 flags plus V8_FLAGS, e.g. `--trace-gc`, its output on stdout) and
 * prints the slowest `/` and `/-/healthy` answered during each scrape and its RSS over the idle
 * RSS. `BIG_SCRAPE_STALLS=1` logs every in-process stall over 20 ms with when it ended.
 */

import { buildArtifacts } from "./build.ts";
import { InProcessExporter } from "./inprocess.ts";
import { ExporterProcess } from "./exporter.ts";
import { LAUNCHER_V8_FLAGS } from "../pack/runtime_flags.ts";
import { BenchMaps } from "./maps.ts";
import { cpuMs, memory } from "./proc.ts";
import { Slicer } from "../src/slicer.ts";

const LOG_STALLS = Deno.env.get("BIG_SCRAPE_STALLS") === "1";
const gc = (globalThis as { gc?: () => void }).gc;

function settle(): void {
  if (gc === undefined) throw new Error("Cannot force a GC: run with --v8-flags=--expose-gc");
  gc();
  gc();
}

async function scrapeOnce(ex: InProcessExporter): Promise<{ bytes: number; stallMs: number }> {
  let last = performance.now();
  let stall = 0;
  const probe = setInterval(() => {
    const now = performance.now();
    if (LOG_STALLS && now - last > 20) {
      console.error(`stall ${(now - last).toFixed(0)} ms ending at ${now.toFixed(0)}`);
    }
    stall = Math.max(stall, now - last);
    last = now;
  }, 1);
  let bytes = 0;
  // Pulled as the server pulls a response: giving way every slice.
  const slicer = new Slicer();
  for (const chunk of await ex.exporter.scrapeText()) {
    bytes += chunk.byteLength;
    await slicer.maybeYield();
  }
  clearInterval(probe);
  stall = Math.max(stall, performance.now() - last);
  return { bytes, stallMs: stall };
}

/** The exporter as a child over HTTP: `/` and `/-/healthy` back to back during each scrape. */
async function overHttp(keys: number, scrapes: number, v8: string): Promise<void> {
  const a = await buildArtifacts();
  const maps = BenchMaps.create(a.benchObject);
  ExporterProcess.stdout = "inherit";
  let ex: ExporterProcess | null = null;
  try {
    maps.fillOps(keys);
    ex = await ExporterProcess.start(a.configDir, "bench", [
      `--v8-flags=${[...LAUNCHER_V8_FLAGS, ...v8.split(",").filter((f) => f !== "")].join(",")}`,
    ]);
    await new Promise((r) => setTimeout(r, 2000));
    const idle = ex.memory().rssMiB;
    console.error(`keys ${keys}, idle RSS ${idle.toFixed(0)} MiB`);
    console.error("scrape | CPU ms | scrape ms | / max ms | healthy max ms | RSS MiB | B/series");
    for (let i = 0; i < scrapes; i++) {
      const c0 = ex.cpuMs();
      let done = false;
      const t0 = performance.now();
      const pending = ex.get().then(() => (done = true));
      let landing = 0;
      let healthy = 0;
      while (!done) {
        landing = Math.max(landing, (await ex.get("/")).ms);
        if (done) break;
        healthy = Math.max(healthy, (await ex.get("/-/healthy")).ms);
      }
      await pending;
      const ms = performance.now() - t0;
      const rss = ex.memory().rssMiB;
      console.error(
        `${i + 1} | ${ex.cpuMs() - c0} | ${ms.toFixed(0)} | ${landing.toFixed(0)} | ${
          healthy.toFixed(0)
        } | ${rss.toFixed(0)} | ${((rss - idle) * 1048576 / keys).toFixed(0)}`,
      );
    }
  } finally {
    await ex?.stop();
    maps.close();
  }
}

async function main([keysArg, scrapesArg, mode, v8]: string[]): Promise<void> {
  const keys = Number(keysArg ?? 1_000_000);
  const scrapes = Number(scrapesArg ?? 6);
  if (mode === "http") return await overHttp(keys, scrapes, v8 ?? "");
  const a = await buildArtifacts();
  const maps = BenchMaps.create(a.benchObject);
  try {
    maps.fillOps(keys);
    const ex = InProcessExporter.open(a.configDir, "bench", "bench_ops_total");
    try {
      settle();
      const before = memory(Deno.pid).rssMiB;
      console.error(`keys ${keys}, RSS before ${before.toFixed(0)} MiB`);
      console.error("scrape | CPU ms | max stall ms | heap MB after GC | RSS MiB | B/series");
      for (let i = 0; i < scrapes; i++) {
        const c0 = cpuMs(Deno.pid);
        const { bytes, stallMs } = await scrapeOnce(ex);
        const cpu = cpuMs(Deno.pid) - c0;
        settle();
        const heap = Deno.memoryUsage().heapUsed / 1e6;
        const rss = memory(Deno.pid).rssMiB;
        const per = (rss - before) * 1048576 / keys;
        console.error(
          `${i + 1} | ${cpu} | ${stallMs.toFixed(0)} | ${heap.toFixed(0)} | ${rss.toFixed(0)} | ${
            per.toFixed(0)
          } (${bytes} bytes out)`,
        );
      }
    } finally {
      ex.close();
    }
  } finally {
    maps.close();
  }
}

if (import.meta.main) await main(Deno.args);
