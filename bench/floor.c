/*
 * The scrape floor: what one scrape of the bench maps costs when written in plain C against the
 * same libbpf. It batch-reads a pinned map, decodes the labels the bench configs describe, sorts
 * series the way the exporter does (by label value text) and writes the same exposition text to
 * a pipe that a forked child drains.
 *
 * Usage:
 *   floor counter|histogram PIN_PATH METRIC HELP ITERATIONS WARMUP   timed runs, figures on stderr
 *   floor counter|histogram PIN_PATH METRIC HELP dump                one exposition on stdout
 *
 * Shortcuts it takes that the exporter cannot (they only make the floor lower):
 * - the decoders are the bench's own (`uint`; `uint` + a fixed static_map) compiled in;
 * - label values are known to need no escaping;
 * - rows are not aggregated: distinct keys decode to distinct label sets in the bench maps.
 */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The static_map of bench.yaml's `op` label. */
static const char *const OP_NAMES[] = { "read", "write", "open", "close", "stat", "sync" };
#define OP_NAME_COUNT (sizeof(OP_NAMES) / sizeof(OP_NAMES[0]))
#define OP_CACHE 256

/* bench_hist.yaml: exp2, buckets 0..15, multiplier 1e-6; bucket 16 holds the sum. */
#define BUCKET_MAX 15
#define MULTIPLIER 0.000001

struct row {
	uint64_t hi; /* id label text, bytes 0..7, big-endian: integer order = text order */
	uint32_t lo; /* id label text, bytes 8..11 */
	uint32_t idx; /* entry index in the batch buffers */
};

struct out {
	char *buf;
	size_t len;
	size_t cap;
};

static void die(const char *what, int err)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static void reserve(struct out *o, size_t more)
{
	if (o->len + more <= o->cap)
		return;
	while (o->len + more > o->cap)
		o->cap = o->cap ? o->cap * 2 : 1 << 20;
	o->buf = realloc(o->buf, o->cap);
	if (!o->buf)
		die("realloc", ENOMEM);
}

static void put(struct out *o, const char *s, size_t n)
{
	reserve(o, n);
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static int utoa(char *dst, uint64_t v)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (int i = 0; i < n; i++)
		dst[i] = tmp[n - 1 - i];
	dst[n] = 0;
	return n;
}

/* Go's strconv.FormatFloat(v, 'g', -1, 64) with Prometheus' spelling of the specials. */
static int format_float(char *dst, double v)
{
	double a = fabs(v);

	if (v == 0)
		return sprintf(dst, "0");
	if (isnan(v))
		return sprintf(dst, "NaN");
	if (isinf(v))
		return sprintf(dst, v > 0 ? "+Inf" : "-Inf");
	if (a < 1e6 && a == floor(a)) {
		int n = 0;
		if (v < 0)
			dst[n++] = '-';
		return n + utoa(dst + n, (uint64_t)a);
	}
	if (a <= 9007199254740992.0 && a == floor(a)) {
		/* Exact integers: their digits are the shortest ones; print as d.ddde+NN. */
		char d[24];
		int nd = utoa(d, (uint64_t)a), end = nd, n = 0;
		while (end > 1 && d[end - 1] == '0')
			end--;
		if (v < 0)
			dst[n++] = '-';
		dst[n++] = d[0];
		if (end > 1) {
			dst[n++] = '.';
			memcpy(dst + n, d + 1, (size_t)end - 1);
			n += end - 1;
		}
		return n + sprintf(dst + n, "e+%02d", nd - 1);
	}
	/* Shortest digits that round-trip, then Go's choice between %e and %f (exponent -4..5). */
	char e[40];
	int prec;
	for (prec = 0; prec < 17; prec++) {
		snprintf(e, sizeof(e), "%.*e", prec, v);
		if (strtod(e, NULL) == v)
			break;
	}
	int exp = atoi(strchr(e, 'e') + 1);
	if (exp < -4 || exp >= 6)
		return sprintf(dst, "%s", e);
	int decimals = prec - exp;
	return sprintf(dst, "%.*f", decimals < 0 ? 0 : decimals, v);
}

static int cmp_row(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;

	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return 0;
}

/* Sort key of the id label: its decimal text packed big-endian, NUL-padded like strcmp sees it. */
static void id_key(uint32_t id, struct row *r)
{
	char t[12] = { 0 };
	utoa(t, id);
	uint64_t hi = 0;
	uint32_t lo = 0;
	for (int i = 0; i < 8; i++)
		hi = hi << 8 | (uint8_t)t[i];
	for (int i = 8; i < 12; i++)
		lo = lo << 8 | (uint8_t)t[i];
	r->hi = hi;
	r->lo = lo;
}

struct map {
	int fd;
	uint32_t key_size;
	uint32_t max;
	uint8_t *keys;
	uint64_t *values;
	struct row *rows;
};

