/** The config-against-object checks, over hand-built object specs and configs parsed from YAML. */

import assert from "node:assert/strict";
import { MapType } from "../../ffi/libbpf.ts";
import { parseConfig } from "../../src/config/parse.ts";
import type { Config } from "../../src/config/types.ts";
import type { MapSpec, ObjectSpec } from "../../src/spec/object_spec.ts";
import { COUNTER_MAP_TYPES, SpecError, validateConfig } from "../../src/spec/validate.ts";

function map(name: string, type: number, keySize: number, valueSize = 8): MapSpec {
  const perCpu = type === MapType.PERCPU_ARRAY || type === MapType.PERCPU_HASH;
  return { name, type, keySize, valueSize, maxEntries: 16, perCpu };
}

const SPEC: ObjectSpec = {
  path: "/c/t.bpf.o",
  programs: [{ name: "p", section: "tracepoint/a/b", autoload: true }],
  maps: [
    map("key_u64", MapType.HASH, 8),
    map("value_u32", MapType.HASH, 4, 4),
    map("events", MapType.PERF_EVENT_ARRAY, 4, 4),
    map("ring", MapType.RINGBUF, 0, 0),
    map("per_cpu", MapType.PERCPU_ARRAY, 4),
    map("t.rodata", MapType.ARRAY, 4, 64),
    map(".bss", MapType.ARRAY, 4, 64),
  ],
  hasBtf: true,
};

function config(yaml: string): Config {
  return parseConfig({ name: "t", file: "/c/t.yaml", objectPath: "/c/t.bpf.o", text: yaml });
}

function counter(name: string, labels: Array<[string, number]>, extra = ""): string {
  const ls = labels.map(([n, size]) =>
    `        - name: ${n}\n          size: ${size}\n          decoders:\n            - name: uint\n`
  ).join("");
  return `metrics:\n  counters:\n    - name: ${name}\n      help: h\n${extra}` +
    (ls ? `      labels:\n${ls}` : "");
}

function misfit(yaml: string): SpecError {
  try {
    validateConfig(config(yaml), SPEC);
  } catch (e) {
    if (e instanceof SpecError) return e;
    throw e;
  }
  assert.fail("expected a SpecError");
}

Deno.test("a fitting config names the maps it reads", () => {
  const yaml = counter("key_u64", [["x", 8]]) +
    "    - name: events\n      help: h\n      perf_event_array: true\n";
  assert.deepEqual(validateConfig(config(yaml), SPEC), {
    metrics: ["key_u64"],
    perf: ["events"],
    ringbufs: [],
  });
});

Deno.test("an absent map names the metric and lists the object's maps, leaving out dot-named ones", () => {
  const e = misfit(counter("no_such_map", [["x", 4]]));
  assert.equal(
    e.message,
    'counter "no_such_map" needs a map named "no_such_map" in "/c/t.bpf.o", which has ' +
      '"key_u64", "value_u32", "events", "ring", "per_cpu", "t.rodata"',
  );
  assert.equal(e.config, "t");
  assert.deepEqual(e.pos, { file: "/c/t.yaml", line: 3, key: "metrics.counters[0]" });
});

Deno.test("an object without maps says so", () => {
  const empty = { ...SPEC, maps: [] };
  assert.throws(
    () => validateConfig(config(counter("m", [["x", 4]])), empty),
    {
      name: "SpecError",
      message: 'counter "m" needs a map named "m" in "/c/t.bpf.o", which has no maps',
    },
  );
});

Deno.test("values that are not 8 bytes are refused", () => {
  assert.equal(
    misfit(counter("value_u32", [["x", 4]])).message,
    'value size of map "value_u32" is 4 bytes, the exporter reads u64 values (8 bytes)',
  );
});

Deno.test("an event stream is not a map of counters; counters are told about perf_event_array", () => {
  const events = { ...SPEC, maps: [map("events", MapType.PERF_EVENT_ARRAY, 4)] };
  assert.throws(() => validateConfig(config(counter("events", [["x", 4]])), events), {
    message: 'map "events" is an event stream, not a map of counters ' +
      "(set perf_event_array: true for perf event arrays)",
  });
  const ring = { ...SPEC, maps: [map("ring", MapType.RINGBUF, 4)] };
  const histogram = "metrics:\n  histograms:\n    - name: ring\n      help: h\n" +
    "      bucket_type: exp2\n      bucket_min: 0\n      bucket_max: 3\n      labels:\n" +
    "        - name: bucket\n          size: 4\n          decoders:\n            - name: uint\n";
  assert.throws(() => validateConfig(config(histogram), ring), {
    message: 'map "ring" is an event stream, not a map of counters',
  });
});

