/** One config file's YAML text → validated typed `Config` (spec sections 2.2 and 2.3). */

import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type {
  BucketType,
  CgroupIdMapConfig,
  Config,
  CounterConfig,
  HistogramConfig,
  SpanConfig,
} from "./types.ts";
import { MAX_HISTOGRAM_BUCKETS } from "./types.ts";
import { ConfigError } from "./errors.ts";
import { parseDuration } from "./duration.ts";
import { metricNameProblem } from "./names.ts";
import { readLabels, readRegexps } from "./labels.ts";
import { type Field, type Fields, NodeReader } from "./reader.ts";
import { plainNumber } from "./scalars.ts";
import { BUCKET_TYPES, CGROUP_ID_MAP_TYPES, KADDR_PATTERN, keysOf } from "./keys.ts";

const KADDR_SYMBOL = new RegExp(KADDR_PATTERN);
const NS_PER_MS = 1_000_000n;
// The largest bucket whose bound is 2^63: exp2 bucket i is 2^i, exp2zero bucket i is 2^(i-1).
const MAX_EXP2_BUCKET: Readonly<Partial<Record<BucketType, number>>> = { exp2: 63, exp2zero: 64 };

/** The YAML text of one config and where it lives. */
export interface ConfigSource {
  name: string;
  file: string;
  objectPath: string;
  text: string;
}

/** Parses and validates one config, throwing a `ConfigError` that names file, line and key. */
export function parseConfig(src: ConfigSource): Config {
  const empty = new ConfigError(
    { file: src.file, line: 0, key: "" },
    `Cannot load config "${src.name}": file "${src.file}" is empty`,
  );
  if (src.text.trim() === "") throw empty;
  // A LineCounter accumulates line starts, so each parse needs its own.
  const lines = new LineCounter();
  const doc = parseDocument(src.text, { lineCounter: lines, uniqueKeys: false });
  const problem = doc.errors[0];
  if (problem !== undefined) {
    const at = problem.linePos?.[0] ?? { line: 1, col: 1 };
    const detail = problem.message.split(" at line ")[0]!;
    throw new ConfigError(
      { file: src.file, line: at.line, col: at.col, key: "" },
      `cannot parse YAML: ${detail}`,
    );
  }
  if (doc.contents === null) throw empty;
  const r = new NodeReader(src.file, doc, lines);
  const root = r.field("", doc.contents, doc.contents);
  if (root.node === null) throw empty;
  if (!isMap(root.node)) {
    // Not quoted: a file that is no config at all would have its first line repeated.
    throw r.error(root, `the document must be a mapping, got ${kindOf(root.node)}`);
  }
  const top = r.fields(root, keysOf("config"));

  const metrics = top.has("metrics") ? r.fields(top.get("metrics"), keysOf("metrics")) : null;
  const tracing = top.has("tracing") ? r.fields(top.get("tracing"), keysOf("tracing")) : null;
  const counterItems = metrics ? r.list(metrics.get("counters")) : undefined;
  const histogramItems = metrics ? r.list(metrics.get("histograms")) : undefined;
  const spanItems = tracing ? r.list(tracing.get("spans")) : undefined;
  if (counterItems === undefined && histogramItems === undefined && spanItems === undefined) {
    throw r.error(root, `neither metrics nor tracing are defined for config "${src.name}"`);
  }

  // Counters and histograms share one namespace: both name a BPF map and a metric family.
  const names = new Map<string, number>();
  const counters = (counterItems ?? []).map((item) => readCounter(r, item, names));
  const histograms = (histogramItems ?? []).map((item) => readHistogram(r, item, names));
  const config: Config = {
    name: src.name,
    file: src.file,
    objectPath: src.objectPath,
    counters,
    histograms,
    spans: readSpans(r, spanItems ?? []),
    kaddrs: readKaddrs(r, top.get("kaddrs")),
  };
  if (top.has("cgroup_id_map")) config.cgroupIdMap = readCgroupIdMap(r, top.get("cgroup_id_map"));
  return config;
}

