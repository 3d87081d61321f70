/**
 * The syscalls example's latency histogram from a known workload: 10 ms sleeps land in the right
 * buckets with the right sum, and a real Prometheus computes a quantile from the buckets. Sleeps
 * last at least as long as asked but may overrun on a loaded machine, so only the lower bounds
 * are exact; the upper bounds are loose enough to catch unit errors, not timing.
 */

import assert from "node:assert/strict";
import {
  kernelTest,
  parseExposition,
  ROOT,
  scrape,
  sh,
  waitUntil,
  withExporter,
} from "../harness.ts";

const SLEEPS = 40;
// Raw select(2) with no fds and a 10 ms timeout (x86_64 nr 23). Nothing else on the machine is
// likely to make this legacy syscall while the test runs (Go programs such as Prometheus make
// plenty of raw nanosleep calls, so that one is not quiet enough).
const SLEEPER = `
import ctypes, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
for _ in range(int(sys.argv[1])):
    tv = ctypes.create_string_buffer(struct.pack("qq", 0, 10_000))
    libc.syscall(23, 0, None, None, None, tv)
`;
const SERIES = 'syscall="select"';
/** The sleeper calls select(2) by its x86_64 number; elsewhere the tests do not apply. */
const NOT_X86_64 = Deno.build.arch === "x86_64"
  ? null
  : `the sleeper makes raw syscall 23, which is select(2) on x86_64 only (not ${Deno.build.arch})`;

function histogram(m: Map<string, number>, name: string, series: string) {
  const buckets: Array<[number, number]> = [];
  for (const [k, v] of m) {
    const b = new RegExp(`^${name}_bucket\\{${series},le="([^"]+)"\\}$`).exec(k);
    if (b) buckets.push([b[1] === "+Inf" ? Infinity : Number(b[1]), v]);
  }
  buckets.sort((a, b) => a[0] - b[0]);
  return {
    buckets,
    count: m.get(`${name}_count{${series}}`) ?? 0,
    sum: m.get(`${name}_sum{${series}}`) ?? 0,
  };
}

kernelTest("10 ms sleeps land above 2^-7 s and add at least 10 ms each to the sum", async () => {
  const args = ["--config.dir", `${ROOT}/examples`, "--config.names", "syscalls"];
  await withExporter(args, {}, async (ex) => {
    const name = "ebpf_exporter_syscall_latency_seconds";
    const a = histogram(parseExposition(await scrape(`${ex.url}/metrics`)), name, SERIES);
    await sh("python3", ["-c", SLEEPER, String(SLEEPS)]);
    const text = await scrape(`${ex.url}/metrics`);
    const b = histogram(parseExposition(text), name, SERIES);
    assert.ok(b.buckets.length > 0, `no ${SERIES} histogram:\n${text.slice(0, 2000)}`);

    // Buckets are cumulative, rise with le and end at _count.
    for (let i = 1; i < b.buckets.length; i++) {
      assert.ok(b.buckets[i]![0] > b.buckets[i - 1]![0]);
      assert.ok(b.buckets[i]![1] >= b.buckets[i - 1]![1]);
    }
    assert.equal(b.buckets.at(-1)![0], Infinity);
    assert.equal(b.buckets.at(-1)![1], b.count);

    // exp2 in units of 2^-20 s: a sleep of 10 ms or more lies above the 2^-7 s (7.8125 ms)
    // bound. Before the first select the series does not exist yet.
    const above = (h: typeof a) =>
      h.buckets.length === 0 ? 0 : h.count - (h.buckets.find(([le]) => le === 2 ** -7)?.[1] ?? NaN);
    assert.ok(above(b) - above(a) >= SLEEPS, `above 2^-7 s grew ${above(b) - above(a)}`);
    assert.ok(b.count - a.count >= SLEEPS, `count grew ${b.count - a.count}`);
    const sum = b.sum - a.sum;
    // Each observation is truncated to whole units of 2^-20 s, hence that allowance.
    assert.ok(sum >= SLEEPS * (0.010 - 2 ** -20), `sum grew ${sum}`);
    assert.ok(sum < SLEEPS * 1, `sum grew ${sum}: more than a second per 10 ms sleep`);
  });
}, { ignore: NOT_X86_64 });

kernelTest("a real Prometheus computes a quantile from the latency buckets", async () => {
  const args = ["--config.dir", `${ROOT}/examples`, "--config.names", "syscalls"];
  await withExporter(args, {}, async (ex) => {
    const dir = await Deno.makeTempDir({ prefix: "ebpf-exporter-prom-" });
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const promPort = (listener.addr as Deno.NetAddr).port;
    listener.close();
    await Deno.writeTextFile(
      `${dir}/prometheus.yml`,
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: ebpf\n    static_configs:\n      - targets: ["127.0.0.1:${ex.port}"]\n`,
    );
    const prom = new Deno.Command("prometheus", {
      args: [
        `--config.file=${dir}/prometheus.yml`,
        `--storage.tsdb.path=${dir}/data`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    // 10 ms sleeps until Prometheus answers: rate() needs two scrapes that both saw them grow,
    // and a slow machine can take many seconds to start Prometheus.
    const sleeper = new Deno.Command("python3", {
      args: ["-c", SLEEPER, "6000"],
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      const query = encodeURIComponent(
        `histogram_quantile(0.5, rate(ebpf_exporter_syscall_latency_seconds_bucket{${SERIES}}[1m]))`,
      );
      let value = NaN;
      await waitUntil("Prometheus to return a finite median", async () => {
        try {
          const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${query}`);
          const body = await res.json() as {
            data?: { result?: Array<{ value: [number, string] }> };
          };
          value = Number(body.data?.result?.[0]?.value[1]);
        } catch {
          // Prometheus is still starting.
        }
        return Number.isFinite(value);
      }, { timeoutMs: 60000, intervalMs: 1000 });
      // Every observation is a sleep of at least 10 ms: the median cannot be below 2^-7 s.
      assert.ok(value > 2 ** -7 && value < 1, `median ${value} of 10 ms sleeps`);
    } finally {
      sleeper.kill("SIGKILL");
      await sleeper.status;
      prom.kill("SIGTERM");
      await prom.status;
      await Deno.remove(dir, { recursive: true });
    }
  });
}, { ignore: NOT_X86_64 });
