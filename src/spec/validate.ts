/**
 * Checks a config against the object it names, kernel-free: every counter and histogram has a
 * map of a type the exporter can walk, with 8-byte values and a key the labels describe, and
 * every perf_event_array counter a BPF_MAP_TYPE_PERF_EVENT_ARRAY, and every span a
 * BPF_MAP_TYPE_RINGBUF. Runs on an ObjectSpec, so it needs no privilege.
 */

import { MapType } from "../../ffi/libbpf.ts";
import type { Config, CounterConfig, LabelConfig, SourcePos, SpanConfig } from "../config/types.ts";
import { expectedKeySize } from "./key_layout.ts";
import { findMap, type MapSpec, type ObjectSpec } from "./object_spec.ts";
import { mapTypeName } from "./map_types.ts";

/**
 * Map types whose entries are u64 counts by key. Others are refused even when their sizes fit:
 * a STACK_TRACE or QUEUE map would be read as garbage counts, a map of maps as fds.
 */
export const COUNTER_MAP_TYPES: readonly number[] = [
  MapType.HASH,
  MapType.LRU_HASH,
  MapType.ARRAY,
  MapType.PERCPU_HASH,
  MapType.LRU_PERCPU_HASH,
  MapType.PERCPU_ARRAY,
];

/** A config that does not fit its object; `pos` is the metric's place in the YAML. */
export class SpecError extends Error {
  override name = "SpecError";
  /** The config the metric belongs to. */
  readonly config: string;
  readonly pos: SourcePos;
  constructor(config: string, pos: SourcePos, message: string) {
    super(message);
    this.config = config;
    this.pos = pos;
  }
}

/** Names of the maps a valid config reads, by metric name. */
export interface ValidatedMaps {
  /** Map of each counter and histogram (not perf_event_array counters). */
  metrics: string[];
  /** Perf event array of each `perf_event_array` counter. */
  perf: string[];
  /** Ring buffer of each span. */
  ringbufs: string[];
}

interface Metric {
  kind: "counter" | "histogram";
  name: string;
  labels: LabelConfig[];
  pos: SourcePos;
}

/** Checks every metric of a config against the object's maps; throws SpecError on the first misfit. */
export function validateConfig(config: Config, spec: ObjectSpec): ValidatedMaps {
  const metrics: Metric[] = [
    ...config.counters.filter((c) => !c.perf_event_array).map((c) => ({
      kind: "counter" as const,
      ...c,
    })),
    ...config.histograms.map((h) => ({ kind: "histogram" as const, ...h })),
  ];
  for (const m of metrics) checkMetricMap(config, spec, m);
  const perf = config.counters.filter((c) => c.perf_event_array);
  for (const c of perf) checkPerfMap(config, spec, c);
  for (const s of config.spans) checkRingbuf(config, spec, s);
  return {
    metrics: metrics.map((m) => m.name),
    perf: perf.map((c) => c.name),
    ringbufs: config.spans.map((s) => s.ringbuf),
  };
}

function checkMetricMap(config: Config, spec: ObjectSpec, m: Metric): void {
  const fail = (message: string) => new SpecError(config.name, m.pos, message);
  const map = findMap(spec, m.name);
  if (map === null) {
    const names = spec.maps.filter((x) => !x.name.startsWith(".")).map((x) => `"${x.name}"`);
    throw fail(
      `${m.kind} "${m.name}" needs a map named "${m.name}" in "${config.objectPath}", which has ` +
        (names.length ? names.join(", ") : "no maps"),
    );
  }
  checkMetricMapType(m, map, fail);
  if (map.valueSize !== 8) {
    throw fail(
      `value size of map "${m.name}" is ${map.valueSize} bytes, the exporter reads u64 values ` +
        `(8 bytes)`,
    );
  }
  const want = expectedKeySize(m.labels, map.perCpu);
  if (map.keySize !== want) {
    const sizes = m.labels.map((l) => `${l.name}=${l.size}${l.padding ? `+${l.padding}` : ""}`);
    throw fail(
      `key of map "${m.name}" is ${map.keySize} bytes, but the labels of ${m.kind} "${m.name}" ` +
        `(${sizes.join(", ") || "none"}) describe ${want} bytes`,
    );
  }
}

function checkMetricMapType(m: Metric, map: MapSpec, fail: (message: string) => SpecError): void {
  if (isEventStream(map)) {
    throw fail(
      `map "${m.name}" is an event stream, not a map of counters` +
        (m.kind === "counter" && map.type === MapType.PERF_EVENT_ARRAY
          ? " (set perf_event_array: true for perf event arrays)"
          : ""),
    );
  }
  if (COUNTER_MAP_TYPES.includes(map.type)) return;
  const allowed = COUNTER_MAP_TYPES.map((t) => mapTypeName(t).replace("BPF_MAP_TYPE_", ""));
  throw fail(
    `map "${m.name}" is a ${mapTypeName(map.type)}, but a ${m.kind} reads a map of counts: ` +
      `BPF_MAP_TYPE_${allowed.slice(0, -1).join(", ")} or ${allowed.at(-1)}`,
  );
}

function isEventStream(map: MapSpec): boolean {
  return map.type === MapType.PERF_EVENT_ARRAY || map.type === MapType.RINGBUF;
}

function checkPerfMap(config: Config, spec: ObjectSpec, c: CounterConfig): void {
  const map = findMap(spec, c.name);
  if (map !== null && map.type === MapType.PERF_EVENT_ARRAY) return;
  throw new SpecError(
    config.name,
    c.pos,
    `counter "${c.name}" has perf_event_array: true ` +
      (map === null
        ? `but "${config.objectPath}" has no map named "${c.name}"`
        : `but map "${c.name}" is not a BPF_MAP_TYPE_PERF_EVENT_ARRAY`),
  );
}

function checkRingbuf(config: Config, spec: ObjectSpec, s: SpanConfig): void {
  const map = findMap(spec, s.ringbuf);
  if (map !== null && map.type === MapType.RINGBUF) return;
  throw new SpecError(
    config.name,
    s.pos,
    `span "${s.name}" reads ring buffer "${s.ringbuf}" ` +
      (map === null
        ? `but "${config.objectPath}" has no map named "${s.ringbuf}"`
        : `but map "${s.ringbuf}" is a ${mapTypeName(map.type)}, not a BPF_MAP_TYPE_RINGBUF`),
  );
}
