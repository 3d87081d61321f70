/* Syscalls by the cgroup (v2) of the calling task. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "maps.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u64);
} cgroup_syscalls_total SEC(".maps");

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter, struct pt_regs *regs, long id)
{
	__u64 cgroup = bpf_get_current_cgroup_id();

	counter_add(&cgroup_syscalls_total, &cgroup, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
