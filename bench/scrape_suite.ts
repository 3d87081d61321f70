/**
 * The scrape benchmark: fills the pinned bench maps to each size, then times HTTP scrapes of the
 * exporter, the C floor, both read modes in process, a long soak for memory growth, a landing
 * page request during a big scrape, and the encoder against prom-client.
 */

import type { Artifacts } from "./build.ts";
import {
  compareCounters,
  compareCountersSteady,
  compareHistograms,
  type EncoderFigures,
} from "./encoder.ts";
import { ExporterProcess, type SamplePlan, type ScrapeFigures, timeScrapes } from "./exporter.ts";
import { familyBlock, type FloorFigures, type FloorTarget, floorText, runFloor } from "./floor.ts";
import { compareReadModes, InProcessExporter, type ReadModeFigures } from "./inprocess.ts";
import { BenchMaps, LATENCY_MAP, OPS_MAP } from "./maps.ts";
import { summarize, type Summary } from "./stats.ts";

const OPS_METRIC = "ebpf_exporter_" + OPS_MAP;
const OPS_HELP = "Benchmark operations by id and kind";
const LATENCY_METRIC = "ebpf_exporter_" + LATENCY_MAP;
const LATENCY_HELP = "Benchmark latency by id";

/** Sizes and repetitions of one run. */
export interface Plan {
  mode: "full" | "short";
  sizes: number[];
  scrape: (keys: number) => SamplePlan;
  floorIterations: (keys: number) => number;
  readModes: (keys: number) => { batch: number; perKey: number; warmup: number };
  histogramKeys: number;
  soak: { keys: number; scrapes: number };
  concurrent: { keys: number; trials: number };
  gzipKeys: number;
  encoder: { series: number; runs: number };
}

/** The plan of `deno task bench` (full) and `--short` (CI). */
export function makePlan(short: boolean): Plan {
  if (short) {
    return {
      mode: "short",
      sizes: [1000, 10000],
      scrape: () => ({ warmup: 2, minSamples: 5, minMs: 0, maxSamples: 5 }),
      floorIterations: () => 5,
      readModes: () => ({ batch: 5, perKey: 3, warmup: 1 }),
      histogramKeys: 10000,
      soak: { keys: 10000, scrapes: 200 },
      concurrent: { keys: 10000, trials: 3 },
      gzipKeys: 10000,
      encoder: { series: 10000, runs: 3 },
    };
  }
  return {
    mode: "full",
    sizes: [1000, 10000, 100000, 1000000],
    scrape: (k) =>
      k >= 1000000
        ? { warmup: 3, minSamples: 20, minMs: 0, maxSamples: 20 }
        : { warmup: 5, minSamples: 20, minMs: 3000, maxSamples: 500 },
    floorIterations: (k) => (k >= 100000 ? 20 : 100),
    readModes: (k) =>
      k >= 1000000 ? { batch: 10, perKey: 5, warmup: 1 } : { batch: 20, perKey: 10, warmup: 2 },
    histogramKeys: 100000,
    soak: { keys: 10000, scrapes: 10000 },
    concurrent: { keys: 1000000, trials: 5 },
    gzipKeys: 100000,
    encoder: { series: 100000, runs: 5 },
  };
}

/** Figures of one map size. */
export interface SizeResult {
  keys: number;
  series: number;
  /** The exporter's family text equals the floor's byte for byte. */
  identical: boolean;
  ours: ScrapeFigures;
  floor: FloorFigures;
  /** ours / floor scrape medians. */
  oursOverFloor: number;
  readModes: ReadModeFigures;
  /** (RSS at this size − the exporter's idle RSS) / series, in bytes. */
  bytesPerSeries: number;
}

/** Memory over a long run of scrapes. */
export interface SoakResult {
  keys: number;
  scrapes: number;
  /** [scrape number, VmRSS MiB] samples. */
  rss: Array<[number, number]>;
  rssAt10MiB: number;
  rssAtEndMiB: number;
  growthPct: number;
  wall: Summary;
}

/** The landing page and health check asked for, back to back, while big scrapes run. */
export interface ConcurrentResult {
  keys: number;
  /** Every `/` request answered while a scrape was running. */
  landing: Summary;
  /** Every `/-/healthy` request answered while a scrape was running. */
  healthy: Summary;
  /** The slowest `/` or `/-/healthy` of each scrape. */
  worstPerScrape: Summary;
  /** The slowest request of all: an upper bound on the longest event-loop stall. */
  longestStallMs: number;
  scrape: Summary;
  trials: number;
}

