/** Line logger on stderr in upstream's format: `YYYY/MM/DD HH:MM:SS message`. */

let timestamps = true;
let debugEnabled = false;

/** Sets the logger's options from the flags. */
export function configureLog(opts: { timestamps: boolean; debug: boolean }): void {
  timestamps = opts.timestamps;
  debugEnabled = opts.debug;
}

/** Whether debug lines are written. */
export function isDebug(): boolean {
  return debugEnabled;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

function prefix(): string {
  if (!timestamps) return "";
  const d = new Date();
  return `${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} `;
}

const encoder = new TextEncoder();

/** Writes one log line. */
export function log(message: string): void {
  Deno.stderr.writeSync(encoder.encode(prefix() + message + "\n"));
}

/** Writes one log line only with --debug. */
export function debug(message: string): void {
  if (debugEnabled) log(message);
}
