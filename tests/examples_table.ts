/**
 * The README's table of examples, derived from the examples themselves: attach types from the
 * programs' SEC() names, decoders from the configs. `deno run --allow-read --allow-env
 * tests/examples_table.ts` prints it; tests/examples_doc_test.ts fails when the README differs.
 */

import { parse } from "yaml";

const DIR = new URL("../examples/", import.meta.url).pathname;

interface Label {
  decoders?: Array<{ name: string }>;
}
interface Metric {
  labels?: Label[];
}
interface Config {
  metrics?: { counters?: Metric[]; histograms?: Metric[] };
  tracing?: { spans?: Metric[] };
}

/** Names of the examples: every examples/NAME.yaml, sorted. */
export function exampleNames(): string[] {
  return [...Deno.readDirSync(DIR)].filter((e) => e.name.endsWith(".yaml"))
    .map((e) => e.name.slice(0, -".yaml".length)).sort();
}

/** The table row of one example: name linked to its section, attach types, decoders. */
export function exampleRow(name: string): string {
  const config = parse(Deno.readTextFileSync(`${DIR}${name}.yaml`)) as Config;
  const decoders = new Set<string>();
  const metrics = [...config.metrics?.counters ?? [], ...config.metrics?.histograms ?? []];
  for (const m of [...metrics, ...config.tracing?.spans ?? []]) {
    for (const l of m.labels ?? []) for (const d of l.decoders ?? []) decoders.add(d.name);
  }
  const source = Deno.readTextFileSync(`${DIR}${name}.bpf.c`);
  const attach = new Set(
    [...source.matchAll(/\bSEC\("([a-z_.]+)/g)].map((m) => m[1]!)
      .filter((s) => s !== "license" && !s.startsWith(".")),
  );
  const list = (s: Set<string>) => [...s].sort().map((x) => `\`${x}\``).join(", ");
  return `| [${name}](examples/README.md#${name}) | ${list(attach)} | ${list(decoders)} |`;
}

/** The whole table, header included. */
export function examplesTable(): string {
  return [
    "| Example | Attach types | Decoders |",
    "|---|---|---|",
    ...exampleNames().map(exampleRow),
  ].join("\n");
}

if (import.meta.main) console.log(examplesTable());
