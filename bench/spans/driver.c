/*
 * Span bench driver, built as ebpf_exporter_span_demo so the usdt-span example attaches to it:
 * fires ebpf_exporter:span_begin and ebpf_exporter:span_end back to back COUNT times at RATE
 * pairs per second, each pair one kernel span. The trace id is the bench's (32 hex digits, one
 * per step, so the receiver can tell steps apart); the parent span id of event i is i + 1, so
 * the receiver can also tell that every event arrived exactly once.
 *
 * usage: ebpf_exporter_span_demo RATE COUNT TRACE_ID_HEX
 * prints: "driven COUNT ns ELAPSED_NS"
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sdt.h>
#include <time.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int parse_hex(const char *text, unsigned char *out, size_t n)
{
	if (strlen(text) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned int byte;

		if (sscanf(text + 2 * i, "%2x", &byte) != 1)
			return -1;
		out[i] = (unsigned char)byte;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned char trace_id[16];
	uint64_t hi, lo, start, elapsed;
	long rate, count;

	if (argc != 4 || (rate = atol(argv[1])) <= 0 || (count = atol(argv[2])) <= 0 ||
	    parse_hex(argv[3], trace_id, sizeof(trace_id)) != 0) {
		fprintf(stderr, "usage: %s RATE COUNT TRACE_ID_HEX\n", argv[0]);
		return 2;
	}
	/* The halves keep the bytes' memory order, which is what the kernel record copies. */
	memcpy(&hi, trace_id, 8);
	memcpy(&lo, trace_id + 8, 8);
	start = now_ns();
	for (long i = 0; i < count; i++) {
		/* Event i is due at start + i / rate: sleep while more than 100 us early. */
		uint64_t due = start + (uint64_t)((double)i * 1e9 / (double)rate);
		uint64_t t = now_ns();

		if (due > t + 100000) {
			struct timespec pause = { (time_t)((due - t) / 1000000000ull),
						  (long)((due - t) % 1000000000ull) };
			nanosleep(&pause, NULL);
		}
		uint64_t parent = (uint64_t)i + 1;
		DTRACE_PROBE3(ebpf_exporter, span_begin, hi, lo, parent);
		DTRACE_PROBE(ebpf_exporter, span_end);
	}
	elapsed = now_ns() - start;
	printf("driven %ld ns %llu\n", count, (unsigned long long)elapsed);
	return 0;
}
