/* Map helpers shared by the example programs: counters and log2 histograms. */
#ifndef EBPF_EXPORTER_MAPS_BPF_H
#define EBPF_EXPORTER_MAPS_BPF_H

#include <bpf/bpf_helpers.h>
#include "bits.bpf.h"

/*
 * Returns the value slot for key, creating it as zero first when missing.
 * BPF_NOEXIST keeps a concurrent creator's value: a lost race is not an error.
 */
static __always_inline void *lookup_or_zero_init(void *map, const void *key)
{
	static const __u64 zero;
	void *value = bpf_map_lookup_elem(map, key);

	if (value)
		return value;
	bpf_map_update_elem(map, key, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, key);
}

/* Adds delta to a u64 counter shared between CPUs. */
static __always_inline void counter_add(void *map, const void *key, __u64 delta)
{
	__u64 *value = lookup_or_zero_init(map, key);

	if (value)
		__sync_fetch_and_add(value, delta);
}

/* Adds delta to a u64 counter in a per-CPU map, where no other CPU writes the slot. */
static __always_inline void counter_add_percpu(void *map, const void *key, __u64 delta)
{
	__u64 *value = lookup_or_zero_init(map, key);

	if (value)
		*value += delta;
}

/*
 * Records value in an exp2 histogram whose key struct has a `bucket` field:
 * bucket = ceil(log2(value)) clamped to max_bucket, and the running sum goes to
 * bucket max_bucket + 1, the slot the exporter reads as the histogram's _sum.
 */
#define histogram_observe_exp2(map, key, value, max_bucket)                      \
	do {                                                                      \
		__u64 __v = (value);                                              \
		__u64 __b = log2_ceil_u64(__v);                                   \
		(key).bucket = __b > (max_bucket) ? (max_bucket) : __b;           \
		counter_add(map, &(key), 1);                                      \
		if (__v > 0) {                                                    \
			(key).bucket = (max_bucket) + 1;                          \
			counter_add(map, &(key), __v);                            \
		}                                                                 \
	} while (0)

/* Like histogram_observe_exp2 but bucket 0 holds only zeros (exp2zero in the config). */
#define histogram_observe_exp2zero(map, key, value, max_bucket)                  \
	do {                                                                      \
		__u64 __v = (value);                                              \
		__u64 __b = __v == 0 ? 0 : log2_ceil_u64(__v) + 1;                \
		(key).bucket = __b > (max_bucket) ? (max_bucket) : __b;           \
		counter_add(map, &(key), 1);                                      \
		if (__v > 0) {                                                    \
			(key).bucket = (max_bucket) + 1;                          \
			counter_add(map, &(key), __v);                            \
		}                                                                 \
	} while (0)

#endif
