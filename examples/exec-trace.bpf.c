/*
 * One span per program run: it starts when a process calls execve(2) and ends when that
 * process exits. The record carries the start time on the kernel's monotonic clock, the run's
 * duration, the pid and the command name, and goes to user space through a ring buffer.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct exec_start {
	__u64 start_ns;
	char comm[TASK_COMM_LEN];
};

/* Field order fixes the record layout the config's labels describe (36 bytes, 40 with padding). */
struct exec_span {
	__u64 start_ns;
	__u64 duration_ns;
	__u32 pid;
	char comm[TASK_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct exec_start);
} exec_starts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} exec_spans SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int trace_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	struct exec_start start = { .start_ns = bpf_ktime_get_ns() };
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	/* The task's comm is already the new program's name here. */
	bpf_get_current_comm(start.comm, sizeof(start.comm));
	bpf_map_update_elem(&exec_starts, &pid, &start, BPF_ANY);
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int trace_exit(struct trace_event_raw_sched_process_template *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 pid = id >> 32;
	struct exec_start *start;
	struct exec_span *span;

	/* Threads exit too; the span ends with the process (its thread group leader). */
	if ((__u32)id != pid)
		return 0;
	start = bpf_map_lookup_elem(&exec_starts, &pid);
	if (!start)
		return 0;
	span = bpf_ringbuf_reserve(&exec_spans, sizeof(*span), 0);
	if (span) {
		span->start_ns = start->start_ns;
		span->duration_ns = bpf_ktime_get_ns() - start->start_ns;
		span->pid = pid;
		__builtin_memcpy(span->comm, start->comm, sizeof(span->comm));
		bpf_ringbuf_submit(span, 0);
	}
	bpf_map_delete_elem(&exec_starts, &pid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
