/*
 * Time TCP connections wait in a listener's accept queue: from the moment the handshake
 * completes and the new socket is queued until accept() takes it, by local port.
 * A long wait means the application is not calling accept() fast enough.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "maps.bpf.h"

/*
 * Buckets 0..26 in units of 2^-20 s (~0.95 us, up to 64 s); bucket 27 holds the running sum.
 * Power-of-two units make the buckets those of a native histogram.
 */
#define MAX_WAIT_SLOT 26

struct accept_wait_key {
	__u16 port;
	__u16 pad[3];
	__u64 bucket;
};

/* Sockets queued but not yet accepted; LRU so children of a closing listener age out. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct sock *);
	__type(value, __u64);
} queued_at SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, (MAX_WAIT_SLOT + 2) * 256);
	__type(key, struct accept_wait_key);
	__type(value, __u64);
} accept_queue_wait_seconds SEC(".maps");

static __always_inline void mark_queued(struct sock *child)
{
	__u64 now = bpf_ktime_get_ns();

	bpf_map_update_elem(&queued_at, &child, &now, BPF_ANY);
}

/*
 * A completed handshake hands its new socket to the listener here (tcp_check_req calls it from
 * another file, so it is never inlined there); own_req false means another CPU won the race.
 * The queueing itself, inet_csk_reqsk_queue_add, can be inlined into it: on Debian's 6.1 a
 * kprobe on inet_csk_reqsk_queue_add alone saw no ordinary connection at all.
 */
SEC("kprobe/inet_csk_complete_hashdance")
int BPF_KPROBE(complete_hashdance, struct sock *listener, struct sock *child,
	       struct request_sock *req, bool own_req)
{
	if (own_req)
		mark_queued(child);
	return 0;
}

/* TCP Fast Open children skip the handshake and are queued from tcp_fastopen.c. */
SEC("kprobe/inet_csk_reqsk_queue_add")
int BPF_KPROBE(reqsk_queue_add, struct sock *listener, struct request_sock *req, struct sock *child)
{
	mark_queued(child);
	return 0;
}

/* The return value is the accepted child; its arguments changed in 6.10, the return did not. */
SEC("kretprobe/inet_csk_accept")
int BPF_KRETPROBE(inet_csk_accept_ret, struct sock *child)
{
	struct accept_wait_key key = {};
	__u64 *queued, wait_units;

	if (!child)
		return 0;
	queued = bpf_map_lookup_elem(&queued_at, &child);
	if (!queued)
		return 0;
	wait_units = ns_to_pow2_units(bpf_ktime_get_ns() - *queued, 20);
	bpf_map_delete_elem(&queued_at, &child);

	key.port = BPF_CORE_READ(child, __sk_common.skc_num);
	histogram_observe_exp2(&accept_queue_wait_seconds, key, wait_units, MAX_WAIT_SLOT);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
