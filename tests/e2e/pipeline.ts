/**
 * The kernel-free pipeline of one example: its config, its recorded maps (read through
 * `recordedMap`), a fake host, and the exporter's own gather and write stages. Shared by the
 * golden test and the command that regenerates the golden files.
 */

import { loadConfigs } from "../../src/config/load.ts";
import { Exporter } from "../../src/exporter/exporter.ts";
import type { MapSource } from "../../src/exporter/map_source.ts";
import { recordedMap, type RecordedMapData } from "../../src/exporter/recorded_map.ts";
import type { Host } from "../../src/host/host.ts";
import { fakeHost, type HostTables } from "./host.ts";

/** Where the example configs live. */
export const EXAMPLES = new URL("../../examples/", import.meta.url).pathname;
/** Where the recorded maps and golden expositions live. */
export const FIXTURES = new URL("../fixtures/e2e/", import.meta.url).pathname;

/** One example's recorded maps: the fixture format (tests/fixtures/e2e/NAME.json). */
export interface Recording {
  example: string;
  /** How the maps were obtained: recorded on a kernel, or written by hand and why. */
  source: string;
  host: HostTables;
  /** Metric name → its map as recorded. */
  maps: Record<string, RecordedMapData>;
}

/** Every example name, from examples/*.yaml. */
export function exampleNames(): string[] {
  return [...Deno.readDirSync(EXAMPLES)]
    .filter((e) => e.isFile && e.name.endsWith(".yaml"))
    .map((e) => e.name.slice(0, -".yaml".length))
    .sort();
}

/** Reads the fixture of example `name`. */
export function readRecording(name: string): Recording {
  return JSON.parse(Deno.readTextFileSync(`${FIXTURES}${name}.json`)) as Recording;
}

/** An exporter over example `name` (not yet attached) whose decoders read `host`. */
export function exampleExporter(name: string, host: Host): Exporter {
  return new Exporter(loadConfigs(EXAMPLES, [name]), {
    host,
    skipCacheSize: 0,
    load: {},
  });
}

/** An exporter over example `name` that reads `recording` instead of the kernel. */
export function recordedExporter(name: string, recording: Recording): Exporter {
  const exporter = exampleExporter(name, fakeHost(recording.host));
  const maps = new Map<string, MapSource>();
  for (const [metric, data] of Object.entries(recording.maps)) maps.set(metric, recordedMap(data));
  exporter.attachSources(new Map([[name, maps]]));
  return exporter;
}

/**
 * Families whose values depend on the build and the runtime, not on the maps: build_info
 * carries the version, git revision and Deno version; the `process_*` families and the
 * per-config scrape durations measure this process. (The per-program families are empty
 * without loaded programs, so they vanish from the exposition on their own.)
 */
const HOST_DEPENDENT_NAME =
  "(?:ebpf_exporter_build_info|process_\\w+|ebpf_exporter_scrape_duration_seconds)";
const HOST_DEPENDENT = new RegExp(
  `^# (?:HELP|TYPE|UNIT) ${HOST_DEPENDENT_NAME} .*\\n|^${HOST_DEPENDENT_NAME}[{ ].*\\n`,
  "gm",
);

/** Whether a family (by name) depends on the build and this process rather than on the maps. */
export function isHostDependent(name: string): boolean {
  return new RegExp(`^${HOST_DEPENDENT_NAME}$`).test(name);
}

/** `exposition` without the families that depend on the build and this process. */
export function withoutHostDependent(exposition: string): string {
  return exposition.replace(HOST_DEPENDENT, "");
}

/** One scrape of `exporter` as text, without the host-dependent families. */
export async function scrapeComparable(exporter: Exporter): Promise<string> {
  const utf8 = new TextDecoder();
  let text = "";
  for (const chunk of await exporter.scrapeText()) text += utf8.decode(chunk, { stream: true });
  return withoutHostDependent(text + utf8.decode());
}
