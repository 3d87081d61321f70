/**
 * `deno task bench profile [--keys N]`: where a scrape's time goes. Fills the counter map,
 * runs the exporter under V8's sampling profiler (`--cpu-prof`) for a series of scrapes, and
 * summarises the profile by source area and by function.
 */

import type { Artifacts } from "./build.ts";
import { OUT } from "./build.ts";
import { ExporterProcess } from "./exporter.ts";
import { BenchMaps } from "./maps.ts";
import { type Breakdown, summarizeProfile } from "./profile.ts";
import type { Cleanup } from "./scrape_suite.ts";
import { summarize, type Summary } from "./stats.ts";

/** A profiled run of scrapes. */
export interface ProfileResults {
  keys: number;
  /** Whether the histogram config was scraped rather than the counter one. */
  histogram: boolean;
  scrapes: number;
  wall: Summary;
  profile: string;
  sampledMs: number;
  byArea: Breakdown;
  byFunction: Breakdown;
}

/**
 * Profiles `scrapes` scrapes of a `keys`-key counter map, or of the histogram map filled to
 * about `keys` keys (after 3 warm-up scrapes).
 */
export async function runProfile(
  a: Artifacts,
  keys: number,
  scrapes: number,
  cleanup: Cleanup,
  say: (line: string) => void,
  histogram = false,
): Promise<ProfileResults> {
  const maps = BenchMaps.create(a.benchObject);
  cleanup.add(() => maps.close());
  say(`filling ${keys.toLocaleString("en-US")} keys`);
  if (histogram) maps.fillLatency(keys);
  else maps.fillOps(keys);
  const dir = `${OUT}/profile-${Date.now()}`;
  Deno.mkdirSync(dir, { recursive: true });
  const ex = await ExporterProcess.start(a.configDir, histogram ? "bench_hist" : "bench", [
    "--cpu-prof",
    `--cpu-prof-dir=${dir}`,
  ]);
  cleanup.add(() => ex.stop());
  say(`profiling ${scrapes} scrapes`);
  for (let i = 0; i < 3; i++) await ex.get();
  const wall: number[] = [];
  for (let i = 0; i < scrapes; i++) wall.push((await ex.get()).ms);
  // V8 writes the profile when the process exits cleanly.
  await ex.stop();
  const file = [...Deno.readDirSync(dir)].find((e) => e.name.endsWith(".cpuprofile"));
  if (file === undefined) throw new Error(`Cannot find the exporter's profile in "${dir}"`);
  const profile = `${dir}/${file.name}`;
  const s = summarizeProfile(JSON.parse(Deno.readTextFileSync(profile)));
  return {
    keys,
    histogram,
    scrapes,
    wall: summarize(wall),
    profile,
    sampledMs: s.total,
    byArea: s.byArea,
    byFunction: s.byFunction.slice(0, 30),
  };
}
