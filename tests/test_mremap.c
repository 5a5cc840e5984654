// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of mremap in the model (model/mremap.c). Every expected
 * result and layout below, test_older_kernels excepted, was taken from
 * the real kernel (6.18.44 x86-64, this machine): the same op lines were
 * run, each test in a fresh process, by a small C program that maps in a
 * window at 0x100000000000 (W) and prints each call's result and the
 * window's /proc/self/smaps lines exactly as run() and layout() print
 * them here (touch writes touch_byte(0, i) to the i-th page, read hashes
 * the bytes with XXH3_64bits). test_older_kernels follows the kernel
 * source of those versions (mm/mremap.c), cited there.
 *
 * Maps in comments follow tools/testing/vma/vma.c: one letter per page,
 * one letter per VMA, `.` unmapped, lower case for a faulted VMA.
 *
 * Op lines (page numbers relative to W, lengths in pages; an address may
 * also be 0x.. (raw), or R / R+n: what the last mmap or mremap returned):
 *   mmap P N PROT FLAGS     as in test_model.c: PROT r w x letters, FLAGS
 *                           p private, s shared, f fixed, l locked,
 *                           R noreserve, h hugetlb (MAP_ANONYMOUS always)
 *   mremap P OLD NEW F [Q]  F: m MAYMOVE, f FIXED, d DONTUNMAP, or 0x..;
 *                           Q: new_addr (default 0)
 *   mremapb A OLD NEW F [Q] raw address and byte lengths
 *   munmap P N, mprotect P N PROT, mseal P N, touch P N, read P N
 * Results: W+n for an address in the window, `hint` for new_addr itself
 * outside it, `out` for any other address, `-1 ERRNO` for a failure.
 * fill_to(m, N) brings the process's VMA count to N with one-page VMAs
 * at 0x200000000000 (the kernel run counted /proc/self/maps lines).
 */
#include "model_test.h"

#define FILL_BASE 0x200000000000ull

static uint64_t last_ret, last_hint;

/* m MAYMOVE, f FIXED, d DONTUNMAP (include/uapi/linux/mman.h), or 0x.. */
static uint64_t mflags_of(const char *s)
{
	uint64_t f = 0;

	if (!strncmp(s, "0x", 2))
		return strtoull(s, NULL, 16);
	for (; *s; s++)
		f |= *s == 'm' ? 1 : *s == 'f' ? 2 : *s == 'd' ? 4 : 0;
	return f;
}

/* addr_of(), plus R / R+n: what the last mmap or mremap returned. */
static uint64_t raddr_of(const char *s)
{
	if (s[0] == 'R')
		return last_ret + (s[1] == '+' ? strtoull(s + 2, NULL, 0) * PG : 0);
	return addr_of(s);
}

/* An address result: W+n in the window, `hint`, `out`, or -1 ERRNO. */
static void addr_result(const struct outcome *o, char *res, size_t n)
{
	uint64_t a = (uint64_t)o->ret;

	if (o->ret == -1) {
		snprintf(res, n, "-1 %s", errname(o->err));
		return;
	}
	last_ret = a;
	if (a >= W && a < W + (1ull << 32) && !(a % PG))
		snprintf(res, n, "W+%lld", (long long)((a - W) / PG));
	else
		snprintf(res, n, a == last_hint ? "hint" : "out");
}

/* Runs one op line on m; the result as the kernel-side program prints it. */
static const char *run(struct model *m, const char *line)
{
	static char res[128];
	char op[16], a[32], b[32], c[32], d[32] = "", e[32] = "";
	struct outcome o;

	sscanf(line, "%15s %31s %31s %31s %31s %31s", op, a, b, c, d, e);
	if (!strcmp(op, "mmap")) {
		model_mmap(m, raddr_of(a), strtoull(b, NULL, 0) * PG,
			   prot_of(c), flags_of(d), -1, 0, &o);
		last_hint = 0;
		addr_result(&o, res, sizeof(res));
	} else if (!strcmp(op, "mremap") || !strcmp(op, "mremapb")) {
		uint64_t unit = op[6] ? 1 : PG;

		last_hint = e[0] ? raddr_of(e) : 0;
		model_mremap(m, raddr_of(a), strtoull(b, NULL, 0) * unit,
			     strtoull(c, NULL, 0) * unit, mflags_of(d),
			     last_hint, &o);
		addr_result(&o, res, sizeof(res));
	} else if (!strcmp(op, "touch") || !strcmp(op, "read")) {
		run_access(m, op, raddr_of(a), strtoull(b, NULL, 0), res,
			   sizeof(res));
	} else {
		if (!strcmp(op, "munmap"))
			model_munmap(m, raddr_of(a), strtoull(b, NULL, 0) * PG,
				     &o);
		else if (!strcmp(op, "mseal"))
			model_mseal(m, raddr_of(a), strtoull(b, NULL, 0) * PG,
				    0, &o);
		else
			model_mprotect(m, raddr_of(a),
				       strtoull(b, NULL, 0) * PG, prot_of(c),
				       &o);
		int_result(&o, res, sizeof(res));
	}
	return res;
}

