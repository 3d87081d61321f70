/** Command-line flags (upstream's names and defaults), --help and --version. */

import { parseArgs } from "node:util";

/** Parsed flags. */
export interface Flags {
  configDir: string | null;
  configNames: string[];
  /** Validate configs against their objects without loading anything, then exit. */
  configCheck: boolean;
  /** Load and attach every config, then exit. */
  configCheckAttach: boolean;
  configStrict: boolean;
  configSkipCacheSize: number;
  /** Largest config file accepted, in bytes. */
  configMaxSize: number;
  /** Series kept per metric and scrape; 0 keeps all. */
  metricsMaxSeries: number;
  /** Milliseconds one config's metrics may take per scrape; 0: no limit. */
  metricsConfigTimeoutMs: number;
  debug: boolean;
  logNoTimestamps: boolean;
  listenAddress: string;
  telemetryPath: string;
  capabilitiesKeep: string;
  btfPath: string | null;
  libbpfPath: string | null;
}

/** What the command line asks for. */
export type Command =
  | { kind: "run"; flags: Flags }
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "list"; configDir: string | null };

/** A command-line mistake; main prints it with a hint and exits 1. */
export class UsageError extends Error {
  override name = "UsageError";
}

interface FlagDoc {
  name: string;
  type: "string" | "boolean";
  help: string;
  default?: string;
}

const FLAGS: FlagDoc[] = [
  {
    name: "config.dir",
    type: "string",
    help: "Directory holding NAME.yaml and NAME.bpf.o (default: the bundled examples)",
  },
  { name: "config.names", type: "string", help: "Comma separated names of configs to load" },
  {
    name: "config.check",
    type: "boolean",
    help: "Check configs against their objects without loading them (no privilege), then exit",
  },
  {
    name: "config.check-attach",
    type: "boolean",
    help: "Load and attach every config, then exit",
  },
  {
    name: "config.list",
    type: "boolean",
    help: "List the configs in --config.dir (default: the embedded examples), then exit",
  },
  {
    name: "config.strict",
    type: "boolean",
    help: "Exit with an error when a program fails to attach",
  },
  {
    name: "config.skip-cache-size",
    type: "string",
    help: "Size of the LRU of keys a regexp decoder skipped (0 disables it)",
    default: "0",
  },
  {
    name: "config.max-size",
    type: "string",
    help: "Largest config file accepted, in bytes",
    default: "4194304",
  },
  {
    name: "metrics.max-series",
    type: "string",
    help: "Series kept per metric and scrape, the rest dropped and counted (0: no limit)",
    default: "1000000",
  },
  {
    name: "metrics.config-timeout",
    type: "string",
    help: "Time one config's metrics may take per scrape, as 5s or 1500ms (0: no limit)",
    default: "5s",
  },
  { name: "debug", type: "boolean", help: "Log libbpf debug lines and serve raw maps on /maps" },
  {
    name: "log.no-timestamps",
    type: "boolean",
    help: "Do not prefix log lines with date and time",
  },
  {
    name: "web.listen-address",
    type: "string",
    help: "Address to listen on for HTTP requests",
    default: ":9435",
  },
  {
    name: "web.telemetry-path",
    type: "string",
    help: "Path under which to expose metrics",
    default: "/metrics",
  },
  {
    name: "capabilities.keep",
    type: "string",
    help: "Capabilities to keep after attaching: all, none or a comma separated list",
    default: "all",
  },
  { name: "btf.path", type: "string", help: "External vmlinux BTF file for kernels without one" },
  { name: "libbpf.path", type: "string", help: "Use this libbpf shared object instead of ours" },
];

/** Usage text for --help. */
export function usage(): string {
  const lines = ["usage: ebpf_exporter --config.names=NAMES [<flags>]", "", "Flags:"];
  lines.push("  -h, --help".padEnd(34) + "Show this help");
  lines.push("  --version".padEnd(34) + "Show version information");
  for (const f of FLAGS) {
    const left = f.type === "boolean" ? `  --[no-]${f.name}` : `  --${f.name}=VALUE`;
    const def = f.default !== undefined ? ` (default: ${f.default})` : "";
    lines.push(left.padEnd(34) + f.help + def);
  }
  return lines.join("\n") + "\n";
}

