/**
 * Whether this kernel has the features some attach types depend on (see sections.ts): kprobes,
 * uprobes and BPF trampolines. Each probe runs at most once per process. The decisions are
 * functions of a few host facts passed in, so they are tested without a kernel.
 */

import { ErrnoError, errnoText } from "../ffi/errno.ts";
import { isReadable } from "../ffi/libc.ts";
import { probeProgramType, ProgramType } from "../ffi/libbpf.ts";
import { processEffectiveSet } from "../ffi/caps.ts";
import { canLoadTracing } from "./diagnose.ts";
import type { KernelFeature } from "./sections.ts";

/** A probe's answer: present, missing (with why), or unknown (the probe itself could not run). */
export type FeatureStatus =
  | { state: "present" }
  | { state: "missing"; reason: string }
  | { state: "unknown"; reason: string };

/** One probe per feature. */
export type FeatureProbes = Record<KernelFeature, () => FeatureStatus>;

/** What the host probes look at; tests pass their own. */
export interface ProbeHost {
  /** Whether a file under /sys exists and is readable (through libc, outside Deno's sandbox). */
  isReadable(path: string): boolean;
  /** The process's effective capabilities, or null when unknown. */
  capEff(): bigint | null;
  /** libbpf's BPF_PROG_TYPE_TRACING probe; throws ErrnoError when it cannot run. */
  probeTracing(): boolean;
}

const PRESENT: FeatureStatus = { state: "present" };
const TRACEFS = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"];

/** Paths whose presence shows the kernel can create kprobes (libbpf uses the first it finds). */
export const KPROBE_PATHS: readonly string[] = [
  "/sys/bus/event_source/devices/kprobe/type",
  ...TRACEFS.map((t) => `${t}/kprobe_events`),
];

/** Paths whose presence shows the kernel can create uprobes. */
export const UPROBE_PATHS: readonly string[] = [
  "/sys/bus/event_source/devices/uprobe/type",
  ...TRACEFS.map((t) => `${t}/uprobe_events`),
];

/** Fixed reasons (no commas: a listing separates its items with ", "), stable across hosts. */
export const REASONS = {
  noKprobes: "kernel has no kprobe support",
  noUprobes: "kernel has no uprobe support",
  noBtf: "kernel has no BTF",
  trampolinesRefused: "BPF trampolines refused: lockdown or no support",
  noPrivilege: "cannot probe without CAP_BPF and CAP_PERFMON",
} as const;

/** The probes for a host: file checks for kprobes and uprobes, a load probe for trampolines. */
export function hostProbes(host: ProbeHost): FeatureProbes {
  const anyReadable = (paths: readonly string[]) => paths.some((p) => host.isReadable(p));
  return {
    kprobe: () =>
      anyReadable(KPROBE_PATHS) ? PRESENT : { state: "missing", reason: REASONS.noKprobes },
    uprobe: () =>
      anyReadable(UPROBE_PATHS) ? PRESENT : { state: "missing", reason: REASONS.noUprobes },
    trampoline: () => {
      if (!host.isReadable("/sys/kernel/btf/vmlinux")) {
        return { state: "missing", reason: REASONS.noBtf };
      }
      // Without the capabilities every load is refused, which says nothing about the kernel.
      const caps = host.capEff();
      if (caps !== null && !canLoadTracing(caps)) {
        return { state: "unknown", reason: REASONS.noPrivilege };
      }
      try {
        return host.probeTracing()
          ? PRESENT
          : { state: "missing", reason: REASONS.trampolinesRefused };
      } catch (e) {
        if (!(e instanceof ErrnoError)) throw e;
        return {
          state: "unknown",
          reason: `cannot probe BPF_PROG_TYPE_TRACING: ${errnoText(e.errno)}`,
        };
      }
    },
  };
}

/** Wraps probes so each runs at most once; later questions get the first answer. */
export function cachedFeatureStatus(
  probes: FeatureProbes,
): (feature: KernelFeature) => FeatureStatus {
  const cache = new Map<KernelFeature, FeatureStatus>();
  return (feature) => {
    let status = cache.get(feature);
    if (status === undefined) {
      status = probes[feature]();
      cache.set(feature, status);
    }
    return status;
  };
}

const REAL_HOST: ProbeHost = {
  isReadable,
  capEff: processEffectiveSet,
  probeTracing: () => probeProgramType(ProgramType.TRACING),
};

let hostStatus: ((feature: KernelFeature) => FeatureStatus) | null = null;

/** This kernel's answer for a feature, probed on first use and cached for the process. */
export function hostFeatureStatus(feature: KernelFeature): FeatureStatus {
  hostStatus ??= cachedFeatureStatus(hostProbes(REAL_HOST));
  return hostStatus(feature);
}
