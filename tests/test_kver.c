// SPDX-License-Identifier: GPL-2.0
/*
 * The version gates of model/kver.h: the same program on the model
 * targeting 6.1 and 6.18 (and, where a gate sits in between, the versions
 * around it) gives the results and layouts the real kernels gave.
 *
 * "6.1" results were measured on Debian's 6.1.0-56-cloud-amd64 (6.1.192)
 * under qemu: each program below also exists as a .vma file and passed
 * `vmadiff vm --kernel-version 6.1 replay` there with the model targeting
 * 6.1 (the seeds named in the comments are in corpus/seeds). "6.18"
 * results were measured on this machine's 6.18.44 the same way (plain
 * `vmadiff replay`). Results for versions in between are read from the
 * kernel source of the commit the gate cites, not measured; the tests
 * say so.
 *
 * Programs use the seeds' notation: page numbers relative to the window
 * W, lengths in pages. Layouts list the window's VMAs as "[start,end)
 * prot" in pages (maps text: 6.1 has no PROCMAP_QUERY), with " nh" when
 * VM_NOHUGEPAGE is set.
 */
#include "../model/kver.h"
#include "model_test.h"

#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE 0x08
#endif
#ifndef MAP_ABOVE4G
#define MAP_ABOVE4G 0x80
#endif

#define MB (1ull << 20)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define FIX (ANON | MAP_FIXED)
#define RW (PROT_READ | PROT_WRITE)
/* model_config_default()'s mmap_base: both kernels start there (8 MiB
 * stack limit, no ASLR). */
#define TOP 0x7ffff7fff000ull

static struct model *at(unsigned a, unsigned b)
{
	return model_new(KVER(a, b, 0), 0);
}

/* mmap's return value, or -errno. */
static int64_t mm(struct model *m, uint64_t addr, uint64_t pages,
		  uint64_t prot, uint64_t flags)
{
	struct outcome o;

	model_mmap(m, addr, pages * PG, prot, flags, -1, 0, &o);
	return o.ret == -1 ? -o.err : o.ret;
}

static int64_t mprot(struct model *m, uint64_t page, uint64_t pages,
		     uint64_t prot)
{
	struct outcome o;

	model_mprotect(m, W + page * PG, pages * PG, prot, &o);
	return o.ret == -1 ? -o.err : o.ret;
}

static void touch(struct model *m, uint64_t page)
{
	struct outcome o;

	model_touch(m, W + page * PG, 1, 0, &o);
}

/* The window's VMAs: "[start,end) prot[ nh]" per VMA. */
static const char *layout(const struct model *m)
{
	return window_layout(m, 1ull << 30, LAYOUT_MAPS);
}

/*
 * Each predicate is false just below the version it names and true from
 * it on; all are false on 6.1 and true on this machine's 6.18.44, except
 * the 6.15-6.17 window of MREMAP_DONTUNMAP's lost VM_ACCOUNT.
 */
