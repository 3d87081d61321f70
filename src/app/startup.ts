/**
 * The start-up phases of a serving run, in the order run.ts calls them. A phase that cannot go
 * on throws StartupError carrying the log line; the run logs it and exits 1.
 */

import { openLibbpf, setLibbpfSink } from "../../ffi/libbpf.ts";
import { isReadable } from "../../ffi/libc.ts";
import type { Flags } from "../cli.ts";
import type { Config } from "../config/types.ts";
import { loadConfigs, parseConfigNames } from "../config/load.ts";
import { applyKeep, CapabilityError, type KeepRequest, parseKeep } from "../capabilities.ts";
import {
  attachFailureHints,
  gatherHostFacts,
  type HostFacts,
  loadFailureHints,
  preflightWarnings,
} from "../diagnose.ts";
import { checkEmbeddedNames, configSource, type EmbeddedAssets } from "../embedded.ts";
import { Exporter } from "../exporter/exporter.ts";
import { systemHost } from "../host/system.ts";
import { debug, log, warn } from "../log.ts";
import { readOtelSettings } from "../tracing/otel_env.ts";
import type { SpanSink } from "../tracing/otel.ts";
import { loadOtel } from "../tracing/load.ts";

/** A start-up phase failed; the message is the line to log before exiting 1. */
export class StartupError extends Error {
  override name = "StartupError";
}

/** Runs `fn`; any error becomes a StartupError caused by it, with the line `describe` makes. */
export function phase<T>(fn: () => T, describe = (e: Error) => e.message): T {
  try {
    return fn();
  } catch (e) {
    throw new StartupError(describe(e as Error), { cause: e });
  }
}

/** Parses --capabilities.keep before anything is loaded, so a typo costs no attach. */
export function readKeep(flags: Flags): KeepRequest {
  return phase(() => parseKeep(flags.capabilitiesKeep));
}

/** Configs to load and where their objects are read from. */
export interface LoadedConfigs {
  configs: Config[];
  readObject: (path: string) => Uint8Array | null;
}

/** Reads and validates every named config (from --config.dir or the embedded examples). */
export function loadConfigPhase(
  flags: Flags,
  assets: EmbeddedAssets | null,
  defaultConfigDir: string,
): LoadedConfigs {
  return phase(() => {
    const source = configSource(flags.configDir, assets, defaultConfigDir);
    const names = parseConfigNames(flags.configNames);
    if (source.embedded && assets !== null) checkEmbeddedNames(assets, names);
    return {
      configs: loadConfigs(source.dir, names, source.fs, {
        maxBytes: flags.configMaxSize,
      }),
      readObject: source.readObject,
    };
  }, (e) => `Error parsing configs: ${e.message}`);
}

/** Routes libbpf's own messages to the log and opens the library. */
export function openLibbpfPhase(flags: Flags): void {
  setLibbpfSink((level, msg) => {
    if (level === "debug") debug(`libbpf [debug]: ${msg}`);
    else if (level === "warn") warn(`libbpf [${level}]: ${msg}`);
    else log(`libbpf [${level}]: ${msg}`);
  });
  const lib = phase(() => openLibbpf(flags.libbpfPath ?? undefined));
  log(`Using libbpf ${lib.version} (${lib.source}: ${lib.path})`);
}

/** Gathers what later hints need, logs warnings about the host, and checks --btf.path. */
export function diagnoseHost(flags: Flags): HostFacts {
  const facts = gatherHostFacts();
  for (const warning of preflightWarnings(facts)) warn(warning);
  if (flags.btfPath !== null && !isReadable(flags.btfPath)) {
    throw new StartupError(`Cannot use --btf.path: could not find BTF file "${flags.btfPath}"`);
  }
  return facts;
}

