/*
 * Packets the kernel dropped, by the kernel function that dropped them and by protocol
 * (ethertype). The drop site is one address, turned into its function's name by the kstack
 * decoder (the nearest symbol at or below it; ksym would need an exact function start).
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "maps.bpf.h"

struct drop_key {
	__u64 location;
	/* Network byte order, so the hex decoder prints it as written: 0800 for IPv4. */
	__be16 protocol;
	__u8 pad[6];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct drop_key);
	__type(value, __u64);
} packet_drops_total SEC(".maps");

/* location and protocol exist on every kernel; CO-RE finds them wherever they moved. */
SEC("tracepoint/skb/kfree_skb")
int kfree_skb(struct trace_event_raw_kfree_skb *ctx)
{
	struct drop_key key = {};

	key.location = (__u64)ctx->location;
	/* The tracepoint stores the protocol in host order. */
	key.protocol = bpf_htons(ctx->protocol);
	counter_add(&packet_drops_total, &key, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
