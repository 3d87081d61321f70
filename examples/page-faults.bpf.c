/*
 * Page faults on user addresses, by command, by whether user code or the kernel (copying to or
 * from user memory) touched the page, by access (read, write, instruction fetch) and by cause:
 * the page was not present (first touch, swapped or paged out) or the access was not allowed
 * (copy-on-write after fork, for instance). The error code bits are x86's, and the tracepoints
 * exist only there.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include "maps.bpf.h"

/* x86 page fault error code bits. */
#define PF_PROTECTION (1UL << 0)
#define PF_WRITE (1UL << 1)
#define PF_INSTRUCTION (1UL << 4)

enum mode { MODE_USER, MODE_KERNEL };
enum access { ACCESS_READ, ACCESS_WRITE, ACCESS_EXEC };
enum cause { CAUSE_NOT_PRESENT, CAUSE_PROTECTION };

/* The event class is x86_exceptions on older kernels, exceptions on newer ones; same fields. */
struct trace_event_raw_exceptions___new {
	unsigned long address;
	unsigned long error_code;
} __attribute__((preserve_access_index));

struct trace_event_raw_x86_exceptions___old {
	unsigned long address;
	unsigned long error_code;
} __attribute__((preserve_access_index));

struct fault_key {
	char command[16];
	__u8 mode;
	__u8 access;
	__u8 cause;
	__u8 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct fault_key);
	__type(value, __u64);
} page_faults_total SEC(".maps");

static __always_inline int count_fault(void *ctx, enum mode mode)
{
	struct fault_key key = { .mode = mode };
	unsigned long address, code;

	/* Helper reads: the verifier refuses a ctx load at an offset chosen by a branch. */
	if (bpf_core_type_exists(struct trace_event_raw_exceptions___new)) {
		address = BPF_CORE_READ((struct trace_event_raw_exceptions___new *)ctx, address);
		code = BPF_CORE_READ((struct trace_event_raw_exceptions___new *)ctx, error_code);
	} else {
		address = BPF_CORE_READ((struct trace_event_raw_x86_exceptions___old *)ctx, address);
		code = BPF_CORE_READ((struct trace_event_raw_x86_exceptions___old *)ctx, error_code);
	}
	/* The kernel half of the address space (top bit set) is not a process's memory. */
	if ((long)address < 0)
		return 0;

	bpf_get_current_comm(key.command, sizeof(key.command));
	key.access = code & PF_INSTRUCTION ? ACCESS_EXEC : code & PF_WRITE ? ACCESS_WRITE : ACCESS_READ;
	key.cause = code & PF_PROTECTION ? CAUSE_PROTECTION : CAUSE_NOT_PRESENT;
	counter_add(&page_faults_total, &key, 1);
	return 0;
}

SEC("tracepoint/exceptions/page_fault_user")
int page_fault_user(void *ctx)
{
	return count_fault(ctx, MODE_USER);
}

SEC("tracepoint/exceptions/page_fault_kernel")
int page_fault_kernel(void *ctx)
{
	return count_fault(ctx, MODE_KERNEL);
}

char LICENSE[] SEC("license") = "GPL";
