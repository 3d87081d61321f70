import assert from "node:assert/strict";
import type { MapSource } from "../../src/exporter/map_source.ts";
import { recordedMap, type RecordedMapData } from "../../src/exporter/recorded_map.ts";
import type { Exporter } from "../../src/exporter/exporter.ts";
import { fakeHost } from "../e2e/host.ts";
import { exampleExporter, readRecording, scrapeComparable } from "../e2e/pipeline.ts";

// Two exporters of one config in one process: same family names, different map contents,
// scraped in turn while their series come and go. Each must write exactly what a fresh exporter
// writes for the same contents, so no reuse state (decode cache, samples, writer memo) leaks
// from one instance into the other.

const base = readRecording("signals").maps.signals_total!;

function contents(pick: (i: number) => boolean, scale: number): RecordedMapData {
  const entries = base.entries.filter((_, i) => pick(i)).map((e, i) => ({
    key: e.key,
    value: (BigInt(i + 1) * BigInt(scale)).toString(16).padStart(2, "0").padEnd(16, "0"),
  }));
  return { ...base, entries };
}

/** An exporter of "signals" whose map can be swapped between scrapes. */
function swappable(first: RecordedMapData): { exporter: Exporter; set(d: RecordedMapData): void } {
  let current = recordedMap(first);
  const { entries: _, ...definition } = first;
  const source: MapSource = { ...definition, readAll: () => current.readAll() };
  const exporter = exampleExporter("signals", fakeHost({}));
  exporter.attachSources(new Map([["signals", new Map([["signals_total", source]])]]));
  return { exporter, set: (d) => current = recordedMap(d) };
}

// The decode cache keeps keys that left the map for a few scrapes, so its size is history, not
// map contents: a long-lived exporter and a fresh one rightly differ there.
const CACHE_SIZE = /^ebpf_exporter_decode_cache_entries\{.*\n/gm;

async function scrapeContents(exporter: Exporter): Promise<string> {
  return (await scrapeComparable(exporter)).replace(CACHE_SIZE, "");
}

async function freshScrape(d: RecordedMapData): Promise<string> {
  const { exporter } = swappable(d);
  try {
    return await scrapeContents(exporter);
  } finally {
    exporter.close();
  }
}

Deno.test("two exporters in one process scrape in turn without sharing state", async () => {
  const a = swappable(contents(() => true, 1));
  const b = swappable(contents((i) => i % 2 === 0, 3));
  const rounds: Array<[RecordedMapData, RecordedMapData]> = [
    [contents(() => true, 1), contents((i) => i % 2 === 0, 3)],
    [contents((i) => i !== 2, 2), contents((i) => i % 2 === 1, 5)],
    [contents((i) => i !== 2, 2), contents(() => true, 7)],
    [contents((i) => i < 3, 4), contents((i) => i % 2 === 1, 5)],
  ];
  try {
    for (const [n, [da, db]] of rounds.entries()) {
      a.set(da);
      b.set(db);
      assert.equal(await scrapeContents(a.exporter), await freshScrape(da), `a, round ${n}`);
      assert.equal(await scrapeContents(b.exporter), await freshScrape(db), `b, round ${n}`);
    }
    // One exact exposition, so the comparison above cannot pass on two equally wrong outputs:
    // entry 0 is bash → bash SIGCHLD delivered, entry 7 head → bash SIGCHLD already pending.
    a.set(contents((i) => i === 0 || i === 7, 1));
    assert.equal(
      await scrapeContents(a.exporter),
      "# HELP ebpf_exporter_decode_cache_entries Raw keys held by a metric's decode cache after this scrape\n" +
        "# TYPE ebpf_exporter_decode_cache_entries gauge\n" +
        "# HELP ebpf_exporter_decoder_errors_total How many times has decoders encountered errors\n" +
        "# TYPE ebpf_exporter_decoder_errors_total counter\n" +
        'ebpf_exporter_decoder_errors_total{config="signals"} 0\n' +
        "# HELP ebpf_exporter_enabled_configs The set of enabled configs\n" +
        "# TYPE ebpf_exporter_enabled_configs gauge\n" +
        'ebpf_exporter_enabled_configs{name="signals"} 1\n' +
        "# HELP ebpf_exporter_map_entries Entries in a metric's map at this scrape\n" +
        "# TYPE ebpf_exporter_map_entries gauge\n" +
        'ebpf_exporter_map_entries{config="signals",map="signals_total"} 2\n' +
        "# HELP ebpf_exporter_map_max_entries Entries a metric's map can hold (max_entries)\n" +
        "# TYPE ebpf_exporter_map_max_entries gauge\n" +
        'ebpf_exporter_map_max_entries{config="signals",map="signals_total"} 4096\n' +
        "# HELP ebpf_exporter_scrape_success Whether every metric of the config was read in this scrape (1) or not (0)\n" +
        "# TYPE ebpf_exporter_scrape_success gauge\n" +
        'ebpf_exporter_scrape_success{config="signals"} 1\n' +
        "# HELP ebpf_exporter_signals_total Signals generated, by signal, sender, receiver and outcome\n" +
        "# TYPE ebpf_exporter_signals_total counter\n" +
        'ebpf_exporter_signals_total{receiver="bash",result="already_pending",sender="head",signal="SIGCHLD"} 2\n' +
        'ebpf_exporter_signals_total{receiver="bash",result="delivered",sender="bash",signal="SIGCHLD"} 1\n' +
        "# HELP promhttp_metric_handler_requests_total Total number of scrapes by HTTP status code.\n" +
        "# TYPE promhttp_metric_handler_requests_total counter\n" +
        'promhttp_metric_handler_requests_total{code="200"} 0\n' +
        'promhttp_metric_handler_requests_total{code="500"} 0\n' +
        'promhttp_metric_handler_requests_total{code="503"} 0\n',
    );
  } finally {
    a.exporter.close();
    b.exporter.close();
  }
});
