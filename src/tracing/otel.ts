/**
 * Spans out through the OpenTelemetry SDK: one tracer provider per service name (resource with
 * only service.name), always sampled, all feeding one batch span processor and one exporter
 * chosen by OTEL_TRACES_EXPORTER and the OTLP protocol. Loaded with a dynamic import, so configs
 * without tracing never load the SDK.
 */

import {
  type Context,
  diag,
  DiagLogLevel,
  ROOT_CONTEXT,
  trace,
  TraceFlags,
  type Tracer,
} from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  type IdGenerator,
  RandomIdGenerator,
  type SpanExporter,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import type { OtelSettings } from "./otel_env.ts";
import { hrTime, type SpanData } from "./span_labels.ts";

/** Both clocks read at one moment, to place monotonic kernel times on the wall clock. */
export interface ClockPair {
  monotonicNs: bigint;
  wallNs: bigint;
}

/** Hands out the ids a record predetermined, else random ones (spans are made one at a time). */
class PresetIdGenerator implements IdGenerator {
  traceId: string | null = null;
  spanId: string | null = null;
  #random = new RandomIdGenerator();
  generateTraceId(): string {
    return this.traceId ?? this.#random.generateTraceId();
  }
  generateSpanId(): string {
    return this.spanId ?? this.#random.generateSpanId();
  }
}

/** Where decoded spans go. */
export interface SpanSink {
  /** Creates and ends one span. */
  emit(span: SpanData, service: string, clocks: ClockPair): void;
  /** Exports what is queued and stops the exporter. */
  shutdown(): Promise<void>;
}

/** Builds the sink the settings describe; only the chosen exporter's package is loaded. */
export async function createSpanSink(
  settings: OtelSettings,
  log: (line: string) => void,
): Promise<SpanSink> {
  // The SDK reports failed exports only through its diagnostic logger (silent by default).
  const say = (message: string, ...args: unknown[]) =>
    log(`OpenTelemetry: ${[message, ...args].map(oneLine).join(" ")}`);
  const quiet = () => {};
  diag.setLogger(
    { error: say, warn: say, info: quiet, debug: quiet, verbose: quiet },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  return spanSinkFor(await createExporter(settings), settings);
}

/** A sink over a given SpanExporter (null: spans are dropped, OTEL_TRACES_EXPORTER=none). */
export function spanSinkFor(exporter: SpanExporter | null, settings: OtelSettings): SpanSink {
  return new OtelSpanSink(exporter, settings);
}

async function createExporter(settings: OtelSettings): Promise<SpanExporter | null> {
  if (settings.exporter === "none") return null;
  if (settings.exporter === "console") return new ConsoleSpanExporter();
  switch (settings.protocol) {
    case "http/protobuf": {
      const m = await import("@opentelemetry/exporter-trace-otlp-proto");
      return new m.OTLPTraceExporter();
    }
    case "http/json": {
      const m = await import("@opentelemetry/exporter-trace-otlp-http");
      return new m.OTLPTraceExporter();
    }
  }
}

// The SDK hands errors over as JSON of the whole error, stack included: keep the message.
function oneLine(part: unknown): string {
  const text = part instanceof Error ? part.message : String(part);
  if (text.startsWith("{")) {
    try {
      const parsed = JSON.parse(text) as { message?: unknown };
      if (typeof parsed.message === "string") return parsed.message;
    } catch { /* not JSON after all */ }
  }
  return text.replaceAll("\n", " ");
}

class OtelSpanSink implements SpanSink {
  #processor: BatchSpanProcessor | null;
  #ids = new PresetIdGenerator();
  #tracers = new Map<string, Tracer>();
  #defaultService: string;

  constructor(exporter: SpanExporter | null, settings: OtelSettings) {
    this.#processor = exporter === null
      ? null
      : new BatchSpanProcessor({ exporter, ...settings.batch });
    this.#defaultService = settings.defaultService;
  }

  #tracer(service: string): Tracer {
    let t = this.#tracers.get(service);
    if (t === undefined) {
      const provider = new TracerProvider({
        resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: service }),
        sampler: new AlwaysOnSampler(),
        idGenerator: this.#ids,
        spanProcessors: this.#processor === null ? [] : [this.#processor],
      });
      t = provider.getTracer("ebpf_exporter");
      this.#tracers.set(service, t);
    }
    return t;
  }

  emit(span: SpanData, service: string, clocks: ClockPair): void {
    if (this.#processor === null) return;
    const tracer = this.#tracer(service || this.#defaultService);
    const startNs = span.startMonotonicNs === null
      ? clocks.wallNs
      : clocks.wallNs + (span.startMonotonicNs - clocks.monotonicNs);
    let parent: Context = ROOT_CONTEXT;
    if (span.traceId !== null && span.parentSpanId !== null) {
      parent = trace.setSpanContext(ROOT_CONTEXT, {
        traceId: span.traceId,
        spanId: span.parentSpanId,
        traceFlags: TraceFlags.SAMPLED,
        isRemote: true,
      });
    }
    this.#ids.traceId = span.traceId;
    this.#ids.spanId = span.spanId;
    try {
      const s = tracer.startSpan(span.name, {
        startTime: hrTime(startNs),
        attributes: span.attributes,
      }, parent);
      s.end(hrTime(startNs + span.durationNs));
    } finally {
      this.#ids.traceId = this.#ids.spanId = null;
    }
  }

  async shutdown(): Promise<void> {
    await this.#processor?.shutdown();
  }
}
