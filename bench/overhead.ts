/**
 * Probe overhead: the cost of a getpid system call (and a no-op function call) in a tight C loop,
 * with nothing attached and with each probe type × program weight attached alone.
 */

import { BpfObject } from "../ffi/libbpf.ts";
import type { Artifacts } from "./build.ts";
import type { Cleanup } from "./scrape_suite.ts";
import { summarize } from "./stats.ts";

/** Loop length and repeats per measurement. */
export interface OverheadPlan {
  mode: "full" | "short";
  iterations: number;
  repeats: number;
}

/** The plan of `deno task bench overhead` and of its `--short` form. */
export function makeOverheadPlan(short: boolean): OverheadPlan {
  return short
    ? { mode: "short", iterations: 50_000, repeats: 2 }
    : { mode: "full", iterations: 1_000_000, repeats: 5 };
}

export const PROBES = ["tracepoint", "raw_tp", "tp_btf", "uprobe"] as const;
export const WEIGHTS = ["empty", "count", "heavy"] as const;

/** One measured loop: a probe type and weight, or the bare baseline. */
export interface OverheadRow {
  probe: (typeof PROBES)[number] | "none";
  weight: (typeof WEIGHTS)[number] | "-";
  program: string;
  /** Median over repeats of nanoseconds per loop iteration. */
  nsPerOp: number;
  minNsPerOp: number;
  /** nsPerOp minus the baseline. */
  overheadNs: number;
  /** Hits the counting program saw from the loop's pid (null for the other weights). */
  hits: number | null;
  /** Why the probe could not be measured (it failed to attach here). */
  error: string | null;
}

/** Everything the overhead benchmark measured. */
export interface OverheadResults {
  plan: OverheadPlan;
  baseline: { nsPerOp: number; runs: number[] };
  rows: OverheadRow[];
}

async function runLoop(loop: string, plan: OverheadPlan): Promise<{ ns: number[]; pid: number }> {
  const child = new Deno.Command(loop, {
    args: [String(plan.iterations), String(plan.repeats)],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const pid = child.pid;
  const out = await child.output();
  const text = new TextDecoder().decode(out.stdout);
  if (out.code !== 0) {
    throw new Error(`Loop exited with ${out.code}: ${new TextDecoder().decode(out.stderr)}`);
  }
  const ns = [...text.matchAll(/^ns_per_op ([\d.]+)$/gm)].map((m) => Number(m[1]));
  return { ns, pid };
}

function pidKey(pid: number): Uint8Array {
  return new Uint8Array(new Uint32Array([pid]).buffer);
}

/** Runs the overhead benchmark; `say` receives progress lines. */
export async function runOverhead(
  a: Artifacts,
  plan: OverheadPlan,
  cleanup: Cleanup,
  say: (line: string) => void,
): Promise<OverheadResults> {
  const object = BpfObject.openFile(a.overheadObject);
  cleanup.add(() => object.close());
  object.load();
  const byPid = object.map("overhead_by_pid");
  if (byPid === null) throw new Error(`Cannot find map "overhead_by_pid" in "${a.overheadObject}"`);

  const baselineRuns: number[] = [];
  const baseline = async () => {
    const r = await runLoop(a.loop, plan);
    baselineRuns.push(...r.ns);
  };
  await baseline();
  const measured: Array<Omit<OverheadRow, "overheadNs">> = [];
  for (const probe of PROBES) {
    for (const weight of WEIGHTS) {
      const name = `${probe}_${weight}`;
      say(`${name}`);
      const program = object.programs().find((p) => p.name === name);
      if (program === undefined) throw new Error(`Cannot find program "${name}"`);
      let link;
      try {
        link = program.attach();
      } catch (e) {
        measured.push({
          probe,
          weight,
          program: name,
          nsPerOp: NaN,
          minNsPerOp: NaN,
          hits: null,
          error: (e as Error).message,
        });
        continue;
      }
      try {
        const r = await runLoop(a.loop, plan);
        const s = summarize(r.ns);
        let hits: number | null = null;
        if (weight === "count") {
          const v = byPid.lookup(pidKey(r.pid));
          hits = v === null ? 0 : Number(new DataView(v.buffer).getBigUint64(0, true));
        }
        measured.push({
          probe,
          weight,
          program: name,
          nsPerOp: s.median,
          minNsPerOp: s.min,
          hits,
          error: null,
        });
      } finally {
        link.destroy();
      }
    }
    // A baseline between probe types catches drift of the machine during the run.
    await baseline();
  }
  const base = summarize(baselineRuns).median;
  const rows: OverheadRow[] = [
    {
      probe: "none",
      weight: "-",
      program: "-",
      nsPerOp: base,
      minNsPerOp: summarize(baselineRuns).min,
      overheadNs: 0,
      hits: null,
      error: null,
    },
    ...measured.map((m) => ({ ...m, overheadNs: m.nsPerOp - base })),
  ];
  return { plan, baseline: { nsPerOp: base, runs: baselineRuns }, rows };
}
