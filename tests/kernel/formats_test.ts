/**
 * Every example this kernel can load, served over HTTP in the negotiated format: text 0.0.4 and
 * OpenMetrics as Prometheus asks for them, gzip only when accepted, both read back by promtool
 * and our OpenMetrics checker; and the exporter's self-metrics checked against /proc as the
 * test reads it.
 */

import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { readDirViaLibc } from "../../ffi/libc.ts";
import {
  parseOpenMetrics,
  parseText,
  promtoolCheckMetrics,
  promtoolReadOpenMetrics,
  textAsOpenMetrics,
} from "../encode/exposition_parsers.ts";
import { readProcFile } from "./binary.ts";
import { causeTimers, kernelTest, loadableExamples, ROOT, withExporter } from "./harness.ts";

/** What Prometheus 2.42 sends without and with --enable-feature=native-histograms. */
const PROM2 = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;" +
  "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
const PROM2_NATIVE = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;" +
  "encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,application/" +
  "openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
const PROTOBUF_TYPE =
  "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";
const TEXT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
const OM_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";

interface Answer {
  status: number;
  headers: Map<string, string>;
  /** The body as sent (still gzipped when content-encoding says so). */
  raw: Uint8Array;
  /** The body decoded, gunzipped first when it was gzipped. */
  text: string;
}

/**
 * GET over a raw HTTP/1.1 connection: fetch() would decompress and hide content-encoding,
 * which is what these tests look at.
 */
