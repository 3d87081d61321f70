import assert from "node:assert/strict";
import { classifySection, kindRank, type SectionNeed } from "../src/sections.ts";

function need(kind: string, feature: SectionNeed["feature"]): SectionNeed {
  return { kind, feature };
}

const VECTORS: Array<[string, SectionNeed]> = [
  // kprobe family: all need the kernel's kprobes.
  ["kprobe/do_nanosleep", need("kprobe", "kprobe")],
  ["kprobe", need("kprobe", "kprobe")],
  ["kprobe/do_sys_open+0x10", need("kprobe", "kprobe")],
  ["kretprobe/do_nanosleep", need("kretprobe", "kprobe")],
  ["kretprobe/", need("kretprobe", "kprobe")],
  ["ksyscall/getpgid", need("ksyscall", "kprobe")],
  ["kretsyscall/getpgid", need("kretsyscall", "kprobe")],
  ["kprobe.multi/do_getpgid", need("kprobe.multi", "kprobe")],
  ["kprobe.multi/tcp_*", need("kprobe.multi", "kprobe")],
  ["kretprobe.multi/tcp_*", need("kretprobe.multi", "kprobe")],
  ["kprobe.session/do_getpgid", need("kprobe.session", "kprobe")],
  // Trampolines.
  ["fentry/do_getpgid", need("fentry", "trampoline")],
  ["fentry.s/do_getpgid", need("fentry", "trampoline")],
  ["fexit/do_getpgid", need("fexit", "trampoline")],
  ["fexit.s/do_getpgid", need("fexit", "trampoline")],
  ["fmod_ret/security_file_open", need("fmod_ret", "trampoline")],
  ["freplace/handler", need("freplace", "trampoline")],
  ["lsm/file_open", need("lsm", "trampoline")],
  ["lsm.s/file_open", need("lsm", "trampoline")],
  ["lsm_cgroup/socket_bind", need("lsm", "trampoline")],
  // Tracepoints of every flavour need nothing optional.
  ["tp_btf/sys_enter", need("tp_btf", null)],
  ["tp_btf/timer_start", need("tp_btf", null)],
  ["raw_tp/sys_enter", need("raw_tp", null)],
  ["raw_tracepoint/sys_enter", need("raw_tp", null)],
  ["raw_tp.w/bpf_test_finish", need("raw_tp.w", null)],
  ["raw_tracepoint.w/bpf_test_finish", need("raw_tp.w", null)],
  ["tp/syscalls/sys_enter_getppid", need("tracepoint", null)],
  ["tracepoint/syscalls/sys_enter_getppid", need("tracepoint", null)],
  // User-space probes.
  ["uprobe//proc/self/exe:post_attach_mark", need("uprobe", "uprobe")],
  ["uprobe/./attach_target:target_func", need("uprobe", "uprobe")],
  ["uprobe.s//usr/lib/libc.so.6:malloc", need("uprobe", "uprobe")],
  ["uretprobe//proc/self/exe:post_attach_mark", need("uretprobe", "uprobe")],
  ["uretprobe.s//bin/bash:readline", need("uretprobe", "uprobe")],
  ["uprobe.multi//bin/bash:read*", need("uprobe.multi", "uprobe")],
  ["uretprobe.multi.s//bin/bash:read*", need("uretprobe.multi", "uprobe")],
  ["usdt/./attach_target:ebpf_exporter_test:tick", need("usdt", "uprobe")],
  ["usdt.s/libc.so.6:libc:setjmp", need("usdt", "uprobe")],
  // The exporter's own perf_event/ and xdp/ forms, and libbpf's plain ones.
  ["perf_event/type=1,config=0,frequency=99", need("perf_event", null)],
  ["perf_event", need("perf_event", null)],
  ["xdp/ebpfex0", need("xdp", null)],
  ["xdp", need("xdp", null)],
  ["xdp.frags/devmap", need("xdp", null)],
  ["iter/task", need("iter", null)],
  // Families libbpf knows but the exporter does not attach keep their name.
  ["socket", need("socket", null)],
  ["tc/ingress", need("tc", null)],
  ["cgroup/connect4", need("cgroup", null)],
  ["cgroup_skb/egress", need("cgroup_skb", null)],
  // Unknown: no family, a near miss that libbpf's `/` rule rejects, and an empty name.
  ["foo/bar", need("unknown", null)],
  ["kprobex/do_nanosleep", need("unknown", null)],
  ["fentry_unlikely", need("unknown", null)],
  ["", need("unknown", null)],
];

Deno.test("every section form maps to its attach kind and kernel feature", () => {
  for (const [section, expected] of VECTORS) {
    assert.deepEqual(classifySection(section), expected, section);
  }
});

Deno.test("kinds sort kprobes, then trampolines, then tracepoints, with unknown kinds last", () => {
  const kinds = ["unknown", "xdp", "uprobe", "tp_btf", "fentry", "kretprobe", "kprobe"];
  assert.deepEqual(
    kinds.sort((a, b) => kindRank(a) - kindRank(b)),
    ["kprobe", "kretprobe", "fentry", "tp_btf", "uprobe", "xdp", "unknown"],
  );
});
