// SPDX-License-Identifier: GPL-2.0
/*
 * vmadiff bench: how many programs per second each configuration runs on
 * a fixed corpus (benchmarks/corpus), measured in alternation so that
 * machine noise falls on all of them alike, and the model at scale
 * (--model-scale). Numbers only: nothing here asserts a timing.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "../engine/progfile.h"
#include "../harness/client.h"
#include "../oracle/json.h"
#include "bench.h"
#include "cli.h"

static const char bench_usage[] =
	"usage: vmadiff bench [--json] [--seconds N] [CORPUS]\n"
	"       vmadiff bench --model-scale [--json]\n"
	"\n"
	"Runs the programs of CORPUS (default benchmarks/corpus, here or in\n"
	"the tree of this binary) over and over for N seconds (default 20)\n"
	"in five configurations, in rounds that cycle through them so that\n"
	"machine noise cancels, and prints the programs per second of each\n"
	"and the ratios full/bare, full/isolation-first and what comparing\n"
	"VmFlags costs (full without them / full):\n"
	"  bare             the programs' calls in the executor's worker: no\n"
	"                   snapshots, no model, no comparison (the floor)\n"
	"  full             the differential run as replay and the fuzzer do\n"
	"                   it (per-op outcome and layout digest checks, and\n"
	"                   smaps VmFlags after the last op)\n"
	"  full-no-vmflags  the same without VmFlags (--no-vmflags): per-op\n"
	"                   snapshots re-read only what each op changed\n"
	"  isolation-first  the same with a fork per program and layouts\n"
	"                   parsed from /proc/self/maps\n"
	"  model            the model side of a full run alone\n"
	"\n"
	"--model-scale instead times single model calls over 100, 10,000 and\n"
	"65,530 VMAs (built with bulk ops) and the model's memory per VMA.\n"
	"\n"
	"options:\n"
	"  --json         one JSON object instead of the table\n"
	"  --seconds N    total measuring time (default 20)\n"
	"  --model-scale  the model-at-scale benchmark\n"
	"  -h, --help     this help\n";

#define BENCH_DEFAULT_CORPUS "benchmarks/corpus"
#define BENCH_DEFAULT_SECONDS 20
/* A slice per mode per round: long enough to amortise the switch, short
 * enough that a burst of noise hits every mode. */
#define BENCH_SLICE_S 0.25

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + t.tv_nsec;
}

/* --- programs per second ------------------------------------------------ */

enum mode { M_BARE, M_FULL, M_FULL_NOVF, M_ISOLATED, M_MODEL, M__COUNT };

static const char *const mode_name[M__COUNT] = {
	"bare replay", "full differential", "full, no VmFlags",
	"isolation-first", "model only",
};
static const char *const mode_key[M__COUNT] = {
	"bare", "full", "full_no_vmflags", "isolation_first", "model",
};

struct bench {
	struct prog *progs;
	size_t nprogs;
	uint64_t total_ops;
	struct executor *bare;	 /* the bare mode talks to the worker itself */
	struct engine *full, *novf, *iso; /* model mode: full's model */
	struct verdict *v;
	struct {
		uint64_t runs;
		double seconds;
		size_t next; /* corpus position: every mode runs all programs */
	} m[M__COUNT];
	uint64_t diverge, infra; /* full and isolation-first verdicts */
};

static int run_bare(struct bench *b, const struct prog *p)
{
	struct exec_shm *shm = executor_shm(b->bare);

	shm->prog = *p;
	shm->snap_mode = EXEC_SNAP_NONE;
	shm->full_at = -1;
	shm->with_vmflags = 0;
	shm->isolate = 0;
	return executor_run(b->bare) == EXEC_OK && shm->nops_done == p->nops
		       ? 0 : -1;
}

static void run_one(struct bench *b, enum mode m, const struct prog *p)
{
	enum verdict_kind k = VERDICT_AGREE;

	switch (m) {
	case M_BARE:
		if (run_bare(b, p))
			k = VERDICT_INFRA;
		break;
	case M_FULL:
		k = engine_run(b->full, p, b->v);
		break;
	case M_FULL_NOVF:
		k = engine_run(b->novf, p, b->v);
		break;
	case M_ISOLATED:
		k = engine_run(b->iso, p, b->v);
		break;
	case M_MODEL:
		engine_run_model(b->full, p, b->v);
		break;
	case M__COUNT:
		break;
	}
	b->diverge += k == VERDICT_DIVERGE;
	b->infra += k == VERDICT_INFRA;
}

