import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { handler } from "../src/server.ts";

const body = "# HELP x y\n# TYPE x counter\n" + "x 1\n".repeat(1000);
const h = handler({
  telemetryPath: "/metrics",
  metrics: () => ({ body, contentType: "text/plain; version=0.0.4; charset=utf-8" }),
});

Deno.test("metrics path serves the exposition with its content type", async () => {
  const res = h(new Request("http://x/metrics"));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  assert.equal(await res.text(), body);
});

Deno.test("metrics are gzipped when the client accepts gzip", async () => {
  const res = h(new Request("http://x/metrics", { headers: { "accept-encoding": "gzip" } }));
  assert.equal(res.headers.get("content-encoding"), "gzip");
  const raw = new Uint8Array(await res.arrayBuffer());
  assert.equal(new TextDecoder().decode(gunzipSync(raw)), body);
});

Deno.test("landing page links to the metrics path", async () => {
  const res = h(new Request("http://x/"));
  assert.equal(res.status, 200);
  assert.match(await res.text(), /<a href="\/metrics">/);
});

Deno.test("unknown paths answer 404", () => {
  assert.equal(h(new Request("http://x/nope")).status, 404);
});

Deno.test("a failing collector gives 500 with the error text", async () => {
  const bad = handler({
    telemetryPath: "/metrics",
    metrics: () => {
      throw new Error("boom");
    },
  });
  const res = bad(new Request("http://x/metrics"));
  assert.equal(res.status, 500);
  assert.match(await res.text(), /boom/);
});