/** Everything one run of the scrape benchmark measured. */
export interface ScrapeResults {
  /** VmRSS of the exporter child once listening, before its first scrape. */
  idleRssMiB: number;
  sizes: SizeResult[];
  histogram: {
    keys: number;
    series: number;
    identical: boolean;
    ours: ScrapeFigures;
    floor: FloorFigures;
    oursOverFloor: number;
  };
  gzip: { keys: number; ours: ScrapeFigures };
  soak: SoakResult;
  concurrent: ConcurrentResult;
  encoder: { counters: EncoderFigures; countersSteady: EncoderFigures; histograms: EncoderFigures };
}

/** Things to stop or remove however the run ends; main.ts calls `run()` in its cleanup. */
export class Cleanup {
  #steps: Array<() => Promise<void> | void> = [];

  /** Registers a step; steps run last-in first-out. */
  add(step: () => Promise<void> | void): void {
    this.#steps.push(step);
  }

  /** Runs every step once, reporting (not throwing) failures. */
  async run(): Promise<void> {
    for (const step of this.#steps.splice(0).reverse()) {
      try {
        await step();
      } catch (e) {
        console.error(`Cleanup step failed: ${(e as Error).message}`);
      }
    }
  }
}

async function soak(ex: ExporterProcess, keys: number, scrapes: number): Promise<SoakResult> {
  const marks = new Set([1, 10, 100, 1000, 2000, 5000, 10000, scrapes]);
  const rss: Array<[number, number]> = [];
  const wall: number[] = [];
  for (let i = 1; i <= scrapes; i++) {
    wall.push((await ex.get()).ms);
    if (marks.has(i) || i % 1000 === 0) rss.push([i, ex.memory().rssMiB]);
  }
  const at10 = rss.find(([i]) => i === 10)?.[1] ?? NaN;
  const atEnd = rss[rss.length - 1]?.[1] ?? NaN;
  return {
    keys,
    scrapes,
    rss,
    rssAt10MiB: at10,
    rssAtEndMiB: atEnd,
    growthPct: (atEnd / at10 - 1) * 100,
    wall: summarize(wall),
  };
}

async function concurrent(
  ex: ExporterProcess,
  keys: number,
  trials: number,
): Promise<ConcurrentResult> {
  const landing: number[] = [];
  const healthy: number[] = [];
  const worst: number[] = [];
  const scrape: number[] = [];
  for (let t = 0; t < trials; t++) {
    let done = false;
    const pending = ex.get().then((r) => {
      done = true;
      return r;
    });
    // Back-to-back requests for the whole scrape: the slowest one shows the longest stretch
    // the exporter's event loop was held (read, decode, sort, encode all get probed).
    // Every request sent while the scrape ran counts, even one answered after it finished:
    // that one waited on the scrape's last stall.
    let slowest = 0;
    while (!done) {
      const page = await ex.get("/");
      landing.push(page.ms);
      slowest = Math.max(slowest, page.ms);
      if (done) break;
      const health = await ex.get("/-/healthy");
      healthy.push(health.ms);
      slowest = Math.max(slowest, health.ms);
    }
    scrape.push((await pending).ms);
    worst.push(slowest);
  }
  return {
    keys,
    landing: summarize(landing),
    healthy: summarize(healthy),
    worstPerScrape: summarize(worst),
    longestStallMs: Math.max(0, ...worst),
    scrape: summarize(scrape),
    trials,
  };
}

