// SPDX-License-Identifier: GPL-2.0
/*
 * The structure-aware mutator (fuzz/mutator.c, included: white-box) on its
 * own, no executor: every output of a structural edit is 1..max bytes,
 * decodes to a valid program and is its canonical encoding (byte-level
 * mutations stay as the byte mutator left them); the same seed gives the
 * same output; crossovers too; and the layout-aware edits do what they are for
 * (addresses at the edges of the model's VMAs, rK references to non-fixed
 * mmaps, lengths equal to a VMA's).
 */
#include <string.h>
#include <sys/mman.h>

#include "../fuzz/mutator.c"
#include "test.h"

#define MAXOUT 4096

static struct mutator *mu;
static uint8_t buf[MAXOUT], buf2[MAXOUT], in[MAXOUT];
static struct prog dp;

static uint64_t xs = 0x2545f4914f6cdd1dull;

static uint64_t rand64(void)
{
	xs ^= xs << 13;
	xs ^= xs >> 7;
	xs ^= xs << 17;
	return xs;
}

/* out[0, n) is canonical: valid, and encode(decode(out)) == out. */
static int canonical(const uint8_t *out, size_t n, size_t max)
{
	uint8_t re[MAXOUT];

	if (n < 1 || n > max)
		return 0;
	prog_decode(out, n, &dp);
	if (!prog_valid(&dp) || !dp.nops)
		return 0;
	return prog_encode(&dp, re, sizeof(re)) == n && !memcmp(re, out, n);
}

static size_t random_input(void)
{
	size_t n = rand64() % 300;

	for (size_t i = 0; i < n; i++)
		in[i] = (uint8_t)rand64();
	return n;
}

TEST(mutate_outputs_canonical_programs)
{
	unsigned bad = 0;

	for (unsigned i = 0; i < 20000; i++) {
		size_t n = random_input(), max = i % 4 ? MAXOUT : 45 + i % 200;
		unsigned seed = (unsigned)rand64();
		size_t r;

		memcpy(buf, in, n);
		r = mutator_mutate(mu, buf, n, max, seed);
		if (!canonical(buf, r, max) && bad++ < 3)
			fprintf(stderr, "input %u: size %zu, max %zu\n", i, r,
				max);
	}
	CHECK_EQ(bad, 0);
}

TEST(mutate_is_deterministic)
{
	for (unsigned i = 0; i < 2000; i++) {
		size_t n = random_input(), a, b;
		unsigned seed = (unsigned)rand64();

		memcpy(buf, in, n);
		a = mutator_mutate(mu, buf, n, MAXOUT, seed);
		memcpy(buf2, in, n);
		b = mutator_mutate(mu, buf2, n, MAXOUT, seed);
		CHECK(a == b && !memcmp(buf, buf2, a));
	}
}

TEST(crossover_outputs_canonical_programs)
{
	unsigned bad = 0;

	for (unsigned i = 0; i < 10000; i++) {
		size_t na = random_input(), nb, r, max = i % 4 ? MAXOUT : 60;

		memcpy(buf2, in, na);
		nb = random_input();
		r = mutator_crossover(mu, buf2, na, in, nb, buf, max,
				      (unsigned)rand64());
		bad += !canonical(buf, r, max);
	}
	CHECK_EQ(bad, 0);
}

/* A byte mutator that writes junk (and how much it wrote, last time). */
static size_t junk_n;

static size_t junk_bytes(uint8_t *data, size_t size, size_t max)
{
	size_t n = 1 + size + rand64() % 64;

	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i++)
		data[i] = (uint8_t)rand64();
	junk_n = n;
	return n;
}

/* Half the mutations are the byte mutator's, returned as it left them;
 * the others are structural edits, canonical. */
TEST(byte_fallback_is_kept_or_edits_are_canonical)
{
	struct model_config cfg;
	struct mutator *m;
	unsigned bad = 0, kept = 0;

	model_config_default(&cfg);
	m = mutator_new(&cfg, NULL, 0, junk_bytes);
	CHECK(m != NULL);
	for (unsigned i = 0; m && i < 4000; i++) {
		size_t n = random_input(), r;

		memcpy(buf, in, n);
		junk_n = 0;
		r = mutator_mutate(m, buf, n, MAXOUT, (unsigned)rand64());
		if (junk_n && r == junk_n)
			kept++;
		else
			bad += !canonical(buf, r, MAXOUT);
	}
	CHECK_EQ(bad, 0);
	CHECK(kept > 1500 && kept < 2500);
	mutator_free(m);
}

/* Encodes the text program t into in; returns its size. */
static size_t encode_text(const char *t)
{
	struct prog p;
	char err[128];

	if (prog_parse(t, &p, err, sizeof(err)))
		return 0;
	return prog_encode(&p, in, sizeof(in));
}

/* How many of `runs` mutations of t yield an op for which f holds. */
static unsigned count_ops(const char *t, unsigned runs,
			  int (*f)(const struct prog_op *op))
{
	size_t n = encode_text(t);
	unsigned hits = 0;

	for (unsigned i = 0; i < runs; i++) {
		size_t r;
		int hit = 0;

		memcpy(buf, in, n);
		r = mutator_mutate(mu, buf, n, MAXOUT, i);
		prog_decode(buf, r, &dp);
		for (unsigned k = 1; k < dp.nops; k++)
			hit |= f(&dp.ops[k]);
		hits += hit;
	}
	return hits;
}

/* "mmap W+8 16 ..." occupies pages 8-23: its edges */
static int at_edge(const struct prog_op *op)
{
	const struct prog_addr *a = &op->addr;

	return a->kind == ADDR_WINDOW && !a->off &&
	       (a->page == 7 || a->page == 9 || a->page == 23 ||
		a->page == 24 || a->page == 25);
}

