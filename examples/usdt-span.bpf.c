/*
 * A kernel span inside a span of the program being traced. The program fires the USDT probe
 * ebpf_exporter:span_begin with its trace id (two u64 halves) and its current span id, does
 * some work, and fires ebpf_exporter:span_end; the record written at the end carries those ids,
 * so the exporter's span becomes a child of the program's span in the same trace. The probes
 * are in tests/kernel/examples/span_demo.c, found as ebpf_exporter_span_demo on $PATH.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

struct span_begin {
	__u64 trace_id_hi;
	__u64 trace_id_lo;
	__u64 parent_span_id;
	__u64 start_ns;
};

/*
 * Ids are copied as the program holds them in memory, so the hex decoder prints their bytes in
 * the program's order: 16 bytes of trace id, 8 of parent span id (40 + 16 + 4 = 60 bytes, 64
 * with padding).
 */
struct usdt_span {
	__u64 trace_id_hi;
	__u64 trace_id_lo;
	__u64 parent_span_id;
	__u64 start_ns;
	__u64 duration_ns;
	char comm[TASK_COMM_LEN];
	__u32 tid;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct span_begin);
} usdt_span_begins SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} usdt_spans SEC(".maps");

SEC("usdt/ebpf_exporter_span_demo:ebpf_exporter:span_begin")
int BPF_USDT(span_begin, __u64 trace_id_hi, __u64 trace_id_lo, __u64 parent_span_id)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct span_begin begin = {
		.trace_id_hi = trace_id_hi,
		.trace_id_lo = trace_id_lo,
		.parent_span_id = parent_span_id,
		.start_ns = bpf_ktime_get_ns(),
	};

	bpf_map_update_elem(&usdt_span_begins, &tid, &begin, BPF_ANY);
	return 0;
}

SEC("usdt/ebpf_exporter_span_demo:ebpf_exporter:span_end")
int BPF_USDT(span_end)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct span_begin *begin = bpf_map_lookup_elem(&usdt_span_begins, &tid);
	struct usdt_span *span;

	if (!begin)
		return 0;
	span = bpf_ringbuf_reserve(&usdt_spans, sizeof(*span), 0);
	if (span) {
		span->trace_id_hi = begin->trace_id_hi;
		span->trace_id_lo = begin->trace_id_lo;
		span->parent_span_id = begin->parent_span_id;
		span->start_ns = begin->start_ns;
		span->duration_ns = bpf_ktime_get_ns() - begin->start_ns;
		bpf_get_current_comm(span->comm, sizeof(span->comm));
		span->tid = tid;
		bpf_ringbuf_submit(span, 0);
	}
	bpf_map_delete_elem(&usdt_span_begins, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
