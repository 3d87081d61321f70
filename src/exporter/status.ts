/**
 * What the status page and /status.json report about each config: its programs and whether
 * they attached, its maps and how full they were at the last scrape, and how that scrape went.
 * Plain data, built on request from the exporter's own state.
 */

import { mapTypeName } from "../spec/map_types.ts";
import type { AttachedProgram, LoadedConfig } from "./loader.ts";
import type { MapDefinition } from "./map_source.ts";

/** One program of a config. */
export interface ProgramStatus {
  name: string;
  section: string;
  /** Kernel program id, or null when its info cannot be read. */
  id: number | null;
  attached: boolean;
  /** Why attach failed, or null when attached. */
  reason: string | null;
  /** Runs and total run time since load; null unless kernel.bpf_stats_enabled is on. */
  runCount: number | null;
  runTimeNs: number | null;
}

/** One map a config reads. */
export interface MapStatus {
  name: string;
  /** Map type name (`HASH`, `PERCPU_ARRAY`...). */
  type: string;
  /** Keys read at the last scrape, or null before the first scrape (and for perf buffers). */
  entries: number | null;
  maxEntries: number;
}

/** How a config's part of the last scrape went. */
export interface ScrapeStatus {
  /** When that scrape finished (ISO 8601), or null before the first scrape. */
  at: string | null;
  /** Milliseconds spent reading and decoding this config's maps. */
  durationMs: number | null;
  /** Metrics of this config that failed or timed out in that scrape. */
  errors: number;
  /** The last of those failures. */
  lastError: string | null;
}

/** Everything reported about one config. */
export interface ConfigStatus {
  name: string;
  /** Whether its object is loaded (false before attach and after shutdown). */
  loaded: boolean;
  programs: ProgramStatus[];
  maps: MapStatus[];
  lastScrape: ScrapeStatus;
  decoderErrorsTotal: number;
}

/** Whether the exporter serves what it was asked to, and if not, why. */
export interface Readiness {
  ready: boolean;
  reason: string | null;
}

/** The status of one program; run statistics only when `stats` (bpf_stats) is on. */
export function programStatus(p: AttachedProgram, stats: boolean): ProgramStatus {
  let id: number | null = null;
  let runCount: number | null = null;
  let runTimeNs: number | null = null;
  try {
    const info = p.program.info();
    id = info.id;
    if (stats) {
      runCount = Number(info.runCount);
      runTimeNs = Number(info.runTimeNs);
    }
  } catch {
    // A closed or foreign program has no readable info; the rest of its status still holds.
  }
  return {
    name: p.program.name,
    section: p.program.section,
    id,
    attached: p.error === null,
    reason: p.error?.message ?? null,
    runCount,
    runTimeNs,
  };
}

/** The status of one map, with its key count at the last scrape when known. */
export function mapStatus(map: MapDefinition, entries: number | null): MapStatus {
  return { name: map.name, type: mapTypeName(map.type), entries, maxEntries: map.maxEntries };
}

/** The start-up log line for a loaded config: each program and whether it attached. */
export function attachSummary(loaded: LoadedConfig): string {
  const parts = loaded.programs.map((p) => {
    const s = programStatus(p, false);
    const where = `${s.name} (${s.section})`;
    return s.attached ? `${where} attached as id ${s.id ?? "?"}` : `${where} not attached`;
  });
  const attached = loaded.programs.filter((p) => p.error === null).length;
  return `Loaded config "${loaded.config.name}": ${attached} of ${loaded.programs.length} ` +
    `programs attached` + (parts.length > 0 ? `: ${parts.join(", ")}` : "");
}

/** The status before any scrape. */
export const NO_SCRAPE: ScrapeStatus = { at: null, durationMs: null, errors: 0, lastError: null };
