/*
 * Probe overhead programs: three weights for each of tracepoint, raw_tp, tp_btf and uprobe.
 * The bench attaches one program at a time while bench/overhead/loop.c calls getpid and
 * bench_noop(); LOOP_BIN (the loop's absolute path) is set on the clang command line.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "maps.bpf.h"

#ifndef LOOP_BIN
#error "LOOP_BIN must name the loop binary for the uprobe programs"
#endif

/* The heavier key: who, when (a ~1 s bucket of ktime) and what command. */
struct heavy_key {
	__u32 pid;
	__u32 bucket;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, __u64);
} overhead_by_pid SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct heavy_key);
	__type(value, __u64);
} overhead_heavy SEC(".maps");

static __always_inline int count_pid(void)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	counter_add(&overhead_by_pid, &pid, 1);
	return 0;
}

static __always_inline int count_heavy(void)
{
	struct heavy_key key = {};

	key.pid = bpf_get_current_pid_tgid() >> 32;
	key.bucket = bpf_ktime_get_ns() >> 30;
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	counter_add(&overhead_heavy, &key, 1);
	return 0;
}

/*
 * syscalls/sys_enter_* contexts are not trace_event_raw_sys_enter (that is raw_syscalls):
 * __syscall_nr is an int at offset 8. These programs never read the context, so a bare pointer
 * keeps the verifier's max_ctx_offset at zero.
 */
SEC("tracepoint/syscalls/sys_enter_getpid")
int tracepoint_empty(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_enter_getpid")
int tracepoint_count(void *ctx) { return count_pid(); }

SEC("tracepoint/syscalls/sys_enter_getpid")
int tracepoint_heavy(void *ctx) { return count_heavy(); }

/* raw_tp and tp_btf on sys_enter run for every system call on the machine. */
SEC("raw_tp/sys_enter")
int raw_tp_empty(void *ctx) { return 0; }

SEC("raw_tp/sys_enter")
int raw_tp_count(void *ctx) { return count_pid(); }

SEC("raw_tp/sys_enter")
int raw_tp_heavy(void *ctx) { return count_heavy(); }

SEC("tp_btf/sys_enter")
int BPF_PROG(tp_btf_empty, struct pt_regs *regs, long id) { return 0; }

SEC("tp_btf/sys_enter")
int BPF_PROG(tp_btf_count, struct pt_regs *regs, long id) { return count_pid(); }

SEC("tp_btf/sys_enter")
int BPF_PROG(tp_btf_heavy, struct pt_regs *regs, long id) { return count_heavy(); }

SEC("uprobe/" LOOP_BIN ":bench_noop")
int uprobe_empty(void *ctx) { return 0; }

SEC("uprobe/" LOOP_BIN ":bench_noop")
int uprobe_count(void *ctx) { return count_pid(); }

SEC("uprobe/" LOOP_BIN ":bench_noop")
int uprobe_heavy(void *ctx) { return count_heavy(); }

char LICENSE[] SEC("license") = "GPL";
