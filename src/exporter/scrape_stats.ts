/**
 * What one scrape learnt about itself, per config and per map: how long each config took,
 * whether all its metrics were read (and the last failure), how full each map is and how many
 * keys its decode cache holds. Filled while the exporter collects; at the end of the scrape it
 * becomes families (the self-metrics) and the status page's last-scrape figures.
 */

import type { ScalarFamily } from "../encode/model.ts";
import type { ScrapeStatus } from "./status.ts";

const P = "ebpf_exporter_";

interface ConfigScrape {
  seconds: number;
  errors: number;
  lastError: string | null;
}

interface MapScrape {
  config: string;
  map: string;
  /** Entries read this scrape; null when the read failed. */
  entries: number | null;
  maxEntries: number;
  cacheEntries: number;
}

/** One scrape's self-observations; a fresh one per scrape. */
export class ScrapeStats {
  readonly #configs = new Map<string, ConfigScrape>();
  readonly #maps: MapScrape[] = [];

  /** Every config gets a series, even one without metric maps. */
  constructor(configs: Iterable<string>) {
    for (const c of configs) this.#configs.set(c, { seconds: 0, errors: 0, lastError: null });
  }

  /** Adds time spent on one of `config`'s metrics. */
  addTime(config: string, seconds: number): void {
    const c = this.#configs.get(config);
    if (c !== undefined) c.seconds += seconds;
  }

  /** Marks `config` as not fully read in this scrape (a failed or timed-out metric), and why. */
  fail(config: string, error: string): void {
    const c = this.#configs.get(config);
    if (c === undefined) return;
    c.errors++;
    c.lastError = error;
  }

  /** Writes the entries each map held at this scrape into `into` (by config and map name); a
   * map whose read failed keeps its last figure. */
  commitMaps(into: Map<string, number>): void {
    for (const m of this.#maps) {
      if (m.entries !== null) into.set(`${m.config}\0${m.map}`, m.entries);
    }
  }

  /** Writes each config's figures for the status page into `into`, stamped `at`. */
  commit(into: Map<string, ScrapeStatus>, at: Date): void {
    for (const [name, c] of this.#configs) {
      into.set(name, {
        at: at.toISOString(),
        durationMs: Math.round(c.seconds * 1e6) / 1000,
        errors: c.errors,
        lastError: c.lastError,
      });
    }
  }

  /** Records one metric map's fill and its decode cache's size after the scrape. */
  addMap(m: MapScrape): void {
    this.#maps.push(m);
  }

  /** The families of this scrape. */
  families(): ScalarFamily[] {
    const gauge = (name: string, help: string, labelNames: string[]): ScalarFamily => ({
      name: P + name,
      help,
      type: "gauge",
      labelNames,
      samples: [],
    });
    const duration = gauge(
      "scrape_duration_seconds",
      "Time this scrape spent reading and decoding the config's maps",
      ["config"],
    );
    const success = gauge(
      "scrape_success",
      "Whether every metric of the config was read in this scrape (1) or not (0)",
      ["config"],
    );
    for (const [config, c] of this.#configs) {
      duration.samples.push({ labels: [config], value: c.seconds });
      success.samples.push({ labels: [config], value: c.errors === 0 ? 1 : 0 });
    }
    const entries = gauge("map_entries", "Entries in a metric's map at this scrape", [
      "config",
      "map",
    ]);
    const max = gauge("map_max_entries", "Entries a metric's map can hold (max_entries)", [
      "config",
      "map",
    ]);
    const cache = gauge(
      "decode_cache_entries",
      "Raw keys held by a metric's decode cache after this scrape",
      ["config", "map"],
    );
    for (const m of this.#maps) {
      const labels = [m.config, m.map];
      if (m.entries !== null) entries.samples.push({ labels, value: m.entries });
      max.samples.push({ labels, value: m.maxEntries });
      cache.samples.push({ labels, value: m.cacheEntries });
    }
    return [duration, success, entries, max, cache];
  }
}
