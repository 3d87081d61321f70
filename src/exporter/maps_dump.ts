/** The `--debug` /maps page: raw map rows with their decoded labels, as text or JSON. */

import { toHex } from "./hex.ts";

/** One row of a metric map: raw key bytes, decoded labels (null when skipped) and value. */
export interface DumpRow {
  key: Uint8Array;
  labels: string[] | null;
  value: number;
}

/** Every metric map of every config, or the error that prevented reading it. */
export interface DumpMap {
  config: string;
  map: string;
  rows: DumpRow[];
  error: string | null;
}

function goBytes(b: Uint8Array): string {
  return `[]byte{${Array.from(b, (x) => "0x" + x.toString(16)).join(", ")}}`;
}

/** Upstream's markdown-like dump: a section per config, a fenced block per map. */
export function formatMapsText(maps: DumpMap[]): string {
  const out: string[] = [];
  let config: string | null = null;
  for (const m of maps) {
    if (m.config !== config) {
      config = m.config;
      out.push(`## Config: ${config}`, "");
    }
    out.push(`### Map: ${m.map}`, "", "```");
    if (m.error !== null) out.push(`error: ${m.error}`);
    for (const r of m.rows) {
      const labels = r.labels === null ? "skipped" : `[${r.labels.join(" ")}]`;
      out.push(`${goBytes(r.key)} (labels: ${labels}) -> ${Math.round(r.value)}`);
    }
    out.push("```", "");
  }
  return out.join("\n") + "\n";
}

/** JSON form: keys as lowercase hex, values as numbers. */
export function formatMapsJson(maps: DumpMap[]): string {
  return JSON.stringify(
    maps.map((m) => ({
      config: m.config,
      map: m.map,
      error: m.error,
      rows: m.rows.map((r) => ({
        key: toHex(r.key),
        labels: r.labels,
        value: r.value,
      })),
    })),
    null,
    2,
  ) + "\n";
}
