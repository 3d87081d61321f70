/**
 * The resources of a serving run, each registered once on the run's AsyncDisposableStack so
 * every exit (a failed phase, --config.check-attach, --config.strict, a signal) releases them the
 * same way, in reverse order of creation.
 */

import { SystemdNotifier } from "../../ffi/notify.ts";
import { parseListenAddress } from "../cli.ts";
import type { Flags } from "../cli.ts";
import type { Exporter } from "../exporter/exporter.ts";
import { log, warn } from "../log.ts";
import { serve } from "../server.ts";
import { metricsRoutes } from "./routes.ts";
import { StartupError } from "./startup.ts";

/** Sends one sd_notify message; a refusal is logged, never fatal. */
export type Notify = (message: string) => void;

/** A notify function for NOTIFY_SOCKET (a no-op without one). */
export function systemdNotify(): Notify {
  const notifier = new SystemdNotifier();
  return (message) => {
    try {
      notifier.notify(message);
    } catch (e) {
      warn((e as Error).message);
    }
  };
}

/** Registers the exporter: disposing it detaches every program and logs how long that took. */
export function ownExporter(stack: AsyncDisposableStack, exporter: Exporter): Exporter {
  return stack.adopt(exporter, (e) => {
    const t0 = performance.now();
    e.close();
    log(`Detached in ${Math.round(performance.now() - t0)}ms`);
  });
}

// In-flight requests get a moment at shutdown; a stuck client must not hold the exit longer.
const SERVER_GRACE_MS = 500;

/** Starts the HTTP server, registered so disposal stops it and waits out in-flight requests. */
export function listen(
  stack: AsyncDisposableStack,
  flags: Flags,
  exporter: Exporter,
  onListen: (addr: Deno.NetAddr) => void,
): Deno.HttpServer<Deno.NetAddr> {
  const { hostname, port } = parseListenAddress(flags.listenAddress);
  const abort = new AbortController();
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = serve(metricsRoutes(flags, exporter), {
      hostname,
      port,
      signal: abort.signal,
      onListen,
    });
  } catch (e) {
    throw new StartupError(`Cannot listen on "${flags.listenAddress}": ${(e as Error).message}`);
  }
  stack.defer(async () => {
    abort.abort();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise((r) => timer = setTimeout(r, SERVER_GRACE_MS));
    await Promise.race([server.finished, grace]);
    clearTimeout(timer);
  });
  return server;
}

/** Resolves with the first SIGINT or SIGTERM; the listeners are removed when the stack closes. */
export function nextSignal(stack: AsyncDisposableStack): Promise<Deno.Signal> {
  return new Promise((resolve) => {
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
      const onSignal = () => resolve(sig);
      Deno.addSignalListener(sig, onSignal);
      stack.defer(() => Deno.removeSignalListener(sig, onSignal));
    }
  });
}
