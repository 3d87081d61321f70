/** Prometheus naming rules for metric and label names taken from configs. */

import { METRIC_NAME_PATTERN } from "./keys.ts";

// Metric names are exported as `ebpf_exporter_<name>`, so a leading digit is fine.
const METRIC_NAME_CHARS = new RegExp(METRIC_NAME_PATTERN);
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Why `name` cannot be a metric name suffix, or null when it can. */
export function metricNameProblem(name: string): string | null {
  if (METRIC_NAME_CHARS.test(name)) return null;
  return `metric name may only contain letters, digits, "_" and ":", got ${JSON.stringify(name)}`;
}

/** Why `name` cannot be a Prometheus label name, or null; `le` is reserved on histogram series. */
export function labelNameProblem(name: string, histogramSeries: boolean): string | null {
  if (!LABEL_NAME.test(name)) {
    return `label name must start with a letter or "_" and contain only letters, digits and "_", ` +
      `got ${JSON.stringify(name)}`;
  }
  if (name.startsWith("__")) {
    return `label names starting with "__" are reserved, got ${JSON.stringify(name)}`;
  }
  if (histogramSeries && name === "le") {
    return `label name "le" is reserved for histogram buckets`;
  }
  return null;
}
