/**
 * Output slabs reused while responses are still being sent, through the real HTTP layer
 * (serve.ts over node:http, server.ts's streaming): two slow clients share one exposition while
 * fast scrapes of changing values run between their reads. The pool here keeps every slab it gets
 * back and its slabs are small, so a slab given back too early (before node:http wrote its
 * chunk) is reused at once and the slow bodies would differ from a one-shot encode.
 */

import assert from "node:assert/strict";
import type { MetricFamily } from "../../src/encode/model.ts";
import { SharedChunks } from "../../src/encode/shared_chunks.ts";
import { SlabPool } from "../../src/encode/slab_pool.ts";
import { TextWriter } from "../../src/encode/text.ts";
import { handler } from "../../src/server.ts";
import { startServer } from "../../src/web/serve.ts";
import { SlowClient } from "./slow_client.ts";

const SERIES = 20_000;
const SLAB_BYTES = 16 * 1024;
const CHUNK_BYTES = 4 * 1024;
const STEP_BYTES = 8 * 1024;

/** One counter family whose values depend on `gen`, in lines of varying length. */
function families(gen: number): MetricFamily[] {
  const samples = Array.from({ length: SERIES }, (_, i) => ({
    labels: [String(i)],
    value: gen * 1_000_003 + i * (gen + 1),
  }));
  return [{
    name: "reuse_total",
    help: "Values by generation",
    type: "counter",
    labelNames: ["id"],
    samples,
  }];
}

Deno.test("slabs given back by node:http never change a body still being sent", async () => {
  const pool = new SlabPool(SLAB_BYTES, 1_000_000);
  const writer = new TextWriter({ pool });
  let gen = 0;
  // The two slow clients' requests read one shared exposition of generation 0; every later
  // request gets an exposition of its own, of the generation current then.
  const first = new SharedChunks(pool);
  first.setSource(writer.chunks(families(0), CHUNK_BYTES));
  const slowReaders = [first.reader(), first.reader()];
  const routes = handler({
    telemetryPath: "/metrics",
    metrics: () => {
      const reader = slowReaders.shift();
      if (reader !== undefined) {
        return Promise.resolve({ chunks: reader, contentType: "text/plain" });
      }
      const shared = new SharedChunks(pool);
      shared.setSource(writer.chunks(families(gen), CHUNK_BYTES));
      return Promise.resolve({ chunks: shared.reader(), contentType: "text/plain" });
    },
  });
  const limits = { headerTimeoutMs: 10000, idleTimeoutMs: 10000, maxConnections: 0 };
  const server = await startServer(routes, {
    bind: { hostname: "127.0.0.1", port: 0 },
    limits,
    web: null,
    onSent: (chunk) => pool.release(chunk),
  });
  const clients: SlowClient[] = [];
  try {
    const port = server.addr.port;
    const expect = (g: number) => new TextWriter({ keeps: false }).text(families(g));
    clients.push(await SlowClient.open(port, "/metrics"), await SlowClient.open(port, "/metrics"));
    let rounds = 0;
    while (clients.some((c) => !c.ended)) {
      await Promise.all(clients.map((c) => c.readUntil(c.received + STEP_BYTES)));
      gen++;
      const res = await fetch(`http://127.0.0.1:${port}/metrics`, {
        headers: { "accept-encoding": "identity" },
      });
      assert.equal(await res.text(), expect(gen), `fast scrape of generation ${gen}`);
      rounds++;
    }
    const want = expect(0);
    for (const [i, c] of clients.entries()) {
      const body = c.body();
      assert.equal(body.length, want.length, `slow client ${i}: body length`);
      assert.ok(body === want, `slow client ${i}: the body changed while it was sent`);
    }
    // The test means something only if slabs were in fact reused, many times, meanwhile.
    assert.ok(rounds >= 10, `${rounds} rounds`);
    assert.ok(pool.stats.reused >= rounds, `${pool.stats.reused} reuses in ${rounds} rounds`);
  } finally {
    for (const c of clients) c.close();
    await server.close(100);
  }
});
