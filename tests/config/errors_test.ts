/** One test per kind of config error: each names the file, the line and the key path. */

import assert from "node:assert/strict";
import { ConfigError, loadConfigs } from "../../src/config/load.ts";
import { memFs } from "./mem_fs.ts";

interface Case {
  what: string;
  yaml: string[];
  line: number;
  key: string;
  /** Text the message must contain after `cfg/t.yaml:<line>: <key>: `. */
  detail: string;
}

/** A valid counter whose first label's lines can be swapped out. */
function counter(label: string[] = ["size: 8", "decoders:", "  - name: ksym"]): string[] {
  return [
    "metrics:", // 1
    "  counters:", // 2
    "    - name: timer_starts_total", // 3
    "      help: Timers", // 4
    "      labels:", // 5
    "        - name: function", // 6
    ...label.map((l) => `          ${l}`), // 7...
  ];
}

/** A valid histogram whose settings (indented under the histogram) can be swapped out. */
function histogram(settings: string[], labels = ["bucket"]): string[] {
  return [
    "metrics:", // 1
    "  histograms:", // 2
    "    - name: latency_seconds", // 3
    "      help: Latency", // 4
    ...settings.map((s) => `      ${s}`), // 5...
    "      labels:",
    ...labels.flatMap((name) => [
      `        - name: ${name}`,
      "          size: 8",
      "          decoders:",
      "            - name: uint",
    ]),
  ];
}

const EXP2 = ["bucket_type: exp2", "bucket_min: 0", "bucket_max: 27"];

