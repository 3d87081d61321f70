/**
 * Kernel feature probes for tests, independent of the exporter under test: each answers null when
 * the running kernel has the feature, or the reason it does not. Tests branch on these to check
 * the working path where a feature exists and the clear-error path where it does not; none may
 * assert that a feature is missing. Results are cached for the process.
 */

import { isReadable } from "../../ffi/libc.ts";

/** Kernel features a test can depend on. */
export type Feature = "kprobe" | "fentry" | "hardware_pmu";

const cache = new Map<Feature, Promise<string | null>>();

/** Null when the kernel has `feature`, else a short reason (e.g. "CONFIG_KPROBES is off"). */
export function missing(feature: Feature): Promise<string | null> {
  let p = cache.get(feature);
  if (p === undefined) {
    p = PROBES[feature]();
    cache.set(feature, p);
  }
  return p;
}

const TRACEFS = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"];

async function bpftoolFeatures(): Promise<string> {
  const out = await new Deno.Command("bpftool", {
    args: ["feature", "probe", "kernel"],
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder().decode(out.stdout);
}

const PROBES: Record<Feature, () => Promise<string | null>> = {
  // libbpf attaches kprobes through the kprobe PMU, or through the legacy kprobe_events file.
  kprobe: () =>
    Promise.resolve(
      isReadable("/sys/bus/event_source/devices/kprobe/type") ||
        TRACEFS.some((t) => isReadable(`${t}/kprobe_events`))
        ? null
        : "no kprobe PMU and no kprobe_events (kernel built without CONFIG_KPROBES)",
    ),
  // bpftool loads a minimal BPF_PROG_TYPE_TRACING program: refused under lockdown or without
  // trampolines, which is what stops fentry/fexit.
  fentry: async () =>
    /program_type tracing is available/.test(await bpftoolFeatures())
      ? null
      : "BPF_PROG_TYPE_TRACING programs are refused (bpftool feature probe: tracing not available)",
  hardware_pmu: () =>
    Promise.resolve(
      isReadable("/sys/bus/event_source/devices/cpu/type") ||
        isReadable("/sys/bus/event_source/devices/cpu_core/type")
        ? null
        : "no hardware PMU (virtual machine without perf counters)",
    ),
};
