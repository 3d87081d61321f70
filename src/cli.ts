/** Command-line flags (upstream's names and defaults), --help and --version. */

import { parseArgs } from "node:util";
import { closestName } from "./flag_suggest.ts";
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from "./log.ts";

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
  logLevel: LogLevel;
  logFormat: LogFormat;
  listenAddress: string;
  /** exporter-toolkit web config (TLS, basic auth, headers); null: plain HTTP. */
  webConfigFile: string | null;
  /** Milliseconds a client may take to send a request's headers; 0: no limit. */
  webReadHeaderTimeoutMs: number;
  /** Milliseconds an idle keep-alive connection stays open; 0: closed after each response. */
  webIdleTimeoutMs: number;
  /** Open connections at most; further ones are closed at once (0: no limit). */
  webMaxConnections: number;
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
  | { kind: "schema" }
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
    name: "config.schema",
    type: "boolean",
    help: "Print the JSON Schema of config files, then exit",
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
    name: "log.level",
    type: "string",
    help: `Lowest level logged: ${LOG_LEVELS.join(", ")} (--debug implies debug)`,
    default: "info",
  },
  {
    name: "log.format",
    type: "string",
    help: `Log line format: ${LOG_FORMATS.join(", ")} (text is upstream's plain lines)`,
    default: "text",
  },
  {
    name: "web.listen-address",
    type: "string",
    help: "Address to listen on: host:port (:port = IPv4 and IPv6), or fd://N (systemd socket)",
    default: ":9435",
  },
  {
    name: "web.config.file",
    type: "string",
    help: "exporter-toolkit web config file enabling TLS, basic auth and extra headers",
  },
  {
    name: "web.read-header-timeout",
    type: "string",
    help: "Time a client may take for the TLS handshake and request headers (0: no limit)",
    default: "10s",
  },
  {
    name: "web.idle-timeout",
    type: "string",
    help: "Time an idle keep-alive connection stays open (0: close after each response)",
    default: "2m",
  },
  {
    name: "web.max-connections",
    type: "string",
    help: "Open HTTP connections at most; more are closed at once (0: no limit)",
    default: "1024",
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
  const values = parseValues(argv);
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };
  if (values["config.schema"] === true) return { kind: "schema" };
  if (values["config.list"] === true) {
    const dirs = values["config.dir"];
    return {
      kind: "list",
      configDir: Array.isArray(dirs) && dirs.length > 0 ? dirs[dirs.length - 1]! : null,
    };
  }
  return { kind: "run", flags: runFlags(new FlagValues(values)) };
}

type RawValues = Record<string, string[] | boolean | undefined>;

function parseValues(argv: string[]): RawValues {
  const options: Record<
    string,
    { type: "string" | "boolean"; multiple?: boolean; short?: string }
  > = {
    help: { type: "boolean", short: "h" },
    version: { type: "boolean" },
  };
  for (const f of FLAGS) options[f.name] = { type: f.type, multiple: f.type === "string" };
  checkArgv(argv, options);
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
    return parsed.values as RawValues;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    // checkArgv has ruled out what parseArgs rejects; its wording is not ours, so keep the code.
    const code = (e as { code?: string }).code ?? (e as Error).name;
    throw new UsageError(`cannot read the command line (${code})`, { cause: e });
  }
}

/**
 * Rejects what the flag parser would, in our words: an unknown flag (naming the closest known
 * one), a value given to a boolean flag, a string flag without its value, a stray argument.
 */
function checkArgv(argv: string[], options: Record<string, { type: string }>): void {
  const names = Object.keys(options);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") return;
    if (arg === "-h") continue;
    if (!arg.startsWith("-") || arg === "-") throw new UsageError(`unexpected argument "${arg}"`);
    const body = arg.replace(/^--?/, "");
    const eq = body.indexOf("=");
    const name = eq < 0 ? body : body.slice(0, eq);
    const negated = name.startsWith("no-") && options[name.slice(3)]?.type === "boolean";
    const type = arg.startsWith("--") ? (negated ? "boolean" : options[name]?.type) : undefined;
    if (type === undefined) throw unknownFlag(arg.slice(0, arg.length - body.length) + name, names);
    if (type === "boolean") {
      if (eq >= 0) throw new UsageError(`flag --${name} takes no value, got "${arg}"`);
      continue;
    }
    if (eq >= 0) continue;
    const next = argv[i + 1];
    // The parser takes no value that starts with "-" after a space (it could be a flag).
    if (next === undefined || (next.startsWith("-") && next !== "-")) {
      throw new UsageError(`flag --${name} needs a value, as in --${name}=VALUE`);
    }
    i++;
  }
}

function unknownFlag(flag: string, names: string[]): UsageError {
  const bare = flag.replace(/^--?/, "");
  const close = closestName(bare, names);
  const hint = close === null ? "" : ` (did you mean --${close}?)`;
  return new UsageError(`unknown flag ${flag}${hint}`);
}