const CASES: Case[] = [
  {
    what: "a YAML syntax error",
    yaml: ["metrics:", "  counters: [", "    - name: x"],
    line: 3,
    key: "",
    detail: "cannot parse YAML: ",
  },
  {
    what: "a duplicate key",
    yaml: [...counter(), "      help: Again"],
    line: 10,
    key: "metrics.counters[0].help",
    detail: 'duplicate key "help", first given at line 4',
  },
  {
    what: "an unknown top-level key",
    yaml: [...counter(), "metric: {}"],
    line: 10,
    key: "metric",
    detail: 'unknown key "metric", allowed keys are metrics, tracing, kaddrs, cgroup_id_map',
  },
  {
    what: "an unknown label key",
    yaml: counter(["sise: 8", "decoders:", "  - name: ksym"]),
    line: 7,
    key: "metrics.counters[0].labels[0].sise",
    detail: 'unknown key "sise", allowed keys are name, size, padding, decoders',
  },
  {
    what: "an unknown decoder key",
    yaml: counter(["size: 8", "decoders:", "  - name: ksym", "    mode: fast"]),
    line: 10,
    key: "metrics.counters[0].labels[0].decoders[0].mode",
    detail: "allowed keys are name, static_map, regexps, allow_unknown",
  },
  {
    what: "a config without metrics or tracing",
    yaml: ["kaddrs: [foo]"],
    line: 1,
    key: "",
    detail: 'neither metrics nor tracing are defined for config "t"',
  },
  {
    what: "a config whose metrics section has no lists",
    yaml: ["metrics:", "tracing: {}"],
    line: 1,
    key: "",
    detail: "neither metrics nor tracing are defined",
  },
  {
    what: "a document that is not a mapping",
    yaml: ["- metrics"],
    line: 1,
    key: "",
    detail: "must be a mapping, got a list",
  },
  {
    what: "a counter without name",
    yaml: ["metrics:", "  counters:", "    - help: Timers"],
    line: 3,
    key: "metrics.counters[0].name",
    detail: "counter lacks name",
  },
  {
    what: "a counter without help",
    yaml: ["metrics:", "  counters:", "    - name: timer_starts_total", "      help:"],
    line: 4,
    key: "metrics.counters[0].help",
    detail: 'counter "timer_starts_total" lacks help',
  },
  {
    what: "a histogram without name",
    yaml: ["metrics:", "  histograms:", "    - help: Latency", "      bucket_type: exp2"],
    line: 3,
    key: "metrics.histograms[0].name",
    detail: "histogram lacks name",
  },
  {
    what: "a histogram without help",
    yaml: ["metrics:", "  histograms:", "    - name: latency_seconds"],
    line: 3,
    key: "metrics.histograms[0].help",
    detail: 'histogram "latency_seconds" lacks help',
  },
  {
    what: "a quoted number where an integer belongs",
    yaml: counter(['size: "8"', "decoders:", "  - name: ksym"]),
    line: 7,
    key: "metrics.counters[0].labels[0].size",
    detail: 'must be an integer, got "8"',
  },
  {
    what: "a fractional label size",
    yaml: counter(["size: 8.5", "decoders:", "  - name: ksym"]),
    line: 7,
    key: "metrics.counters[0].labels[0].size",
    detail: "must be an integer, got 8.5",
  },
  {
    what: "a mapping where a list belongs",
    yaml: ["metrics:", "  counters:", "    name: x"],
    line: 3,
    key: "metrics.counters",
    detail: "must be a list, got a mapping",
  },
  {
    what: "a list where a string belongs",
    yaml: ["metrics:", "  counters:", "    - name: [a, b]"],
    line: 3,
    key: "metrics.counters[0].name",
    detail: "must be a string, got a list",
  },
  {
    what: "a non-boolean perf_event_array",
    yaml: [...counter(), "      perf_event_array: maybe"],
    line: 10,
    key: "metrics.counters[0].perf_event_array",
    detail: "must be true or false, got maybe",
  },
  {
    what: "an unknown decoder",
    yaml: counter(["size: 8", "decoders:", "  - name: ksyms"]),
    line: 9,
    key: "metrics.counters[0].labels[0].decoders[0].name",
    detail: 'unknown decoder "ksyms", known decoders are cgroup, dname, errno',
  },
  {
    what: "a label size of zero",
    yaml: counter(["size: 0", "decoders:", "  - name: ksym"]),
    line: 7,
    key: "metrics.counters[0].labels[0].size",
    detail: "must be a positive integer, got 0",
  },
  {
    what: "a label without size",
    yaml: counter(["decoders:", "  - name: ksym"]),
    line: 6,
    key: "metrics.counters[0].labels[0].size",
    detail: 'label "function" lacks size',
  },
  {
    what: "a negative padding",
    yaml: counter(["size: 8", "padding: -1", "decoders:", "  - name: ksym"]),
    line: 8,
    key: "metrics.counters[0].labels[0].padding",
    detail: "must not be negative, got -1",
  },
  {
    what: "a label without decoders",
    yaml: counter(["size: 8"]),
    line: 6,
    key: "metrics.counters[0].labels[0].decoders",
    detail: 'label "function" lacks decoders',
  },
  {
    what: "a label with an empty decoder list",
    yaml: counter(["size: 8", "decoders: []"]),
    line: 8,
    key: "metrics.counters[0].labels[0].decoders",
    detail: 'label "function" lacks decoders',
  },
  {
    what: "a label without name",
    yaml: [
      "metrics:",
      "  counters:",
      "    - name: a",
      "      help: A",
      "      labels:",
      "        - size: 8",
    ],
    line: 6,
    key: "metrics.counters[0].labels[0].name",
    detail: "label lacks name",
  },
  {
    what: "a size the first decoder can never read",
    yaml: counter(["size: 3", "decoders:", "  - name: uint"]),
    line: 7,
    key: "metrics.counters[0].labels[0].size",
    detail: 'decoder "uint" needs a size of 1, 2, 4 or 8 bytes, got 3',
  },
  {
    what: "a ksym label shorter than an address",
    yaml: counter(["size: 4", "decoders:", "  - name: ksym"]),
    line: 7,
    key: "metrics.counters[0].labels[0].size",
    detail: 'decoder "ksym" needs a size of at least 8 bytes, got 4',
  },
  {
    what: "a static_map decoder without a map",
    yaml: counter(["size: 8", "decoders:", "  - name: uint", "  - name: static_map"]),
    line: 10,
    key: "metrics.counters[0].labels[0].decoders[1].static_map",
    detail: 'decoder "static_map" lacks static_map',
  },
  {
    what: "a static_map given to another decoder",
    yaml: counter(["size: 8", "decoders:", "  - name: uint", "    static_map: {1: a}"]),
    line: 10,
    key: "metrics.counters[0].labels[0].decoders[0].static_map",
    detail: 'only decoder "static_map" uses static_map, this is decoder "uint"',
  },
  {
    what: "a regexp decoder without patterns",
    yaml: counter(["size: 8", "decoders:", "  - name: string", "  - name: regexp"]),
    line: 10,
    key: "metrics.counters[0].labels[0].decoders[1].regexps",
    detail: 'decoder "regexp" lacks regexps',
  },
  {
    what: "an invalid regular expression",
    yaml: counter([
      "size: 8",
      "decoders:",
      "  - name: string",
      "  - name: regexp",
      "    regexps: ['^ok$', '(unclosed']",
    ]),
    line: 11,
    key: "metrics.counters[0].labels[0].decoders[1].regexps[1]",
    detail: 'invalid regular expression "(unclosed"',
  },
  {
    what: "a static_map key written twice in different quoting",
    yaml: counter([
      "size: 4",
      "decoders:",
      "  - name: uint",
      "  - name: static_map",
      "    static_map:",
      "      1: one",
      '      "1": uno',
    ]),
    line: 13,
    key: "metrics.counters[0].labels[0].decoders[1].static_map.1",
    detail: 'duplicate key "1", first given at line 12',
  },
  {
    what: "an unknown bucket type",
    yaml: histogram(["bucket_type: exp3", "bucket_max: 27"]),
    line: 5,
    key: "metrics.histograms[0].bucket_type",
    detail: 'unknown bucket_type "exp3", allowed are exp2, exp2zero, linear, fixed',
  },
  {
    what: "a histogram without bucket type",
    yaml: histogram(["bucket_max: 27"]),
    line: 3,
    key: "metrics.histograms[0].bucket_type",
    detail: 'histogram "latency_seconds" lacks bucket_type',
  },
  {
    what: "a histogram without labels",
    yaml: histogram(EXP2, []),
    line: 8,
    key: "metrics.histograms[0].labels",
    detail: 'histogram "latency_seconds" needs at least one label (the last one is the bucket)',
  },
  {
    what: "an exp2 histogram whose bucket_min equals bucket_max",
    yaml: histogram(["bucket_type: exp2", "bucket_min: 5", "bucket_max: 5"]),
    line: 7,
    key: "metrics.histograms[0].bucket_max",
    detail: "must be greater than bucket_min (5), got 5",
  },
  {
    what: "a linear histogram whose bucket_min exceeds bucket_max",
    yaml: histogram(["bucket_type: linear", "bucket_min: 9", "bucket_max: 3"]),
    line: 7,
    key: "metrics.histograms[0].bucket_max",
    detail: "must be greater than bucket_min (9), got 3",
  },
  {
    what: "an exp2zero histogram without bucket_max",
    yaml: histogram(["bucket_type: exp2zero"]),
    line: 3,
    key: "metrics.histograms[0].bucket_max",
    detail: 'histogram "latency_seconds" of type exp2zero lacks bucket_max',
  },
  {
    what: "a negative bucket_min",
    yaml: histogram(["bucket_type: exp2", "bucket_min: -1", "bucket_max: 3"]),
    line: 6,
    key: "metrics.histograms[0].bucket_min",
    detail: "must not be negative, got -1",
  },
  {
    what: "a negative bucket_multiplier",
    yaml: histogram([...EXP2, "bucket_multiplier: -0.5"]),
    line: 8,
    key: "metrics.histograms[0].bucket_multiplier",
    detail: "must be a positive number, got -0.5",
  },
  {
    what: "a fixed histogram without bucket keys",
    yaml: histogram(["bucket_type: fixed", "bucket_keys: []"]),
    line: 6,
    key: "metrics.histograms[0].bucket_keys",
    detail: 'histogram "latency_seconds" of type fixed lacks bucket_keys',
  },
  {
    what: "a fixed histogram with unsorted bucket keys",
    yaml: histogram(["bucket_type: fixed", "bucket_keys:", "  - 1", "  - 10", "  - 5"]),
    line: 9,
    key: "metrics.histograms[0].bucket_keys[2]",
    detail: "bucket keys must be strictly rising, got 5 after 10",
  },
  {
    what: "a fixed histogram with a repeated bucket key",
    yaml: histogram(["bucket_type: fixed", "bucket_keys: [1, 5, 5]"]),
    line: 6,
    key: "metrics.histograms[0].bucket_keys[2]",
    detail: "bucket keys must be strictly rising, got 5 after 5",
  },
  {
    what: "a fractional bucket key",
    yaml: histogram(["bucket_type: fixed", "bucket_keys: [1, 2.5]"]),
    line: 6,
    key: "metrics.histograms[0].bucket_keys[1]",
    detail: "bucket keys must be non-negative integers, got 2.5",
  },
  {
    what: "a metric name with characters Prometheus does not allow",
    yaml: ["metrics:", "  counters:", "    - name: timer-starts", "      help: Timers"],
    line: 3,
    key: "metrics.counters[0].name",
    detail: 'metric name may only contain letters, digits, "_" and ":", got "timer-starts"',
  },
  {
    what: "a label name Prometheus does not allow",
    yaml: counter(["size: 8", "decoders: [{name: ksym}]"]).map((l) =>
      l.replace("name: function", "name: 1function")
    ),
    line: 6,
    key: "metrics.counters[0].labels[0].name",
    detail: 'label name must start with a letter or "_"',
  },
  {
    what: "a label name reserved by Prometheus",
    yaml: counter(["size: 8", "decoders: [{name: ksym}]"]).map((l) =>
      l.replace("name: function", "name: __function")
    ),
    line: 6,
    key: "metrics.counters[0].labels[0].name",
    detail: 'label names starting with "__" are reserved, got "__function"',
  },
  {
    what: "a histogram label named le",
    yaml: histogram(EXP2, ["le", "bucket"]),
    line: 9,
    key: "metrics.histograms[0].labels[0].name",
    detail: 'label name "le" is reserved for histogram buckets',
  },
  {
    what: "a label name used twice in one metric",
    yaml: histogram(EXP2, ["device", "device", "bucket"]),
    line: 13,
    key: "metrics.histograms[0].labels[1].name",
    detail: 'duplicate label name "device", first used at line 9',
  },
  {
    what: "a metric name used twice in one config",
    yaml: [
      ...counter().map((l) => l.replace("timer_starts_total", "latency_seconds")),
      ...histogram(EXP2).slice(1),
    ],
    line: 11,
    key: "metrics.histograms[0].name",
    detail: 'duplicate metric name "latency_seconds", first used at line 3',
  },
  {
    what: "a bad flush interval",
    yaml: [...counter(), "      flush_interval: 1d"],
    line: 10,
    key: "metrics.counters[0].flush_interval",
    detail: 'must be a duration like "30s" or "1h5m": unknown unit "d" in duration "1d"',
  },
  {
    what: "a negative flush interval",
    yaml: [...counter(), "      flush_interval: -5s"],
    line: 10,
    key: "metrics.counters[0].flush_interval",
    detail: 'must not be negative, got "-5s"',
  },
  {
    what: "a flush interval below a millisecond",
    yaml: [...counter(), "      flush_interval: 999us"],
    line: 10,
    key: "metrics.counters[0].flush_interval",
    detail: 'must be at least 1ms, got "999us"',
  },
  {
    what: "a span without ring buffer",
    yaml: ["tracing:", "  spans:", "    - name: exec", "      labels: []"],
    line: 3,
    key: "tracing.spans[0].ringbuf",
    detail: "span lacks ringbuf",
  },
  {
    what: "a span without labels",
    yaml: ["tracing:", "  spans:", "    - ringbuf: exec_spans"],
    line: 3,
    key: "tracing.spans[0].labels",
    detail: 'span "exec_spans" lacks labels',
  },
  {
    what: "two spans reading one ring buffer",
    yaml: [
      "tracing:",
      "  spans:",
      "    - ringbuf: events",
      "      labels: [{name: a, size: 8, decoders: [{name: uint}]}]",
      "    - ringbuf: events",
      "      name: again",
    ],
    line: 5,
    key: "tracing.spans[1].ringbuf",
    detail: 'ring buffer "events" is already read by the span at line 3',
  },
  {
    what: "an unknown key under tracing",
    yaml: ["tracing:", "  span: []"],
    line: 2,
    key: "tracing.span",
    detail: 'unknown key "span", allowed keys are spans',
  },
  {
    what: "spans that are not a list",
    yaml: ["tracing:", "  spans: events"],
    line: 2,
    key: "tracing.spans",
    detail: "must be a list",
  },
  {
    what: "an unknown key in a span",
    yaml: [
      "tracing:",
      "  spans:",
      "    - ringbuf: events",
      "      services: demo",
      "      labels: [{name: a, size: 8, decoders: [{name: uint}]}]",
    ],
    line: 4,
    key: "tracing.spans[0].services",
    detail: 'unknown key "services", allowed keys are name, ringbuf, service, labels',
  },
  {
    what: "a span whose ring buffer is not a string",
    yaml: [
      "tracing:",
      "  spans:",
      "    - ringbuf: [events]",
      "      labels: [{name: a, size: 8, decoders: [{name: uint}]}]",
    ],
    line: 3,
    key: "tracing.spans[0].ringbuf",
    detail: "must be a string",
  },
  {
    what: "a span service that is not a string",
    yaml: [
      "tracing:",
      "  spans:",
      "    - ringbuf: events",
      "      service: {name: demo}",
      "      labels: [{name: a, size: 8, decoders: [{name: uint}]}]",
    ],
    line: 4,
    key: "tracing.spans[0].service",
    detail: "must be a string",
  },
  {
    what: "a span label without decoders",
    yaml: [
      "tracing:",
      "  spans:",
      "    - ringbuf: events",
      "      labels:",
      "        - name: trace_id",
      "          size: 16",
    ],
    line: 5,
    key: "tracing.spans[0].labels[0].decoders",
    detail: 'label "trace_id" lacks decoders',
  },
  {
    what: "a span label named twice",
    yaml: [
      "tracing:",
      "  spans:",
      "    - ringbuf: events",
      "      labels:",
      "        - {name: span_id, size: 8, decoders: [{name: hex}]}",
      "        - {name: span_id, size: 8, decoders: [{name: hex}]}",
    ],
    line: 6,
    key: "tracing.spans[0].labels[1].name",
    detail: 'duplicate label name "span_id", first used at line 5',
  },
  {
    what: "a cgroup_id_map of unknown type",
    yaml: [...counter(), "cgroup_id_map:", "  name: ids", "  type: array", "  regexps: [x]"],
    line: 12,
    key: "cgroup_id_map.type",
    detail: 'unknown type "array", allowed are hash, cgrp_storage',
  },
  {
    what: "a cgroup_id_map without name",
    yaml: [...counter(), "cgroup_id_map:", "  regexps: [x]"],
    line: 11,
    key: "cgroup_id_map.name",
    detail: "cgroup_id_map lacks name",
  },
  {
    what: "a cgroup_id_map without regexps",
    yaml: [...counter(), "cgroup_id_map:", "  name: ids"],
    line: 11,
    key: "cgroup_id_map.regexps",
    detail: "cgroup_id_map lacks regexps",
  },
  {
    what: "a kaddrs entry that is not a symbol name",
    yaml: [...counter(), "kaddrs:", "  - bpf_jit_current", "  - 'foo bar'"],
    line: 12,
    key: "kaddrs[1]",
    detail: 'must be a kernel symbol name (a C identifier), got "foo bar"',
  },
  {
    what: "a kaddrs entry given twice",
    yaml: [...counter(), "kaddrs: [a, b, a]"],
    line: 10,
    key: "kaddrs[2]",
    detail: 'duplicate kaddr "a"',
  },
  {
    what: "kaddrs that are not a list",
    yaml: [...counter(), "kaddrs: bpf_jit_current"],
    line: 10,
    key: "kaddrs",
    detail: "must be a list, got bpf_jit_current",
  },
  {
    what: "an alias to an unknown anchor",
    yaml: counter(["size: *eight", "decoders: [{name: ksym}]"]),
    line: 7,
    key: "metrics.counters[0].labels[0].size",
    detail: 'unknown alias "*eight"',
  },
];

