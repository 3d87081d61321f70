/*
 * Programs started with execve(2), by the path they were started from. The config turns paths
 * into labels with regexps: programs in the system's bin directories by name, programs run from
 * a temporary directory counted together under that directory, everything else dropped.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "maps.bpf.h"

/* Longer paths are cut; they are rarely the ones the regexps keep. */
#define PATH_BYTES 128

struct exec_key {
	char path[PATH_BYTES];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct exec_key);
	__type(value, __u64);
} execs_total SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int sched_process_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	struct exec_key key = {};
	/* A __data_loc field: the low 16 bits give the string's offset in the record. */
	unsigned int offset = ctx->__data_loc_filename & 0xffff;

	bpf_probe_read_kernel_str(key.path, sizeof(key.path), (void *)ctx + offset);
	counter_add(&execs_total, &key, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