/* The window's VMAs: "[start,end) perms off=.. VmFlags" per VMA. */
static const char *layout(const struct model *m)
{
	return window_layout(m, 1ull << 32, LAYOUT_SMAPS);
}

static uint64_t fill_top;

/* One-page read-only VMAs two pages apart from FILL_BASE up, added or
 * removed at the top until the process has n VMAs. */
static void fill_to(struct model *m, uint64_t n)
{
	struct outcome o;

	while (model_map_count(m) < n) {
		model_mmap(m, fill_top, PG, PROT_READ,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0, &o);
		fill_top += 2 * PG;
	}
	while (model_map_count(m) > n) {
		fill_top -= 2 * PG;
		model_munmap(m, fill_top, PG, &o);
	}
	CHECK_EQ(model_map_count(m), n);
}

static struct model *new_model_kver(uint32_t kver)
{
	fill_top = FILL_BASE;
	return model_new(kver, 0);
}

static struct model *new_model(void)
{
	return new_model_kver(KVER(6, 18, 44));
}

/*
 * mremap argument checks, in the kernel's order (check_mremap_params on
 * the page aligned lengths, then check_prep_vma). One VMA at W+0..4; where
 * two checks would fail, the earlier one's errno wins.
 */
TEST(test_params_order)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	EXPECT(m, "mremap 0 4 4 0x8", "-1 EINVAL");
	EXPECT(m, "mremap 0 4 4 0x8 0x1", "-1 EINVAL");
	EXPECT(m, "mremapb 0x100000000001 0x4000 0x4000 0", "-1 EINVAL");
	EXPECT(m, "mremapb 0x100000000000 0x4000 0 0", "-1 EINVAL");
	EXPECT(m, "mremapb 0x100000000000 0x4000 0x800000000000 0", "-1 EINVAL");
	EXPECT(m, "mremapb 0x100000000000 0x4000 0x7ffffffff001 m", "-1 EINVAL");
	EXPECT(m, "mremap 0 4 4 mf 0x7ffffffff000", "-1 EINVAL");
	EXPECT(m, "mremap 0 4 4 mf 0x100000064001", "-1 EINVAL");
	EXPECT(m, "mremap 0 4 4 f 100", "-1 EINVAL");
	EXPECT(m, "mremap 0 4 4 d 100", "-1 EINVAL");
	EXPECT(m, "mremap 0 2 4 md 100", "-1 EINVAL");
	EXPECT(m, "mremapb 0x100000000000 0x1001 0x2000 md 0x100000064000", "W+100");
	EXPECT(m, "mremap 0 4 4 mf 2", "-1 EINVAL");
	EXPECT(m, "mremap 4 4 4 mf 1", "-1 EINVAL");
	EXPECT(m, "mremap 4 4 4 mf 8", "-1 EFAULT");
	EXPECT(m, "mremap 0 4 8 m 0xffffffffffff0000", "W+0");
	LAYOUT(m, "[0,8) rw-p off=0 rd wr mr mw me ac | [100,102) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

/*
 * The map count margins, with the process's VMA count brought to exact
 * values (map_count counts all of them): FIXED and DONTUNMAP need
 * map_count + 2 < max - 3, checked before the VMA is even looked up
 * (check_mremap_params); every move needs map_count < max - 3
 * (prep_move_vma); an in-place resize has no margin.
 */
TEST(test_map_count_margins)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 1 rw pf", "W+0");
	EXPECT(m, "mmap 2 1 r pf", "W+2");
	EXPECT(m, "mmap 4 1 rw pf", "W+4");
	EXPECT(m, "mmap 6 1 r pf", "W+6");
	fill_to(m, 65525);
	EXPECT(m, "mremap 0 1 1 mf 1000", "-1 ENOMEM");
	EXPECT(m, "mremap 3000 1 1 mf 1000", "-1 ENOMEM");
	fill_to(m, 65527);
	EXPECT(m, "mremap 0 1 2 m", "W+0");
	EXPECT(m, "mremap 0 2 3 m", "-1 ENOMEM");
	fill_to(m, 65526);
	EXPECT(m, "mremap 0 2 3 m", "out");
	fill_to(m, 65524);
	EXPECT(m, "mremap 4 1 1 md", "out");
	fill_to(m, 65525);
	EXPECT(m, "mremap 6 1 1 mf 1000", "-1 ENOMEM");
	LAYOUT(m, "[2,3) r--p off=0 rd mr mw me | [4,5) rw-p off=0 rd wr mr mw me ac | [6,7) r--p off=0 rd mr mw me");
	model_destroy(m);
}

