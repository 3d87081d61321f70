/**
 * The standard OTEL_* environment variables that configure span export, read into typed
 * settings. The OTLP exporters read their endpoint, headers, timeout, compression and TLS
 * variables themselves; those names are listed here too because the binary's env allow-list
 * (deno.json "exporter") must grant exactly the names read.
 */

/** Variables this module reads. */
export const OTEL_SETTINGS_ENV = [
  "OTEL_TRACES_EXPORTER",
  "OTEL_EXPORTER_OTLP_PROTOCOL",
  "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
  "OTEL_SERVICE_NAME",
  "OTEL_BSP_SCHEDULE_DELAY",
  "OTEL_BSP_EXPORT_TIMEOUT",
  "OTEL_BSP_MAX_QUEUE_SIZE",
  "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
] as const;

/** Variables the OpenTelemetry OTLP trace exporters read when constructed. */
export const OTLP_EXPORTER_ENV = [
  "OTEL_EXPORTER_OTLP_ENDPOINT",
  "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
  "OTEL_EXPORTER_OTLP_HEADERS",
  "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
  "OTEL_EXPORTER_OTLP_TIMEOUT",
  "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
  "OTEL_EXPORTER_OTLP_COMPRESSION",
  "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION",
  "OTEL_EXPORTER_OTLP_CERTIFICATE",
  "OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE",
  "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE",
  "OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE",
  "OTEL_EXPORTER_OTLP_CLIENT_KEY",
  "OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY",
] as const;

/** Every OTEL_* variable span export may read. */
export const TRACING_ENV: readonly string[] = [...OTEL_SETTINGS_ENV, ...OTLP_EXPORTER_ENV];

export type TracesExporter = "otlp" | "console" | "none";
export type OtlpProtocol = "http/protobuf" | "http/json";

/** How spans leave the exporter. */
export interface OtelSettings {
  exporter: TracesExporter;
  protocol: OtlpProtocol;
  /** service.name of spans whose config names no service. */
  defaultService: string;
  batch: {
    scheduledDelayMillis: number;
    exportTimeoutMillis: number;
    maxQueueSize: number;
    maxExportBatchSize: number;
  };
}

/** A variable with a value the exporter cannot use. */
export class OtelEnvError extends Error {
  override name = "OtelEnvError";
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(message);
    this.variable = variable;
  }
}

const EXPORTERS: readonly TracesExporter[] = ["otlp", "console", "none"];
const PROTOCOLS: readonly OtlpProtocol[] = ["http/protobuf", "http/json"];

/** Reads the settings through `get` (Deno.env.get in the exporter, a table in tests). */
export function readOtelSettings(get: (name: string) => string | undefined): OtelSettings {
  const text = (name: string) => {
    const v = get(name)?.trim();
    return v === undefined || v === "" ? undefined : v;
  };
  const exporter = oneOf("OTEL_TRACES_EXPORTER", text("OTEL_TRACES_EXPORTER") ?? "otlp", EXPORTERS);
  const protocolVar = text("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") !== undefined
    ? "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
    : "OTEL_EXPORTER_OTLP_PROTOCOL";
  const protocolText = text(protocolVar) ?? "http/protobuf";
  if (protocolText === "grpc") {
    // Measured: @grpc/grpc-js reads 12 GRPC_* and proxy variables at first use, and the binary
    // may read only the OTEL_* names listed above.
    throw new OtelEnvError(
      protocolVar,
      `${protocolVar}=grpc is not supported: the gRPC client reads GRPC_* and proxy variables ` +
        "outside the exporter's environment allow-list; use http/protobuf (port 4318)",
    );
  }
  const protocol = oneOf(protocolVar, protocolText, PROTOCOLS);
  const count = (name: string, fallback: number, min: number) => {
    const v = text(name);
    if (v === undefined) return fallback;
    const n = /^[0-9]+$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < min) {
      throw new OtelEnvError(
        name,
        `${name} must be an integer of at least ${min}, got ${JSON.stringify(v)}`,
      );
    }
    return n;
  };
  const maxQueueSize = count("OTEL_BSP_MAX_QUEUE_SIZE", 2048, 1);
  const maxExportBatchSize = count("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 512, 1);
  if (maxExportBatchSize > maxQueueSize) {
    throw new OtelEnvError(
      "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
      `OTEL_BSP_MAX_EXPORT_BATCH_SIZE (${maxExportBatchSize}) must not exceed ` +
        `OTEL_BSP_MAX_QUEUE_SIZE (${maxQueueSize})`,
    );
  }
  return {
    exporter,
    protocol,
    defaultService: text("OTEL_SERVICE_NAME") ?? "ebpf_exporter",
    batch: {
      scheduledDelayMillis: count("OTEL_BSP_SCHEDULE_DELAY", 5000, 0),
      exportTimeoutMillis: count("OTEL_BSP_EXPORT_TIMEOUT", 30000, 1),
      maxQueueSize,
      maxExportBatchSize,
    },
  };
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new OtelEnvError(
    name,
    `${name} must be one of ${allowed.join(", ")}, got ${JSON.stringify(value)}`,
  );
}