/** The parsed values of the serving flags, with their defaults. */
class FlagValues {
  readonly #values: RawValues;

  constructor(values: RawValues) {
    this.#values = values;
  }

  /** A string flag's value; a repeated one keeps its last value, as kingpin does. */
  str(name: string): string | null {
    const v = this.#values[name];
    return Array.isArray(v) && v.length > 0 ? v[v.length - 1]! : null;
  }

  /** A string flag's value, or its default. */
  orDefault(name: string): string {
    return this.str(name) ?? FLAGS.find((f) => f.name === name)!.default!;
  }

  /** Whether a boolean flag is set. */
  bool(name: string): boolean {
    return this.#values[name] === true;
  }

  /** Every value of a flag that accumulates (config.names). */
  all(name: string): string[] {
    const v = this.#values[name];
    return Array.isArray(v) ? v : [];
  }

  /** A count flag's value, or its default. */
  count(name: string): number {
    return parseCount(name, this.orDefault(name));
  }
}

function runFlags(v: FlagValues): Flags {
  const names = v.all("config.names");
  if (names.length === 0) throw new UsageError("required flag --config.names not provided");
  const telemetryPath = v.orDefault("web.telemetry-path");
  if (!telemetryPath.startsWith("/")) {
    throw new UsageError(`--web.telemetry-path must start with "/", got "${telemetryPath}"`);
  }
  const listenAddress = v.orDefault("web.listen-address");
  parseListenAddress(listenAddress);
  return {
    configDir: v.str("config.dir"),
    configNames: names,
    configCheck: v.bool("config.check"),
    configCheckAttach: v.bool("config.check-attach"),
    configStrict: v.bool("config.strict"),
    configSkipCacheSize: v.count("config.skip-cache-size"),
    configMaxSize: parseByteSize("config.max-size", v.orDefault("config.max-size")),
    metricsMaxSeries: v.count("metrics.max-series"),
    metricsConfigTimeoutMs: parseDurationMs(
      "metrics.config-timeout",
      v.orDefault("metrics.config-timeout"),
    ),
    debug: v.bool("debug"),
    logNoTimestamps: v.bool("log.no-timestamps"),
    logLevel: oneOf("log.level", v.orDefault("log.level"), LOG_LEVELS),
    logFormat: oneOf("log.format", v.orDefault("log.format"), LOG_FORMATS),
    listenAddress,
    webConfigFile: v.str("web.config.file"),
    webReadHeaderTimeoutMs: parseDurationMs(
      "web.read-header-timeout",
      v.orDefault("web.read-header-timeout"),
    ),
    webIdleTimeoutMs: parseDurationMs("web.idle-timeout", v.orDefault("web.idle-timeout")),
    webMaxConnections: v.count("web.max-connections"),
    telemetryPath,
    capabilitiesKeep: v.orDefault("capabilities.keep"),
    btfPath: v.str("btf.path"),
    libbpfPath: v.str("libbpf.path"),
  };
}

// A flag that takes one of a few words.
function oneOf<T extends string>(flag: string, raw: string, allowed: readonly T[]): T {
  const found = allowed.find((a) => a === raw);
  if (found === undefined) {
    throw new UsageError(`--${flag} must be one of ${allowed.join(", ")}, got "${raw}"`);
  }
  return found;
}

// A size flag: a positive whole number of bytes, at most ten digits.
function parseByteSize(flag: string, raw: string): number {
  if (!/^[1-9]\d{0,9}$/.test(raw)) {
    throw new UsageError(`--${flag} must be a positive integer of bytes, got "${raw}"`);
  }
  return Number(raw);
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

/** Where to listen: a TCP address (hostname "" = every interface) or a passed socket. */
export type ListenTarget =
  | { kind: "tcp"; hostname: string; port: number }
  | { kind: "fd"; index: number };

/**
 * Reads `host:port` the way Go's net.Listen does (empty host = every interface, IPv4 and IPv6),
 * or `fd://N`, socket activation listener N.
 */
export function parseListenAddress(addr: string): ListenTarget {
  if (addr.startsWith("fd://")) {
    const n = addr.slice("fd://".length);
    if (!/^\d{1,4}$/.test(n)) throw new UsageError(`error extracting fd number from "${addr}"`);
    return { kind: "fd", index: Number(n) };
  }
  const m = /^(?:\[([^\]]*)\]|([^:\[\]]*)):(\d+)$/.exec(addr);
  if (!m) {
    throw new UsageError(
      `--web.listen-address must look like "host:port", ":port" or "fd://N", got "${addr}"`,
    );
  }
  const port = Number(m[3]);
  if (port > 65535) {
    throw new UsageError(
      `--web.listen-address port out of range in "${addr}": ports go from 0 to 65535`,
    );
  }
  return { kind: "tcp", hostname: m[1] ?? m[2] ?? "", port };
}