/*
 * Shrinking in place unmaps [addr + new_len, addr + old_len)
 * (shrink_vma), which may run past the VMA into holes and other VMAs;
 * only the start must be mapped.
 *   AAAAAAAA..BBBBCCCC -> AAAA......B.......
 */
TEST(test_shrink)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 8 rw pf", "W+0");
	EXPECT(m, "touch 0 8", "8 pages");
	EXPECT(m, "mmap 10 4 r pf", "W+10");
	EXPECT(m, "mmap 14 4 rw pf", "W+14");
	EXPECT(m, "mremap 0 8 4 0", "W+0");
	EXPECT(m, "mremap 10 10 1 0", "W+10");
	LAYOUT(m, "[0,4) rw-p off=0 rd wr mr mw me ac | [10,11) r--p off=0 rd mr mw me");
	EXPECT(m, "read 0 8", "4 pages SIGSEGV data=988b7b9033ac4622");
	EXPECT(m, "mremap 20 1 1 0", "-1 EFAULT");
	EXPECT(m, "mremap 2 2 1 0", "W+2");
	LAYOUT(m, "[0,3) rw-p off=0 rd wr mr mw me ac | [10,11) r--p off=0 rd mr mw me");
	model_destroy(m);
}

/*
 * Growing in place needs [addr, old_len) to end where the VMA ends and
 * the space after it to be free (vrm_can_expand_in_place, vma_expandable);
 * the data stays. Otherwise, without MREMAP_MAYMOVE: ENOMEM.
 *   aaaa.... -> aaaaaaaa; aaaaaaaaB: no room
 */
TEST(test_grow_in_place)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	EXPECT(m, "touch 0 4", "4 pages");
	EXPECT(m, "mremap 0 4 8 0", "W+0");
	EXPECT(m, "read 0 8", "8 pages data=209e3390dd15cd1e");
	EXPECT(m, "mmap 8 1 r pf", "W+8");
	EXPECT(m, "mremap 0 8 9 0", "-1 ENOMEM");
	EXPECT(m, "mremap 0 4 6 0", "-1 ENOMEM");
	EXPECT(m, "mremap 4 4 5 0", "-1 ENOMEM");
	LAYOUT(m, "[0,8) rw-p off=0 rd wr mr mw me ac | [8,9) r--p off=0 rd mr mw me");
	model_destroy(m);
}

/*
 * An in-place growth that reaches the next VMA merges with it when
 * compatible (vma_merge_extend -> vma_merge_new_range), here a faulted
 * VMA into an unfaulted next; not with a different prot.
 *   aaaa....BBBB -> aaaaaaaaaaaa;  CC..DD (D read-only) -> CCCCDD
 */
TEST(test_grow_merges_next)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	EXPECT(m, "mmap 8 4 rw pf", "W+8");
	EXPECT(m, "touch 0 1", "1 pages");
	EXPECT(m, "mremap 0 4 8 0", "W+0");
	EXPECT(m, "mmap 20 2 rw pf", "W+20");
	EXPECT(m, "mmap 24 2 r pf", "W+24");
	EXPECT(m, "mremap 20 2 4 0", "W+20");
	LAYOUT(m, "[0,12) rw-p off=0 rd wr mr mw me ac | [20,24) rw-p off=0 rd wr mr mw me ac | [24,26) r--p off=0 rd mr mw me");
	model_destroy(m);
}

/*
 * vma_expandable() asks get_unmapped_area() about the grown VMA as a
 * MAP_FIXED request: it must end at or below TASK_SIZE.
 */
TEST(test_grow_past_task_size)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0x7fffffffa000 4 rw pf", "out");
	EXPECT(m, "mremap 0x7fffffffa000 4 5 0", "out");
	EXPECT(m, "mremap 0x7fffffffa000 5 6 0", "-1 ENOMEM");
	EXPECT(m, "mremap 0x7fffffffa000 5 6 m", "out");
	EXPECT(m, "read R 1", "1 pages data=c44bdff4074eecdb");
	model_destroy(m);
}

/*
 * Growth that cannot happen in place moves with MREMAP_MAYMOVE to where
 * a non-fixed mmap would go (vrm_set_new_addr: get_unmapped_area with
 * addr 0, top-down, outside the window); the pages go with it and the old
 * range is unmapped.
 *   aaaaB -> ....B  (aaaa.... elsewhere)
 */