/** Runs the whole scrape benchmark; `say` receives progress lines. */
export async function runScrapeSuite(
  a: Artifacts,
  plan: Plan,
  cleanup: Cleanup,
  say: (line: string) => void,
): Promise<ScrapeResults> {
  const maps = BenchMaps.create(a.benchObject);
  cleanup.add(() => maps.close());
  const ex = await ExporterProcess.start(a.configDir, "bench");
  cleanup.add(() => ex.stop());
  const idleRssMiB = ex.memory().rssMiB;
  const ip = InProcessExporter.open(a.configDir, "bench", OPS_MAP);
  cleanup.add(() => ip.close());
  const opsTarget: FloorTarget = {
    kind: "counter",
    pinPath: maps.pinPath(maps.ops),
    metric: OPS_METRIC,
    help: OPS_HELP,
  };

  const sizes: SizeResult[] = [];
  let soakResult: SoakResult | null = null;
  let concurrentResult: ConcurrentResult | null = null;
  let gzip: ScrapeResults["gzip"] | null = null;
  for (const keys of plan.sizes) {
    say(`filling ${keys.toLocaleString("en-US")} keys`);
    maps.fillOps(keys);
    const identical =
      familyBlock(await ex.text(), OPS_METRIC) === await floorText(a.floor, opsTarget);
    say(`  scraping the exporter`);
    const ours = await timeScrapes(ex, plan.scrape(keys));
    say(`  running the floor`);
    const n = plan.floorIterations(keys);
    const floor = await runFloor(a.floor, opsTarget, n, Math.max(1, Math.round(n / 10)));
    say(`  comparing read modes in process`);
    const readModes = await compareReadModes(ip, plan.readModes(keys));
    sizes.push({
      keys,
      series: keys,
      identical,
      ours,
      floor,
      oursOverFloor: ours.wall.median / floor.wall.median,
      readModes,
      bytesPerSeries: (ours.memory.rssMiB - idleRssMiB) * 1048576 / keys,
    });
    if (keys === plan.soak.keys) {
      say(`  soak: ${plan.soak.scrapes} scrapes`);
      soakResult = await soak(ex, keys, plan.soak.scrapes);
    }
    if (keys === plan.concurrent.keys) {
      say(`  landing page during scrapes`);
      concurrentResult = await concurrent(ex, keys, plan.concurrent.trials);
    }
    if (keys === plan.gzipKeys) {
      say(`  gzip scrapes`);
      const g = { ...plan.scrape(keys), minMs: 0, maxSamples: plan.scrape(keys).minSamples };
      const figures = await timeScrapesGzip(ex, g);
      gzip = { keys, ours: figures };
    }
  }

  say(`histogram: filling ${plan.histogramKeys.toLocaleString("en-US")} keys`);
  const series = maps.fillLatency(plan.histogramKeys);
  const exh = await ExporterProcess.start(a.configDir, "bench_hist");
  cleanup.add(() => exh.stop());
  const histTarget: FloorTarget = {
    kind: "histogram",
    pinPath: maps.pinPath(maps.latency),
    metric: LATENCY_METRIC,
    help: LATENCY_HELP,
  };
  const histIdentical = familyBlock(await exh.text(), LATENCY_METRIC) ===
    await floorText(a.floor, histTarget);
  const histOurs = await timeScrapes(exh, plan.scrape(plan.histogramKeys));
  const hn = plan.floorIterations(plan.histogramKeys);
  const histFloor = await runFloor(a.floor, histTarget, hn, Math.max(1, Math.round(hn / 10)));
  await exh.stop();

  say(`encoder against prom-client: ${plan.encoder.series.toLocaleString("en-US")} series`);
  const counters = await compareCounters(plan.encoder.series, plan.encoder.runs);
  const countersSteady = await compareCountersSteady(plan.encoder.series, plan.encoder.runs);
  const histograms = await compareHistograms(plan.encoder.series, plan.encoder.runs);

  if (soakResult === null || concurrentResult === null || gzip === null) {
    throw new Error(
      "Cannot finish the bench: the plan's soak/concurrent/gzip sizes are not in sizes",
    );
  }
  return {
    idleRssMiB,
    sizes,
    histogram: {
      keys: series * 17,
      series,
      identical: histIdentical,
      ours: histOurs,
      floor: histFloor,
      oursOverFloor: histOurs.wall.median / histFloor.wall.median,
    },
    gzip,
    soak: soakResult,
    concurrent: concurrentResult,
    encoder: { counters, countersSteady, histograms },
  };
}

async function timeScrapesGzip(ex: ExporterProcess, plan: SamplePlan): Promise<ScrapeFigures> {
  for (let i = 0; i < plan.warmup; i++) await ex.get("/metrics", true);
  const samples: number[] = [];
  let bytes = 0;
  const cpu0 = ex.cpuMs();
  for (let i = 0; i < plan.minSamples; i++) {
    const r = await ex.get("/metrics", true);
    samples.push(r.ms);
    bytes = r.body.length;
  }
  return {
    wall: summarize(samples),
    cpuMsPerScrape: (ex.cpuMs() - cpu0) / samples.length,
    bytes,
    memory: ex.memory(),
  };
}