/* Runs mode m for about dur seconds, in corpus order from where it left. */
static void slice(struct bench *b, enum mode m, double dur)
{
	double t0 = now_s(), t;

	do {
		run_one(b, m, &b->progs[b->m[m].next]);
		b->m[m].next = (b->m[m].next + 1) % b->nprogs;
		b->m[m].runs++;
		t = now_s();
	} while (t - t0 < dur);
	b->m[m].seconds += t - t0;
}

static int load_corpus(struct bench *b, const char *dir)
{
	struct strlist files = { 0 };

	if (!is_dir(dir) || walk_dir(dir, 1, &files) || !files.n) {
		fprintf(stderr, "%s: %s: no programs there\n", prog_name, dir);
		strlist_free(&files);
		return -1;
	}
	b->progs = calloc(files.n, sizeof(*b->progs));
	if (!b->progs)
		abort();
	for (size_t i = 0; i < files.n; i++) {
		struct prog *p = &b->progs[b->nprogs];

		if (load_or_complain(files.v[i], p))
			continue;
		if (!prog_valid(p)) {
			fprintf(stderr, "%s: %s: not a valid program\n",
				prog_name, files.v[i]);
			continue;
		}
		b->total_ops += p->nops;
		b->nprogs++;
	}
	strlist_free(&files);
	return b->nprogs ? 0 : -1;
}

static double rate(const struct bench *b, enum mode m)
{
	return b->m[m].seconds > 0 ? b->m[m].runs / b->m[m].seconds : 0;
}

/* How many times longer a full run takes with VmFlags than without. */
static double vmflags_cost(const struct bench *b)
{
	return rate(b, M_FULL) > 0 ? rate(b, M_FULL_NOVF) / rate(b, M_FULL)
				   : 0;
}

static unsigned long long rechecks(const struct bench *b)
{
	return engine_stats(b->full)->rechecks +
	       engine_stats(b->novf)->rechecks;
}

static void print_text(const struct bench *b, const char *corpus,
		       unsigned seconds, unsigned rounds)
{
	printf("vmadiff bench: %zu programs from %s (%.1f ops each), %u s "
	       "in %u rounds\n",
	       b->nprogs, corpus, (double)b->total_ops / b->nprogs, seconds,
	       rounds);
	printf("kernel %s, %ld CPUs, snapshots %s\n",
	       engine_facts(b->full)->release, sysconf(_SC_NPROCESSORS_ONLN),
	       engine_snap_mode_name(b->full));
	printf("%-18s %12s %12s %10s\n", "mode", "programs/s", "us/program",
	       "programs");
	for (int m = 0; m < M__COUNT; m++)
		printf("%-18s %12.0f %12.1f %10llu\n", mode_name[m],
		       rate(b, m), rate(b, m) > 0 ? 1e6 / rate(b, m) : 0,
		       (unsigned long long)b->m[m].runs);
	printf("full/bare %.2f, full/isolation-first %.1f, VmFlags cost "
	       "%.2fx (%llu divergences, %llu executor errors, %llu snapshot "
	       "rechecks)\n",
	       rate(b, M_BARE) > 0 ? rate(b, M_FULL) / rate(b, M_BARE) : 0,
	       rate(b, M_ISOLATED) > 0 ? rate(b, M_FULL) / rate(b, M_ISOLATED)
				       : 0,
	       vmflags_cost(b), (unsigned long long)b->diverge,
	       (unsigned long long)b->infra, (unsigned long long)rechecks(b));
}

static void print_json(const struct bench *b, const char *corpus,
		       unsigned seconds, unsigned rounds)
{
	printf("{\"corpus\":");
	json_write_string(stdout, corpus);
	printf(",\"programs\":%zu,\"ops_per_program\":%.2f,\"seconds\":%u,"
	       "\"rounds\":%u,\"kernel\":",
	       b->nprogs, (double)b->total_ops / b->nprogs, seconds, rounds);
	json_write_string(stdout, engine_facts(b->full)->release);
	printf(",\"cpus\":%ld,\"snap_mode\":\"%s\",\"modes\":{",
	       sysconf(_SC_NPROCESSORS_ONLN), engine_snap_mode_name(b->full));
	for (int m = 0; m < M__COUNT; m++)
		printf("%s\"%s\":{\"programs_per_s\":%.1f,\"us_per_program\":"
		       "%.2f,\"runs\":%llu,\"seconds\":%.3f}",
		       m ? "," : "", mode_key[m], rate(b, m),
		       rate(b, m) > 0 ? 1e6 / rate(b, m) : 0,
		       (unsigned long long)b->m[m].runs, b->m[m].seconds);
	printf("},\"full_over_bare\":%.3f,\"full_over_isolation_first\":%.2f,"
	       "\"vmflags_cost\":%.3f,\"divergences\":%llu,"
	       "\"infra_errors\":%llu,\"rechecks\":%llu}\n",
	       rate(b, M_BARE) > 0 ? rate(b, M_FULL) / rate(b, M_BARE) : 0,
	       rate(b, M_ISOLATED) > 0 ? rate(b, M_FULL) / rate(b, M_ISOLATED)
				       : 0,
	       vmflags_cost(b), (unsigned long long)b->diverge,
	       (unsigned long long)b->infra, (unsigned long long)rechecks(b));
}

