import assert from "node:assert/strict";
import { ConfigError, loadConfigs } from "../../src/config/load.ts";
import type { Config, DecoderConfig, LabelConfig, SourcePos } from "../../src/config/types.ts";
import { memFs } from "./mem_fs.ts";

const DIR = new URL("../fixtures/config", import.meta.url).pathname;

function at(file: string, line: number, key: string): SourcePos {
  return { file: `${DIR}/${file}`, line, key };
}

function uint(file: string, line: number, key: string): DecoderConfig {
  return { name: "uint", allow_unknown: false, pos: at(file, line, key) };
}

function bucketLabel(file: string, line: number, key: string): LabelConfig {
  return {
    name: "bucket",
    size: 8,
    padding: 0,
    decoders: [uint(file, line + 3, `${key}.decoders[0]`)],
    pos: at(file, line, key),
  };
}

Deno.test("a config using every key parses to the exact typed config", () => {
  const f = "full.yaml";
  const c0 = "metrics.counters[0]";
  const c1 = "metrics.counters[1]";
  const expected: Config = {
    name: "full",
    file: `${DIR}/full.yaml`,
    objectPath: `${DIR}/full.bpf.o`,
    counters: [
      {
        name: "oom_kills_total",
        help: "OOM kills by cgroup",
        perf_event_array: true,
        flush_interval_ms: 3_900_000,
        labels: [{
          name: "cgroup",
          size: 8,
          padding: 0,
          decoders: [
            uint(f, 12, `${c0}.labels[0].decoders[0]`),
            { name: "cgroup", allow_unknown: false, pos: at(f, 13, `${c0}.labels[0].decoders[1]`) },
          ],
          pos: at(f, 9, `${c0}.labels[0]`),
        }],
        pos: at(f, 4, c0),
      },
      {
        name: "xdp_packets_total",
        help: "Packets seen by XDP",
        perf_event_array: false,
        flush_interval_ms: 0,
        labels: [
          {
            name: "protocol",
            size: 2,
            padding: 2,
            decoders: [
              uint(f, 21, `${c1}.labels[0].decoders[0]`),
              {
                name: "static_map",
                allow_unknown: true,
                static_map: { "6": "tcp", "0x11": "udp" },
                pos: at(f, 22, `${c1}.labels[0].decoders[1]`),
              },
            ],
            pos: at(f, 17, `${c1}.labels[0]`),
          },
          {
            name: "comm",
            size: 16,
            padding: 0,
            decoders: [
              {
                name: "string",
                allow_unknown: false,
                pos: at(f, 30, `${c1}.labels[1].decoders[0]`),
              },
              {
                name: "regexp",
                allow_unknown: false,
                regexps: ["^(kswapd).*$", "^systemd"],
                pos: at(f, 31, `${c1}.labels[1].decoders[1]`),
              },
            ],
            pos: at(f, 27, `${c1}.labels[1]`),
          },
        ],
        pos: at(f, 14, c1),
      },
    ],
    histograms: [
      {
        name: "tcp_syn_backlog",
        help: "Backlog size on SYN",
        bucket_type: "linear",
        bucket_multiplier: 50,
        bucket_min: 1,
        bucket_max: 20,
        bucket_keys: [],
        labels: [bucketLabel(f, 43, "metrics.histograms[0].labels[0]")],
        pos: at(f, 36, "metrics.histograms[0]"),
      },
      {
        name: "request_size_bytes",
        help: "Request sizes",
        bucket_type: "fixed",
        bucket_multiplier: 1,
        bucket_min: 0,
        bucket_max: 0,
        bucket_keys: [1, 5, 10],
        labels: [bucketLabel(f, 52, "metrics.histograms[1].labels[0]")],
        pos: at(f, 47, "metrics.histograms[1]"),
      },
    ],
    spans: [{
      name: "exec",
      ringbuf: "exec_spans",
      service: "exec-trace",
      labels: [{
        name: "trace_id",
        size: 16,
        padding: 0,
        decoders: [{
          name: "hex",
          allow_unknown: false,
          pos: at(f, 65, "tracing.spans[0].labels[0].decoders[0]"),
        }],
        pos: at(f, 62, "tracing.spans[0].labels[0]"),
      }],
      pos: at(f, 58, "tracing.spans[0]"),
    }],
    kaddrs: ["bpf_jit_current"],
    cgroupIdMap: {
      name: "cgroup_id_map",
      type: "cgrp_storage",
      regexps: ["^.*(system.slice/.*)$"],
      pos: at(f, 69, "cgroup_id_map"),
    },
  };
  assert.deepEqual(loadConfigs(DIR, ["full"]), [expected]);
});