Deno.test("labels that do not add up to the key size are refused, listing their sizes", () => {
  assert.equal(
    misfit(counter("key_u64", [["a", 4], ["b", 2]])).message,
    'key of map "key_u64" is 8 bytes, but the labels of counter "key_u64" (a=4, b=2) describe ' +
      "6 bytes",
  );
  assert.equal(
    misfit(counter("key_u64", [])).message,
    'key of map "key_u64" is 8 bytes, but the labels of counter "key_u64" (none) describe 4 bytes',
  );
});

Deno.test("a trailing cpu label on a per-CPU map is not part of its key", () => {
  assert.deepEqual(validateConfig(config(counter("per_cpu", [["v", 4], ["cpu", 2]])), SPEC), {
    metrics: ["per_cpu"],
    perf: [],
    ringbufs: [],
  });
});

Deno.test("a perf_event_array counter needs a perf event array of that name", () => {
  const perf = (name: string) =>
    `metrics:\n  counters:\n    - name: ${name}\n      help: h\n      perf_event_array: true\n`;
  assert.equal(
    misfit(perf("absent")).message,
    'counter "absent" has perf_event_array: true but "/c/t.bpf.o" has no map named "absent"',
  );
  assert.equal(
    misfit(perf("key_u64")).message,
    'counter "key_u64" has perf_event_array: true but map "key_u64" is not a ' +
      "BPF_MAP_TYPE_PERF_EVENT_ARRAY",
  );
});

Deno.test("counters read the six map types of counts; others are refused by type name", () => {
  for (const type of COUNTER_MAP_TYPES) {
    const spec = { ...SPEC, maps: [map("m", type, 4)] };
    const perCpu = spec.maps[0]!.perCpu;
    // Per-CPU maps that are read with a `cpu` label are outside this test: they have none.
    if (!perCpu) validateConfig(config(counter("m", [["x", 4]])), spec);
  }
  const refused: Array<[number, string]> = [[7, "STACK_TRACE"], [22, "QUEUE"], [11, "LPM_TRIE"]];
  for (const [type, name] of refused) {
    const spec = { ...SPEC, maps: [map("m", type, 4)] };
    assert.throws(() => validateConfig(config(counter("m", [["x", 4]])), spec), {
      name: "SpecError",
      message: `map "m" is a BPF_MAP_TYPE_${name}, but a counter reads a map of counts: ` +
        "BPF_MAP_TYPE_HASH, LRU_HASH, ARRAY, PERCPU_HASH, LRU_PERCPU_HASH or PERCPU_ARRAY",
    });
  }
});

function span(ringbuf: string): string {
  return `tracing:\n  spans:\n    - name: s\n      ringbuf: ${ringbuf}\n      labels:\n` +
    `        - name: pid\n          size: 4\n          decoders:\n            - name: uint\n`;
}

Deno.test("a span reading a RINGBUF map is valid and names its ring buffer", () => {
  assert.deepEqual(validateConfig(config(span("ring")), SPEC), {
    metrics: [],
    perf: [],
    ringbufs: ["ring"],
  });
});

Deno.test("a span needs a ring buffer of that name", () => {
  const e = misfit(span("nope"));
  assert.equal(
    e.message,
    'span "s" reads ring buffer "nope" but "/c/t.bpf.o" has no map named "nope"',
  );
  assert.deepEqual([e.pos.line, e.pos.key], [3, "tracing.spans[0]"]);
});

Deno.test("a span refuses a map that is not a RINGBUF", () => {
  assert.equal(
    misfit(span("events")).message,
    'span "s" reads ring buffer "events" but map "events" is a BPF_MAP_TYPE_PERF_EVENT_ARRAY, ' +
      "not a BPF_MAP_TYPE_RINGBUF",
  );
  assert.equal(
    misfit(span("key_u64")).message,
    'span "s" reads ring buffer "key_u64" but map "key_u64" is a BPF_MAP_TYPE_HASH, ' +
      "not a BPF_MAP_TYPE_RINGBUF",
  );
});
