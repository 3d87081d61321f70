/*
 * Syscalls by name, failed syscalls by errno, and syscall latency by name (exp2, in units of 2^-20 s).
 * Entry times are kept per thread so a thread's nested or restarted calls do not mix.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "maps.bpf.h"

#define MAX_LATENCY_SLOT 26

struct syscall_latency_key {
	__u64 syscall;
	__u64 bucket;
};

struct entry {
	__u64 nr;
	__u64 ts;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u64);
} syscalls_total SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);
	__type(value, __u64);
} syscall_errors_total SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct syscall_latency_key);
	__type(value, __u64);
} syscall_latency_seconds SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct entry);
} entered SEC(".maps");

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter, struct pt_regs *regs, long id)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct entry e = { .nr = (__u64)id, .ts = bpf_ktime_get_ns() };
	__u64 nr = (__u64)id;

	counter_add(&syscalls_total, &nr, 1);
	bpf_map_update_elem(&entered, &tid, &e, BPF_ANY);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct syscall_latency_key key = {};
	struct entry *e;
	__u64 err;

	if (ret < 0 && ret >= -4095) {
		err = (__u64)-ret;
		counter_add(&syscall_errors_total, &err, 1);
	}
	e = bpf_map_lookup_elem(&entered, &tid);
	if (!e)
		return 0;
	key.syscall = e->nr;
	histogram_observe_exp2(&syscall_latency_seconds, key, ns_to_pow2_units(bpf_ktime_get_ns() - e->ts, 20),
			       MAX_LATENCY_SLOT);
	bpf_map_delete_elem(&entered, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