TEST(test_grow_moves)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	EXPECT(m, "mmap 4 1 r pf", "W+4");
	EXPECT(m, "touch 0 4", "4 pages");
	EXPECT(m, "mremap 0 4 8 m", "out");
	EXPECT(m, "read R 8", "8 pages data=209e3390dd15cd1e");
	LAYOUT(m, "[4,5) r--p off=0 rd mr mw me");
	EXPECT(m, "read 0 1", "0 pages SIGSEGV data=2d06800538d394c2");
	model_destroy(m);
}

/*
 * MREMAP_FIXED unmaps the destination first (mremap_to -> do_munmap),
 * then moves there; a move out of the middle splits the source, and the
 * remnants keep VM_ACCOUNT (unmap_source_vma).
 *   aaaaaaaaaa ... BBBBBBBB -> aaa..aaaaa ... BaaB.... (a: W+3..5 moved)
 */
TEST(test_fixed_move)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 10 rw pf", "W+0");
	EXPECT(m, "touch 0 10", "10 pages");
	EXPECT(m, "mmap 100 8 r pf", "W+100");
	EXPECT(m, "mremap 3 2 2 mf 101", "W+101");
	LAYOUT(m, "[0,3) rw-p off=0 rd wr mr mw me ac | [5,10) rw-p off=0 rd wr mr mw me ac | [100,101) r--p off=0 rd mr mw me | [101,103) rw-p off=0 rd wr mr mw me ac | [103,108) r--p off=0 rd mr mw me");
	EXPECT(m, "read 0 10", "3 pages SIGSEGV data=ebce9b7632ae733b");
	EXPECT(m, "read 100 4", "4 pages data=ec6f1e204e00bb59");
	model_destroy(m);
}

/*
 * A fixed move may resize: a shrink happens in place first (and may
 * cross the VMA's end, check_prep_vma only checks what stays), a growth
 * takes fresh pages at the destination.
 */
TEST(test_fixed_shrink_and_grow)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	EXPECT(m, "mmap 4 4 r pf", "W+4");
	EXPECT(m, "touch 0 4", "4 pages");
	EXPECT(m, "mremap 0 8 2 mf 100", "W+100");
	LAYOUT(m, "[100,102) rw-p off=0 rd wr mr mw me ac");
	EXPECT(m, "read 100 4", "2 pages SIGSEGV data=08130b77ddef5807");
	EXPECT(m, "mremap 100 2 4 mf 200", "W+200");
	EXPECT(m, "read 200 4", "4 pages data=ee0ad52b2a38f0d3");
	LAYOUT(m, "[200,204) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

/*
 * A fixed move into another part of the same VMA: the destination
 * unmap splits the source, which mremap_to() looks up again. Unfaulted,
 * the piece merges back into its old VMA (copy_vma: pgoff follows the
 * new address); faulted, it does not.
 *   AAAAAAAAAA -> ..AAAAAAAA;  aaaaaaaaaa -> ..aaa|aa|aaa
 */
TEST(test_fixed_into_same_vma)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 10 rw pf", "W+0");
	EXPECT(m, "mremap 0 2 2 mf 5", "W+5");
	LAYOUT(m, "[2,10) rw-p off=0 rd wr mr mw me ac");
	EXPECT(m, "mmap 20 10 rw pf", "W+20");
	EXPECT(m, "touch 20 10", "10 pages");
	EXPECT(m, "mremap 20 2 2 mf 25", "W+25");
	LAYOUT(m, "[2,10) rw-p off=0 rd wr mr mw me ac | [22,25) rw-p off=0 rd wr mr mw me ac | [25,27) rw-p off=0 rd wr mr mw me ac | [27,30) rw-p off=0 rd wr mr mw me ac");
	EXPECT(m, "read 22 8", "8 pages data=dabd45232828c274");
	model_destroy(m);
}

/*
 * MREMAP_DONTUNMAP: the pages move, the source VMA stays mapped, unsplit
 * and empty (dontunmap_complete); 6.18 keeps VM_ACCOUNT on it. A hint
 * (no FIXED) is taken if free, as it is (no round_hint_to_min(): that is
 * do_mmap()'s), even below the LSM's mmap_min_addr.
 */
TEST(test_dontunmap)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	EXPECT(m, "touch 0 4", "4 pages");
	EXPECT(m, "mremap 1 2 2 md 100", "W+100");
	LAYOUT(m, "[0,4) rw-p off=0 rd wr mr mw me ac | [100,102) rw-p off=0 rd wr mr mw me ac");
	EXPECT(m, "read 0 4", "4 pages data=5f3fac8078301896");
	EXPECT(m, "read 100 2", "2 pages data=42397b5bd37a77cf");
	EXPECT(m, "mmap 200 1 r pf", "W+200");
	EXPECT(m, "mremap 0 1 1 md 200", "out");
	EXPECT(m, "read R 1", "1 pages data=e12ef9d2eb86ceeb");
	EXPECT(m, "mremap 2 1 1 md 0x1000", "hint");
	EXPECT(m, "read 0x1000 1", "1 pages data=c44bdff4074eecdb");
	model_destroy(m);
}

