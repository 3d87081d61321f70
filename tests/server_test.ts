import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { handler, type Routes } from "../src/server.ts";
import { SharedChunks } from "../src/encode/shared_chunks.ts";
import { waitUntil } from "./kernel/wait.ts";
import { encodeText, encodeTextChunks } from "../src/encode/text.ts";
import type { ScalarFamily } from "../src/encode/model.ts";

const CT = "text/plain; version=0.0.4; charset=utf-8";
const body = "# HELP x y\n# TYPE x counter\n" + "x 1\n".repeat(1000);
const h = handler({
  telemetryPath: "/metrics",
  metrics: () =>
    Promise.resolve({
      chunks: [new TextEncoder().encode(body)][Symbol.iterator](),
      contentType: CT,
    }),
});

function bigFamily(n: number): ScalarFamily {
  const samples = [];
  for (let i = 0; i < n; i++) samples.push({ labels: [`k${i}`, `v"${i % 7}\n`], value: i * 1.5 });
  return { name: "big_total", help: "A big one", type: "counter", labelNames: ["a", "b"], samples };
}

Deno.test("metrics path serves the exposition with its content type", async () => {
  const res = await h(new Request("http://x/metrics"));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), CT);
  assert.equal(await res.text(), body);
});

Deno.test("metrics are gzipped when the client accepts gzip", async () => {
  const res = await h(new Request("http://x/metrics", { headers: { "accept-encoding": "gzip" } }));
  assert.equal(res.headers.get("content-encoding"), "gzip");
  const raw = new Uint8Array(await res.arrayBuffer());
  assert.equal(new TextDecoder().decode(gunzipSync(raw)), body);
});

Deno.test("a streamed response equals the buffered encoder output byte for byte", async () => {
  const families = [bigFamily(20000)];
  const want = encodeText(families);
  const streamed = handler({
    telemetryPath: "/metrics",
    metrics: () => Promise.resolve({ chunks: encodeTextChunks(families, 4096), contentType: CT }),
  });
  const plain = await streamed(new Request("http://x/metrics"));
  assert.equal(plain.headers.get("content-length"), null, "streamed, not buffered");
  assert.equal(await plain.text(), want);
  const gz = await streamed(
    new Request("http://x/metrics", { headers: { "accept-encoding": "gzip" } }),
  );
  assert.equal(gz.headers.get("content-encoding"), "gzip");
  const raw = new Uint8Array(await gz.arrayBuffer());
  assert.equal(new TextDecoder().decode(gunzipSync(raw)), want);
});

Deno.test("landing page links to the metrics path", async () => {
  const res = await h(new Request("http://x/"));
  assert.equal(res.status, 200);
  assert.match(await res.text(), /<a href="\/metrics">/);
});

Deno.test("unknown paths answer 404", async () => {
  const res = await h(new Request("http://x/nope"));
  await res.body?.cancel();
  assert.equal(res.status, 404);
});

Deno.test("a failing collector gives 500 with the error text", async () => {
  const bad = handler({
    telemetryPath: "/metrics",
    metrics: () => Promise.reject(new Error("boom")),
  });
  const res = await bad(new Request("http://x/metrics"));
  assert.equal(res.status, 500);
  assert.match(await res.text(), /boom/);
});

// Routes whose scrapes are readers of `shared`, all registered before its source is set, as
// Exporter.scrapeText registers them.
function sharedRoutes(readers: Iterator<Uint8Array<ArrayBuffer>>[]): Routes {
  return {
    telemetryPath: "/metrics",
    metrics: () => Promise.resolve({ chunks: readers.shift()!, contentType: CT }),
  };
}

Deno.test("coalesced responses share one encode and are gzipped per client", async () => {
  const families = [bigFamily(20000)];
  const want = encodeText(families);
  const shared = new SharedChunks();
  const h = handler(sharedRoutes([shared.reader(), shared.reader()]));
  shared.setSource(encodeTextChunks(families, 4096));
  const [plain, gz] = await Promise.all([
    h(new Request("http://x/metrics")),
    h(new Request("http://x/metrics", { headers: { "accept-encoding": "gzip" } })),
  ]);
  const [text, raw] = await Promise.all([plain.text(), gz.arrayBuffer()]);
  assert.equal(text, want);
  assert.equal(gz.headers.get("content-encoding"), "gzip");
  assert.equal(new TextDecoder().decode(gunzipSync(new Uint8Array(raw))), want);
  assert.deepEqual([shared.readers, shared.keptChunks], [0, 0]);
});