/** Parses argv into a command; throws UsageError for bad input. */
export function parseCommandLine(argv: string[]): Command {
  const options: Record<
    string,
    { type: "string" | "boolean"; multiple?: boolean; short?: string }
  > = {
    help: { type: "boolean", short: "h" },
    version: { type: "boolean" },
  };
  for (const f of FLAGS) options[f.name] = { type: f.type, multiple: f.type === "string" };
  let values: Record<string, string[] | boolean | undefined>;
  try {
    const parsed = parseArgs({
      args: argv,
      options,
      allowNegative: true,
      strict: true,
      allowPositionals: true,
    });
    const stray: string[] = parsed.positionals;
    if (stray.length > 0) throw new UsageError(`unexpected argument "${stray[0]}"`);
    values = parsed.values as Record<string, string[] | boolean | undefined>;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError((e as Error).message);
  }
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };
  if (values["config.list"] === true) {
    const dirs = values["config.dir"];
    return {
      kind: "list",
      configDir: Array.isArray(dirs) && dirs.length > 0 ? dirs[dirs.length - 1]! : null,
    };
  }

  // A repeated string flag keeps its last value, as kingpin does; config.names accumulates.
  const str = (name: string): string | null => {
    const v = values[name];
    return Array.isArray(v) && v.length > 0 ? v[v.length - 1]! : null;
  };
  const bool = (name: string): boolean => values[name] === true;
  const def = (name: string): string => FLAGS.find((f) => f.name === name)!.default!;

  const names = values["config.names"];
  if (!Array.isArray(names) || names.length === 0) {
    throw new UsageError("required flag --config.names not provided");
  }
  const count = (name: string): number => parseCount(name, str(name) ?? def(name));
  const maxSizeRaw = str("config.max-size") ?? def("config.max-size");
  if (!/^[1-9]\d{0,9}$/.test(maxSizeRaw)) {
    throw new UsageError(
      `--config.max-size must be a positive integer of bytes, got "${maxSizeRaw}"`,
    );
  }
  const telemetryPath = str("web.telemetry-path") ?? def("web.telemetry-path");
  if (!telemetryPath.startsWith("/")) {
    throw new UsageError(`--web.telemetry-path must start with "/", got "${telemetryPath}"`);
  }
  const listenAddress = str("web.listen-address") ?? def("web.listen-address");
  parseListenAddress(listenAddress);
  return {
    kind: "run",
    flags: {
      configDir: str("config.dir"),
      configNames: names,
      configCheck: bool("config.check"),
      configCheckAttach: bool("config.check-attach"),
      configStrict: bool("config.strict"),
      configSkipCacheSize: count("config.skip-cache-size"),
      configMaxSize: Number(maxSizeRaw),
      metricsMaxSeries: count("metrics.max-series"),
      metricsConfigTimeoutMs: parseDurationMs(
        "metrics.config-timeout",
        str("metrics.config-timeout") ?? def("metrics.config-timeout"),
      ),
      debug: bool("debug"),
      logNoTimestamps: bool("log.no-timestamps"),
      listenAddress,
      telemetryPath,
      capabilitiesKeep: str("capabilities.keep") ?? def("capabilities.keep"),
      btfPath: str("btf.path"),
      libbpfPath: str("libbpf.path"),
    },
  };
}

// A count flag: a non-negative integer small enough to be exact as a number.
function parseCount(flag: string, raw: string): number {
  if (!/^\d{1,15}$/.test(raw)) {
    throw new UsageError(`--${flag} must be a non-negative integer, got "${raw}"`);
  }
  return Number(raw);
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/** Parses a duration flag like Go's time.ParseDuration for one unit (ms, s, m); bare 0 is 0. */
export function parseDurationMs(flag: string, raw: string): number {
  if (raw === "0") return 0;
  const m = /^(\d{1,9}(?:\.\d{1,9})?)(ms|s|m)$/.exec(raw);
  if (m === null) {
    throw new UsageError(`--${flag} must be a duration like 5s or 500ms (0: none), got "${raw}"`);
  }
  return Math.round(Number(m[1]) * DURATION_UNITS[m[2]!]!);
}

/** Splits `host:port` the way Go's net.Listen reads it (empty host = every interface). */
export function parseListenAddress(addr: string): { hostname: string; port: number } {
  const m = /^(?:\[([^\]]*)\]|([^:\[\]]*)):(\d+)$/.exec(addr);
  if (!m) {
    throw new UsageError(
      `--web.listen-address must look like "host:port" or ":port", got "${addr}"`,
    );
  }
  const port = Number(m[3]);
  if (port > 65535) throw new UsageError(`--web.listen-address port out of range in "${addr}"`);
  const host = m[1] ?? m[2] ?? "";
  return { hostname: host === "" ? "0.0.0.0" : host, port };
}