/*
 * A DONTUNMAP move of a whole VMA drops its anon_vma (unlink_anon_vmas):
 * a new mapping between it and a VMA faulted elsewhere then merges both
 * ways; after a partial move the anon_vma stays and only the left merges.
 *   aaaa....bbbb -> AAAAAAAAbbbb (A unfaulted: one VMA); cc..dd -> cccc|dd
 */
TEST(test_dontunmap_whole_vma_unlinks)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	EXPECT(m, "touch 0 4", "4 pages");
	EXPECT(m, "mmap 8 4 rw pf", "W+8");
	EXPECT(m, "touch 8 1", "1 pages");
	EXPECT(m, "mremap 0 4 4 md 100", "W+100");
	EXPECT(m, "mmap 4 4 rw pf", "W+4");
	LAYOUT(m, "[0,12) rw-p off=0 rd wr mr mw me ac | [100,104) rw-p off=0 rd wr mr mw me ac");
	EXPECT(m, "mmap 20 4 rw pf", "W+20");
	EXPECT(m, "touch 20 4", "4 pages");
	EXPECT(m, "mmap 28 4 rw pf", "W+28");
	EXPECT(m, "touch 28 1", "1 pages");
	EXPECT(m, "mremap 20 2 2 md 200", "W+200");
	EXPECT(m, "mmap 24 4 rw pf", "W+24");
	LAYOUT(m, "[0,12) rw-p off=0 rd wr mr mw me ac | [20,28) rw-p off=0 rd wr mr mw me ac | [28,32) rw-p off=0 rd wr mr mw me ac | [100,104) rw-p off=0 rd wr mr mw me ac | [200,202) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

/*
 * DONTUNMAP of a shared mapping (5.13+) leaves the source mapping the
 * same object: it still reads the data. A locked source loses VM_LOCKED
 * (dontunmap_complete), the copy keeps it. Hugetlb (VM_DONTEXPAND) is
 * refused (check_prep_vma).
 */
TEST(test_dontunmap_shared_and_locked)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 4 rw sf", "W+0");
	EXPECT(m, "touch 0 4", "4 pages");
	EXPECT(m, "mremap 0 4 4 md 50", "W+50");
	EXPECT(m, "read 0 4", "4 pages data=988b7b9033ac4622");
	EXPECT(m, "read 50 4", "4 pages data=988b7b9033ac4622");
	EXPECT(m, "mmap 100 4 rw pfl", "W+100");
	EXPECT(m, "mremap 100 4 4 md 150", "W+150");
	LAYOUT(m, "[0,4) rw-s off=0 rd wr sh mr mw me ms | [50,54) rw-s off=0 rd wr sh mr mw me ms | [100,104) rw-p off=0 rd wr mr mw me ac | [150,154) rw-p off=0 rd wr mr mw me lo ac");
	EXPECT(m, "mmap 512 512 rw pfRh", "W+512");
	EXPECT(m, "mremap 512 512 512 md 2048", "-1 EINVAL");
	model_destroy(m);
}

/*
 * old_len 0 duplicates a shared mapping: a new VMA on the same object at
 * the same pgoff; the source stays (unmapping 0 bytes fails quietly in
 * unmap_source_vma). Both see each other's writes. Past the object's end
 * (its size is the first mapping's) a fault is SIGBUS (shmem_fault).
 */
TEST(test_dup_shared)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 4 rw sf", "W+0");
	EXPECT(m, "touch 0 4", "4 pages");
	EXPECT(m, "mremap 2 0 4 mf 100", "W+100");
	EXPECT(m, "read 100 4", "2 pages SIGBUS data=754ea65aedd96680");
	EXPECT(m, "touch 100 1", "1 pages");
	EXPECT(m, "read 0 4", "4 pages data=8352bbc90396dfcb");
	LAYOUT(m, "[0,4) rw-s off=0 rd wr sh mr mw me ms | [100,104) rw-s off=2000 rd wr sh mr mw me ms");
	EXPECT(m, "mremap 0 4 8 0", "W+0");
	EXPECT(m, "read 0 8", "4 pages SIGBUS data=8352bbc90396dfcb");
	model_destroy(m);
}

/*
 * old_len 0 on a private mapping is EINVAL (check_prep_vma), whatever
 * the flags; a resize without a move never checks it.
 */
