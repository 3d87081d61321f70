/**
 * Summarises a V8 `.cpuprofile` (from `deno run --cpu-prof`): self time by function and by
 * source area, to say where a scrape's time goes.
 *
 * Usage: deno run --allow-read bench/profile.ts FILE.cpuprofile [TOP]
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Self time in ms per key, largest first. */
export type Breakdown = Array<[string, number]>;

/** Where a frame's code lives, coarsely: a repository folder, a runtime part, or a marker. */
export function areaOf(frame: CallFrame): string {
  const url = frame.url;
  if (url === "") return frame.functionName.startsWith("(") ? frame.functionName : "(native)";
  const m = /\/(src\/[^/]+|ffi|bench|tests|main\.ts)/.exec(url);
  if (m && url.startsWith("file:")) return m[1]!;
  if (url.startsWith("ext:")) return "deno runtime (" + url.split("/")[0]!.slice(4) + ")";
  if (url.includes("node_modules") || url.startsWith("npm:")) return "npm";
  return url;
}

/** Self time per function and per area, from sample counts weighted by their time deltas. */
export function summarizeProfile(
  p: CpuProfile,
): { total: number; byFunction: Breakdown; byArea: Breakdown } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const fn = new Map<string, number>();
  const area = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const node = byId.get(p.samples[i]!);
    if (node === undefined) continue;
    // A sample's time is the delta to the next one.
    const ms = (p.timeDeltas[i + 1] ?? 0) / 1000;
    total += ms;
    const f = node.callFrame;
    const file = f.url.replace(/^.*\/(?=[^/]+$)/, "");
    const key = `${f.functionName || "(anonymous)"} ${file ? `${file}:${f.lineNumber + 1}` : ""}`;
    fn.set(key, (fn.get(key) ?? 0) + ms);
    const a = areaOf(f);
    area.set(a, (area.get(a) ?? 0) + ms);
  }
  const sorted = (m: Map<string, number>): Breakdown => [...m].sort((x, y) => y[1] - x[1]);
  return { total, byFunction: sorted(fn), byArea: sorted(area) };
}

if (import.meta.main) {
  const [file, top] = Deno.args;
  if (file === undefined) {
    console.error("usage: deno run --allow-read bench/profile.ts FILE.cpuprofile [TOP]");
    Deno.exit(2);
  }
  const s = summarizeProfile(JSON.parse(Deno.readTextFileSync(file)) as CpuProfile);
  const pct = (ms: number) => `${((ms / s.total) * 100).toFixed(1).padStart(5)}%`;
  console.log(`total sampled ${s.total.toFixed(0)} ms\n\nby area:`);
  for (const [k, ms] of s.byArea) console.log(`  ${pct(ms)} ${ms.toFixed(0).padStart(7)} ms  ${k}`);
  console.log("\nby function (self time):");
  for (const [k, ms] of s.byFunction.slice(0, Number(top ?? 25))) {
    console.log(`  ${pct(ms)} ${ms.toFixed(0).padStart(7)} ms  ${k}`);
  }
}
