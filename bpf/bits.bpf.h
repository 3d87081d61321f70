/* Integer log2 for BPF programs, without loops the verifier would have to unroll. */
#ifndef EBPF_EXPORTER_BITS_BPF_H
#define EBPF_EXPORTER_BITS_BPF_H

/* Index of the highest set bit (floor(log2(v))); 0 for v == 0. */
static __always_inline __u64 log2_floor_u64(__u64 v)
{
	__u64 r = 0, s;

	s = (v >= (1ULL << 32)) << 5; v >>= s; r |= s;
	s = (v >= (1ULL << 16)) << 4; v >>= s; r |= s;
	s = (v >= (1ULL << 8)) << 3; v >>= s; r |= s;
	s = (v >= (1ULL << 4)) << 2; v >>= s; r |= s;
	s = (v >= (1ULL << 2)) << 1; v >>= s; r |= s;
	r |= v >> 1;
	return r;
}

/* ceil(log2(v)), with 0 for v <= 1: an exp2 bucket b holds values in (2^(b-1), 2^b]. */
static __always_inline __u64 log2_ceil_u64(__u64 v)
{
	if (v <= 1)
		return 0;
	return log2_floor_u64(v - 1) + 1;
}

#endif