TEST(test_gate_boundaries)
{
	static const struct {
		bool (*gate)(const struct model_config *);
		uint32_t from;
	} gates[] = {
		{ kver_smaps_shows_lf, KVER(6, 2, 0) },
		{ kver_map_above4g, KVER(6, 6, 0) },
		{ kver_thp_align_anon, KVER(6, 7, 0) },
		{ kver_mprotect_unaccount, KVER(6, 7, 0) },
		{ kver_map_stack_nohugepage, KVER(6, 7, 6) },
		{ kver_thp_align_topdown, KVER(6, 8, 0) },
		{ kver_mseal, KVER(6, 10, 0) },
		{ kver_map_droppable, KVER(6, 11, 0) },
		{ kver_procmap_query, KVER(6, 11, 0) },
		{ kver_thp_align_pmd_multiple, KVER(6, 12, 0) },
		{ kver_merge_new_prev_first, KVER(6, 12, 0) },
		{ kver_mmap_fixed_gathers, KVER(6, 12, 0) },
		{ kver_thp_align_no_hint, KVER(6, 13, 0) },
		{ kver_hugetlb_generic_area, KVER(6, 13, 0) },
		{ kver_guard_regions, KVER(6, 13, 0) },
		{ kver_guard_file_backed, KVER(6, 15, 0) },
		{ kver_mremap_dontunmap_leaks_locked_vm, KVER(6, 15, 0) },
		{ kver_anon_merge_faulted_unfaulted, KVER(6, 16, 0) },
		{ kver_mremap_multi_vma, KVER(6, 17, 0) },
		{ kver_mremap_early_checks, KVER(6, 17, 0) },
		{ kver_mremap_merge_dups_anon_vma, KVER(6, 18, 8) },
	};
	struct model_config c;

	model_config_default(&c);
	for (size_t i = 0; i < sizeof(gates) / sizeof(gates[0]); i++) {
		c.kver = gates[i].from - 1;
		CHECK(!gates[i].gate(&c));
		c.kver = gates[i].from;
		CHECK(gates[i].gate(&c));
		c.kver = KVER(6, 1, 192);
		CHECK(!gates[i].gate(&c));
		c.kver = KVER(6, 18, 44);
		CHECK(gates[i].gate(&c));
	}
	c.kver = KVER(6, 14, 255);
	CHECK(!kver_mremap_dontunmap_unaccounts(&c));
	c.kver = KVER(6, 15, 0);
	CHECK(kver_mremap_dontunmap_unaccounts(&c));
	c.kver = KVER(6, 17, 255);
	CHECK(kver_mremap_dontunmap_unaccounts(&c));
	c.kver = KVER(6, 18, 0);
	CHECK(!kver_mremap_dontunmap_unaccounts(&c));
}

/*
 * anon_both_sides_fallback.vma: prev and next faulted independently, a
 * new range between them. 6.1 (next first) extends next; 6.18 (prev
 * first, next refused: incompatible anon_vmas) extends prev.
 */
TEST(test_new_range_between_faulted)
{
	static const struct {
		unsigned a, b;
		const char *want;
	} v[] = {
		{ 6, 1, "[0,2) rw- [2,6) rw-" },
		{ 6, 18, "[0,4) rw- [4,6) rw-" },
	};

	for (size_t i = 0; i < 2; i++) {
		struct model *m = at(v[i].a, v[i].b);

		CHECK_EQ(mm(m, W, 2, RW, FIX), W);
		touch(m, 0);
		CHECK_EQ(mm(m, W + 4 * PG, 2, RW, FIX), W + 4 * PG);
		touch(m, 4);
		CHECK_EQ(mm(m, W + 2 * PG, 2, RW, FIX), W + 2 * PG);
		LAYOUT(m, v[i].want);
		model_destroy(m);
	}
}

/*
 * kver_merge_unfaulted_prev.vma: an unfaulted prev, a faulted next. 6.1
 * checked prev against next's anon_vma (prev's chain empty: refused), so
 * only next grows; 6.18 takes both.
 */
TEST(test_new_range_unfaulted_prev_faulted_next)
{
	static const char *const want[] = { "[0,2) rw- [2,6) rw-", "[0,6) rw-" };

	for (int i = 0; i < 2; i++) {
		struct model *m = at(6, i ? 18 : 1);

		mm(m, W, 2, RW, FIX);
		mm(m, W + 4 * PG, 2, RW, FIX);
		touch(m, 4);
		CHECK_EQ(mm(m, W + 2 * PG, 2, RW, FIX), W + 2 * PG);
		LAYOUT(m, want[i]);
		model_destroy(m);
	}
}

/*
 * kver_anon_merge_faulted.vma: a faulted VMA made equal to an unfaulted
 * neighbour (NORESERVE: no VM_ACCOUNT in the way) merges only from 6.16
 * (879bca0a2c4f). 6.1 and 6.18 measured; 6.15 from the source (the
 * pre-6.16 is_mergeable_anon_vma() is 6.1's).
 */
TEST(test_anon_merge_faulted_into_unfaulted)
{
	static const struct {
		unsigned b;
		const char *want;
	} v[] = {
		{ 1, "[0,4) r-- [4,8) r--" },
		{ 15, "[0,4) r-- [4,8) r--" },
		{ 16, "[0,8) r--" },
		{ 18, "[0,8) r--" },
	};

	for (size_t i = 0; i < 4; i++) {
		struct model *m = at(6, v[i].b);

		mm(m, W, 4, RW, FIX | MAP_NORESERVE);
		mm(m, W + 4 * PG, 4, PROT_READ, FIX | MAP_NORESERVE);
		touch(m, 0);
		CHECK_EQ(mprot(m, 0, 4, PROT_READ), 0);
		LAYOUT(m, v[i].want);
		model_destroy(m);
	}
}

