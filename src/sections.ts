/**
 * What a BPF program's ELF section name says about how it attaches, and which kernel feature
 * that attach type depends on. Pure: read from the section name alone, so `--config.list` and
 * diagnostics can tell what a config needs without loading anything. The rules follow libbpf
 * 1.5's section matching: a family name matches on its own or followed by `/` and a target.
 */

/** Kernel features an attach type depends on that some kernels lack or refuse. */
export type KernelFeature = "kprobe" | "uprobe" | "trampoline";

/** How a program attaches and what it asks of the kernel. */
export interface SectionNeed {
  /** The attach kind shown to users (`kprobe`, `fentry`, `tp_btf`, ...), or "unknown". */
  kind: string;
  /** The kernel feature the kind depends on, or null when every supported kernel has it. */
  feature: KernelFeature | null;
}

interface Family {
  kind: string;
  feature: KernelFeature | null;
  /** Section family names that mean this kind (sleepable `.s` forms included). */
  names: readonly string[];
}

// The order of this table is the order a listing names kinds in.
const FAMILIES: readonly Family[] = [
  { kind: "kprobe", feature: "kprobe", names: ["kprobe"] },
  { kind: "kretprobe", feature: "kprobe", names: ["kretprobe"] },
  { kind: "kprobe.multi", feature: "kprobe", names: ["kprobe.multi"] },
  { kind: "kretprobe.multi", feature: "kprobe", names: ["kretprobe.multi"] },
  { kind: "kprobe.session", feature: "kprobe", names: ["kprobe.session"] },
  { kind: "ksyscall", feature: "kprobe", names: ["ksyscall"] },
  { kind: "kretsyscall", feature: "kprobe", names: ["kretsyscall"] },
  // fentry-style programs run from a BPF trampoline patched into the kernel function; LSM and
  // freplace programs use the same machinery.
  { kind: "fentry", feature: "trampoline", names: ["fentry", "fentry.s"] },
  { kind: "fexit", feature: "trampoline", names: ["fexit", "fexit.s"] },
  { kind: "fmod_ret", feature: "trampoline", names: ["fmod_ret", "fmod_ret.s"] },
  { kind: "freplace", feature: "trampoline", names: ["freplace"] },
  { kind: "lsm", feature: "trampoline", names: ["lsm", "lsm.s", "lsm_cgroup"] },
  // tp_btf is BPF_PROG_TYPE_TRACING too, but attaches to the tracepoint without a trampoline.
  { kind: "tp_btf", feature: null, names: ["tp_btf"] },
  { kind: "raw_tp", feature: null, names: ["raw_tp", "raw_tracepoint"] },
  { kind: "raw_tp.w", feature: null, names: ["raw_tp.w", "raw_tracepoint.w"] },
  { kind: "tracepoint", feature: null, names: ["tracepoint", "tp"] },
  { kind: "uprobe", feature: "uprobe", names: ["uprobe", "uprobe.s"] },
  { kind: "uretprobe", feature: "uprobe", names: ["uretprobe", "uretprobe.s"] },
  { kind: "uprobe.multi", feature: "uprobe", names: ["uprobe.multi", "uprobe.multi.s"] },
  { kind: "uretprobe.multi", feature: "uprobe", names: ["uretprobe.multi", "uretprobe.multi.s"] },
  { kind: "usdt", feature: "uprobe", names: ["usdt", "usdt.s"] },
  { kind: "perf_event", feature: null, names: ["perf_event"] },
  { kind: "xdp", feature: null, names: ["xdp", "xdp.frags"] },
  { kind: "iter", feature: null, names: ["iter", "iter.s"] },
  // Families libbpf knows that the exporter has no attach target for; named so a listing
  // says what they are rather than "unknown".
  ...[
    "socket",
    "sk_reuseport",
    "tc",
    "tcx",
    "classifier",
    "action",
    "netkit",
    "lwt_in",
    "lwt_out",
    "lwt_xmit",
    "lwt_seg6local",
    "sockops",
    "sk_skb",
    "sk_msg",
    "lirc_mode2",
    "flow_dissector",
    "cgroup_skb",
    "cgroup",
    "struct_ops",
    "sk_lookup",
    "netfilter",
    "syscall",
  ].map((name) => ({ kind: name, feature: null, names: [name] })),
];

const BY_NAME = new Map<string, Family>();
const RANK = new Map<string, number>();
FAMILIES.forEach((family, rank) => {
  for (const name of family.names) BY_NAME.set(name, family);
  RANK.set(family.kind, rank);
});

/** The family part of a section: everything before the first `/` (`kprobe/do_nanosleep` → `kprobe`). */
function familyName(section: string): string {
  const slash = section.indexOf("/");
  return slash < 0 ? section : section.slice(0, slash);
}

/** The attach kind and kernel feature a program section asks for. */
export function classifySection(section: string): SectionNeed {
  const family = BY_NAME.get(familyName(section));
  if (family === undefined) return { kind: "unknown", feature: null };
  return { kind: family.kind, feature: family.feature };
}

/** Position of a kind in the stable listing order; unknown kinds come last. */
export function kindRank(kind: string): number {
  return RANK.get(kind) ?? FAMILIES.length;
}
