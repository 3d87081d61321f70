/**
 * The resources of a serving run, each registered once on the run's AsyncDisposableStack so
 * every exit (a failed phase, --config.check-attach, --config.strict, a signal) releases them the
 * same way, in reverse order of creation.
 */

import { SystemdNotifier } from "../../ffi/notify.ts";
import { type Flags, type ListenTarget, parseListenAddress } from "../cli.ts";
import type { Exporter } from "../exporter/exporter.ts";
import { log, warn } from "../log.ts";
import { handler } from "../server.ts";
import { activationFd, takeActivationEnv } from "../web/activation.ts";
import { loadWebConfig, type WebConfig } from "../web/config.ts";
import { type Bind, type RunningServer, startServer } from "../web/serve.ts";
import { metricsRoutes } from "./routes.ts";
import { phase, StartupError } from "./startup.ts";

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

/** Reads --web.config.file before anything is loaded, so a mistake in it costs no attach. */
export function readWebConfig(flags: Flags): WebConfig | null {
  return flags.webConfigFile === null ? null : phase(() => loadWebConfig(flags.webConfigFile!));
}

/**
 * Starts the HTTP server, registered so disposal stops it and waits out in-flight requests.
 * `:PORT` binds the IPv6 wildcard, which also takes IPv4 unless net.ipv6.bindv6only is set; a
 * host without IPv6 falls back to 0.0.0.0.
 */
export async function listen(
  stack: AsyncDisposableStack,
  flags: Flags,
  exporter: Exporter,
  onListen: (addr: Deno.NetAddr) => void,
  web: WebConfig | null = null,
): Promise<RunningServer> {
  const routes = handler(metricsRoutes(flags, exporter));
  const limits = {
    headerTimeoutMs: flags.webReadHeaderTimeoutMs,
    idleTimeoutMs: flags.webIdleTimeoutMs,
    maxConnections: flags.webMaxConnections,
  };
  // Output slabs go back to the exporter once node:http has written them.
  const onSent = (chunk: Uint8Array) => exporter.slabs.release(chunk);
  let server: RunningServer;
  try {
    const binds = bindsFor(parseListenAddress(flags.listenAddress));
    server = await startServer(routes, { bind: binds[0]!, limits, web, onSent }).catch((e) =>
      binds.length > 1
        ? startServer(routes, { bind: binds[1]!, limits, web, onSent })
        : Promise.reject(e)
    );
  } catch (e) {
    throw new StartupError(`Cannot listen on "${flags.listenAddress}": ${(e as Error).message}`, {
      cause: e,
    });
  }
  stack.defer(() => server.close(SERVER_GRACE_MS));
  onListen(server.addr);
  return server;
}

// The binds to try in order: a wildcard tries IPv6 (dual-stack) first, then IPv4 alone.
function bindsFor(target: ListenTarget): Bind[] {
  if (target.kind === "fd") {
    return [{ fd: activationFd(target.index, takeActivationEnv(), Deno.pid) }];
  }
  if (target.hostname !== "") return [{ hostname: target.hostname, port: target.port }];
  return [{ hostname: "::", port: target.port }, { hostname: "0.0.0.0", port: target.port }];
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
