/*
 * Sizes of reads and writes through the VFS (read(2), write(2), pread, splice's file side, ...)
 * by command, as byte histograms, and failed ones by errno.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "maps.bpf.h"

/* Buckets 0..30 in bytes (up to 1 GiB); bucket 31 holds the running sum. */
#define MAX_SIZE_SLOT 30

enum vfs_op {
	VFS_READ = 0,
	VFS_WRITE = 1,
};

struct vfs_size_key {
	char command[16];
	__u32 op;
	__u32 pad;
	__u64 bucket;
};

struct vfs_error_key {
	char command[16];
	__u32 op;
	__u32 err;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, (MAX_SIZE_SLOT + 2) * 512);
	__type(key, struct vfs_size_key);
	__type(value, __u64);
} vfs_io_bytes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct vfs_error_key);
	__type(value, __u64);
} vfs_io_errors_total SEC(".maps");

/* fexit sees the return value: bytes moved, or a negative errno. */
static __always_inline void record(__u32 op, ssize_t ret)
{
	if (ret < 0) {
		struct vfs_error_key key = { .op = op, .err = -ret };

		bpf_get_current_comm(&key.command, sizeof(key.command));
		counter_add(&vfs_io_errors_total, &key, 1);
		return;
	}
	struct vfs_size_key key = { .op = op };

	bpf_get_current_comm(&key.command, sizeof(key.command));
	histogram_observe_exp2(&vfs_io_bytes, key, (__u64)ret, MAX_SIZE_SLOT);
}

SEC("fexit/vfs_read")
int BPF_PROG(vfs_read_exit, struct file *file, char *buf, size_t count, loff_t *pos, ssize_t ret)
{
	record(VFS_READ, ret);
	return 0;
}

SEC("fexit/vfs_write")
int BPF_PROG(vfs_write_exit, struct file *file, const char *buf, size_t count, loff_t *pos,
	     ssize_t ret)
{
	record(VFS_WRITE, ret);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
