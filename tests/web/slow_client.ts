/**
 * A raw HTTP/1.1 client for tests of responses still being sent: it reads only when told to,
 * a little at a time, so the server's socket fills and its writes wait on the client.
 */

import assert from "node:assert/strict";

// Each read takes at most this much, then the client pauses before the next.
const READ_BYTES = 16 * 1024;
const PAUSE_MS = 2;

/** A raw HTTP/1.1 client that reads its response only when told to. */
export class SlowClient {
  readonly #conn: Deno.Conn;
  readonly #parts: Uint8Array[] = [];
  received = 0;
  ended = false;

  private constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** Connects and sends `GET path`, asking for an uncompressed body. */
  static async open(port: number, path: string): Promise<SlowClient> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const req = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: identity\r\n` +
      "Connection: close\r\n\r\n";
    await conn.write(new TextEncoder().encode(req));
    return new SlowClient(conn);
  }

  /** Reads until `total` bytes of the response arrived (or it ended), pausing between reads. */
  async readUntil(total: number): Promise<void> {
    const buf = new Uint8Array(READ_BYTES);
    while (!this.ended && this.received < total) {
      const n = await this.#conn.read(buf);
      if (n === null) {
        this.ended = true;
        break;
      }
      this.#parts.push(buf.slice(0, n));
      this.received += n;
      await new Promise((r) => setTimeout(r, PAUSE_MS));
    }
  }

  /** The whole response's body (chunked transfer decoded); call once it ended. */
  body(): string {
    const raw = new Uint8Array(this.received);
    let at = 0;
    for (const p of this.#parts) {
      raw.set(p, at);
      at += p.length;
    }
    return new TextDecoder().decode(dechunk(raw));
  }

  /** Closes the connection (idempotent). */
  close(): void {
    try {
      this.#conn.close();
    } catch { /* already closed */ }
  }
}

/** The body of a raw HTTP/1.1 response, with `Transfer-Encoding: chunked` decoded. */
export function dechunk(raw: Uint8Array): Uint8Array {
  const text = (from: number, to: number) => new TextDecoder().decode(raw.subarray(from, to));
  const crlf = (from: number) => {
    for (let i = from; i + 1 < raw.length; i++) if (raw[i] === 13 && raw[i + 1] === 10) return i;
    throw new Error("Cannot parse the response: a line has no CRLF");
  };
  let headEnd = crlf(0);
  while (raw[headEnd + 2] !== 13 || raw[headEnd + 3] !== 10) headEnd = crlf(headEnd + 2);
  const head = text(0, headEnd).toLowerCase();
  assert.match(head, /^http\/1\.1 200 /);
  let at = headEnd + 4;
  if (!/\r\ntransfer-encoding: chunked/.test(head)) return raw.subarray(at);
  const out: Uint8Array[] = [];
  for (;;) {
    const end = crlf(at);
    const size = parseInt(text(at, end), 16);
    if (!(size >= 0)) throw new Error(`Cannot parse a chunk size: "${text(at, end)}"`);
    if (size === 0) break;
    out.push(raw.subarray(end + 2, end + 2 + size));
    at = end + 2 + size + 2;
  }
  const body = new Uint8Array(out.reduce((n, c) => n + c.length, 0));
  let n = 0;
  for (const c of out) {
    body.set(c, n);
    n += c.length;
  }
  return body;
}