/** Builds the exporter (decoders only; nothing is loaded into the kernel yet). */
export function createExporter(flags: Flags, loaded: LoadedConfigs): Exporter {
  const host = systemHost();
  if (flags.debug) log("Debug enabled, exporting raw maps on /maps");
  return phase(() =>
    new Exporter(loaded.configs, {
      host,
      skipCacheSize: flags.configSkipCacheSize,
      maxSeries: flags.metricsMaxSeries,
      configTimeoutMs: flags.metricsConfigTimeoutMs,
      load: {
        ...(flags.btfPath !== null ? { btfPath: flags.btfPath } : {}),
        readObject: loaded.readObject,
        kernelAddresses: () => host.kallsyms(),
      },
    })
  );
}

/** Loads and attaches every config; a fatal error carries the hints that may explain it. */
export function attachPhase(exporter: Exporter, facts: HostFacts, flags: Flags): void {
  phase(() => exporter.attachAll(), (e) => {
    const hints = loadFailureHints(e, facts, flags.btfPath);
    return hints.length > 0 ? `${e.message}; ${hints.join("; ")}` : e.message;
  });
  const attachHints = new Set<string>();
  for (const loaded of exporter.loaded) {
    for (const p of loaded.programs) {
      if (p.error === null) continue;
      for (const h of attachFailureHints(p.program.section, p.error, facts)) attachHints.add(h);
    }
  }
  for (const h of attachHints) warn(`Some programs did not attach: ${h}`);
}

/** With --config.strict, any program that did not attach fails the start. */
export function checkStrict(flags: Flags, exporter: Exporter): void {
  const missed = exporter.missedAttachments();
  if (flags.configStrict && missed.length > 0) {
    throw new StartupError(`Missed attachments (config:program): ${missed.join(", ")}`);
  }
}

/** Opens the perf buffers and ring buffers that feed event-driven metrics. */
export function startEventReaders(exporter: Exporter): void {
  phase(() => exporter.startEventReaders());
}

/**
 * Starts span export when some config has spans: reads the OTEL_* settings, loads the
 * OpenTelemetry SDK (only now, see tracing/load.ts), and starts a reader per ring buffer. Disposal stops the readers
 * first and then flushes the queued spans to the exporter.
 */
export async function startTracing(
  stack: AsyncDisposableStack,
  exporter: Exporter,
  assets: EmbeddedAssets | null,
): Promise<void> {
  if (!exporter.hasSpans) return;
  const settings = phase(
    () => readOtelSettings((name) => Deno.env.get(name)),
    (e) => `Cannot configure span export: ${e.message}`,
  );
  let sink: SpanSink;
  try {
    const { createSpanSink } = await loadOtel(assets);
    sink = await createSpanSink(settings, log);
  } catch (e) {
    throw new StartupError(`Cannot start span export: ${(e as Error).message}`, { cause: e });
  }
  stack.defer(() => flushSpans(sink));
  const readers = phase(() => exporter.startSpanReaders(sink));
  stack.defer(async () => {
    for (const r of readers) await r.close();
  });
  const how = settings.exporter === "otlp" ? `otlp ${settings.protocol}` : settings.exporter;
  log(`Reading ${readers.length} span ring buffers, exporting spans via ${how}`);
}

// An unreachable collector makes the OTLP exporter retry for up to its timeout; a stopping
// exporter waits this long for the last spans, then exits without them.
const SPAN_FLUSH_LIMIT_MS = 5000;

async function flushSpans(sink: SpanSink): Promise<void> {
  const t0 = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<string>((r) => {
    timer = setTimeout(() => r(`gave up after ${SPAN_FLUSH_LIMIT_MS}ms`), SPAN_FLUSH_LIMIT_MS);
  });
  const done = sink.shutdown().then(
    () => "flushed",
    (e) => `cannot flush: ${(e as Error).message}`,
  );
  const outcome = await Promise.race([done, limit]);
  clearTimeout(timer);
  log(`Spans ${outcome} (${Math.round(performance.now() - t0)}ms)`);
}

/** Privileged setup (attach, perf buffers, fanotify) is over: keeps only what scrapes need. */
export function dropCapabilities(keep: KeepRequest): void {
  phase(
    () => applyKeep(keep, log),
    (e) => e instanceof CapabilityError ? e.message : `Cannot drop capabilities: ${e.message}`,
  );
}
