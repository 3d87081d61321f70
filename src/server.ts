/**
 * HTTP routes: metrics, the status page (and its JSON), health and readiness, optional /maps;
 * gzip when the client accepts it.
 */

import { Slicer } from "./slicer.ts";
import { gzipSync } from "node:zlib";
import type { Readiness } from "./exporter/status.ts";
import {
  escapeHtml,
  renderStatusPage,
  STATUS_JSON_PATH,
  type StatusReport,
} from "./status_page.ts";
import { acceptsGzip } from "./encode/negotiate.ts";

/** A scrape's exposition as UTF-8 chunks, produced lazily as the client reads. */
export interface ChunkedBody {
  chunks: Iterator<Uint8Array<ArrayBuffer>>;
  contentType: string;
}

/** What the routes serve; built by the caller so this module knows nothing of BPF. */
export interface Routes {
  telemetryPath: string;
  /** Renders the exposition for one scrape, given the Accept header; a throw becomes a 500. */
  metrics(accept: string | null): Promise<ChunkedBody>;
  /** Told the status of every response of the metrics path (promhttp's request counter). */
  onMetricsResponse?: (status: number) => void;
  /** Raw map dump (only with --debug). */
  maps?: (json: boolean) => Promise<{ body: string; contentType: string; status: number }>;
  /** The status page's data; without it `/` is a bare page linking to the metrics. */
  status?: () => StatusReport;
  /** Readiness for /-/ready; without it the process is ready once it serves. */
  ready?: () => Readiness;
}

function landingPage(path: string): string {
  return `<html>
<head><title>eBPF Exporter</title></head>
<body>
<h1>eBPF Exporter</h1>
<p><a href="${escapeHtml(path)}">Metrics</a></p>
</body>
</html>
`;
}

// Below this size compression costs more than it saves.
const GZIP_MIN_BYTES = 1024;
// Every answer depends on both headers, so caches must key on them.
const VARY = "Accept-Encoding, Accept";

function respond(
  req: Request,
  body: string | Uint8Array<ArrayBuffer>,
  contentType: string,
  status = 200,
): Response {
  const headers = new Headers({ "content-type": contentType, "vary": VARY });
  if (body.length >= GZIP_MIN_BYTES && wantsGzip(req)) {
    headers.set("content-encoding", "gzip");
    return new Response(new Uint8Array(gzipSync(body)), { status, headers });
  }
  return new Response(body, { status, headers });
}

function wantsGzip(req: Request): boolean {
  return acceptsGzip(req.headers.get("accept-encoding"));
}

/**
 * How long a streamed exposition may wait for its client to take the next chunk. Coalesced
 * scrapes keep each chunk until every reader has it, so a client that stops reading would hold
 * the rest of the body; after this long without a read its response is aborted and its share
 * released. A client that keeps reading is never cut, however long the body.
 */
export const STREAM_STALL_MS = 30_000;

/**
 * Answers with the exposition. A body that fits in one chunk is sent whole; a larger one is
 * streamed chunk by chunk, so encoding a huge scrape never holds the event loop for long.
 */
function respondChunks(req: Request, body: ChunkedBody, stallMs: number): Response {
  const first = body.chunks.next();
  if (first.done) return respond(req, new Uint8Array(0), body.contentType);
  const second = body.chunks.next();
  if (second.done) {
    body.chunks.return?.();
    return respond(req, first.value, body.contentType);
  }
  const stream = chunkStream(body.chunks, [first.value, second.value], stallMs);
  const headers = new Headers({ "content-type": body.contentType, "vary": VARY });
  if (!wantsGzip(req)) return new Response(stream, { headers });
  headers.set("content-encoding", "gzip");
  const gzip = new CompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>;
  return new Response(stream.pipeThrough(gzip), { headers });
}

// The rest of `chunks` after `pending`, given up (and `chunks` released) when the client goes
// away or takes no chunk for `stallMs`.
function chunkStream(
  chunks: Iterator<Uint8Array<ArrayBuffer>>,
  pending: Uint8Array<ArrayBuffer>[],
  stallMs: number,
): ReadableStream<Uint8Array> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Writing a large scrape's chunks runs in promise continuations only (the socket takes them
  // as fast as they come): give way to other requests every few milliseconds.
  const slicer = new Slicer();
  let finished = false;
  const finish = () => {
    finished = true;
    clearTimeout(timer);
    chunks.return?.();
  };
  const watch = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      finish();
      controller.error(new Error(`response not read for ${stallMs}ms`));
    }, stallMs);
    // A stalled client must not keep the process from exiting. (Deno's timers are numbers at
    // run time; the Node typings say Timeout.)
    Deno.unrefTimer(Number(timer));
  };
  return new ReadableStream<Uint8Array>({
    start: watch,
    async pull(controller) {
      await slicer.maybeYield();
      // Cancelled (client gone, or stalled) while this pull gave way.
      if (finished) return;
      const next = pending.shift() ?? chunks.next();
      if (next instanceof Uint8Array) {
        controller.enqueue(next);
      } else if (next.done) {
        finish();
        return controller.close();
      } else {
        controller.enqueue(next.value);
      }
      watch(controller);
    },
    cancel: finish,
  });
}

/** Builds the request handler (exported for tests that call it without a socket). */
export function handler(
  routes: Routes,
  streamStallMs = STREAM_STALL_MS,
): (req: Request) => Promise<Response> {
  return async (req) => {
    const url = new URL(req.url);
    if (req.method !== "GET" && req.method !== "HEAD") {
      return new Response("method not allowed\n", { status: 405, headers: { allow: "GET, HEAD" } });
    }
    if (url.pathname === routes.telemetryPath) {
      let res: Response;
      try {
        const body = await routes.metrics(req.headers.get("accept"));
        res = respondChunks(req, body, streamStallMs);
      } catch (e) {
        res = new Response(`error gathering metrics: ${(e as Error).message}\n`, {
          status: 500,
          headers: { "vary": VARY },
        });
      }
      routes.onMetricsResponse?.(res.status);
      return res;
    }
    if (url.pathname === "/") {
      const page = routes.status
        ? renderStatusPage(routes.status())
        : landingPage(routes.telemetryPath);
      return respond(req, page, "text/html; charset=utf-8");
    }
    if (url.pathname === STATUS_JSON_PATH && routes.status) {
      return respond(req, JSON.stringify(routes.status(), null, 2) + "\n", "application/json");
    }
    if (url.pathname === "/-/healthy") return plain(200, "Healthy\n");
    if (url.pathname === "/-/ready") {
      const r = routes.ready?.() ?? { ready: true, reason: null };
      return r.ready ? plain(200, "Ready\n") : plain(503, `Not ready: ${r.reason}\n`);
    }
    if (url.pathname === "/maps" && routes.maps) {
      const json = (req.headers.get("accept") ?? "").includes("application/json") ||
        url.searchParams.get("format") === "json";
      const r = await routes.maps(json);
      return respond(req, r.body, r.contentType, r.status);
    }
    return plain(404, "404 page not found\n");
  };
}

function plain(status: number, body: string): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}
