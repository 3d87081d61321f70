/**
 * The exporter's self-metrics over the kernel-free pipeline (recorded maps, a fake /proc):
 * per-config scrape success and duration, map fill, decode cache size and `process_*`.
 */
import assert from "node:assert/strict";
import { loadConfigs } from "../../src/config/load.ts";
import { Exporter } from "../../src/exporter/exporter.ts";
import type { MapSource } from "../../src/exporter/map_source.ts";
import {
  parseBootTime,
  parseMaxFds,
  parseProcStat,
  type ProcessSource,
} from "../../src/exporter/process_metrics.ts";
import { recordedMap } from "../../src/exporter/recorded_map.ts";
import { fakeHost } from "../e2e/host.ts";
import { EXAMPLES, readRecording } from "../e2e/pipeline.ts";

// A real line from `cat /proc/self/stat`, with the command renamed to one holding ") (" and
// spaces, which only splitting after the last ")" survives.
const STAT = "1043 (a) (b c) R 1038 1038 23223 0 -1 4194304 100 0 0 0 250 125 0 0 20 0 1 0 " +
  "2291263 3133440 382 18446744073709551615 94286128021504 94286128041385 140722407872416 0 0 " +
  "0 0 0 0 0 0 0 17 1 0 0 0 0 0 94286128057392 94286128059008 94286486761472 140722407881229 " +
  "140722407881249 140722407881249 140722407882731 0\n";
const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            20000                1048576              files
Max locked memory         8388608              8388608              bytes
`;

Deno.test("/proc/self/stat fields are read after the command name", () => {
  assert.deepEqual(parseProcStat(STAT), {
    cpuTicks: 375,
    startTicks: 2291263,
    vsizeBytes: 3133440,
    rssPages: 382,
  });
  assert.throws(() => parseProcStat("1043 no parens"), SyntaxError);
  assert.throws(() => parseProcStat("1 (x) R 1"), /field 14 missing/);
});

Deno.test("max fds is the soft limit; boot time comes from btime", () => {
  assert.equal(parseMaxFds(LIMITS), 20000);
  assert.equal(parseMaxFds(LIMITS.replace("20000 ", "unlimited ")), null);
  assert.equal(parseBootTime("cpu 1 2 3\nbtime 1795970823\nprocesses 9\n"), 1795970823);
  assert.equal(parseBootTime("cpu 1 2 3\n"), null);
});

function fakeProc(files: Record<string, string>, fds: number | null): ProcessSource {
  return {
    readText: (path) => files[path] ?? null,
    countEntries: (path) => path === "/proc/self/fd" ? fds : null,
    clockTicks: 100,
    pageSize: 4096,
  };
}

function signalsExporter(source: MapSource, proc: ProcessSource | null): Exporter {
  const exporter = new Exporter(loadConfigs(EXAMPLES, ["signals"]), {
    host: fakeHost({}),
    skipCacheSize: 0,
    load: {},
    process: proc,
  });
  exporter.attachSources(new Map([["signals", new Map([["signals_total", source]])]]));
  return exporter;
}

async function scrape(exporter: Exporter): Promise<Map<string, number>> {
  const utf8 = new TextDecoder();
  let text = "";
  for (const c of await exporter.scrapeText()) text += utf8.decode(c, { stream: true });
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const cut = line.lastIndexOf(" ");
    out.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return out;
}

const signals = readRecording("signals").maps.signals_total!;
const LABELS = '{config="signals",map="signals_total"}';

Deno.test("process_* metrics are computed from /proc as client libraries do", async () => {
  const proc = fakeProc({
    "/proc/self/stat": STAT,
    "/proc/self/limits": LIMITS,
    "/proc/stat": "cpu 1\nbtime 1795970823\n",
  }, 17);
  const exporter = signalsExporter(recordedMap(signals), proc);
  try {
    const got = await scrape(exporter);
    assert.equal(got.get("process_cpu_seconds_total"), 3.75);
    assert.equal(got.get("process_resident_memory_bytes"), 382 * 4096);
    assert.equal(got.get("process_virtual_memory_bytes"), 3133440);
    assert.equal(got.get("process_start_time_seconds"), 1795970823 + 22912.63);
    assert.equal(got.get("process_open_fds"), 17);
    assert.equal(got.get("process_max_fds"), 20000);
  } finally {
    exporter.close();
  }
});

Deno.test("unreadable /proc files leave their process_* families out", async () => {
  const exporter = signalsExporter(recordedMap(signals), fakeProc({}, null));
  try {
    const got = await scrape(exporter);
    assert.deepEqual([...got.keys()].filter((k) => k.startsWith("process_")), []);
  } finally {
    exporter.close();
  }
});

Deno.test("a map that fails to read makes its config's scrape unsuccessful", async () => {
  let broken = false;
  const inner = recordedMap(signals);
  const source: MapSource = {
    ...inner,
    readAll() {
      if (broken) throw new Error("read failed");
      return inner.readAll();
    },
  };
  const exporter = signalsExporter(source, null);
  try {
    const ok = await scrape(exporter);
    assert.equal(ok.get('ebpf_exporter_scrape_success{config="signals"}'), 1);
    assert.equal(ok.get(`ebpf_exporter_map_entries${LABELS}`), signals.entries.length);
    assert.equal(ok.get(`ebpf_exporter_map_max_entries${LABELS}`), signals.maxEntries);
    assert.equal(ok.get(`ebpf_exporter_decode_cache_entries${LABELS}`), signals.entries.length);
    const seconds = ok.get('ebpf_exporter_scrape_duration_seconds{config="signals"}');
    assert.ok(seconds !== undefined && seconds >= 0 && seconds < 60, String(seconds));
    broken = true;
    const bad = await scrape(exporter);
    assert.equal(bad.get('ebpf_exporter_scrape_success{config="signals"}'), 0);
    assert.equal(bad.get(`ebpf_exporter_map_entries${LABELS}`), undefined);
    assert.equal(bad.get(`ebpf_exporter_map_max_entries${LABELS}`), signals.maxEntries);
    assert.equal(bad.get('ebpf_exporter_decoder_errors_total{config="signals"}'), 1);
    broken = false;
    const again = await scrape(exporter);
    assert.equal(again.get('ebpf_exporter_scrape_success{config="signals"}'), 1);
  } finally {
    exporter.close();
  }
});
