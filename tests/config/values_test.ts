/** How values are read: defaults, upstream's YAML 1.1 literals, static_map keys, anchors. */

import assert from "node:assert/strict";
import { loadConfigs } from "../../src/config/load.ts";
import type { Config } from "../../src/config/types.ts";
import { memFs } from "./mem_fs.ts";

function load(yaml: string): Config {
  return loadConfigs("cfg", ["t"], memFs({ "cfg/t.yaml": yaml }))[0]!;
}

/** A one-counter config whose single label has the given decoder lines. */
function withDecoders(size: number, decoders: string): Config {
  return load(`metrics:
  counters:
    - name: c_total
      help: C
      labels:
        - name: l
          size: ${size}
          decoders:
${decoders}`);
}

Deno.test("an explicit empty counters list is a valid config", () => {
  const c = load("metrics:\n  counters: []\n");
  assert.deepEqual([c.counters, c.histograms, c.spans, c.kaddrs], [[], [], [], []]);
});

Deno.test("an explicit empty spans list is a valid config", () => {
  assert.deepEqual(load("tracing:\n  spans: []\n").spans, []);
});

Deno.test("a counter without labels is valid", () => {
  const c = load("metrics:\n  counters:\n    - name: pages\n      help: Pages\n");
  assert.deepEqual(c.counters[0]!.labels, []);
});

Deno.test("unset values take upstream's defaults", () => {
  const c = load(`metrics:
  counters:
    - name: c_total
      help: C
      labels:
        - name: l
          size: 4
          decoders:
            - name: uint
  histograms:
    - name: h
      help: H
      bucket_type: exp2
      bucket_max: 3
      labels:
        - name: bucket
          size: 8
          decoders: [{name: uint}]
tracing:
  spans:
    - ringbuf: events
      labels: [{name: a, size: 8, decoders: [{name: uint}]}]
cgroup_id_map:
  name: ids
  regexps: [x]
`);
  const counter = c.counters[0]!;
  assert.deepEqual(
    [counter.perf_event_array, counter.flush_interval_ms, counter.labels[0]!.padding],
    [false, 0, 0],
  );
  assert.equal(counter.labels[0]!.decoders[0]!.allow_unknown, false);
  assert.equal("static_map" in counter.labels[0]!.decoders[0]!, false);
  assert.equal("regexps" in counter.labels[0]!.decoders[0]!, false);
  const h = c.histograms[0]!;
  assert.deepEqual([h.bucket_multiplier, h.bucket_min, h.bucket_keys], [1, 0, []]);
  const span = c.spans[0]!;
  assert.deepEqual([span.name, span.service], ["events", ""]);
  assert.equal(c.cgroupIdMap!.type, "hash");
});

Deno.test("a zero bucket_multiplier means 1, as upstream", () => {
  const c = load(`metrics:
  histograms:
    - name: h
      help: H
      bucket_type: linear
      bucket_multiplier: 0
      bucket_max: 3
      labels: [{name: bucket, size: 8, decoders: [{name: uint}]}]
`);
  assert.equal(c.histograms[0]!.bucket_multiplier, 1);
});

Deno.test("flush_interval takes Go durations and bare integers as nanoseconds", () => {
  const cases: Array<[string, number]> = [
    ["30s", 30_000],
    ["1h5m", 3_900_000],
    ["1.5h", 5_400_000],
    ['"300ms"', 300],
    ["1500000000", 1500],
    ["1_500_000", 1.5],
    ["0", 0],
    ["0s", 0],
  ];
  for (const [text, ms] of cases) {
    const c = load(`metrics:
  counters:
    - name: c_total
      help: C
      perf_event_array: true
      flush_interval: ${text}
`);
    assert.equal(c.counters[0]!.flush_interval_ms, ms, text);
  }
});

