/*
 * Time softirqs wait between being raised and starting to run, by kind: exp2 in units of
 * 2^-30 s (~0.93 ns), power-of-two units that make the buckets those of a native histogram.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "maps.bpf.h"

#define SOFTIRQ_VECTORS 10
#define MAX_LATENCY_SLOT 31

struct softirq_latency_key {
	__u32 kind;
	__u32 pad;
	__u64 bucket;
};

/* Raise time per vector on this CPU: softirqs run on the CPU that raised them. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SOFTIRQ_VECTORS);
	__type(key, __u32);
	__type(value, __u64);
} raised_at SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, SOFTIRQ_VECTORS * (MAX_LATENCY_SLOT + 2));
	__type(key, struct softirq_latency_key);
	__type(value, __u64);
} softirq_wait_seconds SEC(".maps");

SEC("tp_btf/softirq_raise")
int BPF_PROG(softirq_raise, unsigned int vec)
{
	__u32 key = vec;
	__u64 *ts = bpf_map_lookup_elem(&raised_at, &key);

	/* Keep the first raise: later raises before the run do not shorten the wait. */
	if (ts && *ts == 0)
		*ts = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/softirq_entry")
int BPF_PROG(softirq_entry, unsigned int vec)
{
	struct softirq_latency_key key = {};
	__u32 idx = vec;
	__u64 *ts = bpf_map_lookup_elem(&raised_at, &idx);
	__u64 delta;

	if (!ts || *ts == 0)
		return 0;
	delta = ns_to_pow2_units(bpf_ktime_get_ns() - *ts, 30);
	*ts = 0;
	key.kind = vec;
	key.bucket = log2_ceil_u64(delta);
	if (key.bucket > MAX_LATENCY_SLOT)
		key.bucket = MAX_LATENCY_SLOT;
	counter_add_percpu(&softirq_wait_seconds, &key, 1);
	key.bucket = MAX_LATENCY_SLOT + 1;
	counter_add_percpu(&softirq_wait_seconds, &key, delta);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
