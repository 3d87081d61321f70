/** The one rule for how many key bytes a metric's labels describe. */

import type { LabelConfig } from "../config/types.ts";

/** Bytes of a map key the labels of a metric describe (see spec 3.5 for the per-CPU rules). */
export function expectedKeySize(labels: LabelConfig[], perCpu: boolean): number {
  if (labels.length === 0) return 4;
  let total = 0;
  for (const l of labels) total += l.size + l.padding;
  const last = labels[labels.length - 1]!;
  if (perCpu && last.name === "cpu") {
    // The CPU index is appended by the exporter as a u16; a lone cpu label sits on a u32 key.
    return labels.length === 1 ? 4 : total - last.size - last.padding;
  }
  return total;
}
