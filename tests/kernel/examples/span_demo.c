/*
 * The traced program of the usdt-span example: makes up a trace id and a span id of its own,
 * prints them as hex ("TRACE SPAN"), and fires ebpf_exporter:span_begin with them and
 * ebpf_exporter:span_end around a short sleep, so the kernel span is a child of its span.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/sdt.h>
#include <time.h>

static void print_hex(const unsigned char *bytes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", bytes[i]);
}

int main(void)
{
	unsigned char trace_id[16], span_id[8];
	uint64_t hi, lo, span;
	struct timespec pause = { 0, 2 * 1000 * 1000 };

	if (getrandom(trace_id, sizeof(trace_id), 0) != sizeof(trace_id) ||
	    getrandom(span_id, sizeof(span_id), 0) != sizeof(span_id))
		return 1;
	/* Never all zeros: that would mean "no trace" and "no parent". */
	trace_id[15] |= 1;
	span_id[7] |= 1;
	/* The halves keep the bytes' memory order, which is what the kernel record copies. */
	memcpy(&hi, trace_id, 8);
	memcpy(&lo, trace_id + 8, 8);
	memcpy(&span, span_id, 8);

	print_hex(trace_id, sizeof(trace_id));
	printf(" ");
	print_hex(span_id, sizeof(span_id));
	printf("\n");
	fflush(stdout);

	DTRACE_PROBE3(ebpf_exporter, span_begin, hi, lo, span);
	nanosleep(&pause, NULL);
	DTRACE_PROBE(ebpf_exporter, span_end);
	return 0;
}
