/**
 * A/B of the scrape path between two source trees, in one process over the same pinned map: the
 * exporter of each tree (`Exporter.scrapeText`, decoded to a string as in `inprocess.ts`) is
 * scraped in alternating rounds and this process's CPU time (utime + stime, 10 ms ticks) is
 * charged to the side that ran. Both sides see the same machine load, which makes a before/after
 * figure on a shared VM far steadier than two separate bench runs.
 *
 * Usage (as root; the other tree is typically `git archive BASE | tar -x -C DIR` with this
 * tree's `build/` linked into it):
 *
 *   unshare --mount --propagation private sh -c 'mount -t bpf bpf /sys/fs/bpf && exec "$@"' sh \
 *     deno run -A --config deno.json bench/ab.ts OTHER_TREE ops|hist KEYS [ROUNDS]
 */

import { buildArtifacts } from "./build.ts";
import { familyBlock } from "./floor.ts";
import type { InProcessExporter } from "./inprocess.ts";
import { BenchMaps } from "./maps.ts";

type Opener = typeof InProcessExporter;

/** CPU time of this process so far, in ms. */
function cpuMs(): number {
  const stat = new TextDecoder().decode(Deno.readFileSync("/proc/self/stat"));
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
}

async function main([other, kind, keysArg, roundsArg]: string[]): Promise<void> {
  const keys = Number(keysArg);
  if (other === undefined || (kind !== "ops" && kind !== "hist") || !(keys > 0)) {
    throw new Error("usage: bench/ab.ts OTHER_TREE ops|hist KEYS [ROUNDS]");
  }
  const a = await buildArtifacts();
  const maps = BenchMaps.create(a.benchObject);
  const sides: Array<[string, InProcessExporter]> = [];
  try {
    if (kind === "hist") maps.fillLatency(keys);
    else maps.fillOps(keys);
    const metric = kind === "hist" ? "bench_latency_seconds" : "bench_ops_total";
    const config = kind === "hist" ? "bench_hist" : "bench";
    for (
      const [name, url] of [["other", `${other}/bench/inprocess.ts`], ["this", "./inprocess.ts"]]
    ) {
      const mod: { InProcessExporter: Opener } = await import(url as string);
      sides.push([name as string, mod.InProcessExporter.open(a.configDir, config, metric)]);
    }
    const block = async (ex: InProcessExporter) =>
      familyBlock(await ex.render(), "ebpf_exporter_" + metric);
    if (await block(sides[0]![1]) !== await block(sides[1]![1])) {
      throw new Error(`The two trees write different ${metric} families`);
    }
    const reps = keys >= 1_000_000 ? 2 : 10;
    const rounds = Number(roundsArg ?? 6);
    const cpu = new Map<string, number>(sides.map(([n]) => [n, 0]));
    for (let r = 0; r < rounds; r++) {
      // Alternate who goes first, so neither side always inherits the other's garbage.
      for (const [name, ex] of r % 2 === 0 ? sides : sides.toReversed()) {
        const t0 = cpuMs();
        for (let i = 0; i < reps; i++) await ex.render();
        cpu.set(name, cpu.get(name)! + cpuMs() - t0);
      }
    }
    const per = (n: string) => (cpu.get(n)! / rounds / reps).toFixed(1);
    console.log(
      `${kind} ${keys} keys, CPU ms per in-process scrape: other ${per("other")}, this ${
        per("this")
      }`,
    );
  } finally {
    for (const [, ex] of sides) ex.close();
    maps.close();
  }
}

if (import.meta.main) await main(Deno.args);
