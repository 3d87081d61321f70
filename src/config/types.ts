/** Typed form of one `NAME.yaml` config (spec section 2.2), after validation. */

/** Where a value came from, for error messages that name file, line and key. */
export interface SourcePos {
  file: string;
  line: number;
  /** Dotted key path, e.g. `metrics.counters[0].labels[1].size`. */
  key: string;
}

export interface DecoderConfig {
  name: string;
  /** Literal scalar text of each YAML key → value (`1:` gives key "1"). */
  static_map?: Record<string, string>;
  regexps?: string[];
  allow_unknown: boolean;
  pos: SourcePos;
}

export interface LabelConfig {
  name: string;
  size: number;
  padding: number;
  decoders: DecoderConfig[];
  pos: SourcePos;
}

export interface CounterConfig {
  name: string;
  help: string;
  perf_event_array: boolean;
  /** Flush interval in milliseconds; 0 when unset (perf arrays then use 1 h). */
  flush_interval_ms: number;
  labels: LabelConfig[];
  pos: SourcePos;
}

export type BucketType = "exp2" | "exp2zero" | "linear" | "fixed";

export interface HistogramConfig {
  name: string;
  help: string;
  bucket_type: BucketType;
  /** Defaults to 1 when absent or 0. */
  bucket_multiplier: number;
  bucket_min: number;
  bucket_max: number;
  bucket_keys: number[];
  labels: LabelConfig[];
  pos: SourcePos;
}

export interface SpanConfig {
  name: string;
  ringbuf: string;
  service: string;
  labels: LabelConfig[];
  pos: SourcePos;
}

export interface CgroupIdMapConfig {
  name: string;
  type: "hash" | "cgrp_storage";
  regexps: string[];
  pos: SourcePos;
}

export interface Config {
  /** Config name = file name without `.yaml`. */
  name: string;
  /** Path of the YAML file. */
  file: string;
  /** Path of the `.bpf.o` next to it (not checked until load). */
  objectPath: string;
  counters: CounterConfig[];
  histograms: HistogramConfig[];
  spans: SpanConfig[];
  kaddrs: string[];
  cgroupIdMap?: CgroupIdMapConfig;
}

/**
 * Most buckets a histogram may have: every bucket is a row on each scrape, so a typo like
 * `bucket_max: 100000000` would make scrapes take seconds and gigabytes.
 */
export const MAX_HISTOGRAM_BUCKETS = 256;
