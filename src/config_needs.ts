/**
 * What each config needs from the kernel, for `--config.list`: the attach kinds of the programs
 * in its object (opened with libbpf, never loaded) and, for kinds that depend on a kernel
 * feature, whether this kernel has it. One line per config:
 *
 *   NAME  needs: ITEM[, ITEM...]
 *
 * ITEM is an attach kind (`tp_btf`), or the kinds that share one kernel feature joined by `/`
 * (`kprobe/kretprobe`) followed by ` (missing: REASON)` or ` (unknown: REASON)` when the
 * feature is absent or could not be probed. A config without programs says `needs: nothing`;
 * one whose object cannot be opened says `needs: ? (cannot inspect: REASON)`. Names are padded
 * to one column, so the first whitespace-separated field is always the name.
 */

import { BpfObject } from "../ffi/libbpf.ts";
import type { ConfigSource } from "./embedded.ts";
import type { FeatureStatus } from "./kernel_features.ts";
import { classifySection, type KernelFeature, kindRank } from "./sections.ts";

/** One item of a needs column: kinds that share a feature, or one kind without a feature. */
export interface NeedItem {
  /** Kinds in listing order; an unknown section appears as `unknown section "NAME"`. */
  kinds: string[];
  feature: KernelFeature | null;
}

/** A config's needs, or why its object could not be inspected. */
export type ConfigNeeds = { name: string; items: NeedItem[] } | { name: string; error: string };

/** Groups program sections into need items: deduplicated, in a stable order. */
export function needItems(sections: readonly string[]): NeedItem[] {
  const kinds = new Map<string, { rank: number; feature: KernelFeature | null }>();
  for (const section of sections) {
    const need = classifySection(section);
    const label = need.kind === "unknown"
      ? `unknown section ${JSON.stringify(section)}`
      : need.kind;
    kinds.set(label, { rank: kindRank(need.kind), feature: need.feature });
  }
  const ordered = [...kinds].sort(([a, x], [b, y]) =>
    x.rank - y.rank || (a < b ? -1 : a > b ? 1 : 0)
  );
  const items: NeedItem[] = [];
  const byFeature = new Map<KernelFeature, NeedItem>();
  for (const [label, { feature }] of ordered) {
    if (feature === null) {
      items.push({ kinds: [label], feature });
      continue;
    }
    const item = byFeature.get(feature);
    if (item !== undefined) {
      item.kinds.push(label);
    } else {
      const created = { kinds: [label], feature };
      byFeature.set(feature, created);
      items.push(created);
    }
  }
  return items;
}

/** The needs column of one config, e.g. `needs: kprobe (missing: ...), tp_btf`. */
export function formatNeeds(
  needs: ConfigNeeds,
  status: (feature: KernelFeature) => FeatureStatus,
): string {
  if ("error" in needs) return `needs: ? (cannot inspect: ${needs.error})`;
  if (needs.items.length === 0) return "needs: nothing";
  const parts = needs.items.map((item) => {
    const kinds = item.kinds.join("/");
    if (item.feature === null) return kinds;
    const s = status(item.feature);
    return s.state === "present" ? kinds : `${kinds} (${s.state}: ${s.reason})`;
  });
  return `needs: ${parts.join(", ")}`;
}

/** One line per config, names padded to a common column. */
export function formatListing(
  configs: readonly ConfigNeeds[],
  status: (feature: KernelFeature) => FeatureStatus,
): string[] {
  const width = Math.max(0, ...configs.map((c) => c.name.length)) + 2;
  return configs.map((c) => `${c.name.padEnd(width)}${formatNeeds(c, status)}`);
}

/**
 * Section names of the programs a config would load (autoload ones, as the loader does), read
 * by opening its object with libbpf; nothing is loaded into the kernel.
 */
export function programSections(source: ConfigSource, name: string): string[] {
  const path = source.dir.endsWith("/")
    ? `${source.dir}${name}.bpf.o`
    : `${source.dir}/${name}.bpf.o`;
  const bytes = source.readObject(path);
  const object = bytes !== null
    ? BpfObject.openMem(bytes, `${name}.bpf.o`)
    : BpfObject.openFile(path);
  try {
    return object.programs().filter((p) => p.autoload).map((p) => p.section);
  } finally {
    object.close();
  }
}

/** Inspects each config; an object that cannot be opened is reported, not thrown. */
export function inspectConfigs(
  names: readonly string[],
  sections: (name: string) => string[],
): ConfigNeeds[] {
  return names.map((name) => {
    try {
      return { name, items: needItems(sections(name)) };
    } catch (e) {
      if (!(e instanceof Error)) throw e;
      return { name, error: e.message };
    }
  });
}
