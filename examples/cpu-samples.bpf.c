/*
 * Where CPUs spend their time: samples of the running task taken 49 times a second on every
 * CPU by the software cpu-clock event (no hardware counters needed), by command and kernel
 * stack. Samples taken while a task ran user code have an empty stack; idle CPUs are skipped.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "maps.bpf.h"

/* Deep enough to reach the syscall entry from most kernel paths. */
#define STACK_FRAMES 20

struct sample_key {
	char command[16];
	__u64 stack[STACK_FRAMES]; /* innermost first, zero after the last frame */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct sample_key);
	__type(value, __u64);
} cpu_samples_total SEC(".maps");

/* type 1 = PERF_TYPE_SOFTWARE, config 0 = PERF_COUNT_SW_CPU_CLOCK; 49 Hz avoids lockstep with timers. */
SEC("perf_event/type=1,config=0,frequency=49")
int cpu_sample(struct bpf_perf_event_data *ctx)
{
	struct sample_key key = {};

	/* pid 0: the CPU was idle. */
	if ((__u32)bpf_get_current_pid_tgid() == 0)
		return 0;
	bpf_get_current_comm(key.command, sizeof(key.command));
	/* Flags 0: the kernel stack; nothing is copied when the sample hit user code. */
	bpf_get_stack(ctx, key.stack, sizeof(key.stack), 0);
	counter_add(&cpu_samples_total, &key, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
