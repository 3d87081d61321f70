import assert from "node:assert/strict";
import { loadConfigs } from "../../src/config/load.ts";
import { Exporter, type ExporterOptions } from "../../src/exporter/exporter.ts";
import type { MapSource } from "../../src/exporter/map_source.ts";
import { recordedMap, type RecordedMapData } from "../../src/exporter/recorded_map.ts";
import { fakeHost } from "../e2e/host.ts";
import { EXAMPLES, readRecording, withoutHostDependent } from "../e2e/pipeline.ts";

// The scrape guards over the kernel-free pipeline: coalesced concurrent scrapes, the
// per-metric series cap and the per-config time budget.

type Guards = Pick<ExporterOptions, "maxSeries" | "configTimeoutMs" | "clock">;

/** A recorded map that counts its reads and runs `onRead` before each. */
function counted(data: RecordedMapData, onRead: () => void = () => {}) {
  const inner = recordedMap(data);
  const source = {
    ...inner,
    reads: 0,
    readAll() {
      source.reads++;
      onRead();
      return inner.readAll();
    },
  };
  return source;
}

function exporterOf(sources: Record<string, Record<string, MapSource>>, guards: Guards = {}) {
  const names = Object.keys(sources);
  const exporter = new Exporter(loadConfigs(EXAMPLES, names), {
    host: fakeHost({}),
    skipCacheSize: 0,
    load: {},
    ...guards,
  });
  const maps = new Map(names.map((n) => [n, new Map(Object.entries(sources[n]!))]));
  exporter.attachSources(maps);
  return exporter;
}

/** Runs `body` on an exporter over `sources`, closing it whatever happens. */
async function withExporter(
  sources: Record<string, Record<string, MapSource>>,
  guards: Guards,
  body: (exporter: Exporter) => Promise<void>,
): Promise<void> {
  const exporter = exporterOf(sources, guards);
  try {
    await body(exporter);
  } finally {
    exporter.close();
  }
}

/** A clock that moves only when a test moves it, and the 5 s budget options that read it. */
function fakeBudget(): { now: number; guards: Guards } {
  const t = { now: 0, guards: {} };
  t.guards = { configTimeoutMs: 5000, clock: () => t.now };
  return t;
}

const utf8 = new TextDecoder();

async function read(chunks: Promise<Iterable<Uint8Array>>): Promise<string> {
  let text = "";
  for (const c of await chunks) text += utf8.decode(c, { stream: true });
  return text + utf8.decode();
}

function lines(text: string, prefix: string): string[] {
  return text.split("\n").filter((l) => l.startsWith(prefix));
}

function assertTimeouts(text: string, config: string, n: number): void {
  assert.deepEqual(lines(text, "ebpf_exporter_scrape_timeouts_total"), [
    `ebpf_exporter_scrape_timeouts_total{config="${config}"} ${n}`,
  ]);
}

const signals = readRecording("signals").maps.signals_total!;
const softirqs = readRecording("softirqs").maps.softirqs_total!;

Deno.test("concurrent scrapes share one collection and get the same bytes", async () => {
  const map = counted(signals);
  await withExporter({ signals: { signals_total: map } }, {}, async (exporter) => {
    // Small chunks, so the readers really interleave over a shared multi-chunk stream.
    const [a, b, c] = await Promise.all([
      read(exporter.scrapeText(64)),
      read(exporter.scrapeText(64)),
      read(exporter.scrapeText(64)),
    ]);
    assert.equal(map.reads, 1);
    assert.equal(b, a);
    assert.equal(c, a);
    const later = withoutHostDependent(await read(exporter.scrapeText(64)));
    assert.equal(lines(a, "ebpf_exporter_signals_total{").length, 8);
    assert.equal(map.reads, 2, "a scrape after the first was collected collects again");
    assert.equal(later, withoutHostDependent(a));
  });
});

Deno.test("a reader that leaves early does not stop the others", async () => {
  const map = counted(signals);
  await withExporter({ signals: { signals_total: map } }, {}, async (exporter) => {
    const first = exporter.scrapeText(64);
    const second = read(exporter.scrapeText(64));
    const reader = await first;
    reader.next();
    reader.return();
    const text = await second;
    assert.equal(map.reads, 1);
    assert.equal(lines(text, "ebpf_exporter_signals_total{").length, 8);
  });
});

