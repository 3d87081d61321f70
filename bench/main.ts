/**
 * `deno task bench [scrape|overhead|profile|spans] [--short] [--out FILE]`: the scrape benchmark
 * (default), the probe overhead benchmark, a profiled scrape run or span throughput. Needs root. It re-runs itself in a private mount namespace with
 * its own bpffs, so the map pins it makes vanish with it and the host's /sys/fs/bpf is untouched.
 */

import { privateBpffsArgs } from "./namespace.ts";
import { parseArgs } from "node:util";
import { openLibbpf } from "../ffi/libbpf.ts";
import { permissionFlags } from "../src/permissions.ts";
import { buildArtifacts, ROOT } from "./build.ts";
import { effectiveUid, kernelRelease } from "./proc.ts";
import { makeOverheadPlan, type OverheadResults, runOverhead } from "./overhead.ts";
import { runProfile } from "./profile_suite.ts";
import {
  overheadReport,
  profileReport,
  scrapeReport,
  scrapeTargets,
  spansReport,
} from "./report.ts";
import { makeSpanPlan, runSpans } from "./spans.ts";
import { footprintReport, runFootprint } from "./footprint.ts";
import { Cleanup, makePlan, runScrapeSuite } from "./scrape_suite.ts";

const NAMESPACE_ENV = "EBPF_EXPORTER_BENCH_NAMESPACE";
const PERMS = permissionFlags("bench");

const USAGE =
  `usage: deno task bench [scrape|overhead|profile|spans|footprint] [--short] [--keys N] [--out FILE]

  scrape     (default) scrape times against the C floor, read modes, encoder vs prom-client,
             memory over many scrapes, landing page during a big scrape, and the footprint
  footprint  the packed binary alone: size, start to first scrape, idle RSS (builds it)
  overhead   cost of tracepoint, raw_tp, tp_btf and uprobe programs on a getpid loop
  profile    the exporter under --cpu-prof while scraping a --keys map (default 100000);
             --histogram profiles the histogram config (bench_hist.yaml) instead
  spans      USDT events at stepped rates through the usdt-span ring buffer into OTLP spans:
             spans received, loss, exporter CPU per 10k spans
  --short    small sizes and few iterations (what CI runs)
  --out      where the JSON goes (default bench/results/<suite>[-short].json, latest.json for
             the full scrape run)`;

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      short: { type: "boolean", default: false },
      out: { type: "string" },
      keys: { type: "string" },
      histogram: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const suite = positionals[0] ?? "scrape";
  if (
    positionals.length > 1 ||
    !["scrape", "overhead", "profile", "spans", "footprint"].includes(suite)
  ) {
    throw new Error(
      `Cannot run bench "${
        positionals.join(" ")
      }": expected scrape, overhead, profile, spans or footprint`,
    );
  }
  const keys = Number(values.keys ?? (values.short ? 10000 : 100000));
  if (!Number.isInteger(keys) || keys < 1 || keys > 1 << 20) {
    throw new Error(`Cannot use --keys "${values.keys}": expected an integer from 1 to 1048576`);
  }
  const name = suite === "scrape" ? "latest" : `${suite}-latest`;
  const out = values.out ?? `${ROOT}/bench/results/${name}${values.short ? "-short" : ""}.json`;
  return { suite, short: values.short, keys, histogram: values.histogram, out, help: values.help };
}

/** Re-runs this script under `unshare --mount` with a fresh bpffs; returns its exit code. */
async function runInNamespace(argv: string[]): Promise<number> {
  const child = new Deno.Command("unshare", {
    args: privateBpffsArgs([
      Deno.execPath(),
      "run",
      "--quiet",
      ...PERMS,
      new URL(import.meta.url).pathname,
      ...argv,
    ]),
    env: { [NAMESPACE_ENV]: "1" },
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  const forward = (sig: Deno.Signal) => () => {
    try {
      child.kill(sig);
    } catch { /* already gone */ }
  };
  const onInt = forward("SIGINT");
  const onTerm = forward("SIGTERM");
  Deno.addSignalListener("SIGINT", onInt);
  Deno.addSignalListener("SIGTERM", onTerm);
  const status = await child.status;
  Deno.removeSignalListener("SIGINT", onInt);
  Deno.removeSignalListener("SIGTERM", onTerm);
  return status.code;
}

function meta(mode: string) {
  const lib = openLibbpf();
  return {
    date: new Date().toISOString(),
    mode,
    kernel: kernelRelease(),
    cpus: navigator.hardwareConcurrency,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    libbpf: `${lib.version} (${lib.source}: ${lib.path})`,
  };
}

function writeJson(path: string, value: unknown): void {
  Deno.mkdirSync(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  Deno.writeTextFileSync(path, JSON.stringify(value, null, 2) + "\n");
  console.log(`Results written to ${path}`);
}

async function runSuite(opts: ReturnType<typeof parse>): Promise<void> {
  const cleanup = new Cleanup();
  const onSignal = async () => {
    console.error("Interrupted: cleaning up");
    await cleanup.run();
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  const say = (line: string) => console.error(`[bench] ${line}`);
  try {
    say("building");
    const artifacts = await buildArtifacts();
    if (opts.suite === "profile") {
      const results = await runProfile(
        artifacts,
        opts.keys,
        opts.short ? 5 : 20,
        cleanup,
        say,
        opts.histogram,
      );
      console.log("\n" + profileReport(results));
      writeJson(opts.out, { meta: meta(opts.short ? "short" : "full"), ...results });
      return;
    }
    if (opts.suite === "spans") {
      const plan = makeSpanPlan(opts.short);
      const results = await runSpans(artifacts, plan, cleanup, say);
      console.log("\n" + spansReport(results));
      writeJson(opts.out, { meta: meta(plan.mode), ...results });
      return;
    }
    if (opts.suite === "overhead") {
      const plan = makeOverheadPlan(opts.short);
      const results: OverheadResults = await runOverhead(artifacts, plan, cleanup, say);
      console.log("\n" + overheadReport(results));
      writeJson(opts.out, { meta: meta(plan.mode), ...results });
      return;
    }
    const footprintRuns = opts.short ? 2 : 5;
    if (opts.suite === "footprint") {
      const footprint = await runFootprint(footprintRuns, say);
      console.log("\n" + footprintReport(footprint));
      writeJson(opts.out, { meta: meta(opts.short ? "short" : "full"), footprint });
      return;
    }
    const plan = makePlan(opts.short);
    const results = await runScrapeSuite(artifacts, plan, cleanup, say);
    const footprint = await runFootprint(footprintRuns, say);
    const targets = scrapeTargets(results, footprint);
    console.log("\n" + scrapeReport(results, targets));
    console.log("\n" + footprintReport(footprint));
    writeJson(opts.out, { meta: meta(plan.mode), targets, results, footprint });
  } finally {
    await cleanup.run();
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
  }
}

async function main(argv: string[]): Promise<number> {
  let opts;
  try {
    opts = parse(argv);
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  if (effectiveUid() !== 0) {
    console.error("The bench needs root: it loads BPF objects and mounts a private bpffs");
    return 1;
  }
  if (Deno.env.get(NAMESPACE_ENV) !== "1") return await runInNamespace(argv);
  await runSuite(opts);
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
