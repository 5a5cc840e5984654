// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of madvise, mlock and mseal in the model (model/madvise.c,
 * model/mlock.c, model/mseal.c), VmFlags included: the differential
 * replay compares layouts, not VmFlags. Every expectation was measured
 * on the real kernel (6.18.44 x86-64, this machine) by a C program doing
 * the same calls at W = 0x100000000000 and printing each result and the
 * window's smaps as layout() does: "START-END(PAGES) VMFLAGS" per VMA,
 * pages relative to W, the mnemonics in smaps order.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "../model/model.h"
#include "test.h"

#define W 0x100000000000ull
#define PG 4096ull

#ifndef MADV_COLD
#define MADV_COLD 20
#define MADV_PAGEOUT 21
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MADV_DONTNEED_LOCKED
#define MADV_DONTNEED_LOCKED 24
#endif

/* show_smap_vma_flags() mnemonics of the bits the model sets. */
static const char *const mnemonics[64] = {
	[VMF_READ] = "rd",	   [VMF_WRITE] = "wr",
	[VMF_EXEC] = "ex",	   [VMF_SHARED] = "sh",
	[VMF_MAYREAD] = "mr",	   [VMF_MAYWRITE] = "mw",
	[VMF_MAYEXEC] = "me",	   [VMF_MAYSHARE] = "ms",
	[VMF_GROWSDOWN] = "gd",	   [VMF_LOCKED] = "lo",
	[VMF_SEQ_READ] = "sr",	   [VMF_RAND_READ] = "rr",
	[VMF_DONTCOPY] = "dc",	   [VMF_LOCKONFAULT] = "lf",
	[VMF_ACCOUNT] = "ac",	   [VMF_NORESERVE] = "nr",
	[VMF_WIPEONFORK] = "wf",   [VMF_DONTDUMP] = "dd",
	[VMF_HUGEPAGE] = "hg",	   [VMF_NOHUGEPAGE] = "nh",
	[VMF_MERGEABLE] = "mg",	   [VMF_SEALED] = "sl",
};

static char buf[4096];

static const char *layout(const struct model *m)
{
	struct snapshot s;
	size_t n = 0;

	snapshot_init(&s);
	model_snapshot(m, &s, 1);
	buf[0] = 0;
	for (uint32_t i = 0; i < s.n; i++) {
		n += snprintf(buf + n, sizeof(buf) - n, "%s%llu-%llu(%llu) ",
			      i ? "| " : "",
			      (unsigned long long)((s.v[i].start - W) / PG),
			      (unsigned long long)((s.v[i].end - W) / PG),
			      (unsigned long long)((s.v[i].end - s.v[i].start) /
						   PG));
		for (unsigned b = 0; b < 64; b++)
			if (s.v[i].vmflags & VMF(b))
				n += snprintf(buf + n, sizeof(buf) - n, "%s ",
					      mnemonics[b] ? mnemonics[b] :
							     "??");
	}
	snapshot_free(&s);
	return buf;
}

#define CHECK_LAYOUT(m, want)                                             \
	do {                                                              \
		const char *got_ = layout(m);                             \
		if (strcmp(got_, want)) {                                 \
			fprintf(stderr, "%s:%d: %s: layout\n  got  %s\n"  \
				"  want %s\n", __FILE__, __LINE__,        \
				test_cur, got_, want);                    \
			test_cur_failed = 1;                              \
		}                                                         \
	} while (0)

static struct model *new_model(void)
{
	struct model_config cfg;

	model_config_default(&cfg);
	return model_create(&cfg, NULL, 0);
}

static void mapf(struct model *m, uint64_t pg, uint64_t n, uint64_t prot,
		 uint64_t flags)
{
	struct outcome o;

	model_mmap(m, W + pg * PG, n * PG, prot,
		   flags | MAP_ANONYMOUS | MAP_FIXED, -1, 0, &o);
	CHECK_EQ(o.ret, W + pg * PG);
}

/* -errno, or 0 */
static int64_t res(const struct outcome *o)
{
	return o->ret == -1 ? -o->err : o->ret;
}

static int64_t madv(struct model *m, uint64_t addr, uint64_t len, int adv)
{
	struct outcome o;

	model_madvise(m, addr, len, (uint64_t)adv, &o);
	return res(&o);
}

static int64_t mlock_(struct model *m, uint64_t addr, uint64_t len,
		      uint64_t flags)
{
	struct outcome o;

	model_mlock2(m, addr, len, flags, &o);
	return res(&o);
}

static int64_t munlock_(struct model *m, uint64_t addr, uint64_t len)
{
	struct outcome o;

	model_munlock(m, addr, len, &o);
	return res(&o);
}

static int64_t mseal_(struct model *m, uint64_t addr, uint64_t len,
		      uint64_t flags)
{
	struct outcome o;

	model_mseal(m, addr, len, flags, &o);
	return res(&o);
}

