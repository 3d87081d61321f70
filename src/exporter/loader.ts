/**
 * Turns a validated config into loaded, attached BPF state: open → validate against the object's
 * spec → load → attach. Any fatal failure closes what was opened, so nothing stays loaded.
 */

import { type BpfLink, type BpfMap, BpfObject, type BpfProgram } from "../../ffi/libbpf.ts";
import { attachProgram } from "./attach.ts";
import { applyKaddrs, NO_SYMBOLS, type SymbolAddresses } from "./kaddrs.ts";
import type { Config } from "../config/types.ts";
import { type ObjectSpec, objectSpec } from "../spec/object_spec.ts";
import { validateConfig, type ValidatedMaps } from "../spec/validate.ts";

/** One program of a loaded config with its attach outcome. */
export interface AttachedProgram {
  program: BpfProgram;
  /** Empty when attach failed; several for per-CPU perf events. */
  links: BpfLink[];
  /** Why attach failed (null when attached); diagnostics read its errno through `cause`. */
  error: Error | null;
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
  /** Ring buffer of each span, by ring buffer name. */
  ringbufs: Map<string, BpfMap>;
}

/** Options that apply to every config. */
export interface LoadOptions {
  btfPath?: string;
  /** Kernel symbol addresses for `kaddrs` (the host's kallsyms, read on first use). */
  kernelAddresses?: () => SymbolAddresses;
  /** Reads an object's bytes when it is not on disk (embedded examples). */
  readObject?: (path: string) => Uint8Array | null;
}

/** A config that cannot be loaded; the message names the config, `cause` is the failure. */
export class LoadError extends Error {
  override name = "LoadError";
}

function loadError(config: Config, cause: unknown): LoadError {
  const message = cause instanceof Error ? cause.message : String(cause);
  return new LoadError(`Cannot load config "${config.name}": ${message}`, { cause });
}

/** An opened (not loaded) object whose spec fits its config. */
export interface ValidatedObject {
  object: BpfObject;
  spec: ObjectSpec;
  maps: ValidatedMaps;
}

/**
 * Opens a config's object and validates the config against its spec, before anything reaches
 * the kernel; throws LoadError (and closes the object) on a misfit. The caller closes the object.
 */
export function openValidated(config: Config, opts: LoadOptions): ValidatedObject {
  const object = openObject(config, opts);
  try {
    const spec = objectSpec(object, config.objectPath);
    return { object, spec, maps: validateConfig(config, spec) };
  } catch (e) {
    object.close();
    throw loadError(config, e);
  }
}

/** Loads one config's object, checks its maps and attaches its programs. */
export function loadConfig(config: Config, opts: LoadOptions): LoadedConfig {
  const { object, maps: names } = openValidated(config, opts);
  const programs: AttachedProgram[] = [];
  try {
    try {
      if (config.kaddrs.length > 0) {
        applyKaddrs(object, config.kaddrs, opts.kernelAddresses?.() ?? NO_SYMBOLS);
      }
      object.load();
    } catch (e) {
      throw loadError(config, e);
    }
    const maps = mapsByName(object, names.metrics);
    const perfMaps = mapsByName(object, names.perf);
    const ringbufs = mapsByName(object, names.ringbufs);
    for (const program of object.programs()) {
      if (!program.autoload) continue;
      try {
        programs.push({ program, links: attachProgram(program), error: null });
      } catch (e) {
        programs.push({ program, links: [], error: e instanceof Error ? e : new Error(String(e)) });
      }
    }
    return { config, object, programs, maps, perfMaps, ringbufs };
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
    throw loadError(config, e);
  }
}

// Validation has made sure every name is there.
function mapsByName(object: BpfObject, names: string[]): Map<string, BpfMap> {
  return new Map(names.map((n) => [n, object.map(n)!]));
}

/** Detaches every program and closes the object. Idempotent. */
export function unloadConfig(loaded: LoadedConfig): void {
  for (const p of loaded.programs) for (const l of p.links) l.destroy();
  loaded.object.close();
}