function readNameAndHelp(
  r: NodeReader,
  f: Fields,
  kind: string,
  names: Map<string, number>,
): { name: string; help: string } {
  const nameField = f.get("name");
  const name = r.string(nameField) ?? "";
  if (name === "") throw r.error(nameField, `${kind} lacks name`);
  const problem = metricNameProblem(name);
  if (problem !== null) throw r.error(nameField, problem);
  const first = names.get(name);
  if (first !== undefined) {
    throw r.error(
      nameField,
      `duplicate metric name ${JSON.stringify(name)}, first used at line ${first}`,
    );
  }
  names.set(name, r.line(nameField.at));
  const help = r.string(f.get("help")) ?? "";
  if (help === "") throw r.error(f.get("help"), `${kind} ${JSON.stringify(name)} lacks help`);
  return { name, help };
}

function readCounter(r: NodeReader, item: Field, names: Map<string, number>): CounterConfig {
  const f = r.fields(item, keysOf("counter"));
  const { name, help } = readNameAndHelp(r, f, "counter", names);
  return {
    name,
    help,
    perf_event_array: r.boolean(f.get("perf_event_array")) ?? false,
    flush_interval_ms: readFlushInterval(r, f.get("flush_interval")),
    labels: readLabels(r, f.get("labels"), "counter"),
    pos: r.pos(item),
  };
}

/** Go duration text, or a bare integer of nanoseconds (as go-yaml reads a `time.Duration`). */
function readFlushInterval(r: NodeReader, field: Field): number {
  if (field.node === null) return 0;
  const text = r.string(field)!;
  let ns: bigint;
  const bare = isScalar(field.node) && field.node.type === "PLAIN" ? plainNumber(text) : null;
  if (bare !== null && Number.isSafeInteger(bare)) {
    ns = BigInt(bare);
  } else {
    try {
      ns = parseDuration(text);
    } catch (e) {
      const reason = (e as Error).message;
      throw r.error(field, `must be a duration like "30s" or "1h5m": ${lowerFirst(reason)}`);
    }
  }
  if (ns < 0n) throw r.error(field, `must not be negative, got ${JSON.stringify(text)}`);
  if (ns > 0n && ns < NS_PER_MS) {
    throw r.error(field, `must be at least 1ms, got ${JSON.stringify(text)}`);
  }
  return Number(ns / NS_PER_MS) + Number(ns % NS_PER_MS) / 1e6;
}

function readHistogram(r: NodeReader, item: Field, names: Map<string, number>): HistogramConfig {
  const f = r.fields(item, keysOf("histogram"));
  const { name, help } = readNameAndHelp(r, f, "histogram", names);

  const typeField = f.get("bucket_type");
  const type = r.string(typeField);
  if (type === undefined) {
    throw r.error(typeField, `histogram ${JSON.stringify(name)} lacks bucket_type`);
  }
  if (!(BUCKET_TYPES as readonly string[]).includes(type)) {
    throw r.error(
      typeField,
      `unknown bucket_type ${JSON.stringify(type)}, allowed are ${BUCKET_TYPES.join(", ")}`,
    );
  }
  const bucketType = type as BucketType;

  const multField = f.get("bucket_multiplier");
  const multiplier = r.number(multField) ?? 0;
  if (!Number.isFinite(multiplier) || multiplier < 0) {
    throw r.error(multField, `must be a positive number, got ${r.string(multField)}`);
  }

  const minField = f.get("bucket_min");
  const maxField = f.get("bucket_max");
  const min = r.integer(minField) ?? 0;
  const max = r.integer(maxField);
  if (min < 0) throw r.error(minField, `must not be negative, got ${min}`);
  if (bucketType !== "fixed") {
    if (max === undefined) {
      throw r.error(maxField, `histogram ${JSON.stringify(name)} of type ${type} lacks bucket_max`);
    }
    if (max <= min) {
      throw r.error(maxField, `must be greater than bucket_min (${min}), got ${max}`);
    }
    checkBucketRange(r, maxField, bucketType, min, max);
  }

  const keysField = f.get("bucket_keys");
  const keys = (r.list(keysField) ?? []).map((k) => {
    const v = r.number(k);
    if (v === undefined || !Number.isSafeInteger(v) || v < 0) {
      const got = k.node === null ? "nothing" : r.string(k);
      throw r.error(k, `bucket keys must be non-negative integers, got ${got}`);
    }
    return { v, k };
  });
  if (bucketType === "fixed") {
    if (keys.length === 0) {
      throw r.error(keysField, `histogram ${JSON.stringify(name)} of type fixed lacks bucket_keys`);
    }
    if (keys.length > MAX_HISTOGRAM_BUCKETS) {
      throw r.error(keysField, tooManyBuckets(keys.length));
    }
    for (let i = 1; i < keys.length; i++) {
      const prev = keys[i - 1]!.v;
      const cur = keys[i]!;
      if (cur.v <= prev) {
        throw r.error(cur.k, `bucket keys must be strictly rising, got ${cur.v} after ${prev}`);
      }
    }
  }

  const labelsField = f.get("labels");
  const labels = readLabels(r, labelsField, "histogram");
  if (labels.length === 0) {
    throw r.error(
      labelsField,
      `histogram ${JSON.stringify(name)} needs at least one label (the last one is the bucket)`,
    );
  }
  return {
    name,
    help,
    bucket_type: bucketType,
    bucket_multiplier: multiplier === 0 ? 1 : multiplier,
    bucket_min: min,
    bucket_max: max ?? 0,
    bucket_keys: keys.map((k) => k.v),
    labels,
    pos: r.pos(item),
  };
}

