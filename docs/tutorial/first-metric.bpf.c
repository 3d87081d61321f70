/*
 * Your first metric: every write(2) counted by the name of the process that made it, and the
 * sizes of those writes as a histogram with power-of-two buckets.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* write(2)'s syscall number differs between architectures. */
#if defined(__TARGET_ARCH_x86)
#define NR_WRITE 1
#elif defined(__TARGET_ARCH_arm64)
#define NR_WRITE 64
#else
#error "add this architecture's number for write(2)"
#endif

/*
 * Buckets 0..20: a write of N bytes lands in the first bucket whose bound 2^i is >= N (the
 * last one takes everything larger). Key MAX_BUCKET + 1 holds the sum of all sizes.
 */
#define MAX_BUCKET 20

struct comm_key {
	char comm[16];
};

/* Counter: key = process name (16 bytes), value = writes. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct comm_key);
	__type(value, __u64);
} first_write_calls_total SEC(".maps");

/* Histogram: key = bucket index, value = writes in that bucket. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_BUCKET + 2);
	__type(key, __u32);
	__type(value, __u64);
} first_write_size_bytes SEC(".maps");

static void count_write(struct comm_key *key)
{
	__u64 zero = 0, *value;

	value = bpf_map_lookup_elem(&first_write_calls_total, key);
	if (!value) {
		bpf_map_update_elem(&first_write_calls_total, key, &zero, BPF_NOEXIST);
		value = bpf_map_lookup_elem(&first_write_calls_total, key);
		if (!value)
			return;
	}
	__sync_fetch_and_add(value, 1);
}

static void observe_size(__u64 bytes)
{
	__u32 bucket = 0, sum_key = MAX_BUCKET + 1;
	__u64 *value;

	while (bucket < MAX_BUCKET && (1ULL << bucket) < bytes)
		bucket++;
	value = bpf_map_lookup_elem(&first_write_size_bytes, &bucket);
	if (value)
		__sync_fetch_and_add(value, 1);
	value = bpf_map_lookup_elem(&first_write_size_bytes, &sum_key);
	if (value)
		__sync_fetch_and_add(value, bytes);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(on_sys_enter, struct pt_regs *regs, long id)
{
	struct comm_key key = {};

	if (id != NR_WRITE)
		return 0;
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	count_write(&key);
	/* write(fd, buf, count): count is the third argument. */
	observe_size(PT_REGS_PARM3_CORE(regs));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
