/**
 * The exporter reuses its output slabs once node:http has written them (src/encode/slab_pool.ts).
 * Two slow clients read one scrape of a 100,000-entry map a little at a time; between their
 * reads, again and again, the map's values change and a fast scrape runs, which writes the new
 * values into whatever slabs the pool hands out. If a slab still being sent to a slow client were handed out, that client's body
 * would carry bytes of the new scrape: each body's family block must equal, byte for byte, what
 * the independent C floor printed from the map before the change. The map is the bench's counter
 * map, pinned in a private bpffs like concurrent_scrape_test.ts's.
 */

import assert from "node:assert/strict";
import { buildArtifacts } from "../../bench/build.ts";
import { familyBlock, type FloorTarget, floorText } from "../../bench/floor.ts";
import { BenchMaps } from "../../bench/maps.ts";
import { SlowClient } from "../web/slow_client.ts";
import { kernelTest, note, TIMEOUT_SCALE, withExporter } from "./harness.ts";
import { inPrivateBpffs, rerunInPrivateBpffs } from "./private_bpffs.ts";

const KEYS = 100_000;
const METRIC = "ebpf_exporter_bench_ops_total";
// What the slow clients read between two rounds of the ~5.5 MB body.
const STEP_BYTES = 256 * 1024;
const IDENTITY = { headers: { "accept-encoding": "identity" } };

/** Rejects when `p` has not settled within `ms` (a hang bound, not a timing assertion). */
function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish in ${ms} ms`)), ms);
  });
  return Promise.race([p, hang]).finally(() => clearTimeout(timer));
}

/** Sets every counter to values of generation `gen`, of other lengths than the fill's. */
function changeValues(maps: BenchMaps, gen: number): void {
  const keys = new Uint32Array(KEYS * 2);
  const values = new BigUint64Array(KEYS);
  for (let i = 0; i < KEYS; i++) {
    keys[2 * i] = i >>> 3;
    keys[2 * i + 1] = i & 7;
    values[i] = BigInt(gen * 40_000_000 + i * 17);
  }
  maps.ops.updateBatch(new Uint8Array(keys.buffer), new Uint8Array(values.buffer), KEYS);
}

kernelTest("reused output slabs never change a response that is still being sent", async () => {
  if (!inPrivateBpffs()) return await rerunInPrivateBpffs(import.meta.url);
  const artifacts = await buildArtifacts();
  const maps = BenchMaps.create(artifacts.benchObject);
  const clients: SlowClient[] = [];
  try {
    maps.fillOps(KEYS);
    const target: FloorTarget = {
      kind: "counter",
      pinPath: maps.pinPath(maps.ops),
      metric: METRIC,
      help: "Benchmark operations by id and kind",
    };
    const before = await floorText(artifacts.floor, target);
    const args = [
      `--config.dir=${artifacts.configDir}`,
      "--config.names=bench",
      "--metrics.config-timeout=0",
    ];
    await withExporter(args, { timeoutMs: 60000 }, async (ex) => {
      const port = Number(new URL(ex.url).port);
      // Two fast scrapes first: their slabs fill the pool the later scrapes draw from.
      for (let i = 0; i < 2; i++) {
        const text = await (await fetch(`${ex.url}/metrics`, IDENTITY)).text();
        assert.equal(familyBlock(text, METRIC), before, `warm-up scrape ${i}`);
      }
      clients.push(
        await SlowClient.open(port, "/metrics"),
        await SlowClient.open(port, "/metrics"),
      );
      // Rounds: the slow clients read a little more, the values change, a fast scrape runs and
      // gives its slabs back. Each round may find the slow responses stalled at another point
      // (a chunk queued in node:http, the writer between slabs, one client ahead of the other).
      const refs = new Map<number, string>();
      let rounds = 0;
      while (clients.some((c) => !c.ended)) {
        await bounded(
          Promise.all(clients.map((c) => c.readUntil(c.received + STEP_BYTES))),
          60_000 * TIMEOUT_SCALE,
          "a step of the slow clients' responses",
        );
        if (clients.every((c) => c.ended)) break;
        const gen = 1 + rounds % 2;
        changeValues(maps, gen);
        let ref = refs.get(gen);
        if (ref === undefined) refs.set(gen, ref = await floorText(artifacts.floor, target));
        assert.notEqual(ref, before);
        const fast = await (await fetch(`${ex.url}/metrics`, IDENTITY)).text();
        assert.equal(familyBlock(fast, METRIC), ref, `round ${rounds}: the fast scrape's values`);
        rounds++;
      }
      // The body is several MB: many rounds ran while both responses were being sent.
      assert.ok(rounds >= 8, `only ${rounds} rounds ran during the slow responses`);
      for (const [i, c] of clients.entries()) {
        const block = familyBlock(c.body(), METRIC);
        assert.equal(block.length, before.length, `slow client ${i}: family block length`);
        assert.ok(block === before, `slow client ${i}: the body changed while it was sent`);
      }
      note(`two slow clients read ${clients.map((c) => c.received).join(" and ")} bytes`);
    });
  } finally {
    for (const c of clients) c.close();
    maps.close();
  }
});
