/**
 * Owns the loaded configs and builds a fresh set of metric families on every scrape (gather:
 * map → rows → labels → series), then hands them to its own writer (write: families → bytes).
 * A metric that fails to read or decode is dropped for that scrape and counted in
 * ebpf_exporter_decoder_errors_total; the scrape itself goes on. The scrape guards live here
 * too: concurrent scrapes share one collection, a metric keeps at most --metrics.max-series
 * series (series_cap.ts), and a config over --metrics.config-timeout is left out (budget.ts).
 */

import { possibleCpus } from "../../ffi/libbpf.ts";
import { firePostAttachMark } from "../../ffi/libc.ts";
import type { Config, CounterConfig, HistogramConfig } from "../config/types.ts";
import type { Host } from "../host/host.ts";
import type { MetricFamily, ScalarFamily } from "../encode/model.ts";
import { DEFAULT_CHUNK_SIZE } from "../encode/text.ts";
import type { ExpositionFormat } from "../encode/negotiate.ts";
import { expositionWriters } from "../encode/writers.ts";
import { debug, log, warn } from "../log.ts";
import { configKeyDecoders, type KeyDecoder } from "./keys.ts";
import { loadConfig, type LoadedConfig, type LoadOptions, unloadConfig } from "./loader.ts";
import { forEachRow } from "./rows.ts";
import { type KeyLayout, keyLayout } from "../spec/key_layout.ts";
import { Aggregator, type PooledSample } from "./aggregate.ts";
import { foldHistogramSliced, FoldMemo, isNativeSchema0 } from "./histogram.ts";
import { bpfStatsEnabled, builtinFamilies } from "./builtins.ts";
import {
  attachSummary,
  type ConfigStatus,
  type MapStatus,
  mapStatus,
  NO_SCRAPE,
  programStatus,
  type Readiness,
  type ScrapeStatus,
} from "./status.ts";
import { PerfEventCounter } from "./perf_counters.ts";
import type { SpanSink } from "../tracing/otel.ts";
import {
  configSpanDecoders,
  type RingbufStats,
  type SpanDecoder,
  SpanReader,
} from "../tracing/span_reader.ts";
import type { DumpMap, DumpRow } from "./maps_dump.ts";
import { CgroupIdMap } from "./cgroup_id_map.ts";
import type { MapSource } from "./map_source.ts";
import { ChunkReader, SharedChunks } from "../encode/shared_chunks.ts";
import { SlabPool } from "../encode/slab_pool.ts";
import { ConfigBudget, ConfigTimeoutError } from "./budget.ts";
import { type DroppedSeries, SeriesCap } from "./series_cap.ts";
import { ScrapeStats } from "./scrape_stats.ts";
import { LogThrottle } from "../log_throttle.ts";
import { ProcessMetrics, type ProcessSource } from "./process_metrics.ts";
import { procSource } from "./process_source.ts";
import { Slicer } from "../slicer.ts";

const PREFIX = "ebpf_exporter_";
// Rows decoded between checks of the time slice.
const ROWS_PER_SLICE = 4096;

// Thrown between the steps of a map read when the exporter was closed meanwhile.
class DetachedError extends Error {
  constructor() {
    super("The exporter was closed during the scrape");
    this.name = "DetachedError";
  }
}

/** Exporter-wide options. */
export interface ExporterOptions {
  /** The host's tables, for decoders and cgroup_id_map (kaddrs get them through `load`). */
  host: Host;
  skipCacheSize: number;
  load: LoadOptions;
  /** Series kept per metric and scrape (--metrics.max-series); 0 keeps all. Default: all. */
  maxSeries?: number;
  /** Time one config's metrics may take per scrape (--metrics.config-timeout); 0: no limit. */
  configTimeoutMs?: number;
  /** Milliseconds clock for the config budget (tests pass a fake one). */
  clock?: () => number;
  /** Where `process_*` metrics come from; null leaves them out. Default: this process's /proc. */
  process?: ProcessSource | null;
}

// A scrape in flight: every request that arrives before it is collected reads its bytes.
interface Flight {
  shared: SharedChunks;
  ready: Promise<void>;
}

