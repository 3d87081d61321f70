/*
 * CFS bandwidth throttling by cgroup (v2): how often a cgroup's per-CPU run queues are
 * throttled for using up their cpu.max quota, and how long each stays throttled.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "maps.bpf.h"

/*
 * Buckets 0..24 in units of 2^-20 s (~0.95 us, up to 16 s); bucket 25 holds the running sum.
 * Power-of-two units make the buckets those of a native histogram.
 */
#define MAX_THROTTLED_SLOT 24

struct throttled_key {
	__u64 cgroup;
	__u64 bucket;
};

/* When each throttled run queue was throttled. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct cfs_rq *);
	__type(value, __u64);
} throttled_at SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u64);
} cfs_throttles_total SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, (MAX_THROTTLED_SLOT + 2) * 1024);
	__type(key, struct throttled_key);
	__type(value, __u64);
} cfs_throttled_seconds SEC(".maps");

/*
 * Just the flag, as an int: clang 14 cannot relocate a bitfield read through the full,
 * cache-line aligned struct cfs_rq of vmlinux.h. The ___ suffix makes libbpf match this
 * against the kernel's struct cfs_rq.
 */
struct cfs_rq___flag {
	int throttled;
} __attribute__((preserve_access_index));

static __always_inline __u64 cfs_rq_cgroup(struct cfs_rq *cfs_rq)
{
	return BPF_CORE_READ(cfs_rq, tg, css.cgroup, kn, id);
}

/*
 * fexit rather than fentry: since 5.17 throttle_cfs_rq() can give up without throttling, so
 * look at the flag it sets. The flag is an int up to 6.12 and a bitfield later; the
 * bitfield read relocates to either.
 */
SEC("fexit/throttle_cfs_rq")
int BPF_PROG(throttle_cfs_rq_exit, struct cfs_rq *cfs_rq)
{
	__u64 now = bpf_ktime_get_ns(), cgroup;

	struct cfs_rq___flag *flag = (void *)cfs_rq;

	if (!BPF_CORE_READ_BITFIELD_PROBED(flag, throttled))
		return 0;
	cgroup = cfs_rq_cgroup(cfs_rq);
	bpf_map_update_elem(&throttled_at, &cfs_rq, &now, BPF_ANY);
	counter_add(&cfs_throttles_total, &cgroup, 1);
	return 0;
}

SEC("fentry/unthrottle_cfs_rq")
int BPF_PROG(unthrottle_cfs_rq_entry, struct cfs_rq *cfs_rq)
{
	struct throttled_key key = {};
	__u64 *since, throttled_units;

	since = bpf_map_lookup_elem(&throttled_at, &cfs_rq);
	if (!since)
		return 0;
	throttled_units = ns_to_pow2_units(bpf_ktime_get_ns() - *since, 20);
	bpf_map_delete_elem(&throttled_at, &cfs_rq);

	key.cgroup = cfs_rq_cgroup(cfs_rq);
	histogram_observe_exp2(&cfs_throttled_seconds, key, throttled_units, MAX_THROTTLED_SLOT);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
