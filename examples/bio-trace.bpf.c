/*
 * One span per block IO request, from issue to completion, with the device, the operation
 * (the kernel's rwbs text: R read, W write, S sync, F flush...), the first sector, the size and
 * the command that issued it. Requests are matched by device and sector.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct rq_id {
	__u32 dev;
	__u32 pad;
	__u64 sector;
};

struct rq_issue {
	__u64 start_ns;
	__u32 bytes;
	char comm[TASK_COMM_LEN];
};

/* 8 + 8 + 8 + 4 + 4 + 8 + 16 = 56 bytes; the config's labels follow this order. */
struct bio_span {
	__u64 start_ns;
	__u64 duration_ns;
	__u64 sector;
	__u32 dev;
	__u32 bytes;
	char rwbs[8];
	char comm[TASK_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct rq_id);
	__type(value, struct rq_issue);
} bio_issues SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} bio_spans SEC(".maps");

/* Tracepoints give the kernel's dev_t (major << 20 | minor); majorminor reads new_encode_dev(). */
static __always_inline __u32 encode_dev(__u32 dev)
{
	__u32 major = dev >> 20, minor = dev & 0xfffff;

	return (minor & 0xff) | (major << 8) | ((minor & ~0xffU) << 12);
}

SEC("tracepoint/block/block_rq_issue")
int trace_rq_issue(struct trace_event_raw_block_rq *ctx)
{
	struct rq_id id = { .dev = ctx->dev, .sector = ctx->sector };
	struct rq_issue issue = { .start_ns = bpf_ktime_get_ns(), .bytes = ctx->bytes };

	bpf_get_current_comm(issue.comm, sizeof(issue.comm));
	bpf_map_update_elem(&bio_issues, &id, &issue, BPF_ANY);
	return 0;
}

SEC("tracepoint/block/block_rq_complete")
int trace_rq_complete(struct trace_event_raw_block_rq_completion *ctx)
{
	struct rq_id id = { .dev = ctx->dev, .sector = ctx->sector };
	struct rq_issue *issue = bpf_map_lookup_elem(&bio_issues, &id);
	struct bio_span *span;

	if (!issue)
		return 0;
	span = bpf_ringbuf_reserve(&bio_spans, sizeof(*span), 0);
	if (span) {
		span->start_ns = issue->start_ns;
		span->duration_ns = bpf_ktime_get_ns() - issue->start_ns;
		span->sector = ctx->sector;
		span->dev = encode_dev(ctx->dev);
		span->bytes = issue->bytes;
		/* rwbs sits at an odd offset of the record: copied, not loaded as a u64. */
		bpf_probe_read_kernel(span->rwbs, sizeof(span->rwbs), ctx->rwbs);
		__builtin_memcpy(span->comm, issue->comm, sizeof(span->comm));
		bpf_ringbuf_submit(span, 0);
	}
	bpf_map_delete_elem(&bio_issues, &id);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
