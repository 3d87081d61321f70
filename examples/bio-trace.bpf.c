/*
 * One span per block IO request, from issue to completion, with the device, the operation
 * (the kernel's rwbs text: R read, W write, S sync, F flush...), the first sector, the size and
 * the command that issued it. Requests are matched by device and sector.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

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

/*
 * Before 5.11 block_rq_complete was an event of its own, so its record type has that name; the
 * ___pre511 suffix is a CO-RE flavour: libbpf matches it against the kernel's type of the name
 * before the suffix, and only the branch whose type exists is ever run.
 */
struct trace_event_raw_block_rq_complete___pre511 {
	dev_t dev;
	sector_t sector;
	char rwbs[8];
} __attribute__((preserve_access_index));

/*
 * The completed request's device, first sector and rwbs text, on old and new kernels. Read with
 * bpf_core_read: clang merges the two branches into one access through a computed offset, and
 * the verifier refuses a load through a ctx pointer that was moved.
 */
static __always_inline void completion(void *ctx, struct rq_id *id, char rwbs[8])
{
	dev_t dev = 0;

	if (bpf_core_type_exists(struct trace_event_raw_block_rq_completion)) {
		struct trace_event_raw_block_rq_completion *c = ctx;

		bpf_core_read(&dev, sizeof(dev), &c->dev);
		bpf_core_read(&id->sector, sizeof(id->sector), &c->sector);
		bpf_core_read(rwbs, 8, &c->rwbs);
	} else {
		struct trace_event_raw_block_rq_complete___pre511 *c = ctx;

		bpf_core_read(&dev, sizeof(dev), &c->dev);
		bpf_core_read(&id->sector, sizeof(id->sector), &c->sector);
		bpf_core_read(rwbs, 8, &c->rwbs);
	}
	id->dev = dev;
}

SEC("tracepoint/block/block_rq_complete")
int trace_rq_complete(void *ctx)
{
	struct rq_id id = {};
	struct rq_issue *issue;
	struct bio_span *span;
	char rwbs[8];

	completion(ctx, &id, rwbs);
	issue = bpf_map_lookup_elem(&bio_issues, &id);
	if (!issue)
		return 0;
	span = bpf_ringbuf_reserve(&bio_spans, sizeof(*span), 0);
	if (span) {
		span->start_ns = issue->start_ns;
		span->duration_ns = bpf_ktime_get_ns() - issue->start_ns;
		span->sector = id.sector;
		span->dev = encode_dev(id.dev);
		span->bytes = issue->bytes;
		__builtin_memcpy(span->rwbs, rwbs, sizeof(span->rwbs));
		__builtin_memcpy(span->comm, issue->comm, sizeof(span->comm));
		bpf_ringbuf_submit(span, 0);
	}
	bpf_map_delete_elem(&bio_issues, &id);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
