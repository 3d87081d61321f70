/*
 * Run queue latency: how long a runnable task waits before it gets a CPU, from its wakeup (or
 * its preemption, when it stays runnable) to the switch that runs it; an exp2 histogram in
 * units of 2^-20 s (~0.95 us) by CPU. raw_tp programs read the task structs through CO-RE helpers.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "maps.bpf.h"

/*
 * Buckets 0..26 in units of 2^-20 s (~0.95 us, up to 64 s); bucket 27 holds the running sum.
 * Power-of-two units make the buckets those of a native histogram.
 */
#define MAX_LATENCY_SLOT 26
#define TASK_RUNNING 0

struct runqueue_key {
	__u32 cpu;
	__u32 bucket;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} runnable_since SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, (MAX_LATENCY_SLOT + 2) * 256);
	__type(key, struct runqueue_key);
	__type(value, __u64);
} runqueue_latency_seconds SEC(".maps");

/* Before 5.14 the task state field was called state. */
struct task_struct___pre514 {
	long state;
} __attribute__((preserve_access_index));

static __always_inline long task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return BPF_CORE_READ((struct task_struct___pre514 *)t, state);
}

static __always_inline void mark_runnable(struct task_struct *t)
{
	__u32 pid = BPF_CORE_READ(t, pid);
	__u64 now = bpf_ktime_get_ns();

	/* pid 0 is a CPU's idle task, which never waits in a run queue. */
	if (pid)
		bpf_map_update_elem(&runnable_since, &pid, &now, BPF_ANY);
}

SEC("raw_tp/sched_wakeup")
int BPF_PROG(sched_wakeup, struct task_struct *p)
{
	mark_runnable(p);
	return 0;
}

SEC("raw_tp/sched_wakeup_new")
int BPF_PROG(sched_wakeup_new, struct task_struct *p)
{
	mark_runnable(p);
	return 0;
}

/* Newer kernels pass a fourth argument (prev_state); the first three never moved. */
SEC("raw_tp/sched_switch")
int BPF_PROG(sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct runqueue_key key = {};
	__u32 pid = BPF_CORE_READ(next, pid);
	__u64 *since;

	if (task_state(prev) == TASK_RUNNING)
		mark_runnable(prev);

	since = bpf_map_lookup_elem(&runnable_since, &pid);
	if (!since)
		return 0;
	key.cpu = bpf_get_smp_processor_id();
	histogram_observe_exp2(&runqueue_latency_seconds, key, ns_to_pow2_units(bpf_ktime_get_ns() - *since, 20),
			       MAX_LATENCY_SLOT);
	bpf_map_delete_elem(&runnable_since, &pid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
