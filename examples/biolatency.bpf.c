/* Block IO latency (issue → complete) as an exp2 histogram by device and operation. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "maps.bpf.h"

/*
 * Buckets 0..27 in units of 2^-20 s (~0.95 us, up to 128 s); bucket 28 holds the running sum.
 * Power-of-two units make the buckets those of a native histogram.
 */
#define MAX_LATENCY_SLOT 27
#define REQ_OP_MASK 0xff

struct disk_latency_key {
	__u32 dev;
	__u32 op;
	__u64 bucket;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct request *);
	__type(value, __u64);
} issued_at SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, (MAX_LATENCY_SLOT + 2) * 64);
	__type(key, struct disk_latency_key);
	__type(value, __u64);
} bio_latency_seconds SEC(".maps");

/* Before 5.15 the disk hung off the request itself (rq->rq_disk), not off its queue. */
struct request___with_rq_disk {
	struct gendisk *rq_disk;
} __attribute__((preserve_access_index));

static __always_inline struct gendisk *request_disk(struct request *rq)
{
	struct request___with_rq_disk *old = (void *)rq;

	if (bpf_core_field_exists(old->rq_disk))
		return BPF_CORE_READ(old, rq_disk);
	return BPF_CORE_READ(rq, q, disk);
}

/* The kernel's new_encode_dev(): what majorminor decodes and /proc/partitions lists. */
static __always_inline __u32 encode_dev(__u32 major, __u32 minor)
{
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffU) << 12);
}

SEC("tp_btf/block_rq_issue")
int BPF_PROG(block_rq_issue, struct request *rq)
{
	__u64 now = bpf_ktime_get_ns();

	bpf_map_update_elem(&issued_at, &rq, &now, BPF_ANY);
	return 0;
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(block_rq_complete, struct request *rq, blk_status_t error, unsigned int nr_bytes)
{
	struct disk_latency_key key = {};
	struct gendisk *disk;
	__u64 *start, delta_units;

	start = bpf_map_lookup_elem(&issued_at, &rq);
	if (!start)
		return 0;
	delta_units = ns_to_pow2_units(bpf_ktime_get_ns() - *start, 20);
	bpf_map_delete_elem(&issued_at, &rq);

	disk = request_disk(rq);
	key.dev = disk ? encode_dev(BPF_CORE_READ(disk, major), BPF_CORE_READ(disk, first_minor)) : 0;
	key.op = BPF_CORE_READ(rq, cmd_flags) & REQ_OP_MASK;
	histogram_observe_exp2(&bio_latency_seconds, key, delta_units, MAX_LATENCY_SLOT);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