static uint32_t read_all(struct map *m)
{
	uint64_t tok_in = 0, tok_out = 0;
	uint32_t n = 0;

	for (;;) {
		uint32_t count = m->max - n;
		int err = bpf_map_lookup_batch(m->fd, n ? &tok_in : NULL, &tok_out,
					       m->keys + (size_t)n * m->key_size, m->values + n, &count,
					       NULL);
		if (err && err != -ENOENT)
			die("bpf_map_lookup_batch", err);
		n += count;
		if (err == -ENOENT || n >= m->max)
			return n;
		tok_in = tok_out;
	}
}

static const char *op_label(uint32_t op, char cache[][24])
{
	if (op < OP_NAME_COUNT)
		return OP_NAMES[op];
	if (op < OP_CACHE) {
		if (!cache[op][0])
			snprintf(cache[op], 24, "unknown:%u", op);
		return cache[op];
	}
	return NULL;
}

static void render_counter(struct map *m, const char *name, const char *help, struct out *o)
{
	static char op_cache[OP_CACHE][24];
	uint32_t n = read_all(m);
	char num[48];

	for (uint32_t i = 0; i < n; i++) {
		const uint32_t *k = (const uint32_t *)(m->keys + (size_t)i * 8);
		id_key(k[0], &m->rows[i]);
		m->rows[i].idx = i;
	}
	/* Equal ids sort by the op text: an insertion pass over each run of equal ids. */
	qsort(m->rows, n, sizeof(struct row), cmp_row);
	for (uint32_t s = 0; s < n;) {
		uint32_t e = s + 1;
		while (e < n && cmp_row(&m->rows[s], &m->rows[e]) == 0)
			e++;
		for (uint32_t i = s + 1; i < e; i++) {
			struct row r = m->rows[i];
			char ta[24], tb[24];
			uint32_t opa = ((const uint32_t *)(m->keys + (size_t)r.idx * 8))[1];
			const char *sa = op_label(opa, op_cache);
			if (!sa)
				sa = (snprintf(ta, sizeof(ta), "unknown:%u", opa), ta);
			uint32_t j = i;
			while (j > s) {
				uint32_t opb = ((const uint32_t *)(m->keys + (size_t)m->rows[j - 1].idx * 8))[1];
				const char *sb = op_label(opb, op_cache);
				if (!sb)
					sb = (snprintf(tb, sizeof(tb), "unknown:%u", opb), tb);
				if (strcmp(sb, sa) <= 0)
					break;
				m->rows[j] = m->rows[j - 1];
				j--;
			}
			m->rows[j] = r;
		}
		s = e;
	}

	o->len = 0;
	puts_(o, "# HELP ");
	puts_(o, name);
	puts_(o, " ");
	puts_(o, help);
	puts_(o, "\n# TYPE ");
	puts_(o, name);
	puts_(o, " counter\n");
	size_t name_len = strlen(name);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t idx = m->rows[i].idx;
		const uint32_t *k = (const uint32_t *)(m->keys + (size_t)idx * 8);
		char tmp[24];
		const char *op = op_label(k[1], op_cache);
		if (!op)
			op = (snprintf(tmp, sizeof(tmp), "unknown:%u", k[1]), tmp);
		reserve(o, name_len + 96);
		put(o, name, name_len);
		put(o, "{id=\"", 5);
		o->len += (size_t)utoa(o->buf + o->len, k[0]);
		put(o, "\",op=\"", 6);
		puts_(o, op);
		put(o, "\"} ", 3);
		int len = format_float(num, (double)m->values[idx]);
		put(o, num, (size_t)len);
		put(o, "\n", 1);
	}
}

