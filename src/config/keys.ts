/**
 * Every key a config file may hold, section by section: the one list the parser checks unknown
 * keys against, the JSON Schema is generated from (schema.ts) and the configuration reference
 * (docs/configuration.md, checked by tests/docs/reference_test.ts) documents.
 */

import { DECODER_NAMES } from "./decoder_names.ts";
import { type BucketType, type CgroupIdMapConfig, MAX_HISTOGRAM_BUCKETS } from "./types.ts";

/** How a key's value is written, as the reference names it. */
export type KeyType =
  | "mapping"
  | "list"
  | "string"
  | "integer"
  | "number"
  | "boolean"
  | "duration"
  | "list of strings"
  | "list of integers"
  | "mapping of strings";

/** A JSON Schema fragment (draft-07). */
export type SchemaFragment = { [key: string]: unknown };

/** One key of a section. */
export interface KeySpec {
  type: KeyType;
  /** One line for editors' hover text; the reference explains more. */
  summary: string;
  required?: boolean;
  /** What an absent key means, as the reference writes it. */
  default?: string;
  /** The section each item (a list) or the value (a mapping) follows. */
  section?: SectionId;
  /** Constraints a schema can express, beyond the type (merged into the key's schema). */
  schema?: SchemaFragment;
  /** Constraints on each item of a list of sections, beyond the section's own. */
  itemSchema?: SchemaFragment;
}

/** A mapping of the config file and the keys it allows. */
export interface SectionSpec {
  /** Where the section sits, as the reference's headings write paths (`labels[].`). */
  path: string;
  keys: Readonly<Record<string, KeySpec>>;
  /** Rules between keys a schema can express (JSON Schema `allOf` entries). */
  rules?: SchemaFragment[];
}

/** The sections of a config file. */
export type SectionId =
  | "config"
  | "metrics"
  | "tracing"
  | "counter"
  | "histogram"
  | "span"
  | "cgroup_id_map"
  | "label"
  | "decoder";

/** Every histogram `bucket_type`. */
export const BUCKET_TYPES: readonly BucketType[] = ["exp2", "exp2zero", "linear", "fixed"];
/** Every `cgroup_id_map.type`. */
export const CGROUP_ID_MAP_TYPES: readonly CgroupIdMapConfig["type"][] = ["hash", "cgrp_storage"];

/** Metric names become `ebpf_exporter_<name>`, so a leading digit is allowed (names.ts). */
export const METRIC_NAME_PATTERN = "^[a-zA-Z0-9_:]+$";
/** Prometheus label names, without the reserved `__` prefix (names.ts). */
export const LABEL_NAME_PATTERN = "^(?!__)[a-zA-Z_][a-zA-Z0-9_]*$";
/** kaddrs become `kaddr_<symbol>` globals in the BPF object, so they are C identifiers. */
export const KADDR_PATTERN = "^[A-Za-z_][A-Za-z0-9_]*$";
/** Go duration text (`30s`, `1h5m`, `1.5ms`) or `0`; duration.ts parses it. */
export const DURATION_PATTERN = "^\\+?(0|([0-9]*(\\.[0-9]*)?(ns|us|\u00b5s|\u03bcs|ms|s|m|h))+)$";

// Metric labels become Prometheus label names; span labels are only record fields.
const METRIC_LABEL = { type: "object", properties: { name: { pattern: LABEL_NAME_PATTERN } } };

const NAME_AND_HELP = {
  name: {
    type: "string",
    required: true,
    summary: "Name of the BPF map and of the metric (exported as ebpf_exporter_<name>)",
    schema: { pattern: METRIC_NAME_PATTERN },
  },
  help: { type: "string", required: true, summary: "HELP text of the metric" },
} as const satisfies Record<string, KeySpec>;

