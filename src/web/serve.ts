/**
 * The listening side of the HTTP server. Deno.serve has no header-read or idle timeout, no cap on
 * connections, no client certificates and cannot take a passed socket; node:http and node:https
 * in Deno do all of these, so they carry the fetch-style handler of server.ts. Basic auth and the
 * web config's extra headers are applied here, in front of every route.
 */

import http from "node:http";
import https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { BasicAuth } from "./basic_auth.ts";
import type { TlsSettings, WebConfig } from "./config.ts";

/** Limits that keep slow or idle clients from holding connections. */
export interface ServerLimits {
  /** 0: no limit. */
  headerTimeoutMs: number;
  /** 0: close after each response. */
  idleTimeoutMs: number;
  /** 0: no limit. */
  maxConnections: number;
}

/** A bound address, or a passed socket's fd. */
export type Bind = { hostname: string; port: number } | { fd: number };

/** What startServer needs. */
export interface ServerOptions {
  bind: Bind;
  limits: ServerLimits;
  web: WebConfig | null;
  /**
   * Told of each body chunk once node:http has written it to the socket, so its bytes may be
   * reused (the exporter's output slabs). Not told of chunks that were never sent.
   */
  onSent?: (chunk: Uint8Array) => void;
}

/** A listening server. */
export interface RunningServer {
  addr: Deno.NetAddr;
  /** Stops accepting, gives in-flight requests `graceMs`, then drops every connection. */
  close(graceMs: number): Promise<void>;
  /** Connections open now. */
  connections(): Promise<number>;
}

/** The request handler the routes provide. */
export type Handle = (req: Request) => Promise<Response>;

/** Starts listening; rejects with the listen error (address in use, bad fd, no permission). */
export async function startServer(handle: Handle, opts: ServerOptions): Promise<RunningServer> {
  const server = createServer(opts);
  const auth = new BasicAuth(opts.web?.users ?? new Map());
  const keepAlive = opts.limits.idleTimeoutMs > 0;
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    // node:http reads keepAliveTimeout 0 as "never time out"; no idle time means no keep-alive.
    if (!keepAlive) res.setHeader("connection", "close");
    serveOne(handle, auth, opts, req, res).catch(() => res.destroy());
  });
  await bindServer(server, opts.bind);
  return {
    addr: netAddr(server),
    close: (graceMs) => closeServer(server, graceMs),
    connections: () =>
      new Promise((resolve, reject) => server.getConnections((e, n) => e ? reject(e) : resolve(n))),
  };
}

function createServer(opts: ServerOptions): http.Server {
  const { headerTimeoutMs, idleTimeoutMs, maxConnections } = opts.limits;
  const options = {
    headersTimeout: headerTimeoutMs,
    // Our routes take no request body, so a request is read once its headers are.
    requestTimeout: headerTimeoutMs,
    keepAliveTimeout: idleTimeoutMs,
    // Timeouts are enforced by a sweep; a fine one keeps them close to what the flags say.
    connectionsCheckingInterval: Math.max(50, Math.min(1000, headerTimeoutMs / 4 || 1000)),
  };
  const tls = opts.web?.tls ?? null;
  const server = tls === null ? http.createServer(options) : https.createServer({
    ...options,
    ...tlsOptions(tls),
    // Without this a client that never sends its TLS hello holds a connection for 120 s.
    ...(headerTimeoutMs > 0 ? { handshakeTimeout: headerTimeoutMs } : {}),
  });
  if (maxConnections > 0) server.maxConnections = maxConnections;
  if (tls !== null) server.on("secureConnection", (s: TLSSocket) => checkClientCert(tls, s));
  return server;
}

/** node:tls options for the file's TLS settings. */
function tlsOptions(tls: TlsSettings) {
  const verify = tls.clientAuth === "RequireAndVerifyClientCert";
  return {
    cert: tls.cert,
    key: tls.key,
    ...(tls.clientCa !== null ? { ca: tls.clientCa } : {}),
    requestCert: tls.clientAuth !== "NoClientCert",
    // Only the strict mode rejects in the handshake; the softer ones are checked once the
    // connection is up (checkClientCert), since node:tls has no switch for them.
    rejectUnauthorized: verify,
    minVersion: tls.minVersion,
    maxVersion: tls.maxVersion,
  };
}