interface MetricReader {
  config: string;
  kind: "counter" | "histogram";
  conf: CounterConfig | HistogramConfig;
  map: MapSource;
  layout: KeyLayout;
  keys: KeyDecoder;
  /** Where the last scrape's fold put each row (histograms only). */
  fold: FoldMemo | null;
  /** The array every aggregation pass of this metric writes its samples into (see Aggregator). */
  samples: PooledSample[];
}

/** The loaded state of every config and the scrape logic over it. */
export class Exporter {
  readonly configs: Config[];
  readonly loaded: LoadedConfig[] = [];
  readonly decoderErrors = new Map<string, number>();
  /** Scrapes whose budget a config exceeded, by config name. */
  readonly scrapeTimeouts = new Map<string, number>();
  /** Responses of the metrics path by HTTP status (promhttp's codes start at zero). */
  readonly httpRequests = new Map<number, number>([[200, 0], [500, 0], [503, 0]]);
  #process: ProcessMetrics | null | undefined;
  readonly #cap: SeriesCap;
  #readers: MetricReader[] = [];
  #perf: PerfEventCounter[] = [];
  #pollTimer: ReturnType<typeof setInterval> | null = null;
  #spanDecoders = new Map<string, SpanDecoder>();
  // Span records come from processes we do not control: at most one error line per ring buffer
  // every 10 s (every record still counts in decoder_errors_total and the dropped counter).
  readonly #spanErrorLog = new LogThrottle(10_000);
  #cgroupMaps: CgroupIdMap[] = [];
  #opts: ExporterOptions;
  #active = false;
  // Every config loaded and attached (or given its sources); false again once closed.
  #loadedAll = false;
  // For the status page: each config's part of the last completed scrape, and the keys each
  // map held then (by config and map name).
  readonly #lastScrape = new Map<string, ScrapeStatus>();
  readonly #mapEntries = new Map<string, number>();

  #keys = new Map<string, KeyDecoder>();
  #scrapeQueue: Promise<void> = Promise.resolve();
  // Numbers the aggregation passes over this exporter's pooled label sets (see Aggregator).
  #passes = 0;
  // One scrape in flight per format: requests for the same format share its bytes.
  readonly #flights = new Map<ExpositionFormat, Flight>();
  // The writers' memos of the previous scrape (order, line prefixes) are this exporter's alone.
  /**
   * Output slabs of the text formats, reused once sent: whoever sends a chunk of a scrape's
   * reader gives its hold back with `slabs.release(chunk)` (see SlabPool).
   */
  readonly slabs = new SlabPool();
  readonly #writers = expositionWriters(this.slabs);
  /** The formats this exporter can write (negotiation chooses among them). */
  readonly formats: ReadonlySet<ExpositionFormat> = new Set(this.#writers.keys());

  /** Builds every metric's decoders; a bad decoder config throws before any BPF is loaded. */
  constructor(configs: Config[], opts: ExporterOptions) {
    this.configs = configs;
    this.#opts = opts;
    this.#cap = new SeriesCap(opts.maxSeries ?? 0);
    for (const c of configs) {
      this.decoderErrors.set(c.name, 0);
      // A label value repaired from invalid UTF-8 is kept, and counted as a decoder error.
      const onRepair = (n: number) => this.#countError(c.name, n);
      const decoders = configKeyDecoders(c, opts.host, opts.skipCacheSize, onRepair);
      for (const [metric, keys] of decoders) {
        this.#keys.set(`${c.name}\0${metric}`, keys);
      }
      const spans = configSpanDecoders(c, opts.host, (config, span, e) => {
        this.#countError(config);
        const line = this.#spanErrorLog.pass(
          `${config}\0${span.ringbuf}`,
          `Error decoding span record of "${span.ringbuf}" in config "${config}": ${e.message}`,
        );
        if (line !== null) warn(line);
      });
      for (const d of spans) this.#spanDecoders.set(`${c.name}\0${d.stats.ringbuf}`, d);
    }
  }

  /** Series dropped by --metrics.max-series, by config and metric name. */
  get seriesDropped(): ReadonlyMap<string, DroppedSeries> {
    return this.#cap.dropped;
  }