function checkBucketRange(
  r: NodeReader,
  maxField: Field,
  type: BucketType,
  min: number,
  max: number,
): void {
  const limit = MAX_EXP2_BUCKET[type];
  if (limit !== undefined && max > limit) {
    throw r.error(
      maxField,
      `must be at most ${limit} for bucket_type ${type} (its bound is then 2^63), got ${max}`,
    );
  }
  const count = max - min + 1;
  if (count > MAX_HISTOGRAM_BUCKETS) {
    throw r.error(maxField, `${tooManyBuckets(count)} (bucket_min ${min} to bucket_max ${max})`);
  }
}

function tooManyBuckets(count: number): string {
  return `gives ${count} buckets, at most ${MAX_HISTOGRAM_BUCKETS} are allowed`;
}

function readSpans(r: NodeReader, items: Field[]): SpanConfig[] {
  const ringbufs = new Map<string, number>();
  return items.map((item) => {
    const f = r.fields(item, keysOf("span"));
    const ringbufField = f.get("ringbuf");
    const ringbuf = r.string(ringbufField) ?? "";
    if (ringbuf === "") throw r.error(ringbufField, "span lacks ringbuf");
    const earlier = ringbufs.get(ringbuf);
    if (earlier !== undefined) {
      throw r.error(
        ringbufField,
        `ring buffer ${JSON.stringify(ringbuf)} is already read by the span at line ${earlier}`,
      );
    }
    ringbufs.set(ringbuf, r.line(item.at));
    const name = r.string(f.get("name")) || ringbuf;
    const labelsField = f.get("labels");
    const labels = readLabels(r, labelsField, "span");
    if (labels.length === 0) {
      throw r.error(labelsField, `span ${JSON.stringify(name)} lacks labels`);
    }
    return { name, ringbuf, service: r.string(f.get("service")) ?? "", labels, pos: r.pos(item) };
  });
}

function readKaddrs(r: NodeReader, field: Field): string[] {
  const seen = new Set<string>();
  return (r.list(field) ?? []).map((item) => {
    const symbol = r.string(item) ?? "";
    if (!KADDR_SYMBOL.test(symbol)) {
      throw r.error(
        item,
        `must be a kernel symbol name (a C identifier), got ${JSON.stringify(symbol)}`,
      );
    }
    if (seen.has(symbol)) throw r.error(item, `duplicate kaddr ${JSON.stringify(symbol)}`);
    seen.add(symbol);
    return symbol;
  });
}

function readCgroupIdMap(r: NodeReader, field: Field): CgroupIdMapConfig {
  const f = r.fields(field, keysOf("cgroup_id_map"));
  const name = r.string(f.get("name")) ?? "";
  if (name === "") throw r.error(f.get("name"), "cgroup_id_map lacks name");
  const typeField = f.get("type");
  const type = r.string(typeField) ?? "hash";
  if (!(CGROUP_ID_MAP_TYPES as readonly string[]).includes(type)) {
    throw r.error(
      typeField,
      `unknown type ${JSON.stringify(type)}, allowed are ${CGROUP_ID_MAP_TYPES.join(", ")}`,
    );
  }
  const regexpsField = f.get("regexps");
  const regexps = readRegexps(r, regexpsField);
  if (regexps.length === 0) throw r.error(regexpsField, "cgroup_id_map lacks regexps");
  return { name, type: type as CgroupIdMapConfig["type"], regexps, pos: r.pos(field) };
}

function kindOf(node: Node): string {
  return isSeq(node) ? "a list" : isScalar(node) ? "a scalar" : "an alias";
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
