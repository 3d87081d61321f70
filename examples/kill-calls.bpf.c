/*
 * Calls of kill(2), tgkill(2) and tkill(2) by syscall, signal and calling command, counted on
 * entry, so calls that fail (no such process, not permitted) count too. Signal 0 sends
 * nothing: it only asks whether the target exists. ksyscall sections let libbpf find each
 * syscall's entry point and argument layout on the running kernel.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "maps.bpf.h"

enum kill_syscall {
	SYSCALL_KILL = 0,
	SYSCALL_TGKILL = 1,
	SYSCALL_TKILL = 2,
};

struct kill_call_key {
	__u32 syscall;
	__u32 signal;
	char command[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct kill_call_key);
	__type(value, __u64);
} kill_calls_total SEC(".maps");

static __always_inline void count(__u32 syscall, int sig)
{
	struct kill_call_key key = { .syscall = syscall, .signal = sig };

	bpf_get_current_comm(&key.command, sizeof(key.command));
	counter_add(&kill_calls_total, &key, 1);
}

SEC("ksyscall/kill")
int BPF_KSYSCALL(kill_entry, pid_t pid, int sig)
{
	count(SYSCALL_KILL, sig);
	return 0;
}

SEC("ksyscall/tgkill")
int BPF_KSYSCALL(tgkill_entry, pid_t tgid, pid_t tid, int sig)
{
	count(SYSCALL_TGKILL, sig);
	return 0;
}

SEC("ksyscall/tkill")
int BPF_KSYSCALL(tkill_entry, pid_t tid, int sig)
{
	count(SYSCALL_TKILL, sig);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
