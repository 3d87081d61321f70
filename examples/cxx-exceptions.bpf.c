/*
 * C++ exceptions thrown, by command and exception type, from the libstdcxx:throw USDT probe
 * in libstdc++.so.6 (Debian builds it with SystemTap probes). The type is the mangled name the
 * type_info holds (St12out_of_range for std::out_of_range; `c++filt -t` demangles it).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>
#include "maps.bpf.h"

/* Longer mangled names are cut. */
#define TYPE_BYTES 64

struct throw_key {
	char command[16];
	char type[TYPE_BYTES];
};

/* The Itanium C++ ABI's std::type_info: a vtable pointer, then the mangled name. */
struct cxx_type_info {
	void *vtable;
	const char *name;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct throw_key);
	__type(value, __u64);
} cxx_exceptions_total SEC(".maps");

/* Arguments: the exception object and its std::type_info. */
SEC("usdt/libstdc++.so.6:libstdcxx:throw")
int BPF_USDT(cxx_throw, void *object, struct cxx_type_info *type)
{
	struct throw_key key = {};
	const char *name = NULL;

	bpf_get_current_comm(key.command, sizeof(key.command));
	bpf_probe_read_user(&name, sizeof(name), &type->name);
	/* A leading '*' marks a type local to one object file; it is not part of the name. */
	if (name) {
		char first = 0;

		bpf_probe_read_user(&first, 1, name);
		bpf_probe_read_user_str(key.type, sizeof(key.type), first == '*' ? name + 1 : name);
	}
	counter_add(&cxx_exceptions_total, &key, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