Deno.test("a response its client stops reading is aborted and releases its chunks", async () => {
  const shared = new SharedChunks();
  const fastReader = shared.reader();
  const routes = sharedRoutes([shared.reader()]);
  shared.setSource(encodeTextChunks([bigFamily(20000)], 4096));
  // The stalled client: its response is never read.
  const stalled = await handler(routes, 20)(new Request("http://x/metrics"));
  const read = [...fastReader].length;
  assert.ok(read > 2);
  await waitUntil("the stalled response to give up its share", () => shared.readers === 0, {
    timeoutMs: 5000,
  });
  assert.equal(shared.keptChunks, 0);
  await assert.rejects(stalled.text(), /not read for 20ms/);
});

function gzipRequest(acceptEncoding: string | null): Request {
  const headers = acceptEncoding === null ? {} : { "accept-encoding": acceptEncoding };
  return new Request("http://x/metrics", { headers });
}

async function bodyText(res: Response): Promise<string> {
  const raw = new Uint8Array(await res.arrayBuffer());
  const gz = res.headers.get("content-encoding") === "gzip";
  return new TextDecoder().decode(gz ? gunzipSync(raw) : raw);
}

// [Accept-Encoding, gzipped?] — Prometheus sends "gzip", or "identity" with compression off.
const GZIP_CASES: Array<[string | null, boolean]> = [
  ["gzip", true],
  ["gzip, deflate, br", true],
  ["br;q=1.0, gzip;q=0.8", true],
  ["*", true],
  ["x-gzip", true],
  [null, false],
  ["", false],
  ["identity", false],
  ["gzip;q=0", false],
  ["gzip;q=0.000, identity", false],
  ["*;q=0.5, gzip;q=0", false],
  ["*;q=0", false],
  ["deflate, br", false],
  ["gzipx", false],
];

Deno.test("gzip only when Accept-Encoding allows it; bodies equal once decompressed", async () => {
  for (const [header, gzipped] of GZIP_CASES) {
    const res = await h(gzipRequest(header));
    assert.equal(res.headers.get("content-encoding"), gzipped ? "gzip" : null, String(header));
    assert.equal(res.headers.get("vary"), "Accept-Encoding, Accept", String(header));
    assert.equal(await bodyText(res), body, String(header));
  }
});

Deno.test("streamed responses follow the same gzip rules", async () => {
  const families = [bigFamily(20000)];
  const want = encodeText(families);
  const streamed = handler({
    telemetryPath: "/metrics",
    metrics: () => Promise.resolve({ chunks: encodeTextChunks(families, 4096), contentType: CT }),
  });
  for (const [header, gzipped] of GZIP_CASES) {
    const res = await streamed(gzipRequest(header));
    assert.equal(res.headers.get("content-length"), null, "streamed");
    assert.equal(res.headers.get("content-encoding"), gzipped ? "gzip" : null, String(header));
    assert.equal(res.headers.get("vary"), "Accept-Encoding, Accept");
    assert.equal(await bodyText(res), want, String(header));
  }
});

Deno.test("the routes get the Accept header and are told every metrics status", async () => {
  const seen: Array<string | null> = [];
  const statuses: number[] = [];
  let fail = false;
  const routes = handler({
    telemetryPath: "/metrics",
    metrics: (accept) => {
      seen.push(accept);
      if (fail) return Promise.reject(new Error("boom"));
      return Promise.resolve({ chunks: [new Uint8Array(3)][Symbol.iterator](), contentType: CT });
    },
    onMetricsResponse: (s) => statuses.push(s),
  });
  await (await routes(new Request("http://x/metrics", { headers: { accept: "a/b" } }))).text();
  await (await routes(new Request("http://x/metrics"))).text();
  fail = true;
  const bad = await routes(new Request("http://x/metrics"));
  await bad.text();
  assert.equal(bad.headers.get("vary"), "Accept-Encoding, Accept");
  await (await routes(new Request("http://x/"))).text();
  assert.deepEqual(seen, ["a/b", null, null]);
  assert.deepEqual(statuses, [200, 200, 500]);
});
