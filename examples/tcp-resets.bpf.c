/*
 * TCP resets sent in reply to incoming segments (a connection attempt to a closed port, a
 * segment for a connection that no longer exists), by remote address and local port. A
 * burst from one address across many ports looks like a port scan; many to one port, like a
 * service that is down.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "maps.bpf.h"

/* IPv4 addresses are stored IPv4-mapped (::ffff:a.b.c.d) so both families share one key. */
struct reset_key {
	__u8 remote[16];
	__u16 port;
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct reset_key);
	__type(value, __u64);
} tcp_resets_sent_total SEC(".maps");

/* The TCP header of the segment being answered: the transport header is set by then. */
static __always_inline __u16 local_port(struct sk_buff *skb)
{
	struct tcphdr th = {};
	unsigned char *head = BPF_CORE_READ(skb, head);

	bpf_probe_read_kernel(&th, sizeof(th), head + BPF_CORE_READ(skb, transport_header));
	return bpf_ntohs(th.dest);
}

SEC("kprobe/tcp_v4_send_reset")
int BPF_KPROBE(tcp_v4_send_reset, const struct sock *sk, struct sk_buff *skb)
{
	struct reset_key key = {};
	unsigned char *head = BPF_CORE_READ(skb, head);
	struct iphdr ip = {};

	bpf_probe_read_kernel(&ip, sizeof(ip), head + BPF_CORE_READ(skb, network_header));
	key.remote[10] = 0xff;
	key.remote[11] = 0xff;
	__builtin_memcpy(&key.remote[12], &ip.saddr, 4);
	key.port = local_port(skb);
	counter_add(&tcp_resets_sent_total, &key, 1);
	return 0;
}

SEC("kprobe/tcp_v6_send_reset")
int BPF_KPROBE(tcp_v6_send_reset, const struct sock *sk, struct sk_buff *skb)
{
	struct reset_key key = {};
	unsigned char *head = BPF_CORE_READ(skb, head);
	struct ipv6hdr ip6 = {};

	bpf_probe_read_kernel(&ip6, sizeof(ip6), head + BPF_CORE_READ(skb, network_header));
	__builtin_memcpy(key.remote, &ip6.saddr, 16);
	key.port = local_port(skb);
	counter_add(&tcp_resets_sent_total, &key, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
