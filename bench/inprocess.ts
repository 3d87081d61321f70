/**
 * The exporter's own scrape path run in this process on the bench map, with the map read forced
 * to batch or to per-key (get-next-key + lookup): the speed-up batch reading buys.
 */

import type { BpfMap, ReadMode } from "../ffi/libbpf.ts";
import { loadConfigs } from "../src/config/load.ts";
import { Exporter } from "../src/exporter/exporter.ts";
import { systemHost } from "../src/host/system.ts";
import { summarize, type Summary } from "./stats.ts";

const utf8 = new TextDecoder();

/** An Exporter over one bench config, loaded here (it reuses the pinned maps). */
export class InProcessExporter {
  readonly exporter: Exporter;
  readonly map: BpfMap;

  private constructor(exporter: Exporter, map: BpfMap) {
    this.exporter = exporter;
    this.map = map;
  }

  /** Loads `<configDir>/<name>.yaml` and finds the map of its first metric. */
  static open(configDir: string, name: string, metric: string): InProcessExporter {
    const configs = loadConfigs(configDir, [name]);
    const exporter = new Exporter(configs, {
      host: systemHost(),
      skipCacheSize: 0,
      load: {},
    });
    exporter.attachAll();
    const map = exporter.loaded[0]?.maps.get(metric);
    if (map === undefined) {
      exporter.close();
      throw new Error(`Cannot find map "${metric}" in config "${name}"`);
    }
    return new InProcessExporter(exporter, map);
  }

  /** One scrape's body, built the way main.ts's /metrics route builds it. */
  async render(): Promise<string> {
    let text = "";
    for (const chunk of await this.exporter.scrapeText()) {
      text += utf8.decode(chunk, { stream: true });
    }
    return text + utf8.decode();
  }

  /** Unloads the config. */
  close(): void {
    this.exporter.close();
  }
}

/** Batch against per-key, for the map read alone and for the whole scrape path. */
export interface ReadModeFigures {
  batchRead: Summary;
  perKeyRead: Summary;
  batchScrape: Summary;
  perKeyScrape: Summary;
  /** per-key / batch medians. */
  readSpeedup: number;
  scrapeSpeedup: number;
  /** Milliseconds of the batch scrape path spent outside the map read (decode, fold, encode). */
  batchNonReadMs: number;
}

async function time(n: number, warmup: number, fn: () => unknown): Promise<Summary> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return summarize(samples);
}

/** Times both read modes; `n` samples each after `warmup` runs. */
export async function compareReadModes(
  ip: InProcessExporter,
  n: { batch: number; perKey: number; warmup: number },
): Promise<ReadModeFigures> {
  const withMode = async (mode: ReadMode, fn: () => Promise<Summary>): Promise<Summary> => {
    ip.map.readMode = mode;
    try {
      return await fn();
    } finally {
      ip.map.readMode = "auto";
    }
  };
  const batchRead = await withMode("batch", () => time(n.batch, n.warmup, () => ip.map.readAll()));
  const perKeyRead = await withMode(
    "per-key",
    () => time(n.perKey, n.warmup, () => ip.map.readAll()),
  );
  const batchScrape = await withMode("batch", () => time(n.batch, n.warmup, () => ip.render()));
  const perKeyScrape = await withMode(
    "per-key",
    () => time(n.perKey, n.warmup, () => ip.render()),
  );
  return {
    batchRead,
    perKeyRead,
    batchScrape,
    perKeyScrape,
    readSpeedup: perKeyRead.median / batchRead.median,
    scrapeSpeedup: perKeyScrape.median / batchScrape.median,
    batchNonReadMs: batchScrape.median - batchRead.median,
  };
}
