/** Runs the C floor (bench/floor.c) on a pinned map and reads its figures. */

import { summarize, type Summary } from "./stats.ts";

/** Floor figures for one map size, in the same units as the exporter's. */
export interface FloorFigures {
  wall: Summary;
  cpuMsPerScrape: number;
  bytes: number;
  memory: { rssMiB: number; hwmMiB: number };
}

/** Which family the floor renders, as the matching bench config names it. */
export interface FloorTarget {
  kind: "counter" | "histogram";
  pinPath: string;
  metric: string;
  help: string;
}

function args(t: FloorTarget): string[] {
  return [t.kind, t.pinPath, t.metric, t.help];
}

/** Runs `iterations` timed renders after `warmup` untimed ones. */
export async function runFloor(
  floor: string,
  target: FloorTarget,
  iterations: number,
  warmup: number,
): Promise<FloorFigures> {
  const out = await new Deno.Command(floor, {
    args: [...args(target), String(iterations), String(warmup)],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stderr);
  if (out.code !== 0) throw new Error(`Floor exited with ${out.code}: ${text}`);
  const wall: number[] = [];
  let cpu = 0;
  let bytes = 0;
  let rss = NaN;
  let hwm = NaN;
  for (const line of text.split("\n")) {
    const f = line.split(" ");
    if (f[0] === "sample") {
      wall.push(Number(f[1]) / 1e6);
      cpu += Number(f[2]) / 1e6;
      bytes = Number(f[3]);
    } else if (f[0] === "rss_kb") {
      rss = Number(f[1]) / 1024;
      hwm = Number(f[3]) / 1024;
    }
  }
  return {
    wall: summarize(wall),
    cpuMsPerScrape: cpu / Math.max(1, wall.length),
    bytes,
    memory: { rssMiB: rss, hwmMiB: hwm },
  };
}

/** One exposition of the family, as the floor writes it. */
export async function floorText(floor: string, target: FloorTarget): Promise<string> {
  const out = await new Deno.Command(floor, {
    args: [...args(target), "dump"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (out.code !== 0) {
    throw new Error(`Floor exited with ${out.code}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** The block of one family (HELP line to the line before the next HELP) in an exposition. */
export function familyBlock(exposition: string, metric: string): string {
  const start = exposition.indexOf(`# HELP ${metric} `);
  if (start < 0) return "";
  const next = exposition.indexOf("# HELP ", start + 1);
  return exposition.slice(start, next < 0 ? exposition.length : next);
}