/* mmap_flag_effects.vma, reduced: MAP_STACK adds nh (6.7.6/6.8) and so
 * no longer merges with a plain neighbour. */
TEST(test_map_stack_nohugepage)
{
	static const char *const want[] = { "[0,8) rw-", "[0,4) rw- [4,8) rw- nh" };

	for (int i = 0; i < 2; i++) {
		struct model *m = at(6, i ? 18 : 1);

		mm(m, W, 4, RW, FIX);
		mm(m, W + 4 * PG, 4, RW, FIX | MAP_STACK);
		LAYOUT(m, want[i]);
		model_destroy(m);
	}
}

/*
 * mprotect_account_states.vma, reduced: a never-faulted RW VMA made RO
 * loses VM_ACCOUNT from 6.7 and merges with an RO neighbour; 6.1 keeps it.
 */
TEST(test_mprotect_unaccount)
{
	static const char *const want[] = { "[0,4) r-- [4,8) r--", "[0,8) r--" };

	for (int i = 0; i < 2; i++) {
		struct model *m = at(6, i ? 18 : 1);

		mm(m, W, 4, RW, FIX);
		CHECK_EQ(mprot(m, 0, 4, PROT_READ), 0);
		mm(m, W + 4 * PG, 4, PROT_READ, FIX);
		LAYOUT(m, want[i]);
		model_destroy(m);
	}
}

/*
 * THP alignment of hintless anonymous mappings, on an empty address
 * space whose top-down search starts at TOP (mmap_nonfixed_thp_align.vma
 * with its 1-page head dropped). 6.1: none; 6.18: 2 MiB multiples only,
 * at the first boundary above TOP - len - 2M; 3 MiB stays unaligned.
 * Both measured. 6.7 (any length of 2 MiB or more), 6.8 and 6.12 (2 MiB
 * multiples only) from the source.
 */
TEST(test_thp_align)
{
	static const struct {
		unsigned b;
		uint64_t two, three;
	} v[] = {
		{ 1, TOP - 2 * MB, TOP - 3 * MB },
		{ 7, 0x7ffff7c00000, 0x7ffff7c00000 },
		{ 8, 0x7ffff7c00000, 0x7ffff7c00000 },
		{ 12, 0x7ffff7c00000, TOP - 3 * MB },
		{ 18, 0x7ffff7c00000, TOP - 3 * MB },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct model *m = at(6, v[i].b);

		CHECK_EQ(mm(m, 0, 512, RW, ANON), v[i].two);
		model_destroy(m);
		m = at(6, v[i].b);
		CHECK_EQ(mm(m, 0, 768, RW, ANON), v[i].three);
		model_destroy(m);
	}
}

/*
 * From the source: a top that is already 2 MiB aligned. 6.7 places the
 * mapping at the bottom of the padded gap (ret), 6.8 moves it up by
 * 2 MiB to the top (96204e15310c); a free hint that the padded search
 * can use is kept before 6.13 and is taken as is from 6.13 (where the
 * THP code is skipped); one that only fits len loses to alignment before
 * 6.13.
 */
TEST(test_thp_align_topdown_and_hint)
{
	struct model *m;

	for (unsigned b = 7; b <= 8; b++) {
		m = at(6, b);
		mm(m, 0x7ffff7e00000, 1, RW, FIX); /* the top is now aligned */
		CHECK_EQ(mm(m, 0, 512, RW, ANON),
			 b == 7 ? 0x7ffff7a00000 : 0x7ffff7c00000);
		model_destroy(m);
	}
	for (unsigned b = 12; b <= 13; b++) {
		m = at(6, b);
		/* room for 512 pages at W but not for 512 + 2 MiB */
		mm(m, W + 512 * PG, 1, RW, FIX);
		CHECK_EQ(mm(m, W, 512, RW, ANON),
			 b == 12 ? 0x7ffff7c00000 : W);
		model_destroy(m);
	}
}