static int refers_to_op0(const struct prog_op *op)
{
	return op->addr.kind == ADDR_REF && op->addr.ref == 0;
}

static int vma_length(const struct prog_op *op)
{
	return !op->len.raw && op->len.pages == 16;
}

static int bulk(const struct prog_op *op)
{
	return op->repeat > 1;
}

TEST(edits_follow_the_layout)
{
	const char *fixed = "mmap W+8 16 rw PRIVATE|ANONYMOUS|FIXED\n"
			    "touch W+8 1\n";
	const char *nonfixed = "mmap 0 16 rw PRIVATE|ANONYMOUS\n"
			       "touch 0x10000 1\n";
	unsigned edges = count_ops(fixed, 2000, at_edge);
	unsigned refs = count_ops(nonfixed, 2000, refers_to_op0);
	unsigned lens = count_ops(fixed, 2000, vma_length);
	unsigned bulks = count_ops(fixed, 2000, bulk);

	/* each is a few percent of the edits; none is chance */
	fprintf(stderr, "of 2000: %u at edges, %u rK refs, %u VMA lengths, "
			"%u bulk\n", edges, refs, lens, bulks);
	CHECK(edges > 100);
	CHECK(refs > 100);
	CHECK(lens > 40);
	CHECK(bulks > 20);
}

static int maps_file(const struct prog_op *op)
{
	return op->kind == OP_MMAP && op->fd;
}

/* an mmap of the 3-page file f0 at its EOF or past it */
static int at_file_edge(const struct prog_op *op)
{
	return op->kind == OP_MMAP && op->fd == 1 && op->off >= 3 * PAGE &&
	       !(op->off % PAGE);
}

static int no_range_op(const struct prog_op *op)
{
	return op->kind >= OP_MLOCKALL;
}

static int guard(const struct prog_op *op)
{
	return op->kind == OP_MADVISE &&
	       (op->flags == MADV_GUARD_INSTALL ||
		op->flags == MADV_GUARD_REMOVE);
}

/* The issue-4 features: files, mmaps of them, the ops without a range,
 * guard advices; forks stay few. */
TEST(edits_reach_files_and_new_ops)
{
	const char *t = "memfd f0 b:12000 rw fill\n"
			"munmap W+0 1\n"
			"mmap W+8 16 rw PRIVATE|ANONYMOUS|FIXED\n"
			"touch W+8 1\n";
	unsigned files = count_ops(t, 2000, maps_file);
	unsigned edges = count_ops(t, 2000, at_file_edge);
	unsigned mm = count_ops(t, 2000, no_range_op);
	unsigned guards = count_ops(t, 2000, guard);
	unsigned changed = 0, forks = 0;
	size_t n = encode_text(t);

	for (unsigned i = 0; i < 2000; i++) {
		size_t r;

		memcpy(buf, in, n);
		r = mutator_mutate(mu, buf, n, MAXOUT, i);
		prog_decode(buf, r, &dp);
		changed += dp.nfiles != 1 || dp.files[0].size != 12000 ||
			   !dp.files[0].fill || dp.files[0].ro;
	}
	for (unsigned i = 0; i < 500; i++) {
		unsigned f = 0;

		n = random_input();
		memcpy(buf, in, n);
		for (unsigned k = 0; k < 8; k++)
			n = mutator_mutate(mu, buf, n, MAXOUT, i * 8 + k);
		prog_decode(buf, n, &dp);
		for (unsigned k = 0; k < dp.nops; k++)
			f += dp.ops[k].kind == OP_FORK;
		forks = f > forks ? f : forks;
	}
	fprintf(stderr, "of 2000: %u file mmaps, %u at EOF or past it, %u "
			"without a range, %u guards, %u file changes; at most "
			"%u forks\n",
		files, edges, mm, guards, changed, forks);
	/* each a few percent of the mutations, as in edits_follow_the_layout */
	CHECK(files > 40);
	CHECK(edges > 8);
	CHECK(mm > 50);
	CHECK(guards > 15);
	CHECK(changed > 50);
	CHECK(forks <= 4);
}

TEST(references_survive_structural_edits)
{
	/* op 2 refers to op 1; deleting or moving ops keeps it valid */
	const char *t = "mmap W+0 4 rw PRIVATE|ANONYMOUS|FIXED\n"
			"mmap 0 8 rw PRIVATE|ANONYMOUS\n"
			"mprotect r1+2 2 r\n"
			"munmap r1+0 1\n";
	size_t n = encode_text(t);
	unsigned kept = 0;

	for (unsigned i = 0; i < 3000; i++) {
		size_t r;

		memcpy(buf, in, n);
		r = mutator_mutate(mu, buf, n, MAXOUT, i);
		CHECK(canonical(buf, r, MAXOUT));
		for (unsigned k = 0; k < dp.nops; k++)
			kept += dp.ops[k].addr.kind == ADDR_REF &&
				dp.ops[dp.ops[k].addr.ref].kind == OP_MMAP;
	}
	CHECK(kept > 3000);
}

int main(void)
{
	struct model_config cfg;

	model_config_default(&cfg);
	mu = mutator_new(&cfg, NULL, 0, NULL);
	if (!mu)
		return 1;
	RUN(mutate_outputs_canonical_programs);
	RUN(mutate_is_deterministic);
	RUN(crossover_outputs_canonical_programs);
	RUN(byte_fallback_is_kept_or_edits_are_canonical);
	RUN(edits_follow_the_layout);
	RUN(references_survive_structural_edits);
	RUN(edits_reach_files_and_new_ops);
	mutator_free(mu);
	return test_summary();
}