Deno.test("numbers and booleans follow upstream's YAML 1.1 literal rules", () => {
  const cases: Array<[string, number]> = [["010", 8], ["0x10", 16], ["1_6", 16], ["0b1000", 8]];
  for (const [text, size] of cases) {
    const sized = load(`metrics:
  counters:
    - name: c_total
      help: C
      labels:
        - name: l
          size: ${text}
          decoders: [{name: hex}]
`);
    assert.equal(sized.counters[0]!.labels[0]!.size, size, text);
  }
  for (const [text, value] of [["yes", true], ["On", true], ["no", false], ["FALSE", false]]) {
    const c = load(
      `metrics:\n  counters:\n    - name: c_total\n      help: C\n      perf_event_array: ${text}\n`,
    );
    assert.equal(c.counters[0]!.perf_event_array, value, String(text));
  }
});

Deno.test("strings keep the text they are written as, as upstream reads them", () => {
  const c = load(`metrics:
  counters:
    - name: 2xx_total
      help: 1.50
      labels:
        - name: yes
          size: 8
          decoders: [{name: uint}]
`);
  const counter = c.counters[0]!;
  assert.deepEqual([counter.name, counter.help, counter.labels[0]!.name], [
    "2xx_total",
    "1.50",
    "yes",
  ]);
});

Deno.test("static_map keys are the literal scalar text", () => {
  const c = withDecoders(
    4,
    `            - name: uint
            - name: static_map
              static_map:
                1: read
                0x10: sixteen
                010: octal
                "2": quoted
                1.0: float
                true: yes
                ~: tilde
                -3: negative`,
  );
  assert.deepEqual(c.counters[0]!.labels[0]!.decoders[1]!.static_map, {
    "1": "read",
    "0x10": "sixteen",
    "010": "octal",
    "2": "quoted",
    "1.0": "float",
    "true": "yes",
    "": "tilde", // a null key reads as the empty string, as in go-yaml
    "-3": "negative",
  });
});

Deno.test("static_map values are strings, an empty value being the empty string", () => {
  const c = withDecoders(
    4,
    `            - name: uint
            - name: static_map
              static_map:
                1: 1.50
                2: 'quoted'
                3:
                __proto__: proto`,
  );
  const map = c.counters[0]!.labels[0]!.decoders[1]!.static_map!;
  assert.deepEqual(Object.entries(map), [["1", "1.50"], ["2", "quoted"], ["3", ""], [
    "__proto__",
    "proto",
  ]]);
  assert.equal(Object.getPrototypeOf(map), Object.prototype);
});

Deno.test("anchors, aliases and merge keys are resolved like upstream's YAML reader", () => {
  const c = load(`metrics:
  counters:
    - name: a_total
      help: A
      labels:
        - &cpu
          name: cpu
          size: 4
          decoders: [{name: uint}]
    - name: b_total
      help: B
      labels:
        - *cpu
        - <<: *cpu
          name: core
          padding: 4
`);
  const [cpu, core] = c.counters[1]!.labels;
  assert.deepEqual([cpu!.name, cpu!.size, cpu!.padding, cpu!.pos.line], ["cpu", 4, 0, 7]);
  assert.deepEqual([core!.name, core!.size, core!.padding], ["core", 4, 4]);
  assert.deepEqual(core!.pos, {
    file: "cfg/t.yaml",
    line: 14,
    key: "metrics.counters[1].labels[1]",
  });
});

Deno.test("le may name a histogram's bucket label and a counter's label", () => {
  const c = load(`metrics:
  counters:
    - name: c_total
      help: C
      labels: [{name: le, size: 8, decoders: [{name: uint}]}]
  histograms:
    - name: h
      help: H
      bucket_type: exp2
      bucket_max: 3
      labels: [{name: le, size: 8, decoders: [{name: uint}]}]
`);
  assert.deepEqual([c.counters[0]!.labels[0]!.name, c.histograms[0]!.labels[0]!.name], [
    "le",
    "le",
  ]);
});

Deno.test("span labels may use names Prometheus would not allow", () => {
  const c = load(`tracing:
  spans:
    - ringbuf: events
      labels: [{name: http.route, size: 8, decoders: [{name: string}]}]
`);
  assert.equal(c.spans[0]!.labels[0]!.name, "http.route");
});