TEST(test_dup_private)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	EXPECT(m, "mremap 0 0 4 mf 100", "-1 EINVAL");
	EXPECT(m, "mremap 0 0 4 m", "-1 EINVAL");
	EXPECT(m, "mremap 0 0 4 0", "-1 EINVAL");
	EXPECT(m, "mremap 0 0 1 md 100", "-1 EINVAL");
	model_destroy(m);
}

/*
 * EFAULT (check_prep_vma): no VMA at addr, or a move or growth whose
 * [addr, old_len) runs past the VMA's end; shrinks and same-size calls
 * without a move do not look.
 */
TEST(test_efault)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	EXPECT(m, "mmap 4 4 r pf", "W+4");
	EXPECT(m, "mremap 10 1 2 m", "-1 EFAULT");
	EXPECT(m, "mremap 0 8 10 m", "-1 EFAULT");
	EXPECT(m, "mremap 0 6 6 md 100", "-1 EFAULT");
	EXPECT(m, "mremap 0 6 6 0", "W+0");
	EXPECT(m, "mremap 3 2 4 m", "-1 EFAULT");
	EXPECT(m, "mremap 0 6 5 0", "W+0");
	LAYOUT(m, "[0,4) rw-p off=0 rd wr mr mw me ac | [4,5) r--p off=0 rd mr mw me | [6,8) r--p off=0 rd mr mw me");
	model_destroy(m);
}

/*
 * An unfaulted VMA moved away and back merges with its old neighbours
 * (copy_vma gives it pgoff = new_addr >> 12 each time), and also with a
 * stranger it lands next to.
 *   AAAAAAAAAAAA -> AAAA....AAAA + AAAA -> AAAAAAAAAAAA
 */
TEST(test_move_back_unfaulted)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 12 rw pf", "W+0");
	EXPECT(m, "mremap 4 4 4 mf 100", "W+100");
	LAYOUT(m, "[0,4) rw-p off=0 rd wr mr mw me ac | [8,12) rw-p off=0 rd wr mr mw me ac | [100,104) rw-p off=0 rd wr mr mw me ac");
	EXPECT(m, "mremap 100 4 4 mf 4", "W+4");
	LAYOUT(m, "[0,12) rw-p off=0 rd wr mr mw me ac");
	EXPECT(m, "mmap 200 4 rw pf", "W+200");
	EXPECT(m, "mremap 200 4 4 mf 204", "W+204");
	LAYOUT(m, "[0,12) rw-p off=0 rd wr mr mw me ac | [204,208) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

/*
 * A faulted VMA keeps the pgoff of its birth address (copy_vma): next to
 * a stranger it does not merge, back at its birth slot it does.
 *   aaaaaaaaaaaa -> aaaa....aaaa + aaaa|BBBB -> aaaaaaaaaaaa
 */
TEST(test_move_back_faulted)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 12 rw pf", "W+0");
	EXPECT(m, "touch 4 4", "4 pages");
	EXPECT(m, "mremap 4 4 4 mf 100", "W+100");
	EXPECT(m, "mmap 104 4 rw pf", "W+104");
	LAYOUT(m, "[0,4) rw-p off=0 rd wr mr mw me ac | [8,12) rw-p off=0 rd wr mr mw me ac | [100,104) rw-p off=0 rd wr mr mw me ac | [104,108) rw-p off=0 rd wr mr mw me ac");
	EXPECT(m, "mremap 100 4 4 mf 4", "W+4");
	LAYOUT(m, "[0,12) rw-p off=0 rd wr mr mw me ac | [104,108) rw-p off=0 rd wr mr mw me ac");
	EXPECT(m, "read 0 12", "12 pages data=c8ab33110ae3c18d");
	model_destroy(m);
}

/*
 * A faulted VMA moved back between two unfaulted neighbours merges with
 * both (6.16+) and the merged VMA takes its anon_vma
 * (vma_merge_copied_range, 6.18.8): a new mapping between it and a VMA
 * faulted elsewhere then merges on the left only.
 */
