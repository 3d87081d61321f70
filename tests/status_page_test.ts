import assert from "node:assert/strict";
import { escapeHtml, renderStatusPage, type StatusReport } from "../src/status_page.ts";
import { handler } from "../src/server.ts";
import type { Readiness } from "../src/exporter/status.ts";

function report(overrides: Partial<StatusReport> = {}): StatusReport {
  return {
    version: "1.2.3",
    revision: "abc",
    runtime: "deno 2.9.6",
    libbpf: "1.5 (bundled: /x/libbpf.so)",
    kernel: "6.18.0",
    capabilities: "cap_bpf,cap_perfmon=ep",
    bpfStats: true,
    telemetryPath: "/metrics",
    mapsPath: null,
    ready: { ready: true, reason: null },
    generatedAt: "2026-11-29T12:00:00.000Z",
    configs: [{
      name: "timers",
      loaded: true,
      programs: [
        {
          name: "on_start",
          section: "tp_btf/timer_start",
          id: 41,
          attached: true,
          reason: null,
          runCount: 1200,
          runTimeNs: 2_500_000,
        },
        {
          name: "on_kprobe",
          section: "kprobe/do_thing",
          id: 42,
          attached: false,
          reason: "Cannot attach: No such file or directory",
          runCount: null,
          runTimeNs: null,
        },
      ],
      maps: [{
        name: "timer_starts_total",
        type: "BPF_MAP_TYPE_HASH",
        entries: 256,
        maxEntries: 1024,
      }],
      lastScrape: {
        at: "2026-11-29T11:59:59.000Z",
        durationMs: 1.5,
        errors: 1,
        lastError: "x <y>",
      },
      decoderErrorsTotal: 3,
    }],
    ...overrides,
  };
}

Deno.test("escapeHtml escapes the five characters that matter in text and attributes", () => {
  assert.equal(
    escapeHtml(`<a href="x">'&'</a>`),
    "&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;",
  );
  assert.equal(escapeHtml("plain"), "plain");
});

Deno.test("the status page shows programs, reasons, run stats, map fill and the last scrape", () => {
  const html = renderStatusPage(report());
  assert.match(html, /<a href="\/metrics">Metrics<\/a>/);
  assert.match(html, /<a href="\/status.json">/);
  assert.doesNotMatch(html, /Raw maps/);
  assert.match(html, /1 of 2 programs attached/);
  assert.match(
    html,
    /<td>on_start<\/td><td><code>tp_btf\/timer_start<\/code><\/td><td>41<\/td><td><span class="ok">attached<\/span><\/td><td>1200<\/td><td>2.500 ms<\/td>/,
  );
  assert.match(html, /not attached<\/span>: Cannot attach: No such file or directory/);
  assert.match(html, /width:25%.*256 \/ 1024/);
  assert.match(html, /1.5 ms, <span class="bad">1 errors<\/span>, last: x &#60;y&#62;/);
  assert.match(html, /<code>cap_bpf,cap_perfmon=ep<\/code>/);
  // Self-contained: no scripts, nothing loaded from elsewhere.
  assert.doesNotMatch(html, /<script|src=|https?:/i);
});

Deno.test("every value on the status page is escaped", () => {
  const evil = `<script>alert("x")</script>`;
  const r = report({ telemetryPath: `/m"><img onerror=1>`, kernel: evil, mapsPath: "/maps" });
  r.configs[0]!.name = evil;
  r.configs[0]!.programs[1]!.reason = evil;
  r.configs[0]!.maps[0]!.name = evil;
  const html = renderStatusPage(r);
  assert.doesNotMatch(html, /<script|<img/);
  assert.match(html, /<a href="\/m&#34;&#62;&#60;img onerror=1&#62;">Metrics<\/a>/);
  assert.match(html, /<a href="\/maps">Raw maps<\/a>/);
  // Kernel, config name (heading and section id), failure reason, map name.
  assert.equal(html.split("&#60;script&#62;").length - 1, 5);
});

function routes(ready: Readiness) {
  return handler({
    telemetryPath: "/metrics",
    metrics: () => Promise.reject(new Error("not used")),
    status: () => report({ ready }),
    ready: () => ready,
  });
}

Deno.test("/status.json serves the same report as JSON", async () => {
  const res = await routes({ ready: true, reason: null })(new Request("http://x/status.json"));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/json");
  assert.deepEqual(await res.json(), report());
});

Deno.test("/-/healthy answers 200 and /-/ready follows readiness with its reason", async () => {
  const ok = routes({ ready: true, reason: null });
  const healthy = await ok(new Request("http://x/-/healthy"));
  assert.equal(healthy.status, 200);
  assert.equal(await healthy.text(), "Healthy\n");
  const ready = await ok(new Request("http://x/-/ready"));
  assert.equal(ready.status, 200);
  assert.equal(await ready.text(), "Ready\n");
  const not = await routes({ ready: false, reason: "configs are not loaded" })(
    new Request("http://x/-/ready"),
  );
  assert.equal(not.status, 503);
  assert.equal(await not.text(), "Not ready: configs are not loaded\n");
  const head = await ok(new Request("http://x/-/ready", { method: "HEAD" }));
  assert.equal(head.status, 200);
});
