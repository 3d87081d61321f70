import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { handler } from "../src/server.ts";
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
