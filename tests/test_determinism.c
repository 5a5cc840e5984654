// SPDX-License-Identifier: GPL-2.0
/*
 * A program's verdict must not depend on what ran before it in the same
 * process (the fuzzer runs millions of programs on one engine, one model
 * and one executor, reset in place): 1,000 programs decoded from random
 * bytes (a fixed seed, so the same ones every time) run in order, then in
 * a shuffled order on the same engine, and every program must get the same
 * verdict, divergent op and field, and the same per-op outcomes and layout
 * digests on both sides both times. Programs whose kernel side would take
 * long (many reps or touched pages, faulting in large ranges) are drawn
 * again, to keep this to seconds. Needs the executor
 * ($VMADIFF_EXECUTOR, else build/vmadiff-executor).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "../engine/engine.h"
#include "test.h"

#define NPROGS 1000
/* reps plus touched pages, summed over the ops of one program */
#define MAX_WORK 200000
/* pages one op may fault in (mlock, madvise, prefaulting mmaps) */
#define MAX_PREFAULT 4096

static struct prog progs[NPROGS];
static struct verdict first[NPROGS];
static struct verdict v;
static uint64_t xs = 0x9e3779b97f4a7c15ull;

static uint64_t rand64(void)
{
	xs ^= xs << 13;
	xs ^= xs >> 7;
	xs ^= xs << 17;
	return xs;
}

/* Can the op make the kernel fault in its whole range? */
static int faults_in(const struct prog_op *op)
{
	switch (op->kind) {
	case OP_MMAP:
		return !!(op->flags & (MAP_POPULATE | MAP_LOCKED));
	case OP_MLOCK:
	case OP_MADVISE: /* MADV_POPULATE_(READ|WRITE), MADV_WILLNEED */
		return 1;
	default:
		return 0;
	}
}

static int cheap(const struct prog *p)
{
	uint64_t work = 0;

	for (unsigned i = 0; i < p->nops; i++) {
		const struct prog_op *op = &p->ops[i];
		uint64_t pages = prog_touch_pages(&op->len);

		work += op->repeat;
		if (op->kind == OP_TOUCH || op->kind == OP_READ)
			work += (uint64_t)op->repeat * pages;
		pages = prog_len_bytes(&op->len) / PROG_PAGE_SIZE;
		if (faults_in(op) &&
		    (pages > MAX_PREFAULT || op->repeat * pages > MAX_PREFAULT))
			return 0;
	}
	return work <= MAX_WORK;
}

static void generate(void)
{
	uint8_t bytes[160];

	for (unsigned i = 0; i < NPROGS; i++) {
		do {
			size_t n = 1 + rand64() % sizeof(bytes);

			for (size_t k = 0; k < n; k++)
				bytes[k] = (uint8_t)rand64();
			prog_decode(bytes, n, &progs[i]);
		} while (!cheap(&progs[i]));
	}
}

/* Same verdict, op, field, and per-op outcomes and digests. */
static int same(const struct verdict *a, const struct verdict *b)
{
	if (a->kind != b->kind || a->op != b->op || a->field != b->field ||
	    a->ncompared != b->ncompared || a->kernel_nops != b->kernel_nops)
		return 0;
	return !memcmp(a->kernel, b->kernel,
		       a->kernel_nops * sizeof(a->kernel[0])) &&
	       !memcmp(a->kernel_digest, b->kernel_digest,
		       a->kernel_nops * sizeof(a->kernel_digest[0])) &&
	       !memcmp(a->model, b->model,
		       a->ncompared * sizeof(a->model[0])) &&
	       !memcmp(a->model_digest, b->model_digest,
		       a->ncompared * sizeof(a->model_digest[0]));
}

static struct engine *eng;

TEST(verdicts_do_not_depend_on_order)
{
	unsigned order[NPROGS], mismatches = 0, infra = 0, diverge = 0;

	for (unsigned i = 0; i < NPROGS; i++) {
		engine_run(eng, &progs[i], &first[i]);
		infra += first[i].kind == VERDICT_INFRA;
		diverge += first[i].kind == VERDICT_DIVERGE;
		order[i] = i;
	}
	for (unsigned i = NPROGS - 1; i > 0; i--) {
		unsigned j = rand64() % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (unsigned k = 0; k < NPROGS; k++) {
		unsigned i = order[k];
		char text[4096];

		engine_run(eng, &progs[i], &v);
		if (same(&first[i], &v))
			continue;
		if (mismatches++ < 3) {
			prog_print(&progs[i], text, sizeof(text));
			fprintf(stderr,
				"program %u (run %u of the shuffled order): "
				"%s op %d %s, then %s op %d %s\n%s",
				i, k, verdict_kind_name(first[i].kind),
				first[i].op, div_field_name(first[i].field),
				verdict_kind_name(v.kind), v.op,
				div_field_name(v.field), text);
		}
	}
	printf("%u programs: %u divergent, %u infrastructure errors, "
	       "%u verdicts changed with the order\n",
	       NPROGS, diverge, infra, mismatches);
	CHECK_EQ(mismatches, 0);
	CHECK_EQ(infra, 0);
}

int main(void)
{
	struct engine_opts o;
	const char *env = getenv("VMADIFF_EXECUTOR");
	char err[256];

	engine_opts_default(&o);
	o.executor_path = env && *env ? env : "build/vmadiff-executor";
	eng = engine_init(&o, err, sizeof(err));
	if (!eng) {
		fprintf(stderr, "cannot start the executor: %s\n", err);
		return 1;
	}
	generate();
	RUN(verdicts_do_not_depend_on_order);
	engine_fini(eng);
	return test_summary();
}
