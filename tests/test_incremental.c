// SPDX-License-Identifier: GPL-2.0
/*
 * The executor's incremental snapshots (PROCMAP_QUERY mode re-reads only
 * the range each op could change) against full ones (the maps text after
 * every op): every op's outcome and layout digest must be the same, and
 * the full check at the end of a program must never have found a change
 * the per-op snapshots missed. Programs: corpus/seeds, benchmarks/corpus,
 * the edge cases below and random byte strings (cheap ones). Needs the
 * executor: $VMADIFF_EXECUTOR, else vmadiff-executor beside this binary.
 */
#include <dirent.h>
#include <string.h>

#include "../engine/progfile.h"
#include "../harness/client.h"
#include "test.h"

static struct executor *ex;
static struct exec_shm *shm;
static struct outcome inc_out[PROG_MAX_OPS];
static uint64_t inc_digest[PROG_MAX_OPS];
static unsigned compared, skipped;

static enum exec_status run(const struct prog *p, int mode)
{
	shm->prog = *p;
	shm->snap_mode = mode;
	shm->full_at = -1;
	shm->with_vmflags = 0;
	shm->isolate = 0;
	return executor_run(ex);
}

/* 0 if both modes agree on p (or it could not run: a hang is no
 * disagreement), else -1 after saying where they differ. */
static int compare(const struct prog *p, const char *name)
{
	if (run(p, EXEC_SNAP_QUERY) != EXEC_OK) {
		skipped++;
		return 0;
	}
	if (shm->rechecked) {
		fprintf(stderr, "%s: the per-op snapshots missed a change\n",
			name);
		return -1;
	}
	memcpy(inc_out, shm->out, sizeof(inc_out));
	memcpy(inc_digest, shm->digest, sizeof(inc_digest));
	if (run(p, EXEC_SNAP_TEXT) != EXEC_OK) {
		skipped++;
		return 0;
	}
	compared++;
	for (unsigned i = 0; i < p->nops; i++) {
		struct outcome a = inc_out[i], b = shm->out[i];

		a.pad = b.pad = 0;
		if (memcmp(&a, &b, sizeof(a)) || inc_digest[i] != shm->digest[i]) {
			fprintf(stderr, "%s: op %u: %s differs\n", name, i,
				memcmp(&a, &b, sizeof(a)) ? "outcome"
							  : "layout digest");
			return -1;
		}
	}
	return 0;
}

static int compare_dir(const char *dir)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort), bad = 0;

	CHECK(n > 2);
	for (int i = 0; i < n; i++) {
		char path[4096], err[256];
		enum progfile_kind kind;
		struct prog p;

		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		if (ents[i]->d_name[0] != '.' &&
		    !progfile_load(path, &p, &kind, err, sizeof(err)))
			bad += compare(&p, path) != 0;
		free(ents[i]);
	}
	free(ents);
	return bad;
}

TEST(seeds_agree)
{
	CHECK_EQ(compare_dir("corpus/seeds"), 0);
}

TEST(benchmark_corpus_agrees)
{
	CHECK_EQ(compare_dir("benchmarks/corpus"), 0);
}

/* Where a change reaches beyond the op's own pages, or the per-op
 * snapshot gives up for a full one. */
static const char *const edge[] = {
	/* mprotect with PROT_GROWSDOWN reaches down to the VMA's start and
	 * merges with the VMA below */
	"mmap W+10 4 r PRIVATE|ANONYMOUS|FIXED\n"
	"mmap W+14 8 rw PRIVATE|ANONYMOUS|FIXED|GROWSDOWN\n"
	"mprotect W+20 1 r|GROWSDOWN\n",
	/* a fault below a GROWSDOWN VMA grows it */
	"mmap W+300 4 rw PRIVATE|ANONYMOUS|FIXED|GROWSDOWN\n"
	"touch W+299 1\ntouch W+290 1\nread W+280 2\n",
	/* merges on both sides, then splits */
	"mmap W+0 4 rw PRIVATE|ANONYMOUS|FIXED\n"
	"mmap W+8 4 rw PRIVATE|ANONYMOUS|FIXED\n"
	"mmap W+4 4 rw PRIVATE|ANONYMOUS|FIXED\n"
	"mprotect W+3 6 r\nmunmap W+5 2\nmprotect W+0 12 rw\n",
	/* thousands of VMAs in one op: a full snapshot instead */
	"mmap W+0 4000 rw PRIVATE|ANONYMOUS|FIXED\n"
	"mprotect W+1 1 r x2000/2\nmprotect W+0 4000 rw\n"
	"mprotect W+0 1 none x1000/4\nmunmap W+1 1 x1000/4\n",
	/* non-fixed mmaps land next to the executor's own VMAs */
	"mmap 0 4 rw PRIVATE|ANONYMOUS\nmmap 0 4 r PRIVATE|ANONYMOUS\n"
	"mmap 0 4 rw SHARED|ANONYMOUS\nmunmap r1+0 4\nmprotect r0+0 4 r\n",
	/* failures part way: mprotect over a hole, a huge munmap */
	"mmap W+0 4 rw PRIVATE|ANONYMOUS|FIXED\n"
	"mmap W+6 4 rw PRIVATE|ANONYMOUS|FIXED\n"
	"mprotect W+0 10 r\nmunmap W+0 b:0x7fffffffffff\n",
};

TEST(edge_cases_agree)
{
	for (size_t i = 0; i < sizeof(edge) / sizeof(edge[0]); i++) {
		struct prog p;
		char err[256], name[32];

		CHECK(!prog_parse(edge[i], &p, err, sizeof(err)));
		snprintf(name, sizeof(name), "edge case %zu", i);
		CHECK(!compare(&p, name));
	}
}

/* Random inputs, minus the expensive ones (large populates and
 * accesses would take seconds each). */
static int cheap(const struct prog *p)
{
	for (unsigned i = 0; i < p->nops; i++) {
		const struct prog_op *op = &p->ops[i];

		if (op->repeat > 256 ||
		    (op->kind != OP_MUNMAP &&
		     prog_len_bytes(&op->len) > (64u << 20)))
			return 0;
	}
	return 1;
}

TEST(random_programs_agree)
{
	uint64_t s = 0x766d6164;
	unsigned bad = 0, ran = 0;

	while (ran < 400) {
		uint8_t b[160];
		size_t n;
		struct prog p;
		char name[32];

		s = s * 6364136223846793005ull + 1442695040888963407ull;
		n = (s >> 33) % sizeof(b);
		for (size_t j = 0; j < n; j++) {
			s = s * 6364136223846793005ull + 1442695040888963407ull;
			b[j] = s >> 56;
		}
		prog_decode(b, n, &p);
		if (!cheap(&p))
			continue;
		snprintf(name, sizeof(name), "random program %u", ran);
		bad += compare(&p, name) != 0;
		ran++;
	}
	CHECK_EQ(bad, 0);
}

int main(void)
{
	char err[256];

	ex = executor_start(NULL, 10000, err, sizeof(err));
	if (!ex) {
		fprintf(stderr, "test_incremental: %s\n", err);
		return 1;
	}
	shm = executor_shm(ex);
	RUN(seeds_agree);
	RUN(benchmark_corpus_agrees);
	RUN(edge_cases_agree);
	RUN(random_programs_agree);
	executor_stop(ex);
	printf("%u programs compared, %u could not run\n", compared, skipped);
	return test_summary();
}
