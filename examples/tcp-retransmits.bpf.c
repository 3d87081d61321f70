/*
 * TCP segments retransmitted, by local and remote address, remote port and connection state.
 * The tracepoint record changed shape across kernels (its own event on new kernels, the shared
 * tcp_event_sk_skb class on older ones, with or without a family field), so only its socket pointer is
 * taken from it and everything else is read from the socket, whose fields are stable.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "maps.bpf.h"

#define AF_INET 2
#define AF_INET6 10

/* The record of kernels where tcp_retransmit_skb belongs to the tcp_event_sk_skb class. */
struct trace_event_raw_tcp_event_sk_skb {
	struct trace_entry ent;
	const void *skbaddr;
	const void *skaddr;
} __attribute__((preserve_access_index));

/* Addresses are IPv6 or IPv4-mapped IPv6 (::ffff:a.b.c.d), which inet_ip prints dotted. */
struct retransmit_key {
	__u8 local[16];
	__u8 remote[16];
	__u16 remote_port;
	__u16 state;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct retransmit_key);
	__type(value, __u64);
} tcp_retransmits_total SEC(".maps");

static __always_inline void v4_mapped(__u8 *dst, __be32 addr)
{
	__builtin_memset(dst, 0, 10);
	dst[10] = 0xff;
	dst[11] = 0xff;
	__builtin_memcpy(dst + 12, &addr, 4);
}

SEC("tracepoint/tcp/tcp_retransmit_skb")
int tcp_retransmit_skb(void *ctx)
{
	struct retransmit_key key = {};
	const struct sock *sk;
	__u16 family;

	/* Helper reads: the verifier refuses a ctx load at an offset chosen by a branch. */
	if (bpf_core_type_exists(struct trace_event_raw_tcp_retransmit_skb))
		sk = BPF_CORE_READ((struct trace_event_raw_tcp_retransmit_skb *)ctx, skaddr);
	else
		sk = BPF_CORE_READ((struct trace_event_raw_tcp_event_sk_skb *)ctx, skaddr);
	if (!sk)
		return 0;

	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family == AF_INET) {
		v4_mapped(key.local, BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr));
		v4_mapped(key.remote, BPF_CORE_READ(sk, __sk_common.skc_daddr));
	} else if (family == AF_INET6) {
		BPF_CORE_READ_INTO(&key.local, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(&key.remote, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
	} else {
		return 0;
	}
	key.remote_port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	key.state = BPF_CORE_READ(sk, __sk_common.skc_state);
	counter_add(&tcp_retransmits_total, &key, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
