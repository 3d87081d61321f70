/**
 * The status page at `/`, server-rendered HTML with inline CSS (no scripts, no external assets),
 * from the same StatusReport that /status.json serves. Every value from configs, the kernel or
 * flags goes through `escapeHtml`.
 */

import type { ConfigStatus, MapStatus, ProgramStatus, Readiness } from "./exporter/status.ts";

/** Path of the JSON form of the status page. */
export const STATUS_JSON_PATH = "/status.json";

/** Everything the status page shows. */
export interface StatusReport {
  version: string;
  revision: string;
  /** `deno 2.9.6 (v8 ...)`. */
  runtime: string;
  /** `1.5 (embedded: /proc/self/fd/4)`, or null when libbpf is not open. */
  libbpf: string | null;
  /** Kernel release, or null when unreadable. */
  kernel: string | null;
  /** The capabilities the process holds now, as libcap writes them. */
  capabilities: string | null;
  /** Whether kernel.bpf_stats_enabled is on (run counts and times are collected). */
  bpfStats: boolean;
  telemetryPath: string;
  /** `/maps` with --debug, else null. */
  mapsPath: string | null;
  ready: Readiness;
  configs: ConfigStatus[];
  /** When this report was made (ISO 8601). */
  generatedAt: string;
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const CSS = `
body{font-family:system-ui,sans-serif;margin:1.5rem auto;max-width:72rem;padding:0 1rem;color:#1d2330;background:#f6f7f9}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.15rem;margin:0 0 .5rem}h3{font-size:.95rem;margin:1rem 0 .3rem;color:#4a5568}
nav a{margin-right:1rem}a{color:#1f5fbf}
section{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:1rem;margin:1rem 0}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #eceff3;vertical-align:top}
th{color:#4a5568;font-weight:600}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}dt{color:#4a5568}dd{margin:0}
code{font-size:.85rem}.ok{color:#17794a;font-weight:600}.bad{color:#b42318;font-weight:600}.muted{color:#718096}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:999px;font-size:.8rem;margin-left:.5rem;background:#e6f4ea;color:#17794a}
.badge.bad{background:#fdecea;color:#b42318}.meter{display:inline-block;width:6rem;height:.5rem;background:#eceff3;border-radius:3px;margin-right:.4rem;vertical-align:middle}
.meter span{display:block;height:100%;background:#3b82f6;border-radius:3px}`;

/** The HTML status page for `report`. */
export function renderStatusPage(report: StatusReport): string {
  const e = escapeHtml;
  const links = [
    `<a href="${e(report.telemetryPath)}">Metrics</a>`,
    `<a href="${STATUS_JSON_PATH}">Status as JSON</a>`,
    ...(report.mapsPath !== null ? [`<a href="${e(report.mapsPath)}">Raw maps</a>`] : []),
    `<a href="/-/healthy">Health</a>`,
    `<a href="/-/ready">Readiness</a>`,
  ];
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>eBPF Exporter</title><style>${CSS}</style></head>
<body>
<h1>eBPF Exporter</h1>
<nav>${links.join("")}</nav>
<section id="host"><dl>
<dt>Version</dt><dd>${e(report.version)} <span class="muted">(revision ${e(report.revision)}, ${
    e(report.runtime)
  })</span></dd>
<dt>libbpf</dt><dd>${e(report.libbpf ?? "not loaded")}</dd>
<dt>Kernel</dt><dd>${e(report.kernel ?? "unknown")}</dd>
<dt>Capabilities kept</dt><dd><code>${e(report.capabilities ?? "unknown")}</code></dd>
<dt>BPF run statistics</dt><dd>${
    report.bpfStats ? "on" : "off (sysctl kernel.bpf_stats_enabled=1 turns them on)"
  }</dd>
<dt>Ready</dt><dd>${
    report.ready.ready
      ? '<span class="ok">yes</span>'
      : `<span class="bad">no</span>: ${e(report.ready.reason ?? "")}`
  }</dd>
</dl></section>
${report.configs.map(renderConfig).join("\n")}
<p class="muted">Generated ${e(report.generatedAt)}</p>
</body>
</html>
`;
}

function renderConfig(c: ConfigStatus): string {
  const e = escapeHtml;
  const attached = c.programs.filter((p) => p.attached).length;
  const all = attached === c.programs.length;
  const s = c.lastScrape;
  const scrape = s.at === null
    ? '<p class="muted">Not scraped yet.</p>'
    : `<p>Last scrape ${e(s.at)}: ${s.durationMs} ms, ` +
      (s.errors === 0
        ? '<span class="ok">no errors</span>'
        : `<span class="bad">${s.errors} errors</span>, last: ${e(s.lastError ?? "")}`) +
      ` · decoder errors since start: ${c.decoderErrorsTotal}</p>`;
  return `<section class="config" id="config-${e(c.name)}">
<h2>${e(c.name)}<span class="badge${
    all ? "" : " bad"
  }">${attached} of ${c.programs.length} programs attached</span>${
    c.loaded ? "" : '<span class="badge bad">not loaded</span>'
  }</h2>
<h3>Programs</h3>
${
    c.programs.length === 0
      ? '<p class="muted">No programs loaded.</p>'
      : `<table><tr><th>Name</th><th>Section</th><th>ID</th><th>State</th><th>Runs</th><th>Run time</th></tr>
${c.programs.map(renderProgram).join("\n")}</table>`
  }
<h3>Maps</h3>
${
    c.maps.length === 0
      ? '<p class="muted">No maps read.</p>'
      : `<table><tr><th>Name</th><th>Type</th><th>Entries / max</th></tr>
${c.maps.map(renderMap).join("\n")}</table>`
  }
<h3>Scrape</h3>
${scrape}
</section>`;
}

function renderProgram(p: ProgramStatus): string {
  const e = escapeHtml;
  const state = p.attached
    ? '<span class="ok">attached</span>'
    : `<span class="bad">not attached</span>: ${e(p.reason ?? "")}`;
  const runs = p.runCount === null ? '<span class="muted">-</span>' : String(p.runCount);
  const time = p.runTimeNs === null
    ? '<span class="muted">-</span>'
    : `${(p.runTimeNs / 1e6).toFixed(3)} ms`;
  return `<tr class="program"><td>${e(p.name)}</td><td><code>${e(p.section)}</code></td><td>${
    p.id ?? "-"
  }</td><td>${state}</td><td>${runs}</td><td>${time}</td></tr>`;
}

function renderMap(m: MapStatus): string {
  const e = escapeHtml;
  const pct = m.entries === null || m.maxEntries === 0
    ? 0
    : Math.min(100, Math.round(m.entries / m.maxEntries * 100));
  const fill = m.entries === null
    ? `<span class="muted">-</span> / ${m.maxEntries}`
    : `<span class="meter"><span style="width:${pct}%"></span></span>${m.entries} / ${m.maxEntries}`;
  return `<tr class="map"><td>${e(m.name)}</td><td>${e(m.type)}</td><td>${fill}</td></tr>`;
}
