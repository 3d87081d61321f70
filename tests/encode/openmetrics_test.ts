import { typed } from "./bucket_samples.ts";
import assert from "node:assert/strict";
import type { MetricFamily, ScalarFamily } from "../../src/encode/model.ts";
import {
  canonicalLe,
  encodeOpenMetrics,
  openMetricsWriter,
  unitOf,
} from "../../src/encode/openmetrics.ts";
import { encodeText, TextWriter } from "../../src/encode/text.ts";

const FAMILIES: MetricFamily[] = [
  {
    name: "ebpf_exporter_timer_starts_total",
    help: "Timers fired",
    type: "counter",
    labelNames: ["function"],
    samples: [{ labels: ["b"], value: 2 }, { labels: ["a"], value: 1.5 }],
  },
  {
    name: "ebpf_exporter_ebpf_program_run_time_seconds",
    help: 'Run time with "quotes" \\ and\nnewline',
    type: "counter",
    labelNames: ["id"],
    samples: [{ labels: ['x"\\\n'], value: 0.25 }],
  },
  {
    name: "ebpf_exporter_enabled_configs",
    help: "The set of enabled configs",
    type: "gauge",
    labelNames: ["name"],
    samples: [{ labels: ["timers"], value: 1 }],
  },
  {
    name: "ebpf_exporter_read_latency_seconds",
    help: "Read latency",
    type: "histogram",
    labelNames: ["dev"],
    samples: [typed({
      labels: ["sda"],
      buckets: [{ le: 0.5, count: 1 }, { le: 1, count: 3 }, { le: 2, count: 4 }],
      count: 5,
      sum: 7.25,
    })],
  },
  {
    name: "process_resident_memory_bytes",
    help: "Resident memory size in bytes",
    type: "gauge",
    labelNames: [],
    samples: [{ value: 123456789, labels: [] }],
  },
];

Deno.test("OpenMetrics output of every family type, byte for byte", () => {
  assert.equal(
    encodeOpenMetrics(FAMILIES),
    `# HELP ebpf_exporter_ebpf_program_run_time_seconds Run time with \\"quotes\\" \\\\ and\\nnewline
# TYPE ebpf_exporter_ebpf_program_run_time_seconds counter
# UNIT ebpf_exporter_ebpf_program_run_time_seconds seconds
ebpf_exporter_ebpf_program_run_time_seconds_total{id="x\\"\\\\\\n"} 0.25
# HELP ebpf_exporter_enabled_configs The set of enabled configs
# TYPE ebpf_exporter_enabled_configs gauge
ebpf_exporter_enabled_configs{name="timers"} 1
# HELP ebpf_exporter_read_latency_seconds Read latency
# TYPE ebpf_exporter_read_latency_seconds histogram
# UNIT ebpf_exporter_read_latency_seconds seconds
ebpf_exporter_read_latency_seconds_bucket{dev="sda",le="0.5"} 1
ebpf_exporter_read_latency_seconds_bucket{dev="sda",le="1.0"} 3
ebpf_exporter_read_latency_seconds_bucket{dev="sda",le="2.0"} 4
ebpf_exporter_read_latency_seconds_bucket{dev="sda",le="+Inf"} 5
ebpf_exporter_read_latency_seconds_sum{dev="sda"} 7.25
ebpf_exporter_read_latency_seconds_count{dev="sda"} 5
# HELP ebpf_exporter_timer_starts Timers fired
# TYPE ebpf_exporter_timer_starts counter
ebpf_exporter_timer_starts_total{function="a"} 1.5
ebpf_exporter_timer_starts_total{function="b"} 2
# HELP process_resident_memory_bytes Resident memory size in bytes
# TYPE process_resident_memory_bytes gauge
# UNIT process_resident_memory_bytes bytes
process_resident_memory_bytes 1.23456789e+08
# EOF
`,
  );
});

Deno.test("an empty scrape is just # EOF", () => {
  assert.equal(encodeOpenMetrics([]), "# EOF\n");
});

Deno.test("units are recognised only as a whole last word", () => {
  assert.equal(unitOf("x_seconds"), "seconds");
  assert.equal(unitOf("x_bytes"), "bytes");
  assert.equal(unitOf("x_megabytes"), null);
  assert.equal(unitOf("x_seconds_max"), null);
  assert.equal(unitOf("seconds"), null);
});

Deno.test("bucket bounds are canonical numbers", () => {
  assert.equal(canonicalLe(1), "1.0");
  assert.equal(canonicalLe(1024), "1024.0");
  assert.equal(canonicalLe(0.5), "0.5");
  assert.equal(canonicalLe(1e-6), "1e-06");
  assert.equal(canonicalLe(1e21), "1e+21");
  assert.equal(canonicalLe(Infinity), "+Inf");
});

function counterFamily(n: number): ScalarFamily {
  const samples = [];
  for (let i = 0; i < n; i++) {
    samples.push({
      labels: [`k${i}`],
      value: i,
      memo: { rank: -1, epoch: -1, owner: null },
    });
  }
  return { name: "c_total", help: "h", type: "counter", labelNames: ["k"], samples };
}

Deno.test("text and OpenMetrics writers sharing memos each keep their own output", () => {
  const family = counterFamily(50);
  const text = new TextWriter();
  const om = openMetricsWriter();
  const wantText = encodeText([family]);
  const wantOm = encodeOpenMetrics([family]);
  // Alternating formats re-stamps the same memos: neither may reuse the other's prefixes.
  for (let round = 0; round < 3; round++) {
    assert.equal(text.text([family]), wantText);
    assert.equal(om.text([family]), wantOm);
    assert.equal(om.text([family]), wantOm);
  }
  assert.ok(wantOm.includes('c_total{k="k7"} 7\n'));
  assert.ok(wantOm.startsWith("# HELP c h\n# TYPE c counter\n"));
});

Deno.test("OpenMetrics chunks concatenate to the whole exposition, # EOF last", () => {
  const families = [counterFamily(5000)];
  const whole = encodeOpenMetrics(families);
  const chunks = [...openMetricsWriter({ keeps: false }).chunks(families, 1000)];
  assert.ok(chunks.length > 10);
  const utf8 = new TextDecoder();
  assert.equal(chunks.map((c) => utf8.decode(c)).join(""), whole);
  assert.ok(whole.endsWith('c_total{k="k999"} 999\n# EOF\n'));
});