Deno.test("the upstream-style timers config loads unchanged", () => {
  const [timers] = loadConfigs(DIR, ["timers"]);
  assert.deepEqual(timers, {
    name: "timers",
    file: `${DIR}/timers.yaml`,
    objectPath: `${DIR}/timers.bpf.o`,
    counters: [{
      name: "timer_starts_total",
      help: "Timers fired in the kernel",
      perf_event_array: false,
      flush_interval_ms: 0,
      labels: [{
        name: "function",
        size: 8,
        padding: 0,
        decoders: [{
          name: "ksym",
          allow_unknown: false,
          pos: at("timers.yaml", 10, "metrics.counters[0].labels[0].decoders[0]"),
        }],
        pos: at("timers.yaml", 7, "metrics.counters[0].labels[0]"),
      }],
      pos: at("timers.yaml", 4, "metrics.counters[0]"),
    }],
    histograms: [],
    spans: [],
    kaddrs: [],
  });
});

Deno.test("the upstream-style biolatency config loads unchanged", () => {
  const [bio] = loadConfigs(DIR, ["biolatency"]);
  const h = bio!.histograms[0]!;
  assert.deepEqual(
    { ...h, labels: h.labels.map((l) => [l.name, l.size, l.padding, l.decoders]) },
    {
      name: "bio_latency_seconds",
      help: "Block IO latency histogram",
      bucket_type: "exp2",
      bucket_multiplier: 0.000001,
      bucket_min: 0,
      bucket_max: 27,
      bucket_keys: [],
      labels: [
        ["device", 4, 0, [{
          name: "majorminor",
          allow_unknown: false,
          pos: at("biolatency.yaml", 14, "metrics.histograms[0].labels[0].decoders[0]"),
        }]],
        ["operation", 4, 0, [
          uint("biolatency.yaml", 18, "metrics.histograms[0].labels[1].decoders[0]"),
          {
            name: "static_map",
            allow_unknown: false,
            static_map: { "1": "read", "2": "write" },
            pos: at("biolatency.yaml", 19, "metrics.histograms[0].labels[1].decoders[1]"),
          },
        ]],
        ["bucket", 8, 0, [
          uint("biolatency.yaml", 26, "metrics.histograms[0].labels[2].decoders[0]"),
        ]],
      ],
      pos: at("biolatency.yaml", 4, "metrics.histograms[0]"),
    },
  );
  assert.deepEqual(
    [bio!.counters, bio!.spans, bio!.kaddrs, bio!.cgroupIdMap],
    [[], [], [], undefined],
  );
});

Deno.test("the repository's own examples load", () => {
  const dir = new URL("../../examples", import.meta.url).pathname;
  const configs = loadConfigs(dir, ["timers", "softirqs"]);
  assert.deepEqual(configs.map((c) => c.name), ["timers", "softirqs"]);
});

Deno.test("configs load in the order they are named", () => {
  const configs = loadConfigs(DIR, ["biolatency", "timers"]);
  assert.deepEqual(configs.map((c) => c.file), [`${DIR}/biolatency.yaml`, `${DIR}/timers.yaml`]);
});

Deno.test("a missing config file names the config and the path", () => {
  assert.throws(() => loadConfigs("cfg", ["nope"], memFs({})), (e) => {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.message, 'Cannot load config "nope": file "cfg/nope.yaml" not found');
    assert.deepEqual([e.file, e.line, e.key], ["cfg/nope.yaml", 0, ""]);
    return true;
  });
});

Deno.test("an unreadable config file says why it cannot be read", () => {
  const fs = {
    readTextFile(): string {
      throw new Deno.errors.PermissionDenied("Permission denied (os error 13)");
    },
  };
  assert.throws(
    () => loadConfigs("cfg/", ["t"], fs),
    {
      message: 'Cannot load config "t": cannot read "cfg/t.yaml": Permission denied (os error 13)',
    },
  );
});

Deno.test("an empty or comment-only config file is rejected as empty", () => {
  for (const text of ["", "  \n\n", "# nothing here\n", "~\n"]) {
    assert.throws(
      () => loadConfigs("cfg", ["t"], memFs({ "cfg/t.yaml": text })),
      { name: "ConfigError", message: 'Cannot load config "t": file "cfg/t.yaml" is empty' },
    );
  }
});

Deno.test("a config named twice is rejected", () => {
  const fs = memFs({ "cfg/timers.yaml": Deno.readTextFileSync(`${DIR}/timers.yaml`) });
  assert.throws(
    () => loadConfigs("cfg", ["timers", "timers"], fs),
    { name: "ConfigError", message: 'Cannot load config "timers": it is named more than once' },
  );
});
