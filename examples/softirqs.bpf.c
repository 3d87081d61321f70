/* Counts softirqs serviced per vector and CPU in a per-CPU array. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "maps.bpf.h"

/* One slot per softirq vector (NR_SOFTIRQS is 10 on current kernels). */
#define SOFTIRQ_VECTORS 10

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SOFTIRQ_VECTORS);
	__type(key, __u32);
	__type(value, __u64);
} softirqs_total SEC(".maps");

SEC("tp_btf/softirq_entry")
int BPF_PROG(softirq_entry, unsigned int vec_nr)
{
	__u32 key = vec_nr;
	__u64 *count = bpf_map_lookup_elem(&softirqs_total, &key);

	/* Array slots always exist; the lookup only fails for vectors beyond the array. */
	if (count)
		*count += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
