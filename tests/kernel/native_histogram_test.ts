/**
 * Native histograms end to end, on the syscalls example (exp2 in units of 2^-20 s, so its
 * buckets are native schema 0): 10 ms select(2) sleeps land in native bucket -6, which holds
 * (2^-7, 2^-6] s; and a real Prometheus with native histograms on ingests the protobuf we
 * serve as a native histogram whose median and count agree with the classic buckets another
 * Prometheus (feature off, so it scrapes text) stores from the same exporter.
 */

import assert from "node:assert/strict";
import { negotiate } from "../../src/encode/negotiate.ts";
import { CONTENT_TYPE_PROTOBUF } from "../../src/encode/protobuf.ts";
import { decodeDelimited } from "../encode/proto_decode.ts";
import { kernelTest, note, ROOT, sh, waitUntil, withExporter } from "./harness.ts";

const NAME = "ebpf_exporter_syscall_latency_seconds";
const SELECTOR = `${NAME}{syscall="select"}`;
const ARGS = ["--config.dir", `${ROOT}/examples`, "--config.names", "syscalls"];
// Raw select(2), x86_64 nr 23, with no fds and a 10 ms timeout: see syscalls_test.ts.
const SLEEPER = `
import ctypes, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
for _ in range(int(sys.argv[1])):
    tv = ctypes.create_string_buffer(struct.pack("qq", 0, 10_000))
    libc.syscall(23, 0, None, None, None, tv)
`;
const NOT_X86_64 = Deno.build.arch === "x86_64"
  ? null
  : `the sleeper makes raw syscall 23, which is select(2) on x86_64 only (not ${Deno.build.arch})`;

// deno-lint-ignore no-explicit-any
type Obj = Record<string, any>;

/** Native bucket index → count of the select series, from one protobuf scrape. */
async function nativeBuckets(url: string): Promise<{ native: Map<number, number>; h: Obj }> {
  const res = await fetch(url, { headers: { accept: PROTO_ACCEPT } });
  assert.equal(res.headers.get("content-type"), CONTENT_TYPE_PROTOBUF);
  const families = decodeDelimited(new Uint8Array(await res.arrayBuffer())) as Obj[];
  const family = families.find((f) => f.name === NAME);
  const metric = (family?.metric as Obj[] | undefined)?.find((m) =>
    (m.label as Obj[]).some((l) => l.name === "syscall" && l.value === "select")
  );
  const native = new Map<number, number>();
  if (metric === undefined) return { native, h: {} };
  const h = metric.histogram as Obj;
  let index = 0;
  let count = 0;
  let d = 0;
  for (const span of h.positive_span as Obj[]) {
    // The first span's offset is its start; later ones count the empty buckets before them.
    index += span.offset ?? 0;
    for (let k = 0; k < (span.length ?? 0); k++) {
      count += (h.positive_delta as number[])[d++]!;
      native.set(index + k, count);
    }
    index += span.length ?? 0;
  }
  return { native, h };
}

const PROTO_ACCEPT = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;" +
  "encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3";

