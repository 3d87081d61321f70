/**
 * Fifty clients scrape a 1,000,000-entry map at once: every one gets the whole exposition, and
 * since they share one collection the exporter's peak memory stays below twice that of a lone
 * scrape. The map is the bench's counter map, filled from user space and pinned by name so the
 * exporter's load of the same program-less object reuses it; like the bench, the test re-runs
 * itself in a private mount namespace with its own bpffs, so its pins never touch the host's
 * /sys/fs/bpf and vanish with it even when it fails. Figures are noted, not asserted.
 * EBPF_EXPORTER_CONCURRENT_KEYS sets another size (e.g. 10000 for a quick run).
 */

import assert from "node:assert/strict";
import { buildArtifacts } from "../../bench/build.ts";
import { BenchMaps } from "../../bench/maps.ts";
import { cpuMs, memory } from "../../bench/proc.ts";
import {
  kernelTest,
  note,
  type Running,
  TIMEOUT_SCALE,
  waitUntil,
  withExporter,
} from "./harness.ts";
import { inPrivateBpffs, rerunInPrivateBpffs } from "./private_bpffs.ts";

const KEYS = Number(Deno.env.get("EBPF_EXPORTER_CONCURRENT_KEYS") ?? "1000000");
const CLIENTS = 50;
const SERIES_PREFIX = "ebpf_exporter_bench_ops_total{";
const NL = 0x0a;
const TAIL_BYTES = 4096;

/** What a client saw of one response, without keeping the body. */
interface Body {
  bytes: number;
  lines: number;
  lastLine: string;
  /** The last few KiB: the self-metrics that tell one collection from another. */
  tail: string;
}

/** Streams one scrape, counting bytes and lines and keeping only the last line. */
async function scrapeCounting(url: string): Promise<Body> {
  const res = await fetch(`${url}/metrics`, { headers: { "accept-encoding": "identity" } });
  assert.equal(res.status, 200);
  let bytes = 0;
  let lines = 0;
  let tail = new Uint8Array(0);
  for await (const chunk of res.body!) {
    bytes += chunk.length;
    for (let i = chunk.indexOf(NL); i !== -1; i = chunk.indexOf(NL, i + 1)) lines++;
    // The last few KiB hold the last line (lines are far shorter).
    const keep = new Uint8Array(tail.length + chunk.length);
    keep.set(tail);
    keep.set(chunk, tail.length);
    tail = keep.slice(Math.max(0, keep.length - TAIL_BYTES));
  }
  const text = new TextDecoder().decode(tail).trimEnd();
  return { bytes, lines, lastLine: text.slice(text.lastIndexOf("\n") + 1), tail: text };
}

/** Rejects when `p` has not settled within `ms` (a hang bound, not a timing assertion). */
function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish in ${ms} ms`)), ms);
  });
  return Promise.race([p, hang]).finally(() => clearTimeout(timer));
}

/**
 * Sends SIGTERM while a scrape is being collected (the exporter has burnt some CPU on it) and
 * expects a clean exit; the SIGKILL fallback after 10 s would make the exit code non-zero.
 */
async function stopMidScrape(ex: Running): Promise<void> {
  const cpu0 = cpuMs(ex.pid);
  const pending = fetch(`${ex.url}/metrics`).then((r) => r.arrayBuffer()).catch(() => null);
  await waitUntil("the exporter to work on a scrape", () => cpuMs(ex.pid) - cpu0 >= 20, {
    timeoutMs: 60000,
    intervalMs: 10,
  });
  const t0 = performance.now();
  assert.equal(await ex.stop("SIGTERM"), 0, "SIGTERM during a scrape exits 0");
  note(`SIGTERM during a scrape: exited in ${Math.round(performance.now() - t0)} ms`);
  await pending;
}

kernelTest(
  `${CLIENTS} concurrent scrapes of a ${KEYS}-entry map share one collection`,
  async () => {
    if (!inPrivateBpffs()) return await rerunInPrivateBpffs(import.meta.url);
    const artifacts = await buildArtifacts();
    const maps = BenchMaps.create(artifacts.benchObject);
    try {
      maps.fillOps(KEYS);
      const args = [
        `--config.dir=${artifacts.configDir}`,
        "--config.names=bench",
        // The budget is not under test here; a loaded 2-core VM must not drop the config.
        "--metrics.config-timeout=0",
      ];
      await withExporter(args, { timeoutMs: 60000 }, async (ex) => {
        const t0 = performance.now();
        const single = await bounded(
          fetch(`${ex.url}/metrics`).then((r) => r.text()),
          300_000,
          "a scrape",
        );
        const singleMs = performance.now() - t0;
        const series = single.split("\n").filter((l) => l.startsWith(SERIES_PREFIX)).length;
        // Entry i is key {id: i >> 3, op: i & 7}, each a series of its own.
        assert.equal(series, KEYS);
        const want = await scrapeCounting(ex.url);
        // Each scrape is fresh and reports on itself (scrape duration, process_*, request
        // counts), so two scrapes agree in lines, not bytes.
        assert.equal(want.lines, single.split("\n").length - 1);
        const alone = memory(ex.pid);

        const t1 = performance.now();
        const clients = Array.from({ length: CLIENTS }, () => scrapeCounting(ex.url));
        const bodies = await bounded(Promise.all(clients), 600_000 * TIMEOUT_SCALE, "50 scrapes");
        const concurrentMs = performance.now() - t1;
        const together = memory(ex.pid);

        // Every response is whole (the lone scrape's lines). Responses of one collection are
        // byte-equal; a client accepted after the first collection was read joins the next one,
        // whose self-metrics (CPU, request counts, durations) differ. So the distinct bodies
        // count the collections the 50 scrapes cost: a few, not 50.
        const collections = new Map<string, number>();
        for (const [i, b] of bodies.entries()) {
          assert.equal(b.lines, want.lines, `client ${i}`);
          assert.equal(b.lastLine, want.lastLine, `client ${i}`);
          const key = `${b.bytes}\n${b.tail}`;
          collections.set(key, (collections.get(key) ?? 0) + 1);
        }
        note(`${CLIENTS} clients were answered from ${collections.size} collection(s)`);
        assert.ok(collections.size <= 3, `${collections.size} collections for ${CLIENTS} clients`);
        note(
          `${KEYS} keys, ${want.bytes} bytes: one scrape ${Math.round(singleMs)} ms, ` +
            `${CLIENTS} concurrent ${Math.round(concurrentMs)} ms; peak RSS alone ` +
            `${alone.hwmMiB.toFixed(0)} MiB, after ${CLIENTS} concurrent ` +
            `${together.hwmMiB.toFixed(0)} MiB (RSS now ${together.rssMiB.toFixed(0)} MiB)`,
        );
        assert.ok(
          together.hwmMiB < 2 * alone.hwmMiB,
          `peak RSS ${together.hwmMiB} MiB with ${CLIENTS} clients, ${alone.hwmMiB} MiB alone`,
        );
        await stopMidScrape(ex);
      });
    } finally {
      maps.close();
    }
  },
);
