/** Problems that only show across configs: one metric family defined differently twice. */

import type { Config, CounterConfig, HistogramConfig } from "./types.ts";
import { ConfigError } from "./errors.ts";

interface Family {
  kind: "counter" | "histogram";
  help: string;
  /** Names of the exported labels (a histogram's last label is its bucket, not a label). */
  labels: string[];
  file: string;
  metric: CounterConfig | HistogramConfig;
}

/**
 * Throws a `ConfigError` when two configs export the same metric name as different kinds, with
 * different help or with different label names, naming both files.
 */
export function checkAcrossConfigs(configs: readonly Config[]): void {
  const families = new Map<string, Family>();
  for (const config of configs) {
    const found: Family[] = [
      ...config.counters.map((metric) => family(config, "counter", metric)),
      ...config.histograms.map((metric) => family(config, "histogram", metric)),
    ];
    for (const f of found) {
      const first = families.get(f.metric.name);
      if (first === undefined) {
        families.set(f.metric.name, f);
        continue;
      }
      if (first.file === f.file) continue; // Within one file the parser already rejects repeats.
      const problem = difference(first, f);
      if (problem !== null) {
        const there = `${first.file}:${first.metric.pos.line}`;
        throw new ConfigError(
          { file: f.file, line: f.metric.pos.line, key: f.metric.pos.key },
          `metric ${JSON.stringify(f.metric.name)} ${problem} in ${there}`,
        );
      }
    }
  }
}

function family(
  config: Config,
  kind: Family["kind"],
  metric: CounterConfig | HistogramConfig,
): Family {
  const names = metric.labels.map((l) => l.name);
  return {
    kind,
    help: metric.help,
    labels: kind === "histogram" ? names.slice(0, -1) : names,
    file: config.file,
    metric,
  };
}

function difference(first: Family, later: Family): string | null {
  if (first.kind !== later.kind) return `is a ${later.kind} here but a ${first.kind}`;
  if (first.help !== later.help) {
    return `has help ${JSON.stringify(later.help)} here but ${JSON.stringify(first.help)}`;
  }
  if (first.labels.join("\0") !== later.labels.join("\0")) {
    return `has labels ${listText(later.labels)} here but ${listText(first.labels)}`;
  }
  return null;
}

function listText(names: string[]): string {
  return `[${names.map((n) => JSON.stringify(n)).join(", ")}]`;
}