TEST(test_faulted_merges_into_unfaulted)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 4 r pf", "W+0");
	EXPECT(m, "mmap 4 4 rw pf", "W+4");
	EXPECT(m, "touch 4 4", "4 pages");
	EXPECT(m, "mmap 8 4 r pf", "W+8");
	EXPECT(m, "mremap 4 4 4 mf 100", "W+100");
	EXPECT(m, "mprotect 0 4 rw", "0");
	EXPECT(m, "mprotect 8 4 rw", "0");
	EXPECT(m, "mremap 100 4 4 mf 4", "W+4");
	LAYOUT(m, "[0,12) rw-p off=0 rd wr mr mw me ac");
	EXPECT(m, "mmap 20 4 rw pf", "W+20");
	EXPECT(m, "touch 20 1", "1 pages");
	EXPECT(m, "mmap 12 8 rw pf", "W+12");
	LAYOUT(m, "[0,20) rw-p off=0 rd wr mr mw me ac | [20,24) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

/*
 * 6.17+ (remap_move): a same-size MREMAP_FIXED move may span several
 * VMAs and the holes between them, each keeping its offset; a hole at the
 * start is EFAULT, and so is any resize across VMAs.
 *   aa.B.CC -> (at W+100) aa.B.CC
 */
TEST(test_multi_vma_move)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 2 rw pf", "W+0");
	EXPECT(m, "mmap 3 1 r pf", "W+3");
	EXPECT(m, "mmap 5 2 rw sf", "W+5");
	EXPECT(m, "touch 0 2", "2 pages");
	EXPECT(m, "touch 5 2", "2 pages");
	EXPECT(m, "mremap 0 8 8 mf 100", "W+100");
	LAYOUT(m, "[100,102) rw-p off=0 rd wr mr mw me ac | [103,104) r--p off=0 rd mr mw me | [105,107) rw-s off=0 rd wr sh mr mw me ms");
	EXPECT(m, "read 100 8", "2 pages SIGSEGV data=08130b77ddef5807");
	EXPECT(m, "mremap 99 4 4 mf 200", "-1 EFAULT");
	EXPECT(m, "mremap 100 8 9 mf 200", "-1 EFAULT");
	EXPECT(m, "mremap 100 8 8 mfd 300", "W+300");
	LAYOUT(m, "[100,102) rw-p off=0 rd wr mr mw me ac | [103,104) r--p off=0 rd mr mw me | [105,107) rw-s off=0 rd wr sh mr mw me ms | [300,302) rw-p off=0 rd wr mr mw me ac | [303,304) r--p off=0 rd mr mw me | [305,307) rw-s off=0 rd wr sh mr mw me ms");
	model_destroy(m);
}

/*
 * An mlocked VMA grown in place is populated (populate_expand ->
 * mm_populate), which faults it: it then refuses to merge with a VMA
 * faulted elsewhere, while the unlocked twin does merge.
 */
TEST(test_locked_growth_populates)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 4 rw pfl", "W+0");
	EXPECT(m, "mremap 0 4 8 0", "W+0");
	EXPECT(m, "mmap 10 4 rw pfl", "W+10");
	EXPECT(m, "touch 10 1", "1 pages");
	EXPECT(m, "mmap 8 2 rw pfl", "W+8");
	EXPECT(m, "mmap 20 4 rw pf", "W+20");
	EXPECT(m, "mremap 20 4 8 0", "W+20");
	EXPECT(m, "mmap 30 4 rw pf", "W+30");
	EXPECT(m, "touch 30 1", "1 pages");
	EXPECT(m, "mmap 28 2 rw pf", "W+28");
	LAYOUT(m, "[0,10) rw-p off=0 rd wr mr mw me lo ac | [10,14) rw-p off=0 rd wr mr mw me lo ac | [20,34) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

/*
 * hugetlb (align_hugetlb): lengths round up to 2 MiB, addr and new_addr
 * must be aligned to it (new_addr even without FIXED), it cannot grow;
 * shrinks and fixed moves of whole huge pages work.
 */
TEST(test_hugetlb)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 512 1024 rw sfRh", "W+512");
	EXPECT(m, "mremap 512 512 1024 m", "-1 EINVAL");
	EXPECT(m, "mremap 512 1 1 m 3", "-1 EINVAL");
	EXPECT(m, "mremap 513 1 1 m", "-1 EINVAL");
	EXPECT(m, "mremap 512 1024 1 0", "W+512");
	EXPECT(m, "mremap 512 1 1 mf 2048", "W+2048");
	LAYOUT(m, "[2048,2560) rw-s off=0 rd wr sh mr mw me ms de nr ht");
	model_destroy(m);
}

/*
 * A sealed VMA (mseal) cannot be remapped at all: check_prep_vma() says
 * EPERM before any length check, even for a same-size call, and a fixed
 * move onto it fails in do_munmap(). A multi-VMA move stops at it with
 * the VMAs before it already moved (remap_move()).
 *   AAAAssss -> ....ssss + AAAA at W+100
 */
