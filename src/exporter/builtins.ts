/** The exporter's own metric families (spec 3.13), added to every scrape. */

import { tryReadFileViaLibc } from "../../ffi/libc.ts";
import type { MetricFamily, ScalarFamily } from "../encode/model.ts";
import { BUILD_INFO } from "../version.ts";
import type { LoadedConfig } from "./loader.ts";
import type { DroppedSeries } from "./series_cap.ts";
import type { RingbufStats } from "../tracing/span_reader.ts";

const P = "ebpf_exporter_";

/** The parts of the exporter the built-in metrics describe. */
export interface BuiltinSource {
  readonly configs: ReadonlyArray<{ name: string }>;
  readonly loaded: ReadonlyArray<LoadedConfig>;
  readonly decoderErrors: ReadonlyMap<string, number>;
  /** Series dropped by --metrics.max-series (absent: none). */
  readonly seriesDropped?: ReadonlyMap<string, DroppedSeries>;
  /** Scrapes a config was left out of for exceeding its budget (absent: none). */
  readonly scrapeTimeouts?: ReadonlyMap<string, number>;
  /** Metrics-path responses by HTTP status (absent: not served over HTTP). */
  readonly httpRequests?: ReadonlyMap<number, number>;
  /** The `process_*` families (absent: none). */
  processFamilies?(): ScalarFamily[];
  /** Records read and dropped per span ring buffer (absent: none). */
  readonly ringbufStats?: ReadonlyArray<RingbufStats>;
}

function gauge(name: string, help: string, labelNames: string[]): ScalarFamily {
  return { name: P + name, help, type: "gauge", labelNames, samples: [] };
}

function counter(name: string, help: string, labelNames: string[]): ScalarFamily {
  return { name: P + name, help, type: "counter", labelNames, samples: [] };
}

/** Whether the kernel collects BPF run-time statistics (kernel.bpf_stats_enabled). */
export function bpfStatsEnabled(): boolean {
  const raw = tryReadFileViaLibc("/proc/sys/kernel/bpf_stats_enabled");
  return raw !== null && raw[0] === 0x31; // "1"
}

const GOARCH: Record<string, string> = { x86_64: "amd64", aarch64: "arm64" };

/** Appends the built-in families to `families` and returns it. */
export function builtinFamilies(src: BuiltinSource, families: MetricFamily[]): MetricFamily[] {
  const enabled = gauge("enabled_configs", "The set of enabled configs", ["name"]);
  const errors = counter(
    "decoder_errors_total",
    "How many times has decoders encountered errors",
    ["config"],
  );
  for (const c of src.configs) {
    enabled.samples.push({ labels: [c.name], value: 1 });
    errors.samples.push({ labels: [c.name], value: src.decoderErrors.get(c.name) ?? 0 });
  }
  const info = gauge("ebpf_program_info", "Info about ebpf programs", [
    "config",
    "id",
    "program",
    "tag",
  ]);
  const attached = gauge("ebpf_program_attached", "Whether a program is attached", ["id"]);
  const stats = bpfStatsEnabled();
  const runTime = counter(
    "ebpf_program_run_time_seconds",
    "How long has the program been executing",
    ["id"],
  );
  const runCount = counter(
    "ebpf_program_run_count_total",
    "How many times has the program been executed",
    ["id"],
  );
  for (const l of src.loaded) {
    for (const p of l.programs) {
      let id = "0";
      let tag = "";
      try {
        const i = p.program.info();
        id = String(i.id);
        tag = i.tag;
        if (stats) {
          runTime.samples.push({ labels: [id], value: Number(i.runTimeNs) / 1e9 });
          runCount.samples.push({ labels: [id], value: Number(i.runCount) });
        }
      } catch {
        // Upstream reports tag "" and id "0" when the program's info cannot be read.
      }
      info.samples.push({ labels: [l.config.name, id, p.program.name, tag], value: 1 });
      attached.samples.push({ labels: [id], value: p.error === null ? 1 : 0 });
    }
  }
  const build = gauge(
    "build_info",
    "Build of this exporter (version, revision, branch, runtime as goversion, OS, arch); always 1",
    ["branch", "goarch", "goos", "goversion", "revision", "tags", "version"],
  );
  build.samples.push({
    labels: [
      BUILD_INFO.branch,
      GOARCH[Deno.build.arch] ?? Deno.build.arch,
      Deno.build.os,
      `deno${Deno.version.deno}`,
      BUILD_INFO.revision,
      "",
      BUILD_INFO.version,
    ],
    value: 1,
  });
  families.push(enabled, errors, info, attached, build, ...guardFamilies(src));
  families.push(...(src.processFamilies?.() ?? []), requestsFamily(src));
  families.push(...ringbufFamilies(src.ringbufStats ?? []));
  if (stats) families.push(runTime, runCount);
  return families;
}

// Series appear once their count is above zero, so configs within their limits expose nothing
// new (the families vanish when they have no samples).
function guardFamilies(src: BuiltinSource): ScalarFamily[] {
  const dropped = counter(
    "series_dropped_total",
    "Series left out of scrapes because a metric had more than --metrics.max-series",
    ["config", "metric"],
  );
  for (const d of src.seriesDropped?.values() ?? []) {
    dropped.samples.push({ labels: [d.config, d.metric], value: d.count });
  }
  const timeouts = counter(
    "scrape_timeouts_total",
    "Scrapes a config's metrics were left out of for exceeding --metrics.config-timeout",
    ["config"],
  );
  for (const [config, n] of src.scrapeTimeouts ?? []) {
    timeouts.samples.push({ labels: [config], value: n });
  }
  return [dropped, timeouts];
}

// client_golang's promhttp name, so dashboards built for Go exporters work unchanged.
function requestsFamily(src: BuiltinSource): ScalarFamily {
  const family: ScalarFamily = {
    name: "promhttp_metric_handler_requests_total",
    help: "Total number of scrapes by HTTP status code.",
    type: "counter",
    labelNames: ["code"],
    samples: [],
  };
  for (const [code, n] of src.httpRequests ?? []) {
    family.samples.push({ labels: [String(code)], value: n });
  }
  return family;
}

// Present only when some config has spans.
function ringbufFamilies(stats: ReadonlyArray<RingbufStats>): ScalarFamily[] {
  if (stats.length === 0) return [];
  const records = counter(
    "ringbuf_records_total",
    "Records read from span ring buffers",
    ["config", "ringbuf"],
  );
  const dropped = counter(
    "ringbuf_dropped_records_total",
    "Ring buffer records that became no span: too short, undecodable or with unusable ids",
    ["config", "ringbuf"],
  );
  for (const s of stats) {
    records.samples.push({ labels: [s.config, s.ringbuf], value: s.records });
    dropped.samples.push({ labels: [s.config, s.ringbuf], value: s.dropped });
  }
  return [records, dropped];
}