/* The byte read back from page pg (0: never written, or zapped). */
static uint64_t read_hash(struct model *m, uint64_t pg, uint64_t n)
{
	struct outcome o;

	model_read(m, W + pg * PG, n, &o);
	return o.data;
}

TEST(test_flag_advices)
{
	struct model *m = new_model();
	const uint64_t rw = PROT_READ | PROT_WRITE;

	mapf(m, 0, 8, rw, MAP_PRIVATE);
	CHECK_EQ(madv(m, W, 2 * PG, MADV_MERGEABLE), 0);
	CHECK_EQ(madv(m, W + 2 * PG, PG, MADV_HUGEPAGE), 0);
	CHECK_EQ(madv(m, W + 3 * PG, PG, MADV_NOHUGEPAGE), 0);
	CHECK_EQ(madv(m, W + 4 * PG, PG, MADV_SEQUENTIAL), 0);
	CHECK_EQ(madv(m, W + 5 * PG, PG, MADV_RANDOM), 0);
	CHECK_EQ(madv(m, W + 6 * PG, PG, MADV_DONTFORK), 0);
	CHECK_EQ(madv(m, W + 7 * PG, PG, MADV_WIPEONFORK), 0);
	CHECK_LAYOUT(m, "0-2(2) rd wr mr mw me ac mg "
			"| 2-3(1) rd wr mr mw me ac hg "
			"| 3-4(1) rd wr mr mw me ac nh "
			"| 4-5(1) rd wr mr mw me sr ac "
			"| 5-6(1) rd wr mr mw me rr ac "
			"| 6-7(1) rd wr mr mw me dc ac "
			"| 7-8(1) rd wr mr mw me ac wf ");
	CHECK_EQ(madv(m, W, 8 * PG, MADV_DONTDUMP), 0);
	CHECK_EQ(madv(m, W + 5 * PG, 3 * PG, MADV_NORMAL), 0);
	CHECK_LAYOUT(m, "0-2(2) rd wr mr mw me ac dd mg "
			"| 2-3(1) rd wr mr mw me ac dd hg "
			"| 3-4(1) rd wr mr mw me ac dd nh "
			"| 4-5(1) rd wr mr mw me sr ac dd "
			"| 5-6(1) rd wr mr mw me ac dd "
			"| 6-7(1) rd wr mr mw me dc ac dd "
			"| 7-8(1) rd wr mr mw me ac wf dd ");
	model_destroy(m);
}

TEST(test_errors_and_holes)
{
	struct model *m = new_model();
	const uint64_t rw = PROT_READ | PROT_WRITE;

	mapf(m, 1, 2, rw, MAP_PRIVATE);
	CHECK_EQ(madv(m, W, 4 * PG, MADV_POPULATE_READ), -ENOMEM);
	CHECK_EQ(madv(m, W + PG, 4 * PG, MADV_POPULATE_READ), -ENOMEM);
	CHECK_EQ(madv(m, W, 4 * PG, MADV_DONTNEED), -ENOMEM);
	CHECK_EQ(madv(m, W, 4 * PG, 999), -EINVAL);
	CHECK_EQ(madv(m, W, 0, 999), -EINVAL);
	CHECK_EQ(madv(m, W + PG + 1, 0, MADV_NORMAL), -EINVAL);
	CHECK_EQ(madv(m, W + 2 * PG, 0, MADV_NORMAL), 0);
	CHECK_EQ(madv(m, W, 4 * PG, MADV_WILLNEED), -ENOMEM);
	CHECK_EQ(madv(m, W + 100 * PG, 4 * PG, MADV_NORMAL), -ENOMEM);
	CHECK_EQ(madv(m, W + 100 * PG, 4 * PG, MADV_COLD), -ENOMEM);
	/* the mapped part got the advice before the ENOMEM */
	CHECK_EQ(madv(m, W, 4 * PG, MADV_RANDOM), -ENOMEM);
	CHECK_LAYOUT(m, "1-3(2) rd wr mr mw me rr ac ");
	model_destroy(m);
}

TEST(test_populate)
{
	struct model *m = new_model();

	mapf(m, 0, 4, PROT_NONE, MAP_PRIVATE);
	CHECK_EQ(madv(m, W, 4 * PG, MADV_POPULATE_READ), -EINVAL);
	CHECK_EQ(madv(m, W, 4 * PG, MADV_POPULATE_WRITE), -EINVAL);
	mapf(m, 0, 4, PROT_READ, MAP_PRIVATE);
	CHECK_EQ(madv(m, W, 4 * PG, MADV_POPULATE_WRITE), -EINVAL);
	CHECK_EQ(madv(m, W, 4 * PG, MADV_POPULATE_READ), 0);
	mapf(m, 0, 4, PROT_WRITE, MAP_PRIVATE);
	CHECK_EQ(madv(m, W, 4 * PG, MADV_POPULATE_READ), -EINVAL);
	CHECK_EQ(madv(m, W, 4 * PG, MADV_POPULATE_WRITE), 0);
	model_destroy(m);
}

