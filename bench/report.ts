/** Turns bench results into the console tables and the target verdicts stored in the JSON. */

import type { OverheadResults } from "./overhead.ts";
import type { ProfileResults } from "./profile_suite.ts";
import type { FootprintResults } from "./footprint.ts";
import type { ScrapeResults, SizeResult } from "./scrape_suite.ts";
import type { SpanResults } from "./spans.ts";
import type { Summary } from "./stats.ts";
import { formatTable } from "./table.ts";

/** One target and whether this run met it (null: not measured in this mode). */
export interface TargetVerdict {
  target: string;
  value: string;
  met: boolean | null;
}

const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : 1)} ms`;
const x = (v: number) => `${v.toFixed(2)}×`;

/**
 * Issue 12's targets evaluated on a scrape run and the packed binary's footprint, followed by
 * issue 5's that still hold.
 */
export function scrapeTargets(r: ScrapeResults, fp: FootprintResults | null): TargetVerdict[] {
  const at = (k: number) => r.sizes.find((s) => s.keys === k) ?? null;
  const k100 = at(100000);
  const m1 = at(1000000);
  const floorRatio = (target: string, s: SizeResult | null, limit: number): TargetVerdict =>
    s === null ? { target, value: "not run", met: null } : {
      target,
      value: `${x(s.oursOverFloor)} (${ms(s.ours.wall.median)} vs ${ms(s.floor.wall.median)})`,
      met: s.oursOverFloor <= limit,
    };
  const h = r.histogram;
  const out: TargetVerdict[] = [
    floorRatio("100k-key scrape ≤ 1.0× the C floor", k100, 1.0),
    floorRatio("1M-key scrape ≤ 1.2× the C floor", m1, 1.2),
    {
      target: "histogram config ≤ 1.5× the C floor",
      value: `${x(h.oursOverFloor)} at ${h.keys.toLocaleString("en-US")} keys (${
        ms(h.ours.wall.median)
      } vs ${ms(h.floor.wall.median)})`,
      met: h.keys >= 99994 ? h.oursOverFloor <= 1.5 : null,
    },
    ...memoryTargets(r),
    {
      target: `RSS growth < 5% from scrape 10 to ${r.soak.scrapes.toLocaleString("en-US")}`,
      value: `${r.soak.growthPct.toFixed(1)}% (${r.soak.rssAt10MiB.toFixed(1)} → ${
        r.soak.rssAtEndMiB.toFixed(1)
      } MiB)`,
      met: r.soak.growthPct < 5,
    },
    ...footprintTargets(fp),
    {
      target: `/ and /-/healthy answered < 20 ms (p100) during a ${
        r.concurrent.keys.toLocaleString("en-US")
      }-key scrape`,
      value: `${r.concurrent.landing.n + r.concurrent.healthy.n} requests over ` +
        `${r.concurrent.trials} scrapes: / p99 ${ms(r.concurrent.landing.p99)} max ` +
        `${ms(r.concurrent.landing.max)}, /-/healthy p99 ${ms(r.concurrent.healthy.p99)} max ` +
        `${ms(r.concurrent.healthy.max)}`,
      met: r.concurrent.longestStallMs < 20,
    },
  ];
  out.push(
    k100 === null
      ? {
        target: "(issue 5) 100k-key scrape ≥ 6× faster than our per-key path",
        value: "not run",
        met: null,
      }
      : {
        target: "(issue 5) 100k-key scrape ≥ 6× faster than our per-key path",
        value: `${x(k100.readModes.scrapeSpeedup)} whole path, ${
          x(k100.readModes.readSpeedup)
        } map read alone`,
        met: k100.readModes.scrapeSpeedup >= 6,
      },
  );
  const e = r.encoder;
  out.push({
    target: "(issue 5) encoder ≥ 5× prom-client (counters, no memos)",
    value: `${x(e.counters.ratio)} at ${e.counters.series.toLocaleString("en-US")} series`,
    met: e.counters.ratio >= 5,
  });
  out.push({
    target: "(issue 5) encoder ≥ 5× prom-client (counters, memos kept)",
    value: `${x(e.countersSteady.ratio)} at ${
      e.countersSteady.series.toLocaleString("en-US")
    } series`,
    met: e.countersSteady.ratio >= 5,
  });
  out.push({
    target: "(issue 5) encoder ≥ 5× prom-client (exp2 histograms)",
    value: `${x(e.histograms.ratio)} at ${e.histograms.series.toLocaleString("en-US")} series`,
    met: e.histograms.ratio >= 5,
  });
  return out;
}

/** The packed binary's size, idle RSS and start-up (null or skipped: not measured). */
function footprintTargets(fp: FootprintResults | null): TargetVerdict[] {
  const why = fp === null ? "not run" : `skipped: ${fp.skipped}`;
  const measured = fp !== null && fp.skipped === null;
  const idle = measured ? fp.idleAfterScrapeMiB : null;
  const start = measured ? fp.firstScrapeMs : null;
  const size = measured ? fp.sizeMB : null;
  return [
    {
      target: "idle RSS of the binary ≤ 64 MiB",
      value: idle === null ? why : `${idle.median.toFixed(1)} MiB after its first scrape (median)`,
      met: idle === null ? null : idle.median <= 64,
    },
    {
      target: "binary ≤ 45 MB",
      value: size === null ? why : `${size.toFixed(1)} MB`,
      met: size === null ? null : size <= 45,
    },
    {
      target: "binary start to first scrape < 1 s",
      value: start === null ? why : `${ms(start.median)} (median)`,
      met: start === null ? null : start.median < 1000,
    },
  ];
}

/**
 * Memory per series (issue 12): RSS at the largest size over the exporter's idle RSS. Only the
 * 1M-key size is judged; smaller sizes are dominated by fixed costs (the map read buffers are
 * sized for max_entries), so a short run reports its figures without a verdict.
 */
function memoryTargets(r: ScrapeResults): TargetVerdict[] {
  const largest = r.sizes[r.sizes.length - 1];
  if (largest === undefined) return [];
  const judged = largest.keys >= 1000000;
  const at = `at ${largest.keys.toLocaleString("en-US")} series`;
  const rssMB = largest.ours.memory.rssMiB * 1048576 / 1e6;
  return [
    {
      target: "retained memory ≤ 300 bytes per series (1M series)",
      value: `${largest.bytesPerSeries.toFixed(0)} B ${at} (idle ${r.idleRssMiB.toFixed(1)} MiB)`,
      met: judged ? largest.bytesPerSeries <= 300 : null,
    },
    {
      target: "RSS ≤ 500 MB serving 1M series",
      value: `${rssMB.toFixed(0)} MB ${at}`,
      met: judged ? rssMB <= 500 : null,
    },
  ];
}

function verdicts(targets: TargetVerdict[]): string {
  return formatTable(
    "Targets (issue 12, then issue 5; figures are reported, never asserted)",
    ["target", "this run", "met"],
    targets.map((t) => [t.target, t.value, t.met === null ? "n/a" : t.met]),
  );
}

/** The console report of a scrape run. */
export function scrapeReport(r: ScrapeResults, targets: TargetVerdict[]): string {
  const parts: string[] = [];
  parts.push(formatTable(
    "HTTP scrape of ebpf_exporter_bench_ops_total (HASH, u32+u32 key, uint + uint→static_map); " +
      "ms per scrape; CPU ms per scrape; RSS MiB; B/series = (RSS − idle RSS) / series",
    [
      "keys",
      "ours med",
      "ours p90",
      "n",
      "ours CPU",
      "ours RSS",
      "B/series",
      "floor med",
      "floor p90",
      "floor CPU",
      "floor RSS",
      "ours/floor",
      "MB",
      "same text",
    ],
    r.sizes.map((s) => [
      s.keys.toLocaleString("en-US"),
      s.ours.wall.median,
      s.ours.wall.p90,
      s.ours.wall.n,
      s.ours.cpuMsPerScrape,
      s.ours.memory.rssMiB,
      Math.round(s.bytesPerSeries),
      s.floor.wall.median,
      s.floor.wall.p90,
      s.floor.cpuMsPerScrape,
      s.floor.memory.rssMiB,
      x(s.oursOverFloor),
      s.ours.bytes / 1e6,
      s.identical,
    ]),
  ));
  parts.push(formatTable(
    "Our scrape path in process, batch vs per-key map reads (median ms)",
    [
      "keys",
      "batch read",
      "per-key read",
      "read speed-up",
      "batch scrape",
      "per-key scrape",
      "scrape speed-up",
      "batch non-read",
    ],
    r.sizes.map((s) => [
      s.keys.toLocaleString("en-US"),
      s.readModes.batchRead.median,
      s.readModes.perKeyRead.median,
      x(s.readModes.readSpeedup),
      s.readModes.batchScrape.median,
      s.readModes.perKeyScrape.median,
      x(s.readModes.scrapeSpeedup),
      s.readModes.batchNonReadMs,
    ]),
  ));
  const h = r.histogram;
  const g = r.gzip;
  parts.push(formatTable(
    "Other scrapes (ms)",
    ["scrape", "ours med", "ours p90", "ours CPU", "floor med", "ours/floor", "same text"],
    [
      [
        `histogram, ${h.series.toLocaleString("en-US")} series (${
          h.keys.toLocaleString("en-US")
        } keys)`,
        h.ours.wall.median,
        h.ours.wall.p90,
        h.ours.cpuMsPerScrape,
        h.floor.wall.median,
        x(h.oursOverFloor),
        h.identical,
      ],
      [
        `counters, ${g.keys.toLocaleString("en-US")} keys, gzip`,
        g.ours.wall.median,
        g.ours.wall.p90,
        g.ours.cpuMsPerScrape,
        null,
        null,
        null,
      ],
    ],
  ));
  const e = r.encoder;
  parts.push(formatTable(
    "Encoder alone, to UTF-8 bytes: TextWriter.chunks vs prom-client 15.1.3 registry.metrics() + TextEncoder (ms)",
    [
      "families",
      "series",
      "ours med",
      "prom-client med",
      "ours/prom-client speed",
      "ours series/s",
    ],
    [
      [
        "counters",
        e.counters.series,
        e.counters.ours.median,
        e.counters.promClient.median,
        x(e.counters.ratio),
        e.counters.oursSeriesPerSec,
      ],
      [
        "counters, memos kept",
        e.countersSteady.series,
        e.countersSteady.ours.median,
        e.countersSteady.promClient.median,
        x(e.countersSteady.ratio),
        e.countersSteady.oursSeriesPerSec,
      ],
      [
        "exp2 histograms",
        e.histograms.series,
        e.histograms.ours.median,
        e.histograms.promClient.median,
        x(e.histograms.ratio),
        e.histograms.oursSeriesPerSec,
      ],
    ],
  ));
  parts.push(formatTable(
    `Soak: ${r.soak.scrapes.toLocaleString("en-US")} scrapes of ${
      r.soak.keys.toLocaleString("en-US")
    } series (median ${ms(r.soak.wall.median)})`,
    ["after scrape", "VmRSS MiB"],
    r.soak.rss.map(([i, v]) => [i.toLocaleString("en-US"), v]),
  ));
  parts.push(formatTable(
    `GET / and /-/healthy while a ${r.concurrent.keys.toLocaleString("en-US")}-key scrape runs`,
    ["request", "n", "median ms", "p90 ms", "p99 ms", "max ms"],
    ([
      ["/ (back to back)", r.concurrent.landing],
      ["/-/healthy (after each /)", r.concurrent.healthy],
      ["slowest per scrape", r.concurrent.worstPerScrape],
      ["/metrics (meanwhile)", r.concurrent.scrape],
    ] as Array<[string, Summary]>).map(([label, s]) => [label, s.n, s.median, s.p90, s.p99, s.max]),
  ));
  parts.push(verdicts(targets));
  return parts.join("\n");
}

/** The console report of an overhead run. */
export function overheadReport(r: OverheadResults): string {
  return formatTable(
    `Probe overhead: getpid() + a no-op call per iteration, ${
      r.plan.iterations.toLocaleString("en-US")
    } iterations × ${r.plan.repeats} (median ns per iteration)`,
    ["probe", "weight", "ns/op", "min ns/op", "overhead ns", "overhead %", "hits (count)"],
    r.rows.map((row) => [
      row.probe,
      row.weight,
      row.error === null ? row.nsPerOp : `failed: ${row.error}`,
      row.error === null ? row.minNsPerOp : null,
      row.error === null ? row.overheadNs : null,
      row.error === null ? (row.overheadNs / r.baseline.nsPerOp) * 100 : null,
      row.hits,
    ]),
  );
}

/** The console report of a profiled run. */
export function profileReport(r: ProfileResults): string {
  const pct = (v: number) => `${((v / r.sampledMs) * 100).toFixed(1)}%`;
  return [
    formatTable(
      `Exporter CPU profile: ${r.scrapes} scrapes of ${r.keys.toLocaleString("en-US")} keys` +
        (r.histogram ? " (histogram config) " : " ") +
        `(median ${ms(r.wall.median)}), ${r.sampledMs.toFixed(0)} ms sampled; self time`,
      ["area", "ms", "share"],
      r.byArea.map(([k, v]) => [k, v, pct(v)]),
    ),
    formatTable(
      "Top functions by self time",
      ["function", "ms", "share"],
      r.byFunction.slice(0, 20).map(([k, v]) => [k, v, pct(v)]),
    ),
    `Profile: ${r.profile} (open in Chrome DevTools or summarise with bench/profile.ts)\n`,
  ].join("\n");
}

/** The console report of a span run. */
export function spansReport(r: SpanResults): string {
  const table = formatTable(
    "Span throughput: usdt-span driven at each rate, exported over OTLP/HTTP protobuf " +
      `(OTEL_BSP_SCHEDULE_DELAY=${r.plan.scheduleDelayMs}, other batch settings the SDK's)`,
    [
      "target/s",
      "events",
      "driven/s",
      "read",
      "received",
      "lost kernel",
      "lost exporter",
      "loss %",
      "drain ms",
      "CPU ms",
      "CPU %",
      "CPU ms/10k spans",
    ],
    r.steps.map((s) => [
      s.rate,
      s.events,
      s.drivenPerS,
      s.recordsRead,
      s.spansReceived,
      s.lostInKernel,
      s.lostInExporter,
      (s.loss / s.events) * 100,
      s.drainMs,
      s.cpuMs,
      s.cpuPercent,
      s.cpuMsPer10kSpans,
    ]),
  );
  const notes = r.steps.flatMap((s) =>
    s.sdkLog.length === 0
      ? []
      : [`${s.rate}/s: ${s.sdkLog.length} SDK log lines, first: ${s.sdkLog[0]}`]
  );
  const sustained = r.sustainedSpansPerS === null
    ? "every step lost spans"
    : `${Math.round(r.sustainedSpansPerS).toLocaleString("en-US")} spans/s`;
  return [table, ...notes, `Sustained with zero loss: ${sustained}\n`].join("\n");
}