TEST(test_sealed)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	EXPECT(m, "mmap 4 4 r pf", "W+4");
	EXPECT(m, "mseal 4 4", "0");
	EXPECT(m, "mremap 4 4 4 0", "-1 EPERM");
	EXPECT(m, "mremap 4 2 1 0", "-1 EPERM");
	EXPECT(m, "mremap 4 4 4 mf 100", "-1 EPERM");
	EXPECT(m, "mremap 0 4 4 mf 4", "-1 EPERM");
	EXPECT(m, "touch 0 4", "4 pages");
	EXPECT(m, "mremap 0 8 8 mf 100", "-1 EPERM");
	LAYOUT(m, "[4,8) r--p off=0 rd mr mw me sl | [100,104) rw-p off=0 rd wr mr mw me ac");
	EXPECT(m, "read 100 4", "4 pages data=988b7b9033ac4622");
	model_destroy(m);
}

/*
 * Older kernels, from their mm/mremap.c and mm/vma.c (not measured here):
 * before 6.17 ("mm/mremap: permit mremap() move of multiple VMAs") a
 * fixed move could not span two VMAs (remap_is_valid(): EFAULT), and
 * DONTUNMAP compared the lengths before page-aligning them (the one case
 * that was measured, on 6.1 under `vmadiff vm`); 6.15
 * to 6.17 cleared VM_ACCOUNT on a DONTUNMAP source (dontunmap_complete());
 * before 6.18.8 ("mm/vma: fix anon_vma UAF on mremap() faulted,
 * unfaulted merge") a moved faulted VMA merged into an unfaulted
 * neighbour without handing it its anon_vma, so the merged VMA still
 * took a faulted VMA on its right. Before 6.12 (a guess: 6.1 was
 * measured) a DONTUNMAP copy placed against its source merged with
 * nothing.
 */
TEST(test_older_kernels)
{
	struct model *m = new_model_kver(KVER(6, 16, 0));

	EXPECT(m, "mmap 0 2 rw pf", "W+0");
	EXPECT(m, "mmap 3 1 r pf", "W+3");
	EXPECT(m, "mremap 0 4 4 mf 100", "-1 EFAULT");
	EXPECT(m, "mremap 0 2 2 mf 100", "W+100");
	EXPECT(m, "mremapb 0x100000064000 0x1001 0x2000 md 0x100000000000",
	       "-1 EINVAL");
	model_destroy(m);

	m = new_model_kver(KVER(6, 17, 0));
	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	EXPECT(m, "mremapb 0x100000000000 0x1001 0x2000 md 0x100000064000",
	       "W+100");
	LAYOUT(m, "[0,4) rw-p off=0 rd wr mr mw me | [100,102) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);

	/* measured on 6.1 (vmadiff vm): a DONTUNMAP copy against its source
	 * merges with nothing; 6.18 merges it, see test_dontunmap */
	m = new_model_kver(KVER(6, 1, 0));
	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	EXPECT(m, "mmap 6 4 rw pf", "W+6");
	EXPECT(m, "mremap 0 2 2 mfd 4", "W+4");
	LAYOUT(m, "[0,4) rw-p off=0 rd wr mr mw me ac | [4,6) rw-p off=0 rd wr mr mw me ac | [6,10) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);

	m = new_model_kver(KVER(6, 18, 7));
	EXPECT(m, "mmap 0 4 r pf", "W+0");
	EXPECT(m, "mmap 4 4 rw pf", "W+4");
	EXPECT(m, "touch 4 4", "4 pages");
	EXPECT(m, "mmap 8 4 r pf", "W+8");
	EXPECT(m, "mremap 4 4 4 mf 100", "W+100");
	EXPECT(m, "mprotect 0 4 rw", "0");
	EXPECT(m, "mprotect 8 4 rw", "0");
	EXPECT(m, "mremap 100 4 4 mf 4", "W+4");
	EXPECT(m, "mmap 20 4 rw pf", "W+20");
	EXPECT(m, "touch 20 1", "1 pages");
	EXPECT(m, "mmap 12 8 rw pf", "W+12");
	LAYOUT(m, "[0,24) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

int main(void)
{
	RUN(test_params_order);
	RUN(test_map_count_margins);
	RUN(test_shrink);
	RUN(test_grow_in_place);
	RUN(test_grow_merges_next);
	RUN(test_grow_past_task_size);
	RUN(test_grow_moves);
	RUN(test_fixed_move);
	RUN(test_fixed_shrink_and_grow);
	RUN(test_fixed_into_same_vma);
	RUN(test_dontunmap);
	RUN(test_dontunmap_whole_vma_unlinks);
	RUN(test_dontunmap_shared_and_locked);
	RUN(test_dup_shared);
	RUN(test_dup_private);
	RUN(test_efault);
	RUN(test_move_back_unfaulted);
	RUN(test_move_back_faulted);
	RUN(test_faulted_merges_into_unfaulted);
	RUN(test_multi_vma_move);
	RUN(test_locked_growth_populates);
	RUN(test_hugetlb);
	RUN(test_sealed);
	RUN(test_older_kernels);
	return test_summary();
}