TEST(test_shared_advices)
{
	struct model *m = new_model();
	const uint64_t rw = PROT_READ | PROT_WRITE;
	struct outcome o;
	uint64_t zero, kept;

	mapf(m, 0, 4, rw, MAP_SHARED);
	CHECK_EQ(madv(m, W, 2 * PG, MADV_MERGEABLE), 0);
	CHECK_EQ(madv(m, W, PG, MADV_WIPEONFORK), -EINVAL);
	CHECK_EQ(madv(m, W, PG, MADV_FREE), -EINVAL);
	CHECK_EQ(madv(m, W, PG, MADV_REMOVE), 0);
	CHECK_LAYOUT(m, "0-4(4) rd wr sh mr mw me ms ");
	zero = read_hash(m, 0, 1);
	model_touch(m, W, 2, 0, &o);
	kept = read_hash(m, 0, 1);
	CHECK(kept != zero);
	/* DONTNEED keeps shmem data, REMOVE punches it out */
	CHECK_EQ(madv(m, W, PG, MADV_DONTNEED), 0);
	CHECK_EQ(read_hash(m, 0, 1), kept);
	CHECK_EQ(madv(m, W + PG, PG, MADV_REMOVE), 0);
	CHECK_EQ(read_hash(m, 1, 1), zero);
	/* read-only now, but VM_SHARED|VM_MAYWRITE stay: REMOVE works */
	model_mprotect(m, W, 4 * PG, PROT_READ, &o);
	CHECK_EQ(madv(m, W, PG, MADV_REMOVE), 0);
	CHECK_LAYOUT(m, "0-4(4) rd sh mr mw me ms ");
	model_destroy(m);
}