// RequireAnyClientCert: some certificate, not checked. VerifyClientCertIfGiven: none, or one
// that chains to the client CA. Anything else is dropped before a request is read.
function checkClientCert(tls: TlsSettings, socket: TLSSocket): void {
  const cert = socket.getPeerCertificate();
  const given = cert !== null && cert !== undefined && Object.keys(cert).length > 0;
  if (tls.clientAuth === "RequireAnyClientCert" && !given) socket.destroy();
  if (tls.clientAuth === "VerifyClientCertIfGiven" && given && !socket.authorized) {
    socket.destroy();
  }
}

function bindServer(server: http.Server, bind: Bind): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (e: Error) => reject(e);
    server.once("error", fail);
    const done = () => {
      server.off("error", fail);
      resolve();
    };
    if ("fd" in bind) server.listen({ fd: bind.fd }, done);
    else server.listen({ host: bind.hostname, port: bind.port }, done);
  });
}

function netAddr(server: http.Server): Deno.NetAddr {
  const a = server.address();
  if (a === null || typeof a === "string") throw new Error("server has no TCP address");
  return { transport: "tcp", hostname: a.address, port: a.port };
}

async function closeServer(server: http.Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const grace = new Promise<void>((resolve) => timer = setTimeout(resolve, graceMs));
  await Promise.race([closed, grace]);
  clearTimeout(timer);
  server.closeAllConnections();
}

const UNAUTHORIZED_HEADERS = {
  "content-type": "text/plain; charset=utf-8",
  "www-authenticate": 'Basic realm="ebpf_exporter", charset="UTF-8"',
};

async function serveOne(
  handle: Handle,
  auth: BasicAuth,
  opts: ServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const web = opts.web;
  for (const [name, value] of web?.headers ?? []) res.setHeader(name, value);
  const url = new URL(req.url ?? "/", "http://localhost");
  const open = web?.healthyWithoutAuth === true && url.pathname === "/-/healthy";
  if (auth.enabled && !open && !await auth.check(req.headers.authorization ?? null)) {
    res.writeHead(401, UNAUTHORIZED_HEADERS).end("Unauthorized\n");
    return;
  }
  const response = await handle(toRequest(req, url));
  await writeResponse(req, res, response, opts.onSent ?? null);
}

function toRequest(req: IncomingMessage, url: URL): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  // Routes only answer GET and HEAD, so a request body is never read.
  return new Request(url, { method: req.method ?? "GET", headers });
}

/**
 * Copies a Response to node's response: a body of one chunk gets a content-length, a longer one
 * is streamed with backpressure, and a client that goes away cancels the stream (which releases
 * the scrape it was reading).
 */
async function writeResponse(
  req: IncomingMessage,
  res: ServerResponse,
  response: Response,
  onSent: ((chunk: Uint8Array) => void) | null,
): Promise<void> {
  res.statusCode = response.status;
  response.headers.forEach((value, name) => res.setHeader(name, value));
  const body = response.body;
  if (body === null || req.method === "HEAD") {
    await body?.cancel();
    res.end();
    return;
  }
  const reader = body.getReader();
  const gone = () => void reader.cancel().catch(() => {});
  res.once("close", gone);
  // A body that fails (a client that stopped reading for STREAM_STALL_MS) drops the connection,
  // even while a write waits for the client to drain it.
  reader.closed.catch(() => res.destroy());
  try {
    const first = await reader.read();
    if (first.done) return void res.end();
    const second = await reader.read();
    if (second.done) {
      res.setHeader("content-length", first.value.byteLength);
      return void res.end(first.value, sentCallback(first.value, onSent));
    }
    await write(res, first.value, onSent);
    let next: ReadableStreamReadResult<Uint8Array> = second;
    while (!next.done) {
      await write(res, next.value, onSent);
      next = await reader.read();
    }
    res.end();
  } finally {
    res.off("close", gone);
  }
}

// node:http calls a write's callback once the chunk is written to the socket (with an error
// when it never will be): only then may its bytes change.
function sentCallback(
  chunk: Uint8Array,
  onSent: ((chunk: Uint8Array) => void) | null,
): ((e?: Error | null) => void) | undefined {
  if (onSent === null) return undefined;
  return (e) => {
    if (e === null || e === undefined) onSent(chunk);
  };
}

function write(
  res: ServerResponse,
  chunk: Uint8Array,
  onSent: ((chunk: Uint8Array) => void) | null,
): Promise<void> {
  if (res.destroyed) return Promise.reject(new Error("client went away"));
  if (res.write(chunk, sentCallback(chunk, onSent))) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const socket: Socket | null = res.socket;
    const onClose = () => reject(new Error("client went away"));
    res.once("close", onClose);
    res.once("drain", () => {
      res.off("close", onClose);
      resolve();
    });
    if (socket === null) onClose();
  });
}
