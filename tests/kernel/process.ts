/**
 * The one runner for exporter processes in tests, from source or as the single binary: it starts
 * the command listening on port 0, reads the actual port from the "Listening on host:port" log
 * line, keeps stdout and stderr, and stops the process on every path.
 */

import { TIMEOUT_SCALE, waitUntil } from "./wait.ts";

/** A running exporter process. */
export interface Running {
  child: Deno.ChildProcess;
  pid: number;
  port: number;
  url: string;
  /** Everything the process wrote so far, stdout and stderr interleaved as they arrived. */
  log(): string;
  /** Sends `signal` (SIGKILL after 10 s, scaled) and waits for exit; returns the exit code. */
  stop(signal?: Deno.Signal): Promise<number>;
}

/** The exporter did not come up; the message carries its log. */
export class StartError extends Error {
  override name = "StartError";
}

const LISTENING = /Listening on (?:\[[^\]]*\]|[^\s:]*):(\d+)/;
const KILL_AFTER_MS = 10000;

/** How to start a process: its working directory and how long it may take to listen. */
export interface StartOptions {
  cwd?: string;
  timeoutMs?: number;
}

/**
 * Runs `command` (which must make the exporter listen on port 0 of 127.0.0.1) and waits until it
 * logs where it listens; stops it and throws StartError when it exits or stalls first.
 */
export async function startProcess(command: string[], opts: StartOptions = {}): Promise<Running> {
  const child = spawnPiped(command, "null", opts.cwd);
  let text = "";
  const pumps = [child.stdout, child.stderr].map(async (stream) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) text += chunk;
  });
  let exited: Deno.CommandStatus | null = null;
  child.status.then((s) => exited = s);
  const stop = stopper(child, pumps);
  try {
    await waitUntil(`${command.join(" ")} to listen`, () => LISTENING.test(text) || !!exited, {
      timeoutMs: opts.timeoutMs ?? 30000,
      intervalMs: 20,
    });
  } catch (e) {
    await stop("SIGKILL");
    throw new StartError(`${(e as Error).message}:\n${text}`);
  }
  const port = Number(LISTENING.exec(text)?.[1] ?? 0);
  if (port === 0) {
    const code = await stop();
    throw new StartError(`${command.join(" ")} exited ${code} before listening:\n${text}`);
  }
  return { child, pid: child.pid, port, url: `http://127.0.0.1:${port}`, log: () => text, stop };
}

/** Spawns `command` with stdout and stderr piped to the test and the given stdin. */
export function spawnPiped(
  command: string[],
  stdin: "null" | "piped",
  cwd?: string,
): Deno.ChildProcess {
  return new Deno.Command(command[0]!, {
    args: command.slice(1),
    stdin,
    stdout: "piped",
    stderr: "piped",
    ...(cwd !== undefined ? { cwd } : {}),
  }).spawn();
}

/** A stop function for `child`; every call after the first waits for the same exit. */
function stopper(
  child: Deno.ChildProcess,
  pumps: Promise<void>[],
): (signal?: Deno.Signal) => Promise<number> {
  let stopped: Promise<number> | null = null;
  return (signal = "SIGTERM") =>
    stopped ??= (async () => {
      kill(child, signal);
      const timer = setTimeout(() => kill(child, "SIGKILL"), KILL_AFTER_MS * TIMEOUT_SCALE);
      const status = await child.status;
      clearTimeout(timer);
      await Promise.all(pumps);
      return status.code;
    })();
}

/** Sends `signal` to `child` unless it has exited already. */
export function kill(child: Deno.ChildProcess, signal: Deno.Signal): void {
  try {
    child.kill(signal);
  } catch { /* already exited */ }
}

/**
 * Runs `body` with a started process and always stops it. After a body that succeeded the
 * process must exit 0 on SIGTERM; a body that failed is rethrown with the process log appended.
 * Assertions never run in a `finally`, so a stop failure cannot hide the body's own error.
 */
export async function withRunning<T>(
  running: Running,
  body: (running: Running) => Promise<T>,
): Promise<T> {
  let result: T;
  try {
    result = await body(running);
  } catch (e) {
    await running.stop();
    throw withLog(e, running.log());
  }
  const code = await running.stop();
  if (code !== 0) {
    throw new Error(`exporter exited ${code} after SIGTERM, expected 0:\n${running.log()}`);
  }
  return result;
}

/** Starts `command` (see startProcess) and runs `body` with it (see withRunning). */
export async function withProcess<T>(
  command: string[],
  opts: StartOptions,
  body: (running: Running) => Promise<T>,
): Promise<T> {
  return withRunning(await startProcess(command, opts), body);
}

/** The same error with the process log added to its message and stack. */
function withLog(e: unknown, log: string): unknown {
  const tail = `\n--- exporter log ---\n${log}--- end of exporter log ---`;
  if (!(e instanceof Error)) return new Error(`${String(e)}${tail}`);
  e.message += tail;
  if (e.stack !== undefined) e.stack += tail;
  return e;
}
