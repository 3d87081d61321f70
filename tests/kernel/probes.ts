/**
 * Kernel feature probes for tests, independent of the exporter under test: each answers null when
 * the running kernel has the feature, or the reason it does not. Tests branch on these to check
 * the working path where a feature exists and the clear-error path where it does not; none may
 * assert that a feature is missing. Results are cached for the process.
 */

import { bufferAddress, closeFd, isReadable, rawBpf, tryReadFileViaLibc } from "../../ffi/libc.ts";
import { BPF_ATTR, BPF_INSN } from "../../ffi/structs.ts";

/** Kernel features a test can depend on. */
export type Feature =
  | "bpf_cookie"
  | "cgrp_storage"
  | "kprobe"
  | "kprobe_multi"
  | "fentry"
  | "hardware_pmu"
  | "tracefs";

/** Every feature there is a probe for, in the order reports list them. */
export const FEATURES: readonly Feature[] = [
  "kprobe",
  "kprobe_multi",
  "fentry",
  "tracefs",
  "cgrp_storage",
  "bpf_cookie",
  "hardware_pmu",
];

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

const BPF_PROG_LOAD = 5;
const BPF_LINK_CREATE = 28;
const BPF_PROG_TYPE_KPROBE = 2;
const BPF_TRACE_KPROBE_MULTI = 42;
const ERRNO_NAMES: Record<number, string> = {
  1: "EPERM",
  2: "ENOENT",
  3: "ESRCH",
  22: "EINVAL",
  95: "EOPNOTSUPP",
  524: "ENOTSUPP",
};

/**
 * Creates a kprobe.multi link on do_getpgid with raw bpf(2) calls, the way libbpf would, then
 * closes it: a kernel without multi-kprobe links (before 5.18) answers EINVAL, one built
 * without CONFIG_FPROBE EOPNOTSUPP. Raw calls keep the probe independent of libbpf.
 */
function probeKprobeMulti(): string | null {
  const errName = (e: number) => ERRNO_NAMES[e] ?? `errno ${e}`;
  // r0 = 0; exit
  const insns = new Uint8Array([0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);
  const license = new TextEncoder().encode("GPL\0");
  const f = BPF_ATTR.fields;
  const load = new Uint8Array(BPF_ATTR.size);
  const lv = new DataView(load.buffer);
  lv.setUint32(f.prog_type, BPF_PROG_TYPE_KPROBE, true);
  lv.setUint32(f.insn_cnt, insns.length / BPF_INSN.size, true);
  lv.setBigUint64(f.insns, bufferAddress(insns), true);
  lv.setBigUint64(f.license, bufferAddress(license), true);
  lv.setUint32(f.expected_attach_type, BPF_TRACE_KPROBE_MULTI, true);
  const prog = rawBpf(BPF_PROG_LOAD, load);
  if (prog.result < 0) return `a kprobe.multi program does not load (${errName(prog.errno)})`;
  try {
    const sym = new TextEncoder().encode("do_getpgid\0");
    const syms = new Uint8Array(8);
    new DataView(syms.buffer).setBigUint64(0, bufferAddress(sym), true);
    const create = new Uint8Array(BPF_ATTR.size);
    const cv = new DataView(create.buffer);
    cv.setUint32(f["link_create.prog_fd"], prog.result, true);
    cv.setUint32(f["link_create.attach_type"], BPF_TRACE_KPROBE_MULTI, true);
    cv.setUint32(f["link_create.kprobe_multi.cnt"], 1, true);
    cv.setBigUint64(f["link_create.kprobe_multi.syms"], bufferAddress(syms), true);
    const link = rawBpf(BPF_LINK_CREATE, create);
    if (link.result < 0) {
      const why = link.errno === 95
        ? "kernel built without CONFIG_FPROBE"
        : link.errno === 22
        ? "kernel before 5.18"
        : "see errno";
      return `kprobe.multi links are refused (${errName(link.errno)}: ${why})`;
    }
    closeFd(link.result);
    return null;
  } finally {
    closeFd(prog.result);
  }
}

/** Whether /proc/kallsyms lists a function (text symbol) of this name. */
function kernelHasFunction(name: string): boolean {
  const text = new TextDecoder().decode(tryReadFileViaLibc("/proc/kallsyms") ?? new Uint8Array());
  return new RegExp(`^[0-9a-f]+ [tT] ${name}$`, "m").test(text);
}

const PROBES: Record<Feature, () => Promise<string | null>> = {
  // bpf_get_attach_cookie came with 5.15; this is its kprobe/uprobe/tracepoint flavour. libbpf
  // needs it to attach a USDT in a PIE binary (or a shared library) for every process.
  bpf_cookie: () =>
    Promise.resolve(
      kernelHasFunction("bpf_get_attach_cookie_trace")
        ? null
        : "no BPF cookies (bpf_get_attach_cookie_trace is not in kallsyms: kernel before 5.15)",
    ),
  // BPF_MAP_TYPE_CGRP_STORAGE came with 6.2, together with its bpf_cgrp_storage_get helper.
  cgrp_storage: () =>
    Promise.resolve(
      kernelHasFunction("bpf_cgrp_storage_get")
        ? null
        : "no cgroup local storage maps (bpf_cgrp_storage_get is not in kallsyms: kernel before 6.2)",
    ),
  // libbpf attaches kprobes through the kprobe PMU, or through the legacy kprobe_events file.
  kprobe: () =>
    Promise.resolve(
      isReadable("/sys/bus/event_source/devices/kprobe/type") ||
        TRACEFS.some((t) => isReadable(`${t}/kprobe_events`))
        ? null
        : "no kprobe PMU and no kprobe_events (kernel built without CONFIG_KPROBES)",
    ),
  kprobe_multi: () => Promise.resolve(probeKprobeMulti()),
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
  // libbpf finds a tracepoint's id in tracefs; `make test` mounts it, a bare host may not.
  tracefs: () =>
    Promise.resolve(
      TRACEFS.some((t) => isReadable(`${t}/events`))
        ? null
        : "tracefs is not mounted at /sys/kernel/tracing or /sys/kernel/debug/tracing",
    ),
};