for (const c of CASES) {
  Deno.test(`config loading rejects ${c.what} naming file, line and key`, () => {
    const fs = memFs({ "cfg/t.yaml": c.yaml.join("\n") + "\n" });
    assert.throws(() => loadConfigs("cfg", ["t"], fs), (e) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.deepEqual([e.file, e.line, e.key], ["cfg/t.yaml", c.line, c.key], e.message);
      const prefix = c.key === "" ? "" : ` ${c.key}:`;
      assert.match(e.message, new RegExp(`^cfg/t\\.yaml:${c.line}(:\\d+)?:${escape(prefix)} `));
      assert.ok(e.message.includes(c.detail), `${e.message}\ndoes not include\n${c.detail}`);
      return true;
    });
  });
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

Deno.test("the brief's size example reads exactly as specified", () => {
  const fs = memFs({
    "examples/timers.yaml": counter(["size: 0", "decoders: [{name: ksym}]"]).join("\n"),
  });
  assert.throws(() => loadConfigs("examples", ["timers"], fs), {
    message: "examples/timers.yaml:7: metrics.counters[0].labels[0].size: " +
      "must be a positive integer, got 0",
  });
});

Deno.test("syntax errors and duplicate keys carry the column", () => {
  const cases: Array<[string, number, number]> = [
    ["metrics:\n  counters: [\n    - name: x\n", 3, 5],
    ["metrics: {}\nmetrics: {}\n", 2, 1],
  ];
  for (const [text, line, col] of cases) {
    assert.throws(() => loadConfigs("cfg", ["t"], memFs({ "cfg/t.yaml": text })), (e) => {
      assert.ok(e instanceof ConfigError);
      assert.deepEqual([e.line, e.col], [line, col]);
      assert.ok(e.message.startsWith(`cfg/t.yaml:${line}:${col}: `), e.message);
      return true;
    });
  }
});
