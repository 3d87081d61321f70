/*
 * Benchmark maps, filled from user space: no programs. Both maps are pinned by name so the
 * bench, the exporter under test and the C floor all open the very same kernel maps.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

/* Two-label counter key: id (uint) and op (uint → static_map). */
struct ops_key {
	__u32 id;
	__u32 op;
};

/* Histogram key: id (uint) and the exp2 bucket; bucket BUCKET_MAX + 1 holds the sum. */
struct latency_key {
	__u32 id;
	__u32 bucket;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1 << 20);
	__type(key, struct ops_key);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bench_ops_total SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1 << 17);
	__type(key, struct latency_key);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bench_latency_seconds SEC(".maps");