/** Every section of a config file with its keys, in the order error messages list them. */
export const CONFIG_SECTIONS: Readonly<Record<SectionId, SectionSpec>> = {
  config: {
    path: "",
    keys: {
      metrics: {
        type: "mapping",
        section: "metrics",
        summary: "Counters and histograms read from BPF maps",
      },
      tracing: { type: "mapping", section: "tracing", summary: "Spans read from ring buffers" },
      kaddrs: {
        type: "list of strings",
        default: "[]",
        summary: "Kernel symbols whose addresses are written into kaddr_<symbol> globals",
        schema: { items: { pattern: KADDR_PATTERN }, uniqueItems: true },
      },
      cgroup_id_map: {
        type: "mapping",
        section: "cgroup_id_map",
        summary: "A BPF map kept filled with the ids of cgroups whose paths match",
      },
    },
    rules: [{ anyOf: [{ required: ["metrics"] }, { required: ["tracing"] }] }],
  },
  metrics: {
    path: "metrics.",
    keys: {
      counters: { type: "list", section: "counter", default: "[]", summary: "Counter metrics" },
      histograms: {
        type: "list",
        section: "histogram",
        default: "[]",
        summary: "Histogram metrics",
      },
    },
  },
  tracing: {
    path: "tracing.",
    keys: {
      spans: { type: "list", section: "span", default: "[]", summary: "Spans (not exported yet)" },
    },
  },
  counter: {
    path: "metrics.counters[].",
    keys: {
      ...NAME_AND_HELP,
      perf_event_array: {
        type: "boolean",
        default: "false",
        summary: "Read increments from a perf event array instead of a hash or array map",
      },
      flush_interval: {
        type: "duration",
        default: "0 (never; 1h for perf event arrays)",
        summary: "How often the counter's values are reset",
      },
      labels: {
        type: "list",
        section: "label",
        default: "[]",
        itemSchema: METRIC_LABEL,
        summary: "How the map key splits into labels, in key order",
      },
    },
  },
  histogram: {
    path: "metrics.histograms[].",
    keys: {
      ...NAME_AND_HELP,
      bucket_type: {
        type: "string",
        required: true,
        summary: "How bucket indexes map to upper bounds: exp2, exp2zero, linear or fixed",
        schema: { enum: [...BUCKET_TYPES] },
      },
      bucket_multiplier: {
        type: "number",
        default: "1",
        summary: "Factor applied to every bucket bound (0 means 1)",
        schema: { minimum: 0 },
      },
      bucket_min: {
        type: "integer",
        default: "0",
        summary: "Lowest bucket index exported",
        schema: { minimum: 0 },
      },
      bucket_max: {
        type: "integer",
        default: "required unless bucket_type is fixed",
        summary: "Highest bucket index exported (above bucket_min)",
        schema: { minimum: 1 },
      },
      bucket_keys: {
        type: "list of integers",
        default: "required when bucket_type is fixed",
        summary: "The bucket bounds of a fixed histogram, strictly rising",
        schema: {
          items: { minimum: 0 },
          minItems: 1,
          maxItems: MAX_HISTOGRAM_BUCKETS,
          uniqueItems: true,
        },
      },
      labels: {
        type: "list",
        section: "label",
        required: true,
        itemSchema: METRIC_LABEL,
        summary: "Labels of the map key; the last one is the bucket index",
        schema: { minItems: 1 },
      },
    },
    rules: [
      {
        if: { properties: { bucket_type: { const: "fixed" } }, required: ["bucket_type"] },
        then: { required: ["bucket_keys"] },
        else: { required: ["bucket_max"] },
      },
      {
        if: { properties: { bucket_type: { const: "exp2" } }, required: ["bucket_type"] },
        then: { properties: { bucket_max: { maximum: 63 } } },
      },
      {
        if: { properties: { bucket_type: { const: "exp2zero" } }, required: ["bucket_type"] },
        then: { properties: { bucket_max: { maximum: 64 } } },
      },
    ],
  },
  span: {
    path: "tracing.spans[].",
    keys: {
      name: { type: "string", default: "the ringbuf name", summary: "Name of the span" },
      ringbuf: {
        type: "string",
        required: true,
        summary: "The BPF ring buffer map the spans are read from",
      },
      service: { type: "string", default: '""', summary: "Service name of the spans" },
      labels: {
        type: "list",
        section: "label",
        required: true,
        summary: "Fields of each ring buffer record",
        schema: { minItems: 1 },
      },
    },
  },
  cgroup_id_map: {
    path: "cgroup_id_map.",
    keys: {
      name: { type: "string", required: true, summary: "Name of the BPF map to fill" },
      type: {
        type: "string",
        default: "hash",
        summary: "Kind of map: hash or cgrp_storage",
        schema: { enum: [...CGROUP_ID_MAP_TYPES] },
      },
      regexps: {
        type: "list of strings",
        required: true,
        summary: "RE2 patterns; cgroups whose path matches one are put in the map",
        schema: { minItems: 1 },
      },
    },
  },
  label: {
    path: "labels[].",
    keys: {
      name: { type: "string", required: true, summary: "Label name" },
      size: {
        type: "integer",
        required: true,
        summary: "Bytes of the key this label reads",
        schema: { minimum: 1 },
      },
      padding: {
        type: "integer",
        default: "0",
        summary: "Bytes skipped after this label's bytes",
        schema: { minimum: 0 },
      },
      decoders: {
        type: "list",
        section: "decoder",
        required: true,
        summary: "Decoders applied in turn to the label's bytes",
        schema: { minItems: 1 },
      },
    },
  },
  decoder: {
    path: "labels[].decoders[].",
    keys: {
      name: {
        type: "string",
        required: true,
        summary: "The decoder",
        schema: { enum: [...DECODER_NAMES] },
      },
      static_map: {
        type: "mapping of strings",
        default: "required by static_map",
        summary: "Input → label value (decoder static_map only)",
      },
      regexps: {
        type: "list of strings",
        default: "required by regexp",
        summary: "RE2 patterns; a value matching none skips the row (decoder regexp only)",
        schema: { minItems: 1 },
      },
      allow_unknown: {
        type: "boolean",
        default: "false",
        summary: "Pass inputs missing from static_map through (decoder static_map only)",
      },
    },
    rules: [
      {
        if: { properties: { name: { const: "static_map" } }, required: ["name"] },
        then: { required: ["static_map"] },
        else: { not: { anyOf: [{ required: ["static_map"] }, { required: ["allow_unknown"] }] } },
      },
      {
        if: { properties: { name: { const: "regexp" } }, required: ["name"] },
        then: { required: ["regexps"] },
        else: { not: { required: ["regexps"] } },
      },
    ],
  },
};

/** The keys a section allows, in order: what the parser checks unknown keys against. */
export function keysOf(section: SectionId): readonly string[] {
  return Object.keys(CONFIG_SECTIONS[section].keys);
}