static int bench_programs(const char *corpus, unsigned seconds, int json)
{
	struct bench b = { 0 };
	struct engine_opts o;
	unsigned rounds;
	char err[512];
	int rc = 2;

	if (load_corpus(&b, corpus))
		return 2;
	b.v = malloc(sizeof(*b.v));
	if (!b.v)
		abort();
	engine_options_default(&o);
	o.vmflags = 0;
	b.novf = start_engine(&o);
	o.vmflags = 1;
	b.full = start_engine(&o);
	o.isolate = 1;
	o.snap_mode = EXEC_SNAP_TEXT;
	b.iso = start_engine(&o);
	b.bare = executor_start(NULL, 0, err, sizeof(err));
	if (!b.bare)
		fprintf(stderr, "%s: cannot start the executor: %s\n",
			prog_name, err);
	if (!b.full || !b.novf || !b.iso || !b.bare)
		goto out;

	/* Warm-up, untimed: a short slice of every mode. */
	for (int m = 0; m < M__COUNT; m++) {
		slice(&b, m, BENCH_SLICE_S / 4);
		memset(&b.m[m], 0, sizeof(b.m[m]));
	}
	b.diverge = b.infra = 0;

	rounds = seconds / (M__COUNT * BENCH_SLICE_S);
	if (!rounds)
		rounds = 1;
	for (unsigned r = 0; r < rounds; r++)
		for (int k = 0; k < M__COUNT; k++)
			slice(&b, (r + k) % M__COUNT,
			      (double)seconds / (rounds * M__COUNT));

	if (json)
		print_json(&b, corpus, seconds, rounds);
	else
		print_text(&b, corpus, seconds, rounds);
	if (b.diverge || b.infra)
		fprintf(stderr,
			"%s: warning: %llu divergences and %llu executor "
			"errors while measuring (replay %s)\n",
			prog_name, (unsigned long long)b.diverge,
			(unsigned long long)b.infra, corpus);
	rc = 0;
out:
	engine_fini(b.full);
	engine_fini(b.novf);
	engine_fini(b.iso);
	executor_stop(b.bare);
	free(b.v);
	free(b.progs);
	return rc;
}

/* --- the model at scale -------------------------------------------------- */

/* Change-and-restore pairs per level: the layout stays as built. */
#define SCALE_PAIRS 50000u

enum scale_op {
	S_MPROTECT_MERGE, S_MPROTECT_SPLIT, S_MUNMAP, S_MMAP_FIXED, S_TOUCH,
	S_READ, S_MMAP, S_MUNMAP_NEW, S__COUNT
};

static const char *const scale_name[S__COUNT] = {
	"mprotect_merge", "mprotect_split", "munmap", "mmap_fixed", "touch",
	"read", "mmap_nonfixed", "munmap_nonfixed",
};