/*
 * MAP_HUGETLB placement (kver_hugetlb_generic_area): 6.1's x86 code
 * rounds the hint down (so 0x1000 becomes 0, taken as root) and ignores
 * MAP_32BIT; 6.18 rounds it up and searches [1 GiB, 2 GiB) for MAP_32BIT.
 * All measured (kver_hugetlb_hint.vma, kver_hugetlb_32bit.vma).
 */
TEST(test_hugetlb_area)
{
	static const uint64_t hl = ANON | MAP_HUGETLB | MAP_NORESERVE;
	static const struct {
		unsigned b;
		uint64_t w1, low, b32;
	} v[] = {
		{ 1, W, 0, 0x7ffff7c00000 },
		{ 18, W + 2 * MB, 2 * MB, 0x40000000 },
	};

	for (int i = 0; i < 2; i++) {
		struct model *m = at(6, v[i].b);

		CHECK_EQ(mm(m, W + PG, 512, RW, hl), v[i].w1);
		CHECK_EQ(mm(m, 0x1000, 512, RW, hl), v[i].low);
		CHECK_EQ(mm(m, 0, 512, RW, hl | MAP_32BIT), v[i].b32);
		model_destroy(m);
	}
}

/*
 * Errnos: MAP_DROPPABLE is an unknown type on 6.1 (kver_droppable.vma);
 * MAP_ABOVE4G is not in 6.1's LEGACY_MAP_MASK (kver_above4g_validate.vma);
 * MAP_FIXED over a hugetlb VMA at a non-huge-aligned address fails in
 * the split, which 6.1's mmap_region() reports as ENOMEM
 * (kver_fixed_split_error.vma). All measured.
 */
TEST(test_mmap_errnos)
{
	static const uint64_t hl = ANON | MAP_HUGETLB | MAP_NORESERVE;

	for (int i = 0; i < 2; i++) {
		struct model *m = at(6, i ? 18 : 1);

		CHECK_EQ(mm(m, W, 4, RW, MAP_DROPPABLE | MAP_ANONYMOUS | MAP_FIXED),
			 i ? (int64_t)W : -EINVAL);
		CHECK_EQ(mm(m, 0, 512, RW,
			    MAP_SHARED_VALIDATE | MAP_ANONYMOUS | MAP_HUGETLB |
				    MAP_NORESERVE | MAP_ABOVE4G),
			 i ? 0x7ffff7c00000 : -EOPNOTSUPP);
		CHECK_EQ(mm(m, W + 1024 * PG, 512, RW, hl | MAP_FIXED),
			 W + 1024 * PG);
		CHECK_EQ(mm(m, W + 1025 * PG, 1, RW, FIX),
			 i ? -EINVAL : -ENOMEM);
		model_destroy(m);
	}
}

/*
 * kver_fixed_acct_hole.vma: a MAP_FIXED mapping larger than RAM fails
 * the overcommit check; 6.1 had unmapped the old mapping first (a hole),
 * 6.18 gathers and keeps it. Both measured.
 */
TEST(test_mmap_fixed_failure)
{
	static const char *const want[] = { "", "[0,4) rw-" };

	for (int i = 0; i < 2; i++) {
		struct model *m = at(6, i ? 18 : 1);

		mm(m, W, 4, RW, FIX);
		CHECK_EQ(mm(m, W, 0x10000000, RW, FIX), -ENOMEM);
		LAYOUT(m, want[i]);
		model_destroy(m);
	}
}

int main(void)
{
	RUN(test_gate_boundaries);
	RUN(test_new_range_between_faulted);
	RUN(test_new_range_unfaulted_prev_faulted_next);
	RUN(test_anon_merge_faulted_into_unfaulted);
	RUN(test_map_stack_nohugepage);
	RUN(test_mprotect_unaccount);
	RUN(test_thp_align);
	RUN(test_thp_align_topdown_and_hint);
	RUN(test_hugetlb_area);
	RUN(test_mmap_errnos);
	RUN(test_mmap_fixed_failure);
	return test_summary();
}