Deno.test("series over --metrics.max-series are dropped and counted exactly", async () => {
  await withExporter({ signals: { signals_total: recordedMap(signals) } }, {
    maxSeries: 3,
  }, async (exporter) => {
    const one = await read(exporter.scrapeText());
    assert.equal(lines(one, "ebpf_exporter_signals_total{").length, 3);
    assert.deepEqual(lines(one, "ebpf_exporter_series_dropped_total"), [
      'ebpf_exporter_series_dropped_total{config="signals",metric="signals_total"} 5',
    ]);
    const two = await read(exporter.scrapeText());
    assert.deepEqual(lines(two, "ebpf_exporter_series_dropped_total"), [
      'ebpf_exporter_series_dropped_total{config="signals",metric="signals_total"} 10',
    ]);
  });
});

Deno.test("the series kept under the cap are the first in map read order", async () => {
  // Entry 0 is bash → bash SIGCHLD delivered, entry 7 head → bash SIGCHLD already pending.
  const two = { ...signals, entries: [signals.entries[0]!, signals.entries[7]!] };
  await withExporter(
    { signals: { signals_total: recordedMap(two) } },
    { maxSeries: 1 },
    async (exporter) => {
      const text = await read(exporter.scrapeText());
      assert.deepEqual(lines(text, "ebpf_exporter_signals_total{"), [
        'ebpf_exporter_signals_total{receiver="bash",result="delivered",sender="bash",signal="SIGCHLD"} 5',
      ]);
    },
  );
});

Deno.test("no cap, no drop: the guard families stay out of the exposition", async () => {
  await withExporter({ signals: { signals_total: recordedMap(signals) } }, {
    maxSeries: 8,
    configTimeoutMs: 5000,
  }, async (exporter) => {
    const text = await read(exporter.scrapeText());
    assert.equal(lines(text, "ebpf_exporter_signals_total{").length, 8);
    assert.doesNotMatch(text, /series_dropped|scrape_timeouts/);
  });
});

Deno.test("a config over its time budget is left out; the others are scraped", async () => {
  const t = fakeBudget();
  // The fake clock moves only when a map is read: signals' read takes 6 s, softirqs' 1 s.
  const slow = counted(signals, () => t.now += 6000);
  const fast = counted(softirqs, () => t.now += 1000);
  const sources = { signals: { signals_total: slow }, softirqs: { softirqs_total: fast } };
  await withExporter(sources, t.guards, async (exporter) => {
    const one = await read(exporter.scrapeText());
    assert.equal(lines(one, "ebpf_exporter_signals_total").length, 0);
    assert.equal(lines(one, "ebpf_exporter_softirqs_total{").length, 16);
    assertTimeouts(one, "signals", 1);
    assert.deepEqual(lines(one, "ebpf_exporter_decoder_errors_total{"), [
      'ebpf_exporter_decoder_errors_total{config="signals"} 0',
      'ebpf_exporter_decoder_errors_total{config="softirqs"} 0',
    ]);
    // The timed-out config reports its failure; the other one succeeded.
    assert.deepEqual(lines(one, "ebpf_exporter_scrape_success{"), [
      'ebpf_exporter_scrape_success{config="signals"} 0',
      'ebpf_exporter_scrape_success{config="softirqs"} 1',
    ]);
    const two = await read(exporter.scrapeText());
    assertTimeouts(two, "signals", 2);
    assert.deepEqual([slow.reads, fast.reads], [2, 2]);
  });
});

Deno.test("a config within its budget is kept whole", async () => {
  const t = fakeBudget();
  const map = counted(signals, () => t.now += 5000);
  await withExporter({ signals: { signals_total: map } }, t.guards, async (exporter) => {
    const text = await read(exporter.scrapeText());
    assert.equal(lines(text, "ebpf_exporter_signals_total{").length, 8);
    assert.doesNotMatch(text, /scrape_timeouts/);
  });
});

Deno.test("a config that times out on a later metric loses the families it already had", async () => {
  const syscalls = readRecording("syscalls").maps;
  const t = fakeBudget();
  const maps: Record<string, MapSource> = {};
  // Each read takes 2 s: the third metric ends at 6 s, past the 5 s budget.
  for (const [name, data] of Object.entries(syscalls)) {
    maps[name] = counted(data, () => t.now += 2000);
  }
  const sources = { syscalls: maps, signals: { signals_total: counted(signals) } };
  await withExporter(sources, t.guards, async (exporter) => {
    const text = await read(exporter.scrapeText());
    assert.equal(lines(text, "ebpf_exporter_sys").length, 0);
    assert.equal(lines(text, "ebpf_exporter_signals_total{").length, 8);
    assertTimeouts(text, "syscalls", 1);
    assert.deepEqual(lines(text, "ebpf_exporter_scrape_success{"), [
      'ebpf_exporter_scrape_success{config="signals"} 1',
      'ebpf_exporter_scrape_success{config="syscalls"} 0',
    ]);
  });
});