struct samples {
	uint32_t *v;
	size_t n;
};

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The q-quantile (0..1) of s, sorting it. */
static uint32_t quantile(struct samples *s, double q)
{
	if (!s->n)
		return 0;
	qsort(s->v, s->n, sizeof(*s->v), cmp_u32);
	return s->v[(size_t)(q * (s->n - 1))];
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

struct scale_result {
	unsigned nvmas;
	uint64_t vmas_built;
	double build_ns_per_vma, bytes_per_vma;
	uint32_t median[S__COUNT], all_median, all_p90, all_p99;
	int failed; /* an op that should succeed did not */
};

/* Times one model call into kind's samples (uses t, r and o of
 * scale_level); the timer's overhead is subtracted afterwards. */
#define TIMED(kind, call)                                   \
	do {                                                \
		uint64_t t0_ = now_ns();                    \
		call;                                       \
		t[kind].v[t[kind].n++] = now_ns() - t0_;    \
		r->failed |= o.ret == -1 || o.sig != 0;     \
	} while (0)

/*
 * n single-page VMAs alternating rw and r, built by two bulk ops; then
 * SCALE_PAIRS random pairs that change and restore one page: mprotect to
 * the other prot (merges three VMAs) and back (splits them), munmap and
 * mmap MAP_FIXED again, touch and read, a non-fixed mmap (a gap search)
 * and its munmap.
 */
static void scale_level(unsigned n, uint32_t overhead, struct scale_result *r)
{
	static const char build_fmt[] =
		"mmap W+0 %u rw PRIVATE|ANONYMOUS|FIXED\n"
		"mprotect W+1 1 r x%u/2\n";
	const uint64_t w = PROG_WINDOW_BASE, pg = PROG_PAGE_SIZE;
	struct samples t[S__COUNT], all;
	struct outcome outs[PROG_MAX_OPS], o;
	struct model_config cfg;
	struct model *m;
	struct prog p;
	char text[128], err[128];
	uint64_t seed = n, t0;
	size_t before;

	memset(r, 0, sizeof(*r));
	r->nvmas = n;
	for (int k = 0; k < S__COUNT; k++) {
		t[k].v = malloc(SCALE_PAIRS * sizeof(*t[k].v));
		t[k].n = 0;
		if (!t[k].v)
			abort();
	}
	all.v = malloc(2 * SCALE_PAIRS * sizeof(*all.v));
	if (!all.v)
		abort();
	all.n = 0;
	snprintf(text, sizeof(text), build_fmt, n, n / 2);
	if (prog_parse(text, &p, err, sizeof(err)))
		abort(); /* the text above is valid */

	model_config_default(&cfg);
	cfg.max_map_count = 1u << 20; /* exactly n VMAs, splits to spare */
	before = mallinfo2().uordblks;
	m = model_create(&cfg, NULL, 0);
	if (!m)
		abort();
	t0 = now_ns();
	for (unsigned i = 0; i < p.nops; i++) {
		model_prog_op(m, NULL, 0, &p, i, outs);
		r->failed |= outs[i].ret == -1;
	}
	r->build_ns_per_vma = (double)(now_ns() - t0) / n;
	r->vmas_built = model_map_count(m);
	r->bytes_per_vma = (double)(mallinfo2().uordblks - before) /
			   r->vmas_built;

	for (unsigned k = 0; k < SCALE_PAIRS; k++) {
		uint64_t x = splitmix(&seed);
		unsigned i = 1 + x % (n - 2);
		uint64_t a = w + i * pg, prot = i & 1 ? PROT_READ
						     : PROT_READ | PROT_WRITE;

		switch ((x >> 32) % 4) {
		case 0:
			TIMED(S_MPROTECT_MERGE,
			      model_mprotect(m, a, pg, prot ^ PROT_WRITE, &o));
			TIMED(S_MPROTECT_SPLIT, model_mprotect(m, a, pg, prot, &o));
			break;
		case 1:
			TIMED(S_MUNMAP, model_munmap(m, a, pg, &o));
			TIMED(S_MMAP_FIXED,
			      model_mmap(m, a, pg, prot,
					 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
					 -1, 0, &o));
			break;
		case 2: /* on the rw page of the pair */
			a &= ~(2 * pg - 1);
			TIMED(S_TOUCH, model_touch(m, a, 1, k, &o));
			TIMED(S_READ, model_read(m, a, 1, &o));
			break;
		default:
			TIMED(S_MMAP, model_mmap(m, 0, pg, PROT_READ | PROT_WRITE,
						 MAP_PRIVATE | MAP_ANONYMOUS,
						 -1, 0, &o));
			a = o.ret;
			TIMED(S_MUNMAP_NEW, model_munmap(m, a, pg, &o));
			break;
		}
	}
	r->failed |= model_map_count(m) != r->vmas_built;
	for (int k = 0; k < S__COUNT; k++) {
		for (size_t j = 0; j < t[k].n; j++) {
			t[k].v[j] = t[k].v[j] > overhead ? t[k].v[j] - overhead
							  : 0;
			all.v[all.n++] = t[k].v[j];
		}
		r->median[k] = quantile(&t[k], 0.5);
		free(t[k].v);
	}
	r->all_median = quantile(&all, 0.5);
	r->all_p90 = quantile(&all, 0.9);
	r->all_p99 = quantile(&all, 0.99);
	free(all.v);
	model_destroy(m);
}

static int bench_model_scale(int json)
{
	static const unsigned levels[] = { 100, 10000, 65530 };
	struct scale_result r[3];
	struct samples ov;
	uint32_t overhead;

	/* what one pair of clock reads costs, subtracted from every sample */
	ov.n = 10001;
	ov.v = malloc(ov.n * sizeof(*ov.v));
	if (!ov.v)
		abort();
	for (size_t j = 0; j < ov.n; j++) {
		uint64_t t0 = now_ns();

		ov.v[j] = now_ns() - t0;
	}
	overhead = quantile(&ov, 0.5);
	free(ov.v);
	for (int l = 0; l < 3; l++)
		scale_level(levels[l], overhead, &r[l]);

	if (json) {
		printf("{\"timer_overhead_ns\":%u,\"pairs_per_level\":%u,"
		       "\"levels\":[",
		       overhead, SCALE_PAIRS);
		for (int l = 0; l < 3; l++) {
			printf("%s{\"vmas\":%llu,\"median_ns\":%u,\"p90_ns\":%u,"
			       "\"p99_ns\":%u,\"build_ns_per_vma\":%.1f,"
			       "\"bytes_per_vma\":%.1f,\"ok\":%s,\"median_ns_by_op\":{",
			       l ? "," : "", (unsigned long long)r[l].vmas_built,
			       r[l].all_median, r[l].all_p90, r[l].all_p99,
			       r[l].build_ns_per_vma, r[l].bytes_per_vma,
			       r[l].failed ? "false" : "true");
			for (int k = 0; k < S__COUNT; k++)
				printf("%s\"%s\":%u", k ? "," : "",
				       scale_name[k], r[l].median[k]);
			printf("}}");
		}
		printf("]}\n");
	} else {
		printf("model at scale: ns per model call (median over %u "
		       "change/restore pairs; timer overhead %u ns "
		       "subtracted)\n",
		       SCALE_PAIRS, overhead);
		printf("%8s %7s %7s %7s %10s %10s", "VMAs", "median", "p90",
		       "p99", "build/VMA", "bytes/VMA");
		for (int k = 0; k < S__COUNT; k++)
			printf(" %s", scale_name[k]);
		printf("\n");
		for (int l = 0; l < 3; l++) {
			printf("%8llu %7u %7u %7u %10.1f %10.1f",
			       (unsigned long long)r[l].vmas_built,
			       r[l].all_median, r[l].all_p90, r[l].all_p99,
			       r[l].build_ns_per_vma, r[l].bytes_per_vma);
			for (int k = 0; k < S__COUNT; k++)
				printf(" %*u", (int)strlen(scale_name[k]),
				       r[l].median[k]);
			printf("%s\n", r[l].failed ? "  (an op failed!)" : "");
		}
	}
	for (int l = 0; l < 3; l++)
		if (r[l].failed)
			return 1;
	return 0;
}

/* benchmarks/corpus here, else in the tree this binary was built in
 * (build/vmadiff -> ../benchmarks/corpus). */
static const char *default_corpus(void)
{
	static const char rel[] = "/../" BENCH_DEFAULT_CORPUS;
	static char path[4096];
	ssize_t n;
	char *slash;

	if (is_dir(BENCH_DEFAULT_CORPUS))
		return BENCH_DEFAULT_CORPUS;
	n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (n < 0)
		return BENCH_DEFAULT_CORPUS;
	path[n] = 0;
	slash = strrchr(path, '/');
	if (!slash || (size_t)(slash - path) + sizeof(rel) > sizeof(path))
		return BENCH_DEFAULT_CORPUS;
	strcpy(slash, rel);
	return is_dir(path) ? path : BENCH_DEFAULT_CORPUS;
}

int cmd_bench(int argc, char **argv)
{
	const char *corpus = NULL;
	unsigned seconds = BENCH_DEFAULT_SECONDS;
	int json = 0, scale = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = NULL;

		if (is_help(a)) {
			fputs(bench_usage, stdout);
			return 0;
		} else if (!strcmp(a, "--json")) {
			json = 1;
		} else if (!strcmp(a, "--model-scale")) {
			scale = 1;
		} else if (!strcmp(a, "--seconds")) {
			if (++i >= argc)
				return usage_error(bench_usage, "%s",
						   "--seconds needs a number");
			val = argv[i];
		} else if (!strncmp(a, "--seconds=", 10)) {
			val = a + 10;
		} else if (a[0] == '-' && a[1]) {
			return usage_error(bench_usage, "unknown option `%s'",
					   a);
		} else if (corpus) {
			return usage_error(bench_usage, "extra argument `%s'",
					   a);
		} else {
			corpus = a;
		}
		if (val) {
			char *end;
			unsigned long s = strtoul(val, &end, 10);

			if (!*val || *end || !s || s > 3600)
				return usage_error(bench_usage,
						   "bad --seconds `%s' (1 to 3600)",
						   val);
			seconds = s;
		}
	}
	if (scale)
		return bench_model_scale(json);
	return bench_programs(corpus ? corpus : default_corpus(), seconds,
			      json);
}
