/*
 * Name lookups through glibc's getaddrinfo(3), by command and host name asked for, and failed
 * lookups by command and error (EAI_*). A uprobe and a uretprobe on libc.so.6 see every
 * process that uses this host's libc, in any container or namespace sharing it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "maps.bpf.h"

/* Longer host names are cut. */
#define HOST_BYTES 64

struct call_key {
	char command[16];
	char host[HOST_BYTES];
};

struct error_key {
	char command[16];
	__u32 error; /* the EAI_* code negated: glibc's codes are negative */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct call_key);
	__type(value, __u64);
} getaddrinfo_calls_total SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, struct error_key);
	__type(value, __u64);
} getaddrinfo_errors_total SEC(".maps");

SEC("uprobe/libc.so.6:getaddrinfo")
int BPF_UPROBE(getaddrinfo, const char *node)
{
	struct call_key key = {};

	bpf_get_current_comm(key.command, sizeof(key.command));
	/* node may be NULL (a lookup of a service only): the host label is then empty. */
	if (node)
		bpf_probe_read_user_str(key.host, sizeof(key.host), node);
	counter_add(&getaddrinfo_calls_total, &key, 1);
	return 0;
}

SEC("uretprobe/libc.so.6:getaddrinfo")
int BPF_URETPROBE(getaddrinfo_return, int ret)
{
	struct error_key key = {};

	if (ret == 0)
		return 0;
	bpf_get_current_comm(key.command, sizeof(key.command));
	key.error = -ret;
	counter_add(&getaddrinfo_errors_total, &key, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
