/**
 * Turns a validated config into loaded, attached BPF state: open → load → check metric maps →
 * attach. Any fatal failure closes what was opened, so nothing stays loaded.
 */

import {
  type BpfLink,
  type BpfMap,
  BpfObject,
  type BpfProgram,
  MapType,
} from "../../ffi/libbpf.ts";
import { attachProgram } from "./attach.ts";
import { applyKaddrs, NO_SYMBOLS, type SymbolAddresses } from "./kaddrs.ts";
import type { Config } from "../config/types.ts";
import { expectedKeySize } from "./key_layout.ts";

/** Kept here for the map checks' importers; KeyLayout owns the rule. */
export { expectedKeySize };

/** One program of a loaded config with its attach outcome. */
export interface AttachedProgram {
  program: BpfProgram;
  /** Empty when attach failed; several for per-CPU perf events. */
  links: BpfLink[];
  /** Why attach failed (null when attached). */
  error: string | null;
}

/** A config whose object is loaded in the kernel. */
export interface LoadedConfig {
  config: Config;
  object: BpfObject;
  programs: AttachedProgram[];
  /** Map of each counter/histogram, by metric name. */
  maps: Map<string, BpfMap>;
  /** Perf event array of each `perf_event_array` counter, by metric name. */
  perfMaps: Map<string, BpfMap>;
}

/** Options that apply to every config. */
export interface LoadOptions {
  btfPath?: string;
  /** Kernel symbol addresses for `kaddrs` (the host's kallsyms, read on first use). */
  kernelAddresses?: () => SymbolAddresses;
  /** Reads an object's bytes when it is not on disk (embedded examples). */
  readObject?: (path: string) => Uint8Array | null;
}

/** A config that cannot be loaded; the message names the config and the cause. */
export class LoadError extends Error {
  override name = "LoadError";
}

/** Loads one config's object, checks its maps and attaches its programs. */
export function loadConfig(config: Config, opts: LoadOptions): LoadedConfig {
  const object = openObject(config, opts);
  const programs: AttachedProgram[] = [];
  try {
    if (config.kaddrs.length > 0) {
      try {
        applyKaddrs(object, config.kaddrs, opts.kernelAddresses?.() ?? NO_SYMBOLS);
      } catch (e) {
        throw new LoadError(`Cannot load config "${config.name}": ${(e as Error).message}`);
      }
    }
    try {
      object.load();
    } catch (e) {
      throw new LoadError(`Cannot load config "${config.name}": ${(e as Error).message}`);
    }
    const maps = checkMetricMaps(config, object);
    const perfMaps = checkPerfMaps(config, object);
    for (const program of object.programs()) {
      if (!program.autoload) continue;
      try {
        programs.push({ program, links: attachProgram(program), error: null });
      } catch (e) {
        programs.push({ program, links: [], error: (e as Error).message });
      }
    }
    return { config, object, programs, maps, perfMaps };
  } catch (e) {
    for (const p of programs) for (const l of p.links) l.destroy();
    object.close();
    throw e;
  }
}

function openObject(config: Config, opts: LoadOptions): BpfObject {
  const openOpts = opts.btfPath !== undefined ? { btfPath: opts.btfPath } : {};
  try {
    const bytes = opts.readObject?.(config.objectPath) ?? null;
    if (bytes !== null) {
      return BpfObject.openMem(bytes, `${config.name}.bpf.o`, openOpts);
    }
    return BpfObject.openFile(config.objectPath, openOpts);
  } catch (e) {
    throw new LoadError(`Cannot load config "${config.name}": ${(e as Error).message}`);
  }
}

function checkMetricMaps(config: Config, object: BpfObject): Map<string, BpfMap> {
  const out = new Map<string, BpfMap>();
  const metrics = [
    ...config.counters.filter((c) => !c.perf_event_array).map((c) => ({ kind: "counter", ...c })),
    ...config.histograms.map((h) => ({ kind: "histogram", ...h })),
  ];
  const where = `config "${config.name}"`;
  for (const m of metrics) {
    const map = object.map(m.name);
    if (map === null) {
      const names = object.maps().filter((x) => !x.name.startsWith(".")).map((x) => `"${x.name}"`);
      throw new LoadError(
        `Cannot load ${where}: ${m.kind} "${m.name}" needs a map named "${m.name}" in ` +
          `"${config.objectPath}", which has ${names.length ? names.join(", ") : "no maps"}`,
      );
    }
    if (map.valueSize !== 8) {
      throw new LoadError(
        `Cannot load ${where}: value size of map "${m.name}" is ${map.valueSize} bytes, ` +
          `the exporter reads u64 values (8 bytes)`,
      );
    }
    if (map.type === MapType.PERF_EVENT_ARRAY || map.type === MapType.RINGBUF) {
      throw new LoadError(
        `Cannot load ${where}: map "${m.name}" is an event stream, not a map of counters` +
          (m.kind === "counter" ? " (set perf_event_array: true for perf event arrays)" : ""),
      );
    }
    const want = expectedKeySize(m.labels, map.perCpu);
    if (map.keySize !== want) {
      const sizes = m.labels.map((l) => `${l.name}=${l.size}${l.padding ? `+${l.padding}` : ""}`);
      throw new LoadError(
        `Cannot load ${where}: key of map "${m.name}" is ${map.keySize} bytes, but the labels ` +
          `of ${m.kind} "${m.name}" (${sizes.join(", ") || "none"}) describe ${want} bytes`,
      );
    }
    out.set(m.name, map);
  }
  return out;
}

function checkPerfMaps(config: Config, object: BpfObject): Map<string, BpfMap> {
  const out = new Map<string, BpfMap>();
  for (const c of config.counters) {
    if (!c.perf_event_array) continue;
    const map = object.map(c.name);
    if (map === null || map.type !== MapType.PERF_EVENT_ARRAY) {
      throw new LoadError(
        `Cannot load config "${config.name}": counter "${c.name}" has perf_event_array: true ` +
          (map === null
            ? `but "${config.objectPath}" has no map named "${c.name}"`
            : `but map "${c.name}" is not a BPF_MAP_TYPE_PERF_EVENT_ARRAY`),
      );
    }
    out.set(c.name, map);
  }
  return out;
}

/** Detaches every program and closes the object. Idempotent. */
export function unloadConfig(loaded: LoadedConfig): void {
  for (const p of loaded.programs) for (const l of p.links) l.destroy();
  loaded.object.close();
}
