/*
 * Signals generated, by signal, sending and receiving command, and what became of each one
 * (delivered, ignored, already pending...). The sender is the task running when the signal was
 * generated: for kill(2) the caller, for SIGCHLD the exiting child, for SIGSEGV the faulting
 * task, for a signal raised from an interrupt (a timer's SIGALRM) whatever task it interrupted.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "maps.bpf.h"

struct signal_key {
	char sender[16];
	char receiver[16];
	__u32 signal;
	__u32 result;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct signal_key);
	__type(value, __u64);
} signals_total SEC(".maps");

/* The same arguments on every kernel since 3.x; result is a TRACE_SIGNAL_* value. */
SEC("raw_tp/signal_generate")
int BPF_PROG(signal_generate, int sig, struct kernel_siginfo *info, struct task_struct *task,
	     int group, int result)
{
	struct signal_key key = {};

	bpf_get_current_comm(key.sender, sizeof(key.sender));
	BPF_CORE_READ_STR_INTO(&key.receiver, task, comm);
	key.signal = sig;
	key.result = result;
	counter_add(&signals_total, &key, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
