/**
 * Owns the loaded configs and builds a fresh set of metric families on every scrape:
 * map → rows → labels → series. A metric that fails to read or decode is dropped for that
 * scrape and counted in ebpf_exporter_decoder_errors_total; the scrape itself goes on.
 */

import type { BpfMap } from "../../ffi/libbpf.ts";
import type { Config, CounterConfig, HistogramConfig } from "../config/types.ts";
import type { DecoderContext } from "../decoders/types.ts";
import type { MetricFamily, ScalarFamily, ScalarSample } from "../encode/model.ts";
import { debug, log } from "../log.ts";
import { KeyDecoder } from "./keys.ts";
import { loadConfig, type LoadedConfig, type LoadOptions, unloadConfig } from "./loader.ts";
import { forEachRow, type RowShape } from "./rows.ts";
import { Aggregator } from "./aggregate.ts";
import { foldHistogram } from "./histogram.ts";
import { builtinFamilies } from "./builtins.ts";

const PREFIX = "ebpf_exporter_";

/** Exporter-wide options. */
export interface ExporterOptions {
  ctx: DecoderContext;
  skipCacheSize: number;
  load: LoadOptions;
}

interface MetricReader {
  config: string;
  kind: "counter" | "histogram";
  conf: CounterConfig | HistogramConfig;
  map: BpfMap;
  shape: RowShape;
  keys: KeyDecoder;
}

/** The loaded state of every config and the scrape logic over it. */
export class Exporter {
  readonly configs: Config[];
  readonly loaded: LoadedConfig[] = [];
  readonly decoderErrors = new Map<string, number>();
  #readers: MetricReader[] = [];
  #opts: ExporterOptions;
  #active = false;

  constructor(configs: Config[], opts: ExporterOptions) {
    this.configs = configs;
    this.#opts = opts;
    for (const c of configs) this.decoderErrors.set(c.name, 0);
  }

  /** Loads and attaches every config in order; on a fatal error unloads all and rethrows. */
  attachAll(): void {
    try {
      for (const config of this.configs) {
        const loaded = loadConfig(config, this.#opts.load);
        this.loaded.push(loaded);
        for (const p of loaded.programs) {
          if (p.error !== null) {
            log(
              `Failed to attach program "${p.program.name}" (${p.program.section}) for config ` +
                `"${config.name}": ${p.error}`,
            );
          }
        }
        this.#addReaders(loaded);
      }
    } catch (e) {
      this.close();
      throw e;
    }
    this.#active = true;
  }

  #addReaders(loaded: LoadedConfig): void {
    const name = loaded.config.name;
    const add = (kind: "counter" | "histogram", conf: CounterConfig | HistogramConfig) => {
      const map = loaded.maps.get(conf.name);
      if (map === undefined) return;
      map.onProbe = (m, batch, why) =>
        debug(`Map "${m.name}" of config "${name}": ${batch ? "batch" : "per-key"} reads (${why})`);
      const last = conf.labels[conf.labels.length - 1];
      const cpuLabel = map.perCpu && last?.name === "cpu";
      const shape: RowShape = {
        keySize: map.keySize,
        perCpu: map.perCpu,
        cpuLabel,
        cpuOnly: cpuLabel && conf.labels.length === 1,
      };
      const keys = new KeyDecoder(conf.labels, this.#opts.ctx, {
        skipCacheSize: this.#opts.skipCacheSize,
      });
      this.#readers.push({ config: name, kind, conf, map, shape, keys });
    };
    for (const c of loaded.config.counters) if (!c.perf_event_array) add("counter", c);
    for (const h of loaded.config.histograms) add("histogram", h);
  }

  /** `config:program` for every program that failed to attach. */
  missedAttachments(): string[] {
    const out: string[] = [];
    for (const l of this.loaded) {
      for (const p of l.programs) {
        if (p.error !== null) out.push(`${l.config.name}:${p.program.name}`);
      }
    }
    return out;
  }

  /** Builds every family for one scrape. */
  collect(): MetricFamily[] {
    const families: MetricFamily[] = [];
    if (!this.#active) return builtinFamilies(this, []);
    for (const r of this.#readers) {
      try {
        const f = this.#collectOne(r);
        if (f !== null) families.push(f);
      } catch (e) {
        this.decoderErrors.set(r.config, (this.decoderErrors.get(r.config) ?? 0) + 1);
        log(
          `Error getting values for ${r.kind} "${r.conf.name}" of config "${r.config}": ` +
            (e as Error).message,
        );
      } finally {
        r.keys.endScrape();
      }
    }
    return builtinFamilies(this, families);
  }

  #collectOne(r: MetricReader): MetricFamily | null {
    const entries = r.map.readAll();
    const agg = new Aggregator();
    forEachRow(entries, r.shape, (key, value) => {
      const labels = r.keys.decode(key);
      if (labels !== null) agg.add(labels, value);
    });
    const labelNames = r.conf.labels.map((l) => l.name);
    if (r.kind === "counter") {
      const family: ScalarFamily = {
        name: PREFIX + r.conf.name,
        help: r.conf.help,
        type: "counter",
        labelNames,
        samples: agg.samples() as ScalarSample[],
      };
      return family;
    }
    return {
      name: PREFIX + r.conf.name,
      help: r.conf.help,
      type: "histogram",
      labelNames: labelNames.slice(0, -1),
      samples: foldHistogram(agg.samples(), r.conf as HistogramConfig),
    };
  }

  /** Detaches every program and closes every object. Idempotent. */
  close(): void {
    this.#active = false;
    for (const l of this.loaded.splice(0)) unloadConfig(l);
    this.#readers = [];
  }
}