kernelTest("10 ms sleeps land in native bucket -6, as in the classic le=2^-6 bucket", async () => {
  await withExporter(ARGS, {}, async (ex) => {
    const url = `${ex.url}/metrics`;
    const before = await nativeBuckets(url);
    const SLEEPS = 40;
    await sh("python3", ["-c", SLEEPER, String(SLEEPS)]);
    const after = await nativeBuckets(url);
    const h = after.h;
    assert.equal(h.schema, 0, `not native: ${JSON.stringify(h).slice(0, 500)}`);
    const grew = (i: number) => (after.native.get(i) ?? 0) - (before.native.get(i) ?? 0);
    // A sleep lasts at least 10 ms, so none lands below bucket -6 (which starts at 7.8125 ms).
    let atOrAbove = 0;
    for (const i of after.native.keys()) if (i >= -6) atOrAbove += grew(i);
    assert.ok(atOrAbove >= SLEEPS, `native buckets >= -6 grew by ${atOrAbove}`);
    const mode = [...after.native.keys()].sort((a, b) => grew(b) - grew(a))[0];
    assert.equal(mode, -6, `most sleeps in native bucket ${mode}`);
    // The classic bucket with bound 2^-6 minus the one with 2^-7 is the same bucket.
    const cum = (le: number) =>
      (h.bucket as Obj[]).find((b) => b.upper_bound === le)?.cumulative_count ?? 0;
    assert.equal(cum(2 ** -6) - cum(2 ** -7), after.native.get(-6));
    note(`native bucket -6 grew by ${grew(-6)} of ${SLEEPS} sleeps`);
  });
}, { ignore: NOT_X86_64 });

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** A Prometheus scraping `targets` every second, with its own storage under `dir`. */
function startPrometheus(dir: string, port: number, targets: string[], native: boolean) {
  const jobs = targets.map((t, i) =>
    `  - job_name: job${i}\n    static_configs:\n      - targets: ["${t}"]\n`
  ).join("");
  Deno.writeTextFileSync(
    `${dir}/prometheus.yml`,
    `global:\n  scrape_interval: 1s\nscrape_configs:\n${jobs}`,
  );
  return new Deno.Command("prometheus", {
    args: [
      `--config.file=${dir}/prometheus.yml`,
      `--storage.tsdb.path=${dir}/data`,
      `--web.listen-address=127.0.0.1:${port}`,
      ...(native ? ["--enable-feature=native-histograms"] : []),
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
}

/** The value of an instant query's first result, or NaN (none yet, or still starting). */
async function query(port: number, q: string): Promise<number> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = await res.json() as { data?: { result?: Array<{ value: [number, string] }> } };
    return Number(body.data?.result?.[0]?.value[1]);
  } catch {
    return NaN;
  }
}

kernelTest("Prometheus' native median and count agree with the classic buckets", async () => {
  await withExporter(ARGS, {}, async (ex) => {
    const dir = await Deno.makeTempDir({ prefix: "ebpf-exporter-native-" });
    Deno.mkdirSync(`${dir}/native`);
    Deno.mkdirSync(`${dir}/classic`);
    // Records what the native Prometheus asks for, to check negotiation against the real thing.
    const accepts: string[] = [];
    const recorder = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
      accepts.push(req.headers.get("accept") ?? "");
      return new Response("# no metrics\n", { headers: { "content-type": "text/plain" } });
    });
    const target = `127.0.0.1:${ex.port}`;
    const nativePort = freePort();
    const classicPort = freePort();
    const procs = [
      startPrometheus(
        `${dir}/native`,
        nativePort,
        [target, `127.0.0.1:${recorder.addr.port}`],
        true,
      ),
      startPrometheus(`${dir}/classic`, classicPort, [target], false),
    ];
    const SLEEPS = 500;
    let sleeper: Deno.ChildProcess | null = null;
    try {
      // Both must have scraped before the sleeps start, or (on a slow emulated guest) their
      // first sample could already hold every sleep, leaving rate() nothing to see.
      await waitUntil("both Prometheus servers to scrape the exporter", async () => {
        const up = (port: number) => query(port, `up{instance="${target}"}`);
        return await up(nativePort) === 1 && await up(classicPort) === 1;
      }, { timeoutMs: 90000, intervalMs: 500 });
      sleeper = new Deno.Command("python3", {
        args: ["-c", SLEEPER, String(SLEEPS)],
        stdout: "null",
        stderr: "null",
      }).spawn();
      await sleeper.status;
      // Once both have scraped after the last sleep, their counts are equal.
      let nativeCount = NaN;
      let classicCount = NaN;
      await waitUntil("both Prometheus servers to store every sleep", async () => {
        nativeCount = await query(nativePort, `histogram_count(${SELECTOR})`);
        classicCount = await query(classicPort, `${NAME}_count{syscall="select"}`);
        return nativeCount >= SLEEPS && nativeCount === classicCount && accepts.length > 0;
      }, { timeoutMs: 90000, intervalMs: 1000 });
      const nativeMedian = await query(
        nativePort,
        `histogram_quantile(0.5, rate(${SELECTOR}[1m]))`,
      );
      const classicMedian = await query(
        classicPort,
        `histogram_quantile(0.5, rate(${NAME}_bucket{syscall="select"}[1m]))`,
      );
      const nativeRateCount = await query(nativePort, `histogram_count(rate(${SELECTOR}[1m]))`);
      const classicRateCount = await query(
        classicPort,
        `rate(${NAME}_count{syscall="select"}[1m])`,
      );
      note(
        `native: median ${nativeMedian}, count ${nativeCount}, rate ${nativeRateCount}/s; ` +
          `classic: median ${classicMedian}, count ${classicCount}, rate ${classicRateCount}/s`,
      );
      // Both medians in the bucket of the 10 ms sleeps, (2^-7, 2^-6] s.
      for (const m of [nativeMedian, classicMedian]) {
        assert.ok(m > 2 ** -7 && m <= 2 ** -6, `median ${m} outside (2^-7, 2^-6]`);
      }
      assert.ok(nativeRateCount > 0 && classicRateCount > 0);
      // Prometheus asked for protobuf first, and our choice takes it.
      const asked = accepts[0] ?? "";
      note(`native Prometheus sent Accept: ${asked}`);
      assert.ok(asked.startsWith("application/vnd.google.protobuf;"), asked);
      assert.equal(negotiate(asked, new Set(["text", "openmetrics", "protobuf"])), "protobuf");
    } finally {
      if (sleeper !== null) {
        try {
          sleeper.kill("SIGKILL");
        } catch {
          // It already finished.
        }
        await sleeper.status;
      }
      for (const p of procs) {
        p.kill("SIGTERM");
        await p.status;
      }
      await recorder.shutdown();
      await Deno.remove(dir, { recursive: true });
    }
  });
}, { ignore: NOT_X86_64 });
