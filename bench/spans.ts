/**
 * Span throughput: a driver fires the usdt-span example's USDT probes at stepped rates, the
 * real exporter turns each ring-buffer record into a span and exports it over OTLP/HTTP
 * (protobuf) to a receiver in this process that only counts. Per step: events driven, records
 * the exporter read, spans received, loss, and the exporter's CPU per 10k spans.
 */

import type { Artifacts } from "./build.ts";
import { ExporterProcess } from "./exporter.ts";
import type { Cleanup } from "./scrape_suite.ts";
import { SpanReceiver } from "./span_receiver.ts";

/** Rates and lengths of the steps. */
export interface SpanPlan {
  mode: "full" | "short";
  steps: Array<{ rate: number; events: number }>;
  /** OTEL_BSP_SCHEDULE_DELAY for the exporter (ms): how soon a partial batch leaves. */
  scheduleDelayMs: number;
}

/** The plan of `deno task bench spans` and of its `--short` form. */
export function makeSpanPlan(short: boolean): SpanPlan {
  const seconds = 3;
  const rates = [1000, 5000, 10000, 20000, 50000];
  return short ? { mode: "short", steps: [{ rate: 1000, events: 300 }], scheduleDelayMs: 200 } : {
    mode: "full",
    steps: rates.map((rate) => ({ rate, events: rate * seconds })),
    scheduleDelayMs: 200,
  };
}

/** What one step measured. */
export interface SpanStep {
  rate: number;
  events: number;
  /** Wall time the driver took to fire every event, and the rate that gives. */
  driveMs: number;
  drivenPerS: number;
  /** ebpf_exporter_ringbuf_records_total and _dropped_records_total over the step. */
  recordsRead: number;
  recordsDropped: number;
  /** Spans of this step's trace id that reached the receiver, and distinct event numbers. */
  spansReceived: number;
  distinctEvents: number;
  /** Spans whose event number was unknown or seen twice (must be 0). */
  unexpected: number;
  /** Events that never became a received span: in the kernel (ring buffer full) and after. */
  lostInKernel: number;
  lostInExporter: number;
  loss: number;
  /** From the driver's end until the last span arrived (or counting gave up). */
  drainMs: number;
  /** Exporter utime+stime over the step, and per 10k received spans. */
  cpuMs: number;
  cpuMsPer10kSpans: number | null;
  /** cpuMs as a share of one CPU over the driving and draining wall time (%). */
  cpuPercent: number;
  /** Lines the OpenTelemetry SDK logged during the step (e.g. queue-full drops). */
  sdkLog: string[];
}

/** Everything the span bench measured. */
export interface SpanResults {
  plan: SpanPlan;
  steps: SpanStep[];
  /** The highest driven rate of a step with no loss (null: every step lost spans). */
  sustainedSpansPerS: number | null;
  /** Spans of trace ids the bench never sent (must be 0). */
  foreignSpans: number;
}

const CONFIG = "usdt-span";
const RINGBUF = "usdt_spans";

function counterValue(text: string, name: string): number {
  const prefix = `${name}{config="${CONFIG}",ringbuf="${RINGBUF}"} `;
  const line = text.split("\n").find((l) => l.startsWith(prefix));
  if (line === undefined) throw new Error(`Cannot find ${prefix.trim()} in the exporter's metrics`);
  return Number(line.slice(prefix.length));
}

async function ringbufCounters(ex: ExporterProcess): Promise<{ read: number; dropped: number }> {
  const text = await ex.text();
  return {
    read: counterValue(text, "ebpf_exporter_ringbuf_records_total"),
    dropped: counterValue(text, "ebpf_exporter_ringbuf_dropped_records_total"),
  };
}

function randomTraceId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[15]! |= 1; // never all zeros
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function drive(driver: string, rate: number, events: number, traceId: string) {
  const out = await new Deno.Command(driver, {
    args: [String(rate), String(events), traceId],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const m = /^driven (\d+) ns (\d+)$/m.exec(text);
  if (out.code !== 0 || m === null) {
    throw new Error(`Span driver exited with ${out.code}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return { ms: Number(m[2]) / 1e6 };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until every event arrived, or nothing new arrived for `quietMs` (loss), bounded by
 * `maxMs`; returns when the last span came.
 */
async function drain(progress: () => number, done: () => boolean, quietMs = 3000, maxMs = 60_000) {
  const t0 = performance.now();
  let last = progress();
  let lastChange = t0;
  while (!done() && performance.now() - lastChange < quietMs && performance.now() - t0 < maxMs) {
    await sleep(20);
    const now = progress();
    if (now !== last) [last, lastChange] = [now, performance.now()];
  }
  return lastChange - t0;
}

async function runStep(
  ex: ExporterProcess,
  receiver: SpanReceiver,
  driver: string,
  step: { rate: number; events: number },
): Promise<SpanStep> {
  const traceId = randomTraceId();
  const tally = receiver.expect(traceId, step.events);
  const logStart = ex.log.length;
  const before = await ringbufCounters(ex);
  const cpu0 = ex.cpuMs();
  const driven = await drive(driver, step.rate, step.events, traceId);
  const drainMs = await drain(() => tally.spans, () => tally.distinct === step.events);
  const cpuMs = ex.cpuMs() - cpu0;
  const after = await ringbufCounters(ex);
  const recordsRead = after.read - before.read;
  return {
    rate: step.rate,
    events: step.events,
    driveMs: driven.ms,
    drivenPerS: step.events / (driven.ms / 1000),
    recordsRead,
    recordsDropped: after.dropped - before.dropped,
    spansReceived: tally.spans,
    distinctEvents: tally.distinct,
    unexpected: tally.unexpected,
    lostInKernel: step.events - recordsRead,
    lostInExporter: recordsRead - tally.distinct,
    loss: step.events - tally.distinct,
    drainMs,
    cpuMs,
    cpuMsPer10kSpans: tally.spans === 0 ? null : (cpuMs / tally.spans) * 10_000,
    cpuPercent: (cpuMs / (driven.ms + drainMs)) * 100,
    sdkLog: ex.log.slice(logStart).split("\n").filter((l) => l.includes("OpenTelemetry")),
  };
}

/** Runs the span bench; `say` receives progress lines. */
export async function runSpans(
  a: Artifacts,
  plan: SpanPlan,
  cleanup: Cleanup,
  say: (line: string) => void,
): Promise<SpanResults> {
  const receiver = new SpanReceiver();
  cleanup.add(() => receiver.close());
  const ex = await ExporterProcess.start(a.spanConfigDir, CONFIG, [], {
    PATH: `${a.spanBinDir}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
    OTEL_TRACES_EXPORTER: "otlp",
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/protobuf",
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
    OTEL_BSP_SCHEDULE_DELAY: String(plan.scheduleDelayMs),
  });
  cleanup.add(() => ex.stop());
  const driver = `${a.spanBinDir}/ebpf_exporter_span_demo`;
  const steps: SpanStep[] = [];
  for (const step of plan.steps) {
    say(`${step.events.toLocaleString("en-US")} events at ${step.rate.toLocaleString("en-US")}/s`);
    steps.push(await runStep(ex, receiver, driver, step));
  }
  const clean = steps.filter((s) => s.loss === 0 && s.unexpected === 0);
  return {
    plan,
    steps,
    sustainedSpansPerS: clean.length === 0 ? null : Math.max(...clean.map((s) => s.drivenPerS)),
    foreignSpans: receiver.foreign,
  };
}
