/*
 * DNS queries over UDP seen arriving on an interface, by interface, ethertype, query type and
 * queried name. An XDP program only reads the packet and passes it on. It is attached to lo,
 * where a host's queries to a local resolver (127.0.0.53, ::1...) travel; change the section
 * to xdp/eth0 to watch queries a resolver on this host receives from the network.
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "maps.bpf.h"

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define IPPROTO_UDP 17
#define DNS_PORT 53
#define DNS_HEADER_BYTES 12
#define DNS_FLAG_RESPONSE 0x80 /* in the third header byte */
/* Names are kept in wire format up to this many bytes; longer ones keep their first labels. */
#define NAME_BYTES 64
#define NAME_CUT (NAME_BYTES + 1)

struct query_key {
	__u32 ifindex;
	__be16 ethertype; /* network byte order: hex prints 0800 or 86dd */
	__u16 qtype;
	__u8 name[NAME_BYTES]; /* wire format, zero padded */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct query_key);
	__type(value, __u64);
} dns_queries_total SEC(".maps");

/*
 * Copies the question's name into key->name and returns its length with the final zero byte,
 * NAME_CUT when it is longer than the key (which then keeps its complete labels only), or 0
 * when it is malformed or runs past the packet. Unrolled: constant key offsets work on every
 * kernel (5.10 refuses stack writes at variable offsets).
 */
static __always_inline int copy_name(struct query_key *key, __u8 *q, void *end)
{
	int next = 0; /* offset of the next length byte */
	int i;

#pragma clang loop unroll(full)
	for (i = 0; i < NAME_BYTES; i++) {
		__u8 c;

		if ((void *)(q + i + 1) > end)
			return 0;
		c = q[i];
		if (i == next) {
			if (c == 0)
				return i + 1;
			if (c & 0xc0) /* a compression pointer has no place in a question */
				return 0;
			next = i + c + 1;
			if (next >= NAME_BYTES) /* this label does not fit: end the name before it */
				return NAME_CUT;
		} else if (c < 0x21 || c > 0x7e) {
			c = '?'; /* labels become printable ASCII, never invalid UTF-8 */
		}
		key->name[i] = c;
	}
	return 0; /* not reached: every name ends or is cut within NAME_BYTES */
}

SEC("xdp/lo")
int dns_queries(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct query_key key = {};
	struct ethhdr *eth = data;
	struct udphdr *udp;
	__u8 *dns, *qtype;
	int len;

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	key.ethertype = eth->h_proto;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		/* No IP options (a query never has them) and no fragments but the first. */
		if ((void *)(ip + 1) > end || ip->ihl != 5 || ip->protocol != IPPROTO_UDP ||
		    (ip->frag_off & bpf_htons(0x1fff)))
			return XDP_PASS;
		udp = (void *)(ip + 1);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		/* UDP right after the fixed header; extension headers are not followed. */
		if ((void *)(ip6 + 1) > end || ip6->nexthdr != IPPROTO_UDP)
			return XDP_PASS;
		udp = (void *)(ip6 + 1);
	} else {
		return XDP_PASS;
	}
	if ((void *)(udp + 1) > end || udp->dest != bpf_htons(DNS_PORT))
		return XDP_PASS;
	dns = (void *)(udp + 1);
	if ((void *)(dns + DNS_HEADER_BYTES) > end || (dns[2] & DNS_FLAG_RESPONSE))
		return XDP_PASS;
	/* Only the first question counts; a query with none has nothing to label. */
	if (dns[4] == 0 && dns[5] == 0)
		return XDP_PASS;

	len = copy_name(&key, dns + DNS_HEADER_BYTES, end);
	if (len == 0)
		return XDP_PASS;
	/* The type follows the name; it stays 0 when the name was cut to fit the key. */
	if (len != NAME_CUT) {
		qtype = dns + DNS_HEADER_BYTES + (len & 0x7f); /* the mask bounds it for the verifier */
		if ((void *)(qtype + 2) <= end)
			key.qtype = (qtype[0] << 8) | qtype[1];
	}
	key.ifindex = ctx->ingress_ifindex;
	counter_add(&dns_queries_total, &key, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