TEST(test_private_data)
{
	struct model *m = new_model();
	struct outcome o;
	uint64_t zero, one;

	mapf(m, 0, 4, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	zero = read_hash(m, 0, 1);
	model_touch(m, W, 3, 0, &o);
	one = read_hash(m, 1, 1);
	CHECK_EQ(madv(m, W, PG, MADV_DONTNEED), 0);
	CHECK_EQ(madv(m, W + PG, PG, MADV_FREE), 0);
	CHECK_EQ(madv(m, W + 2 * PG, PG, MADV_PAGEOUT), 0);
	CHECK_EQ(read_hash(m, 0, 1), zero);
	CHECK_EQ(read_hash(m, 1, 1), one);
	CHECK_EQ(madv(m, W, PG, MADV_REMOVE), -EINVAL);
	model_destroy(m);
}

TEST(test_mlock)
{
	struct model *m = new_model();
	const uint64_t rw = PROT_READ | PROT_WRITE;

	mapf(m, 0, 4, PROT_NONE, MAP_PRIVATE);
	/* locked, but GUP cannot fault PROT_NONE in: EFAULT -> ENOMEM */
	CHECK_EQ(mlock_(m, W, 4 * PG, 0), -ENOMEM);
	CHECK_LAYOUT(m, "0-4(4) mr mw me lo ");

	mapf(m, 0, 4, rw, MAP_PRIVATE);
	CHECK_EQ(mlock_(m, W + 1, PG, 0), 0);
	CHECK_LAYOUT(m, "0-2(2) rd wr mr mw me lo ac "
			"| 2-4(2) rd wr mr mw me ac ");
	CHECK_EQ(madv(m, W, PG, MADV_DONTNEED), -EINVAL);
	CHECK_EQ(madv(m, W, PG, MADV_FREE), -EINVAL);
	CHECK_EQ(madv(m, W, PG, MADV_COLD), -EINVAL);
	CHECK_EQ(madv(m, W, PG, MADV_PAGEOUT), -EINVAL);
	CHECK_EQ(madv(m, W, PG, MADV_WILLNEED), 0);
	CHECK_EQ(madv(m, W, PG, MADV_DONTNEED_LOCKED), 0);
	CHECK_EQ(madv(m, W, PG, MADV_REMOVE), -EINVAL);
	CHECK_EQ(mlock_(m, W, PG, 2), -EINVAL);
	CHECK_EQ(mlock_(m, W + 2 * PG, PG, MLOCK_ONFAULT), 0);
	CHECK_LAYOUT(m, "0-2(2) rd wr mr mw me lo ac "
			"| 2-3(1) rd wr mr mw me lo lf ac "
			"| 3-4(1) rd wr mr mw me ac ");
	CHECK_EQ(munlock_(m, W, 4 * PG), 0);
	CHECK_LAYOUT(m, "0-4(4) rd wr mr mw me ac ");
	/* a hole at the start: nothing; a later one: the part before */
	CHECK_EQ(mlock_(m, W + 5 * PG, PG, 0), -ENOMEM);
	CHECK_EQ(mlock_(m, W + 3 * PG, 2 * PG, 0), -ENOMEM);
	CHECK_LAYOUT(m, "0-3(3) rd wr mr mw me ac "
			"| 3-4(1) rd wr mr mw me lo ac ");
	CHECK_EQ(munlock_(m, W + 3 * PG, 2 * PG), -ENOMEM);
	CHECK_EQ(munlock_(m, W + 5 * PG, PG), -ENOMEM);
	/* PAGE_ALIGN(-1) is 0: nothing to do; -4096 wraps: EINVAL */
	CHECK_EQ(mlock_(m, W, (uint64_t)-1, 0), 0);
	CHECK_EQ(mlock_(m, W, (uint64_t)-4096, 0), -EINVAL);
	CHECK_LAYOUT(m, "0-4(4) rd wr mr mw me ac ");
	model_destroy(m);
}

TEST(test_mseal)
{
	struct model *m = new_model();
	struct outcome o;

	mapf(m, 0, 4, PROT_READ, MAP_PRIVATE);
	mapf(m, 4, 4, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	CHECK_EQ(mseal_(m, W + PG, 2 * PG, 1), -EINVAL);
	CHECK_EQ(mseal_(m, W + 1, PG, 0), -EINVAL);
	CHECK_EQ(mseal_(m, W + PG, 9 * PG, 0), -ENOMEM);
	CHECK_LAYOUT(m, "0-4(4) rd mr mw me | 4-8(4) rd wr mr mw me ac ");
	CHECK_EQ(mseal_(m, W + PG, 2 * PG, 0), 0);
	CHECK_LAYOUT(m, "0-1(1) rd mr mw me | 1-3(2) rd mr mw me sl "
			"| 3-4(1) rd mr mw me | 4-8(4) rd wr mr mw me ac ");
	CHECK_EQ(mseal_(m, W, 5 * PG, 0), 0);
	CHECK_LAYOUT(m, "0-4(4) rd mr mw me sl "
			"| 4-5(1) rd wr mr mw me ac sl "
			"| 5-8(3) rd wr mr mw me ac ");
	model_mprotect(m, W, PG, PROT_READ, &o);
	CHECK_EQ(res(&o), -EPERM);
	model_mprotect(m, W + 6 * PG, PG, PROT_READ, &o);
	CHECK_EQ(res(&o), 0);
	model_munmap(m, W + 6 * PG, 2 * PG, &o);
	CHECK_EQ(res(&o), 0);
	model_munmap(m, W, PG, &o);
	CHECK_EQ(res(&o), -EPERM);
	CHECK_LAYOUT(m, "0-4(4) rd mr mw me sl "
			"| 4-5(1) rd wr mr mw me ac sl "
			"| 5-6(1) rd wr mr mw me ac ");
	CHECK_EQ(madv(m, W, PG, MADV_DONTNEED), -EPERM);
	CHECK_EQ(madv(m, W + 4 * PG, PG, MADV_DONTNEED), 0);
	CHECK_EQ(madv(m, W, PG, MADV_FREE), -EPERM);
	CHECK_EQ(madv(m, W, PG, MADV_DONTFORK), -EPERM);
	CHECK_EQ(madv(m, W, PG, MADV_WIPEONFORK), -EPERM);
	CHECK_EQ(madv(m, W, PG, MADV_COLD), 0);
	CHECK_EQ(madv(m, W, 2 * PG, MADV_RANDOM), 0);
	model_mmap(m, W, PG, PROT_READ,
		   MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, &o);
	CHECK_EQ(res(&o), -EPERM);
	model_mmap(m, W, PG, PROT_READ,
		   MAP_FIXED_NOREPLACE | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0,
		   &o);
	CHECK_EQ(res(&o), -EEXIST);
	CHECK_EQ(mlock_(m, W, PG, 0), 0);
	CHECK_EQ(mseal_(m, W, PG, 0), 0);
	CHECK_LAYOUT(m, "0-1(1) rd mr mw me lo rr sl "
			"| 1-2(1) rd mr mw me rr sl "
			"| 2-4(2) rd mr mw me sl "
			"| 4-5(1) rd wr mr mw me ac sl "
			"| 5-6(1) rd wr mr mw me ac ");
	model_destroy(m);
}

int main(void)
{
	RUN(test_flag_advices);
	RUN(test_errors_and_holes);
	RUN(test_populate);
	RUN(test_shared_advices);
	RUN(test_private_data);
	RUN(test_mlock);
	RUN(test_mseal);
	return test_summary();
}
