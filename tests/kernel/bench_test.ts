/**
 * The benchmarks run end to end in their short mode, so they never rot. Their figures are
 * printed, never asserted; only facts that do not depend on timing are checked.
 */

import assert from "node:assert/strict";
import { permissionFlags } from "../../src/permissions.ts";
import { kernelTest, ROOT } from "./harness.ts";

const PERMS = permissionFlags("bench");

/** Runs `bench/main.ts ARGS --short --out FILE` and returns the JSON it wrote. */
async function runBench(args: string[]): Promise<Record<string, unknown>> {
  const out = await Deno.makeTempFile({ prefix: "ebpf-exporter-bench-", suffix: ".json" });
  try {
    const r = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--check",
        ...PERMS,
        `${ROOT}/bench/main.ts`,
        ...args,
        "--short",
        "--out",
        out,
      ],
      stdin: "null",
      stdout: "inherit",
      stderr: "piped",
    }).output();
    assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
    return JSON.parse(await Deno.readTextFile(out));
  } finally {
    await Deno.remove(out).catch(() => {});
  }
}

kernelTest("the scrape bench runs in short mode and the exporter matches the C floor", async () => {
  const json = await runBench([]);
  const results = json.results as {
    sizes: Array<{ keys: number; identical: boolean; ours: { wall: { n: number } } }>;
    histogram: { identical: boolean };
    soak: { scrapes: number };
  };
  assert.equal((json.meta as { mode: string }).mode, "short");
  assert.deepEqual(results.sizes.map((s) => s.keys), [1000, 10000]);
  // The exporter's family text equals what the independent C floor writes, byte for byte.
  for (const s of results.sizes) assert.equal(s.identical, true, `${s.keys} keys`);
  assert.equal(results.histogram.identical, true, "histogram");
  assert.equal(results.soak.scrapes, 200);
  // The packed binary's footprint: measured over two starts, or skipped with a stated reason.
  const fp = json.footprint as {
    runs: number;
    skipped: string | null;
    firstScrapeLines: number | null;
    idleAfterStartMiB: { n: number } | null;
  };
  assert.equal(fp.runs, 2);
  if (fp.skipped !== null) {
    console.error(`footprint SKIPPED: ${fp.skipped}`);
    assert.ok(fp.skipped.length > 0 && fp.idleAfterStartMiB === null);
  } else {
    assert.ok((fp.firstScrapeLines ?? 0) > 0, "the binary's first scrape was empty");
    assert.equal(fp.idleAfterStartMiB?.n, 2);
  }
  // Issue 12's ten targets, then issue 5's four. The short run has no 100k- or 1M-key size,
  // and its histogram and memory figures come from smaller maps: reported without a verdict.
  const targets = json.targets as Array<{ target: string; value: string; met: boolean | null }>;
  assert.equal(targets.length, 14);
  assert.deepEqual(targets.slice(0, 2).map((t) => [t.value, t.met]), [
    ["not run", null],
    ["not run", null],
  ]);
  assert.match(targets[2]!.value, /at [\d,]+ keys/);
  assert.equal(targets[2]!.met, null);
  assert.deepEqual(targets.slice(3, 5).map((t) => [/at 10,000 series/.test(t.value), t.met]), [
    [true, null],
    [true, null],
  ]);
  // The binary's three targets carry a verdict exactly when the footprint was measured.
  for (const t of targets.slice(6, 9)) {
    assert.equal(t.met === null, fp.skipped !== null, `${t.target}: ${t.value}`);
  }
  assert.equal(targets.filter((t) => t.target.startsWith("(issue 5)")).length, 4);
});

kernelTest("the probe overhead bench runs in short mode and every probe fires", async () => {
  const json = await runBench(["overhead"]);
  const plan = json.plan as { iterations: number; repeats: number };
  const rows = json.rows as Array<{ probe: string; weight: string; hits: number | null }>;
  assert.equal(rows.length, 13);
  for (const r of rows.filter((r) => r.weight === "count")) {
    // The counting program saw every loop iteration of the loop's own pid (and for the
    // sys_enter hooks, the loop's other system calls too).
    assert.ok((r.hits ?? 0) >= plan.iterations * plan.repeats, `${r.probe}: ${r.hits} hits`);
  }
});

kernelTest(
  "the span bench runs in short mode and every driven event becomes one span",
  async () => {
    const json = await runBench(["spans"]);
    const steps = json.steps as Array<{
      events: number;
      recordsRead: number;
      recordsDropped: number;
      spansReceived: number;
      distinctEvents: number;
      unexpected: number;
    }>;
    assert.equal((json.meta as { mode: string }).mode, "short");
    assert.equal(steps.length, 1);
    const s = steps[0]!;
    assert.equal(s.events, 300);
    // Every USDT pair became one ring-buffer record, one decoded span and one received span of the
    // step's trace id, each event number exactly once; nothing else arrived.
    assert.deepEqual(
      [s.recordsRead, s.recordsDropped, s.spansReceived, s.distinctEvents, s.unexpected],
      [300, 0, 300, 300, 0],
    );
    assert.equal(json.foreignSpans, 0);
  },
);
