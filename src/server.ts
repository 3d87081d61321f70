/** HTTP routes: metrics, landing page, optional /maps; gzip when the client accepts it. */

import { gzipSync } from "node:zlib";

/** What the routes serve; built by the caller so this module knows nothing of BPF. */
export interface Routes {
  telemetryPath: string;
  /** Renders the exposition for one scrape. */
  metrics(): { body: string; contentType: string };
  /** Raw map dump (only with --debug). */
  maps?: (json: boolean) => { body: string; contentType: string; status: number };
}

/** Options for binding the listener. */
export interface ServeOptions {
  hostname: string;
  port: number;
  signal: AbortSignal;
  onListen?: (addr: Deno.NetAddr) => void;
}

function landingPage(path: string): string {
  return `<html>
<head><title>eBPF Exporter</title></head>
<body>
<h1>eBPF Exporter</h1>
<p><a href="${path}">Metrics</a></p>
</body>
</html>
`;
}

// Below this size compression costs more than it saves.
const GZIP_MIN_BYTES = 1024;

function respond(req: Request, body: string, contentType: string, status = 200): Response {
  const headers = new Headers({ "content-type": contentType, "vary": "accept-encoding" });
  const accept = req.headers.get("accept-encoding") ?? "";
  if (body.length >= GZIP_MIN_BYTES && /\bgzip\b/.test(accept)) {
    headers.set("content-encoding", "gzip");
    return new Response(new Uint8Array(gzipSync(body)), { status, headers });
  }
  return new Response(body, { status, headers });
}

/** Builds the request handler (exported for tests that call it without a socket). */
export function handler(routes: Routes): (req: Request) => Response {
  return (req) => {
    const url = new URL(req.url);
    if (req.method !== "GET" && req.method !== "HEAD") {
      return new Response("method not allowed\n", { status: 405, headers: { allow: "GET, HEAD" } });
    }
    if (url.pathname === routes.telemetryPath) {
      try {
        const { body, contentType } = routes.metrics();
        return respond(req, body, contentType);
      } catch (e) {
        return new Response(`error gathering metrics: ${(e as Error).message}\n`, { status: 500 });
      }
    }
    if (url.pathname === "/") {
      return respond(req, landingPage(routes.telemetryPath), "text/html; charset=utf-8");
    }
    if (url.pathname === "/maps" && routes.maps) {
      const json = (req.headers.get("accept") ?? "").includes("application/json") ||
        url.searchParams.get("format") === "json";
      const r = routes.maps(json);
      return respond(req, r.body, r.contentType, r.status);
    }
    return new Response("404 page not found\n", {
      status: 404,
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  };
}

/** Starts serving; resolves once listening. */
export function serve(routes: Routes, opts: ServeOptions): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({
    hostname: opts.hostname,
    port: opts.port,
    signal: opts.signal,
    onListen: opts.onListen ?? (() => {}),
  }, handler(routes));
}