  #keyDecoder(config: string, metric: string): KeyDecoder {
    return this.#keys.get(`${config}\0${metric}`)!;
  }

  /** Loads and attaches every config in order; on a fatal error unloads all and rethrows. */
  attachAll(): void {
    try {
      for (const config of this.configs) {
        const loaded = loadConfig(config, this.#opts.load);
        this.loaded.push(loaded);
        log(attachSummary(loaded));
        for (const p of loaded.programs) {
          if (p.error !== null) {
            warn(
              `Failed to attach program "${p.program.name}" (${p.program.section}) for config ` +
                `"${config.name}": ${p.error.message}`,
            );
          }
        }
        this.#addReaders(loaded);
      }
    } catch (e) {
      this.close();
      throw e;
    }
    firePostAttachMark();
    this.#active = true;
    this.#loadedAll = true;
  }

  /**
   * Reads every config's metrics from `sources` (config name → metric map name → source)
   * instead of loading BPF: the kernel-free pipeline of tests/e2e_test.ts.
   */
  attachSources(sources: ReadonlyMap<string, ReadonlyMap<string, MapSource>>): void {
    for (const config of this.configs) {
      this.#addSources(config, sources.get(config.name) ?? new Map());
    }
    this.#active = true;
    this.#loadedAll = true;
  }

  #addReaders(loaded: LoadedConfig): void {
    const name = loaded.config.name;
    for (const map of loaded.maps.values()) {
      map.onProbe = (m, batch, why) =>
        debug(`Map "${m.name}" of config "${name}": ${batch ? "batch" : "per-key"} reads (${why})`);
    }
    this.#addSources(loaded.config, loaded.maps);
  }

  // One reader per metric of `config` whose map is in `maps` (keyed by metric name).
  #addSources(config: Config, maps: ReadonlyMap<string, MapSource>): void {
    const name = config.name;
    const add = (kind: "counter" | "histogram", conf: CounterConfig | HistogramConfig) => {
      const map = maps.get(conf.name);
      if (map === undefined) return;
      const layout = keyLayout(conf.labels, map.perCpu);
      const keys = this.#keyDecoder(name, conf.name);
      // A map can hold maxEntries keys (times the CPUs when each CPU is a series): cache that
      // many, or its excess keys would be decoded afresh on every scrape.
      keys.reserve(map.maxEntries * (layout.cpuLabel ? possibleCpus() : 1));
      const fold = kind === "histogram" ? new FoldMemo() : null;
      this.#readers.push({ config: name, kind, conf, map, layout, keys, fold, samples: [] });
    };
    for (const c of config.counters) if (!c.perf_event_array) add("counter", c);
    for (const h of config.histograms) add("histogram", h);
  }

  /**
   * Starts the event-driven readers (perf event arrays), polled without blocking every
   * 300 ms and before each scrape. Not called by --config.check-attach.
   */
  startEventReaders(): void {
    for (const loaded of this.loaded) {
      const name = loaded.config.name;
      for (const c of loaded.config.counters) {
        const map = loaded.perfMaps.get(c.name);
        if (!c.perf_event_array || map === undefined) continue;
        const keys = this.#keyDecoder(name, c.name);
        const counter = new PerfEventCounter(name, c, map, keys, (e) => {
          this.#countError(name);
          warn(
            `Error decoding perf event for counter "${c.name}" of config "${name}": ${e.message}`,
          );
        });
        counter.start();
        this.#perf.push(counter);
      }
    }
    for (const loaded of this.loaded) {
      const conf = loaded.config.cgroupIdMap;
      if (conf === undefined) continue;
      const map = loaded.object.map(conf.name);
      if (map === null) {
        throw new Error(
          `Cannot start config "${loaded.config.name}": cgroup_id_map "${conf.name}" not found`,
        );
      }
      const c = new CgroupIdMap(map, conf, this.#opts.host);
      const how = c.start();
      log(`Keeping cgroup_id_map "${conf.name}" of config "${loaded.config.name}" in sync: ${how}`);
      this.#cgroupMaps.push(c);
    }
    if (this.#perf.length > 0) {
      this.#pollTimer = setInterval(() => {
        for (const p of this.#perf) p.poll();
      }, 300);
    }
  }

  /** Counts one response of the metrics path. */
  countRequest(status: number): void {
    this.httpRequests.set(status, (this.httpRequests.get(status) ?? 0) + 1);
  }

  /** The `process_*` families of this scrape (none when disabled). */
  processFamilies(): ScalarFamily[] {
    if (this.#process === undefined) {
      const src = this.#opts.process === undefined ? procSource() : this.#opts.process;
      this.#process = src === null ? null : new ProcessMetrics(src);
    }
    return this.#process?.families() ?? [];
  }

  /** Whether any config has spans (and tracing must start). */
  get hasSpans(): boolean {
    return this.#spanDecoders.size > 0;
  }

  /** Records read and dropped per span ring buffer. */
  get ringbufStats(): RingbufStats[] {
    return [...this.#spanDecoders.values()].map((d) => d.stats);
  }

  /**
   * Opens and starts a reader for every span of every loaded config, feeding `sink`. The caller
   * closes the readers (before `close()`). Not called by --config.check-attach.
   */
  startSpanReaders(sink: SpanSink): SpanReader[] {
    const readers: SpanReader[] = [];
    try {
      for (const loaded of this.loaded) {
        const name = loaded.config.name;
        for (const span of loaded.config.spans) {
          const map = loaded.ringbufs.get(span.ringbuf)!;
          const decoder = this.#spanDecoders.get(`${name}\0${span.ringbuf}`)!;
          readers.push(new SpanReader(map, span, decoder, sink));
        }
      }
    } catch (e) {
      for (const r of readers) void r.close();
      throw e;
    }
    for (const r of readers) r.start();
    return readers;
  }

  #countError(config: string, n = 1): void {
    this.decoderErrors.set(config, (this.decoderErrors.get(config) ?? 0) + n);
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

  /**
   * Builds every family for one scrape. Scrapes run one at a time (map buffers are reused)
   * and yield to the event loop every few milliseconds, so other requests are answered
   * while a large map is decoded.
   */
  collect(): Promise<MetricFamily[]> {
    return this.collectWith((families) => families);
  }

  /**
   * One scrape in the text format: the families written by this exporter's own writer, as
   * chunks of roughly `targetChunkBytes` (values are read before the promise resolves).
   * Concurrent calls coalesce: a call made while a scrape is being collected gets a reader of
   * that scrape's chunks (cut at the first caller's size) instead of a collection of its own;
   * a call made after it was collected starts a new one.
   */
  scrapeText(targetChunkBytes = DEFAULT_CHUNK_SIZE): Promise<ChunkReader> {
    return this.scrape("text", targetChunkBytes);
  }

  /** Like `scrapeText`, in `format` (one of `formats`); concurrent calls per format coalesce. */
  scrape(format: ExpositionFormat, targetChunkBytes = DEFAULT_CHUNK_SIZE): Promise<ChunkReader> {
    const flight = this.#flights.get(format) ?? this.#startFlight(format, targetChunkBytes);
    // Registered now, before anyone reads, so no chunk is released before this reader has it.
    const reader = flight.shared.reader();
    return flight.ready.then(() => reader);
  }

  #startFlight(format: ExpositionFormat, targetChunkBytes: number): Flight {
    const writer = this.#writers.get(format);
    if (writer === undefined) throw new RangeError(`Cannot write format "${format}": no writer`);
    const shared = new SharedChunks(this.slabs);
    const ready = this.collectWith(async (families) => {
      if (writer.chunksSliced === undefined) {
        shared.setSource(writer.chunks(families, targetChunkBytes));
        return;
      }
      const slicer = new Slicer();
      const pause = () => slicer.maybeYield();
      shared.setSource(await writer.chunksSliced(families, targetChunkBytes, pause));
    });
    const flight = { shared, ready };
    this.#flights.set(format, flight);
    // Runs before any caller's continuation: a request after this point starts a new scrape.
    const land = () => {
      if (this.#flights.get(format) === flight) this.#flights.delete(format);
    };
    ready.then(land, land);
    return flight;
  }

  /**
   * Like `collect`, and calls `render` on the families (awaiting it when it returns a promise)
   * before the next scrape may start. Scalar samples, and a metric's array of them, are reused
   * from scrape to scrape (see Aggregator): whatever must see this scrape's values or series,
   * such as a writer, belongs in `render`.
   */
  collectWith<T>(render: (families: MetricFamily[]) => T | Promise<T>): Promise<T> {
    const run = this.#scrapeQueue.then(async () => render(await this.#collect()));
    this.#scrapeQueue = run.then(() => {}, () => {});
    return run;
  }

  async #collect(): Promise<MetricFamily[]> {
    if (!this.#active) return builtinFamilies(this, []);
    return await this.#collectAll(new Slicer());
  }

  async #collectAll(slicer: Slicer): Promise<MetricFamily[]> {
    const families: MetricFamily[] = [];
    const budget = new ConfigBudget(this.#opts.configTimeoutMs ?? 0, this.#opts.clock);
    const stats = new ScrapeStats(this.configs.map((c) => c.name));
    for (const r of this.#readers) {
      if (budget.enter(r.config, families.length)) continue;
      const start = performance.now();
      const read = { entries: null as number | null };
      try {
        const f = await this.#collectOne(r, slicer, budget, read);
        if (f !== null) families.push(f);
      } catch (e) {
        if (e instanceof DetachedError) return builtinFamilies(this, []);
        stats.fail(r.config, `${r.kind} "${r.conf.name}": ${(e as Error).message}`);
        if (e instanceof ConfigTimeoutError) this.#timedOut(r, budget, families, e);
        else this.#failed(r, e as Error);
      } finally {
        r.keys.endScrape();
        stats.addTime(r.config, (performance.now() - start) / 1000);
        stats.addMap({
          config: r.config,
          map: r.map.name,
          entries: read.entries,
          maxEntries: r.map.maxEntries,
          cacheEntries: r.keys.size,
        });
      }
      // Detached while this scrape waited: the maps are gone.
      if (!this.#active) return builtinFamilies(this, []);
    }
    if (this.#perf.length > 0) {
      const lost: ScalarFamily = {
        name: PREFIX + "perf_event_array_lost_events_total",
        help: "Perf event array records the kernel dropped because the buffer was full",
        type: "counter",
        labelNames: ["config", "counter"],
        samples: [],
      };
      for (const p of this.#perf) {
        p.poll();
        families.push(p.family(PREFIX));
        lost.samples.push({ labels: [p.config, p.conf.name], value: p.lost });
      }
      families.push(lost);
    }
    stats.commit(this.#lastScrape, new Date());
    stats.commitMaps(this.#mapEntries);
    families.push(...stats.families());
    return builtinFamilies(this, families);
  }

  #failed(r: MetricReader, e: Error): void {
    this.#countError(r.config);
    warn(
      `Error getting values for ${r.kind} "${r.conf.name}" of config "${r.config}": ${e.message}`,
    );
  }

  // Drops what the config gathered in this scrape and skips the rest of its metrics.
  #timedOut(r: MetricReader, budget: ConfigBudget, families: MetricFamily[], e: Error): void {
    families.length = budget.skip();
    const n = (this.scrapeTimeouts.get(r.config) ?? 0) + 1;
    this.scrapeTimeouts.set(r.config, n);
    // Once per config: a config that is always slow would log on every scrape.
    if (n === 1) warn(`${e.message}; its metrics are left out of this scrape`);
  }

  async #collectOne(
    r: MetricReader,
    slicer: Slicer,
    budget: ConfigBudget,
    read: { entries: number | null },
  ): Promise<MetricFamily | null> {
    // Between read steps: let requests in, and stop once detached or over the budget.
    const pause = async () => {
      await slicer.maybeYield();
      if (!this.#active) throw new DetachedError();
      budget.check(r.conf.name);
    };
    const entries = r.map.readAllSliced ? await r.map.readAllSliced(pause) : r.map.readAll();
    read.entries = entries.count;
    budget.check(r.conf.name);
    const agg = new Aggregator(++this.#passes, r.samples);
    const keys = r.keys;
    const sink = (buf: Uint8Array, offset: number, length: number, value: number) => {
      const set = keys.lookupAt(buf, offset, length);
      if (set !== null) agg.addSet(set, value);
    };
    for (let i = 0; i < entries.count; i += ROWS_PER_SLICE) {
      forEachRow(entries, r.layout, sink, i, i + ROWS_PER_SLICE);
      await slicer.maybeYield();
      // Closed (SIGTERM) while this map was being decoded: stop now, not after the last row.
      if (!this.#active) return null;
      budget.check(r.conf.name);
    }
    const labelNames = r.conf.labels.map((l) => l.name);
    if (r.kind === "counter") {
      const family: ScalarFamily = {
        name: PREFIX + r.conf.name,
        help: r.conf.help,
        type: "counter",
        labelNames,
        samples: this.#cap.apply(r.config, r.conf.name, agg.samples()),
        distinct: true,
      };
      return family;
    }
    return {
      name: PREFIX + r.conf.name,
      help: r.conf.help,
      type: "histogram",
      labelNames: labelNames.slice(0, -1),
      samples: this.#cap.apply(
        r.config,
        r.conf.name,
        await foldHistogramSliced(agg.samples(), r.conf as HistogramConfig, pause, r.fold),
      ),
      nativeSchema0: isNativeSchema0(r.conf as HistogramConfig),
    };
  }

  /** Raw rows of every metric map (for /maps); a map that fails to read carries its error. */
  dumpMaps(): Promise<DumpMap[]> {
    // In the scrape queue: a read reuses the map's buffers, which a scrape may still be using.
    const run = this.#scrapeQueue.then(() => this.#dumpMaps());
    this.#scrapeQueue = run.then(() => {}, () => {});
    return run;
  }

  #dumpMaps(): DumpMap[] {
    const out: DumpMap[] = [];
    for (const r of this.#readers) {
      const rows: DumpRow[] = [];
      let error: string | null = null;
      try {
        forEachRow(r.map.readAll(), r.layout, (buf, offset, length, value) => {
          const key = buf.slice(offset, offset + length);
          let labels: string[] | null;
          try {
            labels = r.keys.decode(key);
          } catch (e) {
            labels = [`<${(e as Error).message}>`];
          }
          rows.push({ key, labels, value });
        });
      } catch (e) {
        error = (e as Error).message;
        this.#countError(r.config);
      }
      out.push({ config: r.config, map: r.map.name, rows, error });
    }
    return out;
  }

  /** Each config's programs, maps and last scrape, for the status page. */
  status(): ConfigStatus[] {
    const stats = bpfStatsEnabled();
    return this.configs.map((c) => {
      const loaded = this.loaded.find((l) => l.config.name === c.name);
      const maps: MapStatus[] = this.#readers
        .filter((r) => r.config === c.name)
        .map((r) => mapStatus(r.map, this.#mapEntries.get(`${c.name}\0${r.map.name}`) ?? null));
      for (const m of loaded?.perfMaps.values() ?? []) maps.push(mapStatus(m, null));
      return {
        name: c.name,
        loaded: this.#loadedAll,
        programs: loaded?.programs.map((p) => programStatus(p, stats)) ?? [],
        maps,
        lastScrape: this.#lastScrape.get(c.name) ?? NO_SCRAPE,
        decoderErrorsTotal: this.decoderErrors.get(c.name) ?? 0,
      };
    });
  }

  /**
   * Ready once every config is loaded and attached; with `strict` (--config.strict) also every
   * program must be attached. Not ready before attachAll and after close.
   */
  readiness(strict: boolean): Readiness {
    if (!this.#loadedAll) {
      return { ready: false, reason: "configs are not loaded (starting up or shutting down)" };
    }
    const missed = this.missedAttachments();
    if (strict && missed.length > 0) {
      return {
        ready: false,
        reason: `programs not attached (config:program): ${missed.join(", ")}`,
      };
    }
    return { ready: true, reason: null };
  }

  /** Detaches every program and closes every object. Idempotent. */
  close(): void {
    this.#active = false;
    this.#loadedAll = false;
    if (this.#pollTimer !== null) clearInterval(this.#pollTimer);
    this.#pollTimer = null;
    for (const p of this.#perf.splice(0)) p.close();
    for (const c of this.#cgroupMaps.splice(0)) c.stop();
    for (const l of this.loaded.splice(0)) unloadConfig(l);
    this.#readers = [];
  }
}
