/*
 * OOM kills by the victim's command, its cgroup (v2) and what constrained the allocation
 * (the whole machine, a cpuset, a mempolicy or a memory cgroup limit).
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "maps.bpf.h"

struct oom_kill_key {
	char command[16];
	__u64 cgroup;
	__u32 constraint;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, struct oom_kill_key);
	__type(value, __u64);
} oom_kills_total SEC(".maps");

/* Called once per OOM kill, with the victim already chosen in oc->chosen. */
SEC("kprobe/oom_kill_process")
int BPF_KPROBE(oom_kill_process, struct oom_control *oc, const char *message)
{
	struct oom_kill_key key = {};
	struct task_struct *victim = BPF_CORE_READ(oc, chosen);

	if (!victim)
		return 0;
	BPF_CORE_READ_STR_INTO(&key.command, victim, comm);
	/* The default hierarchy's cgroup: the root (id 1) when cgroup v2 is not in use. */
	key.cgroup = BPF_CORE_READ(victim, cgroups, dfl_cgrp, kn, id);
	key.constraint = BPF_CORE_READ(oc, constraint);
	counter_add(&oom_kills_total, &key, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