static void render_histogram(struct map *m, const char *name, const char *help, struct out *o)
{
	static char le[BUCKET_MAX + 1][40];
	char num[48], id[16];
	uint32_t n = read_all(m);

	if (!le[0][0])
		for (int i = 0; i <= BUCKET_MAX; i++)
			format_float(le[i], ldexp(1.0, i) * MULTIPLIER);
	for (uint32_t i = 0; i < n; i++) {
		const uint32_t *k = (const uint32_t *)(m->keys + (size_t)i * 8);
		id_key(k[0], &m->rows[i]);
		m->rows[i].idx = i;
	}
	qsort(m->rows, n, sizeof(struct row), cmp_row);

	o->len = 0;
	puts_(o, "# HELP ");
	puts_(o, name);
	puts_(o, " ");
	puts_(o, help);
	puts_(o, "\n# TYPE ");
	puts_(o, name);
	puts_(o, " histogram\n");
	size_t name_len = strlen(name);
	for (uint32_t s = 0; s < n;) {
		double slot[BUCKET_MAX + 2] = { 0 };
		uint32_t e = s;
		for (; e < n && cmp_row(&m->rows[s], &m->rows[e]) == 0; e++) {
			uint32_t idx = m->rows[e].idx;
			uint32_t b = ((const uint32_t *)(m->keys + (size_t)idx * 8))[1];
			if (b <= BUCKET_MAX + 1)
				slot[b] += (double)m->values[idx];
		}
		uint32_t idv = ((const uint32_t *)(m->keys + (size_t)m->rows[s].idx * 8))[0];
		int id_len = utoa(id, idv);
		double cum = 0;
		for (int b = 0; b <= BUCKET_MAX; b++) {
			cum += slot[b];
			reserve(o, name_len + 128);
			put(o, name, name_len);
			put(o, "_bucket{id=\"", 12);
			put(o, id, (size_t)id_len);
			put(o, "\",le=\"", 6);
			puts_(o, le[b]);
			put(o, "\"} ", 3);
			put(o, num, (size_t)format_float(num, cum));
			put(o, "\n", 1);
		}
		int cl = format_float(num, cum);
		reserve(o, 3 * name_len + 256);
		put(o, name, name_len);
		put(o, "_bucket{id=\"", 12);
		put(o, id, (size_t)id_len);
		put(o, "\",le=\"+Inf\"} ", 13);
		put(o, num, (size_t)cl);
		put(o, "\n", 1);
		put(o, name, name_len);
		put(o, "_sum{id=\"", 9);
		put(o, id, (size_t)id_len);
		put(o, "\"} ", 3);
		char sum[48];
		put(o, sum, (size_t)format_float(sum, slot[BUCKET_MAX + 1] * MULTIPLIER));
		put(o, "\n", 1);
		put(o, name, name_len);
		put(o, "_count{id=\"", 11);
		put(o, id, (size_t)id_len);
		put(o, "\"} ", 3);
		put(o, num, (size_t)cl);
		put(o, "\n", 1);
		s = e;
	}
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			die("write", errno);
		}
		p += w;
		n -= (size_t)w;
	}
}

static uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static long status_kb(const char *field)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;
	size_t fl = strlen(field);

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, fl) && line[fl] == ':')
			kb = strtol(line + fl + 1, NULL, 10);
	fclose(f);
	return kb;
}

int main(int argc, char **argv)
{
	if (argc != 6 && argc != 7) {
		fprintf(stderr, "usage: floor counter|histogram PIN METRIC HELP (ITERATIONS WARMUP | dump)\n");
		return 2;
	}
	int histogram = !strcmp(argv[1], "histogram");
	const char *name = argv[3], *help = argv[4];
	int dump = argc == 6 && !strcmp(argv[5], "dump");
	if (argc == 6 && !dump) {
		fprintf(stderr, "floor: expected ITERATIONS WARMUP or dump\n");
		return 2;
	}
	struct map m = { 0 };
	m.fd = bpf_obj_get(argv[2]);
	if (m.fd < 0)
		die(argv[2], m.fd);
	struct bpf_map_info info;
	uint32_t info_len = sizeof(info);
	memset(&info, 0, sizeof(info));
	int err = bpf_map_get_info_by_fd(m.fd, &info, &info_len);
	if (err)
		die("bpf_map_get_info_by_fd", err);
	if (info.key_size != 8 || info.value_size != 8) {
		fprintf(stderr, "floor: map has %u-byte keys and %u-byte values, want 8 and 8\n",
			info.key_size, info.value_size);
		return 1;
	}
	m.key_size = info.key_size;
	m.max = info.max_entries;
	m.keys = malloc((size_t)m.max * m.key_size);
	m.values = malloc((size_t)m.max * sizeof(uint64_t));
	m.rows = malloc((size_t)m.max * sizeof(struct row));
	if (!m.keys || !m.values || !m.rows)
		die("malloc", ENOMEM);
	struct out o = { 0 };

	if (dump) {
		(histogram ? render_histogram : render_counter)(&m, name, help, &o);
		write_all(1, o.buf, o.len);
		return 0;
	}

	int iterations = atoi(argv[5]), warmup = atoi(argv[6]);
	int p[2];
	if (pipe(p))
		die("pipe", errno);
	fcntl(p[1], F_SETPIPE_SZ, 1 << 20);
	pid_t drain = fork();
	if (drain < 0)
		die("fork", errno);
	if (drain == 0) {
		static char sink[1 << 20];
		close(p[1]);
		while (read(p[0], sink, sizeof(sink)) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	for (int i = 0; i < warmup + iterations; i++) {
		uint64_t w0 = now_ns(CLOCK_MONOTONIC), c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
		(histogram ? render_histogram : render_counter)(&m, name, help, &o);
		write_all(p[1], o.buf, o.len);
		uint64_t w1 = now_ns(CLOCK_MONOTONIC), c1 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
		if (i >= warmup)
			fprintf(stderr, "sample %llu %llu %zu\n", (unsigned long long)(w1 - w0),
				(unsigned long long)(c1 - c0), o.len);
	}
	close(p[1]);
	waitpid(drain, NULL, 0);
	fprintf(stderr, "rss_kb %ld hwm_kb %ld\n", status_kb("VmRSS"), status_kb("VmHWM"));
	return 0;
}
