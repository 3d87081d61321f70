/**
 * OpenMetrics 1.0 text: the text writer's machinery with OpenMetrics' metadata and names. A
 * counter family is named without `_total` in `# HELP`/`# TYPE` and its samples carry `_total`
 * (added when the name lacks it, as client_golang does); `# UNIT` follows `# TYPE` when the
 * family name ends in a base unit; `le` values are canonical numbers (`1.0`, not `1`); HELP
 * escapes `"` as well; the exposition ends with `# EOF`.
 */

import type { SlabPool } from "./slab_pool.ts";
import type { ByteWriter } from "./bytes.ts";
import { utf8Bytes } from "./bytes.ts";
import { formatFloat } from "./float.ts";
import type { MetricFamily } from "./model.ts";
import { type TextDialect, TextWriter } from "./text.ts";

// OpenMetrics' base units that a metric name may end in; `# UNIT` names the one it ends in.
const UNITS = ["seconds", "bytes", "joules", "grams", "meters", "ratio", "volts", "amperes"];
const UNIT_SUFFIX = new RegExp(`_(${UNITS.join("|")})$`);
const HELP_ESCAPES = /[\\\n"]/;

/** The name of a family in `# HELP`/`# TYPE`/`# UNIT`: counters lose `_total`. */
export function openMetricsFamilyName(family: MetricFamily): string {
  return family.type === "counter" && family.name.endsWith("_total")
    ? family.name.slice(0, -"_total".length)
    : family.name;
}

/** The unit a family name ends in, or null. */
export function unitOf(familyName: string): string | null {
  return UNIT_SUFFIX.exec(familyName)?.[1] ?? null;
}

function escapeHelp(v: string): string {
  if (!HELP_ESCAPES.test(v)) return v;
  return v.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll('"', '\\"');
}

/**
 * A bucket bound as a canonical number: integral values keep a `.0`, as client_golang writes
 * them, so the same bound never shows up as two label values.
 */
export function canonicalLe(le: number): string {
  const s = formatFloat(le);
  return /^-?\d+$/.test(s) ? s + ".0" : s;
}

/** OpenMetrics 1.0.0 text. */
export const OPENMETRICS_1_0_0: TextDialect = {
  sampleName: (family) =>
    family.type === "counter" ? openMetricsFamilyName(family) + "_total" : family.name,
  header(w: ByteWriter, family: MetricFamily) {
    const name = utf8Bytes(openMetricsFamilyName(family));
    w.bytes("# HELP " + name + " ");
    w.text(escapeHelp(family.help));
    w.bytes("\n# TYPE " + name + " " + family.type + "\n");
    const unit = unitOf(name);
    if (unit !== null) w.bytes("# UNIT " + name + " " + unit + "\n");
  },
  leText: canonicalLe,
  trailer: "# EOF\n",
};

/** A TextWriter (with its own reuse state) that writes OpenMetrics 1.0.0. */
export function openMetricsWriter(opts: { keeps?: boolean; pool?: SlabPool } = {}): TextWriter {
  return new TextWriter({ ...opts, dialect: OPENMETRICS_1_0_0 });
}

/** OpenMetrics text of `families` on a one-shot writer. */
export function encodeOpenMetrics(families: readonly MetricFamily[]): string {
  return openMetricsWriter({ keeps: false }).text(families);
}
