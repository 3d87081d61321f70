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

/*
 * Nanoseconds in units of 2^-shift seconds, rounded down: ns * 2^shift / 10^9, for shift 9..30.
 * Histograms in such units have power-of-two bucket bounds in seconds, which Prometheus can
 * take as native histograms (bucket_multiplier: 2^-shift). 10^9 = 2^9 * 5^9, so this is
 * ns * 2^(shift-9) / 5^9; a product that would overflow saturates instead (at shift 20 that
 * needs 104 days, at 30 about 2.4 hours), which still lands in the top bucket.
 */
static __always_inline __u64 ns_to_pow2_units(__u64 ns, __u32 shift)
{
	const __u64 five9 = 1953125; /* 5^9 */
	__u64 mul = 1ULL << ((shift - 9) & 63);

	if (ns > ~0ULL / mul)
		return ~0ULL / five9;
	return ns * mul / five9;
}

#endif