async function get(port: number, path: string, headers: Record<string, string>): Promise<Answer> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const lines = [`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, "Connection: close"];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  await conn.write(new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n"));
  const parts: Uint8Array[] = [];
  for await (const part of conn.readable) parts.push(part);
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
  const end = all.findIndex((_, i) =>
    all[i] === 13 && all[i + 1] === 10 && all[i + 2] === 13 && all[i + 3] === 10
  );
  const head = new TextDecoder().decode(all.subarray(0, end)).split("\r\n");
  const status = Number(head[0]!.split(" ")[1]);
  const map = new Map<string, string>();
  for (const h of head.slice(1)) {
    const i = h.indexOf(":");
    map.set(h.slice(0, i).trim().toLowerCase(), h.slice(i + 1).trim());
  }
  let raw: Uint8Array = all.subarray(end + 4);
  if (map.get("transfer-encoding") === "chunked") raw = dechunk(raw);
  const plain = map.get("content-encoding") === "gzip" ? gunzipSync(raw) : raw;
  return { status, headers: map, raw, text: new TextDecoder().decode(plain) };
}

function dechunk(body: Uint8Array): Uint8Array {
  const out: number[] = [];
  let i = 0;
  for (;;) {
    const eol = body.indexOf(13, i);
    const size = parseInt(new TextDecoder().decode(body.subarray(i, eol)), 16);
    if (!(size > 0)) return new Uint8Array(out);
    for (let k = 0; k < size; k++) out.push(body[eol + 2 + k]!);
    i = eol + 2 + size + 2;
  }
}

/** The metadata lines: what stays equal between two scrapes of a live system. */
function metadata(text: string): string {
  return text.split("\n").filter((l) => l.startsWith("# ")).join("\n");
}

kernelTest("every example is served as text, OpenMetrics and gzip as negotiated", async () => {
  const names = await loadableExamples();
  const args = ["--config.dir", `${ROOT}/examples`, "--config.names", names.join(",")];
  await withExporter(args, {}, async (ex) => {
    await causeTimers();
    const path = "/metrics";
    const t1 = await get(ex.port, path, {});
    assert.equal(t1.status, 200);
    assert.equal(t1.headers.get("content-type"), TEXT_TYPE);
    assert.equal(t1.headers.get("content-encoding"), undefined);
    assert.equal(t1.headers.get("vary"), "Accept-Encoding, Accept");
    const check = await promtoolCheckMetrics(t1.text);
    assert.equal(check.code, 0, `promtool check metrics:\n${check.out}`);

    const pb = await get(ex.port, path, { "Accept": PROM2_NATIVE });
    assert.equal(pb.status, 200);
    assert.equal(pb.headers.get("content-type"), PROTOBUF_TYPE);
    assert.equal(pb.headers.get("vary"), "Accept-Encoding, Accept");

    const om = await get(ex.port, path, { "Accept": PROM2, "Accept-Encoding": "gzip" });
    assert.equal(om.headers.get("content-type"), OM_TYPE);
    assert.equal(om.headers.get("content-encoding"), "gzip");
    assert.equal(om.headers.get("vary"), "Accept-Encoding, Accept");
    const omSeries = parseOpenMetrics(om.text);
    const byPromtool = await promtoolReadOpenMetrics(om.text);
    assert.deepEqual(byPromtool, omSeries);
    const t2 = await get(ex.port, path, { "Accept-Encoding": "gzip;q=0, *" });
    assert.equal(t2.headers.get("content-encoding"), undefined);

    // The OpenMetrics scrape lies between two text scrapes: its series are theirs, and every
    // counter, count and bucket is between their values.
    const before = textAsOpenMetrics(t1.text);
    const after = textAsOpenMetrics(t2.text);
    let between = 0;
    for (const [key, v] of omSeries) {
      assert.ok(before.has(key) || after.has(key), `${key} is in no text scrape`);
      const name = key.slice(0, key.indexOf("{"));
      const a = before.get(key);
      const b = after.get(key);
      if (!/_(total|count|bucket)$/.test(name) || a === undefined || b === undefined) continue;
      assert.ok(a <= v && v <= b, `${key}: ${a} <= ${v} <= ${b}`);
      between++;
    }
    assert.ok(between > 100, `${between} monotonic series compared`);

    // gzip accepted, refused with q=0, not asked for: the same families once decompressed.
    const cases: Array<[Record<string, string>, string | undefined]> = [
      [{ "Accept-Encoding": "gzip" }, "gzip"],
      [{ "Accept-Encoding": "gzip;q=0" }, undefined],
      [{}, undefined],
    ];
    const bodies: string[] = [];
    for (const [headers, encoding] of cases) {
      const r = await get(ex.port, path, headers);
      assert.equal(r.headers.get("content-encoding"), encoding, JSON.stringify(headers));
      if (encoding === "gzip") assert.ok(r.raw.length * 3 < r.text.length, "gzip shrinks");
      bodies.push(metadata(r.text));
    }
    assert.equal(bodies[1], bodies[0]);
    assert.equal(bodies[2], bodies[0]);

    const m = parseText(t2.text).series;
    for (const n of names) {
      assert.equal(m.get(`ebpf_exporter_scrape_success{config=${JSON.stringify(n)}}`), 1, n);
    }
    assert.ok((m.get('promhttp_metric_handler_requests_total{code="200"}') ?? 0) >= 2);
  });
});

function vmRssOf(status: string): number {
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)![1]) * 1024;
}

kernelTest("process_* self-metrics agree with /proc as the test reads it", async () => {
  const args = ["--config.dir", `${ROOT}/examples`, "--config.names", "timers"];
  await withExporter(args, {}, async (ex) => {
    // The first scrapes compile code and grow the heap; memory settles after a few.
    for (let i = 0; i < 3; i++) await get(ex.port, "/metrics", {});
    const rssBefore = vmRssOf(readProcFile(`/proc/${ex.pid}/status`));
    const text = (await get(ex.port, "/metrics", {})).text;
    const status = readProcFile(`/proc/${ex.pid}/status`);
    const m = parseText(text).series;
    const value = (name: string) => {
      const v = m.get(name + "{}");
      assert.ok(v !== undefined, `${name} missing`);
      return v;
    };
    const vmRss = vmRssOf(status);
    const rss = value("process_resident_memory_bytes");
    const near = (x: number) => Math.abs(rss - x) <= 0.1 * x;
    assert.ok(near(vmRss) && near(rssBefore), `RSS ${rss} vs VmRSS ${rssBefore}, ${vmRss}`);
    const vmSize = Number(/^VmSize:\s+(\d+) kB$/m.exec(status)![1]) * 1024;
    const vsz = value("process_virtual_memory_bytes");
    assert.ok(Math.abs(vsz - vmSize) <= 0.1 * vmSize, `virtual ${vsz} vs VmSize ${vmSize}`);
    const limits = readProcFile(`/proc/${ex.pid}/limits`);
    assert.equal(value("process_max_fds"), Number(/^Max open files\s+(\d+)/m.exec(limits)![1]));
    const fds = readDirViaLibc(`/proc/${ex.pid}/fd`).length;
    const open = value("process_open_fds");
    // The exporter's count includes the fd it reads the listing through.
    assert.ok(open >= 3 && Math.abs(open - fds) <= 2, `open fds ${open} vs ${fds}`);
    const stat = readProcFile(`/proc/${ex.pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const btime = Number(/^btime (\d+)$/m.exec(readProcFile("/proc/stat"))![1]);
    // Tick counts in /proc are in USER_HZ, 100 on every Linux architecture we run on.
    const start = btime + Number(fields[19]) / 100;
    assert.ok(Math.abs(value("process_start_time_seconds") - start) < 0.02, `start ${start}`);
    const cpu = value("process_cpu_seconds_total");
    const ticks = (Number(fields[11]) + Number(fields[12])) / 100;
    assert.ok(cpu > 0 && cpu <= ticks, `cpu ${cpu} then ${ticks}`);
  });
});
