/*
 * Probe overhead loop: each iteration makes one real getpid system call (through syscall(2), so
 * no libc caching can skip it) and calls a no-op function a uprobe can attach to.
 *
 * Usage: loop ITERATIONS REPEATS → one "ns_per_op N" line per repeat on stdout.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* The uprobe target: kept out of line and visible in the symbol table. */
__attribute__((noinline, used)) void bench_noop(void)
{
	__asm__ volatile("" ::: "memory");
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: loop ITERATIONS REPEATS\n");
		return 2;
	}
	long n = atol(argv[1]);
	int repeats = atoi(argv[2]);

	for (int r = 0; r < repeats; r++) {
		double t0 = now_ns();
		for (long i = 0; i < n; i++) {
			syscall(SYS_getpid);
			bench_noop();
		}
		double t1 = now_ns();
		printf("ns_per_op %.2f\n", (t1 - t0) / (double)n);
	}
	return 0;
}
