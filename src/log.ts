/**
 * Line logger on stderr. `text` is upstream's format (`YYYY/MM/DD HH:MM:SS message`); `logfmt`
 * and `json` are the machine-readable forms Prometheus exporters offer under --log.format, each
 * line carrying `ts`, `level` and `msg`. Lines below --log.level are dropped.
 */

/** Severities, lowest first, as --log.level spells them. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
/** One of LOG_LEVELS. */
export type LogLevel = typeof LOG_LEVELS[number];
/** Line formats, as --log.format spells them. */
export const LOG_FORMATS = ["text", "logfmt", "json"] as const;
/** One of LOG_FORMATS. */
export type LogFormat = typeof LOG_FORMATS[number];

/** How lines are written. */
export interface LogOptions {
  timestamps: boolean;
  level: LogLevel;
  format: LogFormat;
}

// The process has one stderr, so the logger's settings are process-wide like the stream itself.
const settings: LogOptions = { timestamps: true, level: "info", format: "text" };
// Where lines go; tests swap it to capture them.
let sink = (line: string): void => {
  Deno.stderr.writeSync(encoder.encode(line));
};
const encoder = new TextEncoder();

/** Sets the logger's options from the flags. */
export function configureLog(opts: LogOptions): void {
  Object.assign(settings, opts);
}

/** Sends lines to `write` instead of stderr; returns a function that restores stderr. */
export function redirectLog(write: (line: string) => void): () => void {
  const previous = sink;
  sink = write;
  return () => sink = previous;
}

/** Whether debug lines are written. */
export function isDebug(): boolean {
  return settings.level === "debug";
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

// Upstream's local-time prefix for the text format.
function textTime(d: Date): string {
  return `${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} `;
}

/** A logfmt value: bare when it is plain ASCII, else quoted with `\`, `"` and controls escaped. */
export function logfmtValue(value: string): string {
  if (/^[\w.:/@+,-]+$/.test(value)) return value;
  // JSON string escaping is what logfmt readers (go-logfmt) accept inside quotes.
  return JSON.stringify(value);
}

/** Formats one line (with its newline) for `level` and `message` at time `now`. */
export function formatLine(
  opts: LogOptions,
  level: LogLevel,
  message: string,
  now: Date,
): string {
  switch (opts.format) {
    case "text":
      return (opts.timestamps ? textTime(now) : "") + message + "\n";
    case "logfmt": {
      const ts = opts.timestamps ? `ts=${now.toISOString()} ` : "";
      return `${ts}level=${level} msg=${logfmtValue(message)}\n`;
    }
    case "json": {
      const line = opts.timestamps
        ? { ts: now.toISOString(), level, msg: message }
        : { level, msg: message };
      return JSON.stringify(line) + "\n";
    }
  }
}

function write(level: LogLevel, message: string): void {
  if (LOG_LEVELS.indexOf(level) < LOG_LEVELS.indexOf(settings.level)) return;
  sink(formatLine(settings, level, message, new Date()));
}

/** Writes one info line (the level of upstream's plain log lines). */
export function log(message: string): void {
  write("info", message);
}

/** Writes one info line. */
export const info: (message: string) => void = log;

/** Writes one warning: something did not work, the exporter goes on without it. */
export function warn(message: string): void {
  write("warn", message);
}

/** Writes one error: the exporter cannot do what it was asked. */
export function error(message: string): void {
  write("error", message);
}

/** Writes one line only at --log.level=debug (or with --debug). */
export function debug(message: string): void {
  write("debug", message);
}
