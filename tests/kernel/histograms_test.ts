/**
 * Histograms from real kernel events: a known sleep workload lands in the right bucket with the
 * right sum, block IO is counted, and a real Prometheus computes a quantile from our buckets.
 */

import assert from "node:assert/strict";
import { kernelTest, parseExposition, ROOT, scrape, sh, startExporter } from "./harness.ts";

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

kernelTest("10 ms sleeps land in the 10 ms bucket with a matching sum", async () => {
  if (Deno.build.arch !== "x86_64") return; // syscall number 23 is x86_64's select
  const ex = await startExporter([
    "--config.dir",
    `${ROOT}/examples`,
    "--config.names",
    "syscalls",
  ]);
  try {
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
    assert.equal(b.buckets.at(-1)![1], b.count);

    // exp2 in microseconds: 10 ms falls in (8.192 ms, 16.384 ms].
    const inBucket = (h: typeof a) =>
      (h.buckets.find(([le]) => le === 0.016384)?.[1] ?? 0) -
      (h.buckets.find(([le]) => le === 0.008192)?.[1] ?? 0);
    assert.ok(inBucket(b) - inBucket(a) >= SLEEPS, `bucket grew ${inBucket(b) - inBucket(a)}`);
    assert.ok(b.count - a.count >= SLEEPS, `count grew ${b.count - a.count}`);
    const sum = b.sum - a.sum;
    assert.ok(sum >= SLEEPS * 0.010 * 0.5 && sum <= SLEEPS * 0.010 * 1.5, `sum grew ${sum}`);
  } finally {
    assert.equal(await ex.stop(), 0, ex.stderr());
  }
});

kernelTest("block IO written and fsynced is counted by biolatency", async () => {
  const ex = await startExporter([
    "--config.dir",
    `${ROOT}/examples`,
    "--config.names",
    "biolatency",
  ]);
  const file = await Deno.makeTempFile({ dir: "/var/tmp", prefix: "ebpf-exporter-bio-" });
  try {
    const count = (m: Map<string, number>) =>
      [...m].filter(([k]) =>
        /^ebpf_exporter_bio_latency_seconds_count\{.*operation="(write|flush)"/.test(k)
      )
        .reduce((s, [, v]) => s + v, 0);
    const a = count(parseExposition(await scrape(`${ex.url}/metrics`)));
    const f = await Deno.open(file, { write: true });
    await f.write(new Uint8Array(1 << 20).fill(7));
    await f.syncData();
    f.close();
    const text = await scrape(`${ex.url}/metrics`);
    const b = count(parseExposition(text));
    assert.ok(b > a, `write/flush completions grew from ${a} to ${b}`);
    assert.match(
      text,
      /ebpf_exporter_bio_latency_seconds_bucket\{device="[a-z0-9]+",operation="write",le="1e-06"\}/,
    );
  } finally {
    await Deno.remove(file);
    assert.equal(await ex.stop(), 0, ex.stderr());
  }
});

kernelTest("a real Prometheus computes a quantile from the latency buckets", async () => {
  if (Deno.build.arch !== "x86_64") return;
  const ex = await startExporter([
    "--config.dir",
    `${ROOT}/examples`,
    "--config.names",
    "syscalls",
  ]);
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
    const deadline = Date.now() + 60000;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      try {
        const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${query}`);
        const body = await res.json() as { data?: { result?: Array<{ value: [number, string] }> } };
        const v = Number(body.data?.result?.[0]?.value[1]);
        if (Number.isFinite(v)) {
          value = v;
          break;
        }
      } catch {
        // Prometheus is still starting.
      }
    }
    assert.ok(Number.isFinite(value), "Prometheus returned a finite median");
    assert.ok(value > 0.008192 && value <= 0.016384, `median ${value} in the 10 ms bucket`);
  } finally {
    sleeper.kill("SIGKILL");
    await sleeper.status;
    prom.kill("SIGTERM");
    await prom.status;
    await Deno.remove(dir, { recursive: true });
    assert.equal(await ex.stop(), 0, ex.stderr());
  }
});
