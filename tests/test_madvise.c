// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of madvise, mlock and mseal in the model (model/madvise.c,
 * model/mlock.c, model/mseal.c), guard regions (MADV_GUARD_INSTALL and
 * MADV_GUARD_REMOVE) included, VmFlags included. Every expected result
 * and layout below, test_guard_older_kernels excepted, was taken from the
 * real kernel (6.18.44 x86-64, this machine): the same op lines were run,
 * each test in a fresh process, by a small C program that maps in a
 * window at 0x100000000000 (W) and prints each call's result and the
 * window's /proc/self/smaps lines exactly as run() and layout() print
 * them here (touch writes touch_byte(0, i) to the i-th page, read hashes
 * the bytes with XXH3_64bits). test_guard_older_kernels follows the
 * kernel source of those versions (mm/madvise.c), cited there.
 *
 * Maps in comments follow tools/testing/vma/vma.c: one letter per page,
 * one letter per VMA, `.` unmapped, lower case for a faulted VMA; `#`
 * is a page holding a guard marker.
 *
 * Op lines (page numbers relative to W or a raw 0x.. address; LEN is a
 * page count or b:N bytes):
 *   mmap P N PROT FLAGS      PROT r w x letters or 0x..; FLAGS p private,
 *                            s shared, f fixed, l locked, g growsdown,
 *                            R noreserve, h hugetlb (MAP_ANONYMOUS always)
 *                            or 0x..
 *   madvise P LEN ADV        ADV: the advice's name without MADV_ (as in
 *                            docs/FORMAT.md) or a number
 *   mlock P LEN [F]          mlock2 flags F (number), munlock P LEN,
 *   mseal P LEN [F]          munmap P N, mprotect P N PROT, touch P N,
 *   mremap P OLD NEW F [Q]   read P N; mremap F: m MAYMOVE, f FIXED,
 *                            d DONTUNMAP
 */
#include "model_test.h"

#define MADV_GUARD_INSTALL_ 102
#define MADV_GUARD_REMOVE_ 103

static const struct {
	const char *name;
	int advice;
} advices[] = {
	{ "NORMAL", 0 },	   { "RANDOM", 1 },
	{ "SEQUENTIAL", 2 },	   { "WILLNEED", 3 },
	{ "DONTNEED", 4 },	   { "FREE", 8 },
	{ "REMOVE", 9 },	   { "DONTFORK", 10 },
	{ "DOFORK", 11 },	   { "MERGEABLE", 12 },
	{ "UNMERGEABLE", 13 },	   { "HUGEPAGE", 14 },
	{ "NOHUGEPAGE", 15 },	   { "DONTDUMP", 16 },
	{ "DODUMP", 17 },	   { "WIPEONFORK", 18 },
	{ "KEEPONFORK", 19 },	   { "COLD", 20 },
	{ "PAGEOUT", 21 },	   { "POPULATE_READ", 22 },
	{ "POPULATE_WRITE", 23 },  { "DONTNEED_LOCKED", 24 },
	{ "GUARD_INSTALL", MADV_GUARD_INSTALL_ },
	{ "GUARD_REMOVE", MADV_GUARD_REMOVE_ },
};

static uint64_t advice_of(const char *s)
{
	for (unsigned i = 0; i < sizeof(advices) / sizeof(advices[0]); i++)
		if (!strcmp(s, advices[i].name))
			return (uint64_t)advices[i].advice;
	return strtoull(s, NULL, 0);
}

/* A page count, or b:N bytes. */
static uint64_t len_of(const char *s)
{
	if (!strncmp(s, "b:", 2))
		return strtoull(s + 2, NULL, 0);
	return strtoull(s, NULL, 0) * PG;
}

/* m MAYMOVE, f FIXED, d DONTUNMAP (include/uapi/linux/mman.h). */
static uint64_t mflags_of(const char *s)
{
	uint64_t f = 0;

	for (; *s; s++)
		f |= *s == 'm' ? 1 : *s == 'f' ? 2 : *s == 'd' ? 4 : 0;
	return f;
}

/* An address result: W+n, or -1 ERRNO. */
static void addr_result(const struct outcome *o, char *res, size_t n)
{
	if (o->ret == -1)
		snprintf(res, n, "-1 %s", errname(o->err));
	else
		snprintf(res, n, "W+%lld",
			 (long long)(((uint64_t)o->ret - W) / PG));
}

/* Runs one op line on m; the result as the kernel-side program prints it. */
static const char *run(struct model *m, const char *line)
{
	static char res[128];
	char op[16], a[32], b[32], c[32] = "", d[32] = "", e[32] = "";
	struct outcome o;

	sscanf(line, "%15s %31s %31s %31s %31s %31s", op, a, b, c, d, e);
	if (!strcmp(op, "mmap")) {
		model_mmap(m, addr_of(a), len_of(b), prot_of(c), flags_of(d),
			   -1, 0, &o);
		addr_result(&o, res, sizeof(res));
		return res;
	}
	if (!strcmp(op, "mremap")) {
		model_mremap(m, addr_of(a), len_of(b), len_of(c), mflags_of(d),
			     e[0] ? addr_of(e) : 0, &o);
		addr_result(&o, res, sizeof(res));
		return res;
	}
	if (!strcmp(op, "touch") || !strcmp(op, "read")) {
		run_access(m, op, addr_of(a), strtoull(b, NULL, 0), res,
			   sizeof(res));
		return res;
	}
	if (!strcmp(op, "madvise"))
		model_madvise(m, addr_of(a), len_of(b), advice_of(c), &o);
	else if (!strcmp(op, "mlock"))
		model_mlock2(m, addr_of(a), len_of(b), strtoull(c, NULL, 0),
			     &o);
	else if (!strcmp(op, "munlock"))
		model_munlock(m, addr_of(a), len_of(b), &o);
	else if (!strcmp(op, "mseal"))
		model_mseal(m, addr_of(a), len_of(b), strtoull(c, NULL, 0),
			    &o);
	else if (!strcmp(op, "munmap"))
		model_munmap(m, addr_of(a), len_of(b), &o);
	else
		model_mprotect(m, addr_of(a), len_of(b), prot_of(c), &o);
	int_result(&o, res, sizeof(res));
	return res;
}

/* The window's VMAs: "[start,end) perms off=.. VmFlags" per VMA. */
static const char *layout(const struct model *m)
{
	return window_layout(m, 1ull << 32, LAYOUT_SMAPS);
}

static struct model *new_model(void)
{
	return model_new(0, 0);
}

/* One flag advice per page, then two over several VMAs. */
TEST(test_flag_advices)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 8 rw pf", "W+0");
	EXPECT(m, "madvise 0 2 MERGEABLE", "0");
	EXPECT(m, "madvise 2 1 HUGEPAGE", "0");
	EXPECT(m, "madvise 3 1 NOHUGEPAGE", "0");
	EXPECT(m, "madvise 4 1 SEQUENTIAL", "0");
	EXPECT(m, "madvise 5 1 RANDOM", "0");
	EXPECT(m, "madvise 6 1 DONTFORK", "0");
	EXPECT(m, "madvise 7 1 WIPEONFORK", "0");
	LAYOUT(m, "[0,2) rw-p off=0 rd wr mr mw me ac mg | [2,3) rw-p off=0 rd wr mr mw me ac hg | [3,4) rw-p off=0 rd wr mr mw me ac nh | [4,5) rw-p off=0 rd wr mr mw me sr ac | [5,6) rw-p off=0 rd wr mr mw me rr ac | [6,7) rw-p off=0 rd wr mr mw me dc ac | [7,8) rw-p off=0 rd wr mr mw me ac wf");
	EXPECT(m, "madvise 0 8 DONTDUMP", "0");
	EXPECT(m, "madvise 5 3 NORMAL", "0");
	LAYOUT(m, "[0,2) rw-p off=0 rd wr mr mw me ac dd mg | [2,3) rw-p off=0 rd wr mr mw me ac dd hg | [3,4) rw-p off=0 rd wr mr mw me ac dd nh | [4,5) rw-p off=0 rd wr mr mw me sr ac dd | [5,6) rw-p off=0 rd wr mr mw me ac dd | [6,7) rw-p off=0 rd wr mr mw me dc ac dd | [7,8) rw-p off=0 rd wr mr mw me ac wf dd");
	model_destroy(m);
}

/*
 * Holes are ENOMEM after the mapped part got the advice (madvise_walk_vmas);
 * argument errors come first (madvise_behavior_valid, check_input_range).
 *   .AA.
 */
TEST(test_errors_and_holes)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 1 2 rw pf", "W+1");
	EXPECT(m, "madvise 0 4 POPULATE_READ", "-1 ENOMEM");
	EXPECT(m, "madvise 1 4 POPULATE_READ", "-1 ENOMEM");
	EXPECT(m, "madvise 0 4 DONTNEED", "-1 ENOMEM");
	EXPECT(m, "madvise 0 4 999", "-1 EINVAL");
	EXPECT(m, "madvise 0 0 999", "-1 EINVAL");
	EXPECT(m, "madvise 0x100000001001 0 NORMAL", "-1 EINVAL");
	EXPECT(m, "madvise 2 0 NORMAL", "0");
	EXPECT(m, "madvise 0 4 WILLNEED", "-1 ENOMEM");
	EXPECT(m, "madvise 100 4 NORMAL", "-1 ENOMEM");
	EXPECT(m, "madvise 100 4 COLD", "-1 ENOMEM");
	EXPECT(m, "madvise 0 4 RANDOM", "-1 ENOMEM");
	LAYOUT(m, "[1,3) rw-p off=0 rd wr mr mw me rr ac");
	model_destroy(m);
}

/* POPULATE needs the access it asks for (check_vma_flags): EINVAL. */
TEST(test_populate)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 4 0 pf", "W+0");
	EXPECT(m, "madvise 0 4 POPULATE_READ", "-1 EINVAL");
	EXPECT(m, "madvise 0 4 POPULATE_WRITE", "-1 EINVAL");
	EXPECT(m, "mmap 0 4 r pf", "W+0");
	EXPECT(m, "madvise 0 4 POPULATE_WRITE", "-1 EINVAL");
	EXPECT(m, "madvise 0 4 POPULATE_READ", "0");
	EXPECT(m, "mmap 0 4 w pf", "W+0");
	EXPECT(m, "madvise 0 4 POPULATE_READ", "-1 EINVAL");
	EXPECT(m, "madvise 0 4 POPULATE_WRITE", "0");
	model_destroy(m);
}

/*
 * Shared anonymous memory: no WIPEONFORK or FREE; DONTNEED keeps the
 * shmem data, REMOVE punches it out, also once read-only (VM_SHARED and
 * VM_MAYWRITE stay).
 */
TEST(test_shared_advices)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 4 rw sf", "W+0");
	EXPECT(m, "madvise 0 2 MERGEABLE", "0");
	EXPECT(m, "madvise 0 1 WIPEONFORK", "-1 EINVAL");
	EXPECT(m, "madvise 0 1 FREE", "-1 EINVAL");
	EXPECT(m, "madvise 0 1 REMOVE", "0");
	LAYOUT(m, "[0,4) rw-s off=0 rd wr sh mr mw me ms");
	EXPECT(m, "touch 0 2", "2 pages");
	EXPECT(m, "madvise 0 1 DONTNEED", "0");
	EXPECT(m, "madvise 1 1 REMOVE", "0");
	EXPECT(m, "read 0 2", "2 pages data=ab94ac0ace7276c0");
	EXPECT(m, "mprotect 0 4 r", "0");
	EXPECT(m, "madvise 0 1 REMOVE", "0");
	EXPECT(m, "read 0 2", "2 pages data=3325230e1f285505");
	LAYOUT(m, "[0,4) r--s off=0 rd sh mr mw me ms");
	model_destroy(m);
}

/* Private memory: DONTNEED zeroes, FREE and PAGEOUT keep (no reclaim). */
TEST(test_private_data)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	EXPECT(m, "touch 0 3", "3 pages");
	EXPECT(m, "madvise 0 1 DONTNEED", "0");
	EXPECT(m, "madvise 1 1 FREE", "0");
	EXPECT(m, "madvise 2 1 PAGEOUT", "0");
	EXPECT(m, "read 0 4", "4 pages data=454654026576d475");
	EXPECT(m, "madvise 0 1 REMOVE", "-1 EINVAL");
	model_destroy(m);
}

/*
 * mlock: PROT_NONE locks but cannot be faulted in (EFAULT -> ENOMEM);
 * locked VMAs refuse the zapping advices; holes are ENOMEM after the part
 * before them is locked.
 */
TEST(test_mlock)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 4 0 pf", "W+0");
	EXPECT(m, "mlock 0 4", "-1 ENOMEM");
	LAYOUT(m, "[0,4) ---p off=0 mr mw me lo");
	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	EXPECT(m, "mlock 0x100000000001 b:4096", "0");
	LAYOUT(m, "[0,2) rw-p off=0 rd wr mr mw me lo ac | [2,4) rw-p off=0 rd wr mr mw me ac");
	EXPECT(m, "madvise 0 1 DONTNEED", "-1 EINVAL");
	EXPECT(m, "madvise 0 1 FREE", "-1 EINVAL");
	EXPECT(m, "madvise 0 1 COLD", "-1 EINVAL");
	EXPECT(m, "madvise 0 1 PAGEOUT", "-1 EINVAL");
	EXPECT(m, "madvise 0 1 WILLNEED", "0");
	EXPECT(m, "madvise 0 1 DONTNEED_LOCKED", "0");
	EXPECT(m, "madvise 0 1 REMOVE", "-1 EINVAL");
	EXPECT(m, "mlock 0 1 2", "-1 EINVAL");
	EXPECT(m, "mlock 2 1 1", "0");
	LAYOUT(m, "[0,2) rw-p off=0 rd wr mr mw me lo ac | [2,3) rw-p off=0 rd wr mr mw me lo lf ac | [3,4) rw-p off=0 rd wr mr mw me ac");
	EXPECT(m, "munlock 0 4", "0");
	LAYOUT(m, "[0,4) rw-p off=0 rd wr mr mw me ac");
	EXPECT(m, "mlock 5 1", "-1 ENOMEM");
	EXPECT(m, "mlock 3 2", "-1 ENOMEM");
	LAYOUT(m, "[0,3) rw-p off=0 rd wr mr mw me ac | [3,4) rw-p off=0 rd wr mr mw me lo ac");
	EXPECT(m, "munlock 3 2", "-1 ENOMEM");
	EXPECT(m, "munlock 5 1", "-1 ENOMEM");
	/* PAGE_ALIGN(-1) is 0: nothing to do; -4096 wraps: EINVAL */
	EXPECT(m, "mlock 0 b:0xffffffffffffffff", "0");
	EXPECT(m, "mlock 0 b:0xfffffffffffff000", "-1 EINVAL");
	LAYOUT(m, "[0,4) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

/*
 * mseal: sealed VMAs refuse munmap, mprotect, MAP_FIXED and, when
 * anonymous and read-only, the discarding advices.
 *   AAAABBBB
 */
TEST(test_mseal)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 4 r pf", "W+0");
	EXPECT(m, "mmap 4 4 rw pf", "W+4");
	EXPECT(m, "mseal 1 2 1", "-1 EINVAL");
	EXPECT(m, "mseal 0x100000000001 1", "-1 EINVAL");
	EXPECT(m, "mseal 1 9", "-1 ENOMEM");
	LAYOUT(m, "[0,4) r--p off=0 rd mr mw me | [4,8) rw-p off=0 rd wr mr mw me ac");
	EXPECT(m, "mseal 1 2", "0");
	LAYOUT(m, "[0,1) r--p off=0 rd mr mw me | [1,3) r--p off=0 rd mr mw me sl | [3,4) r--p off=0 rd mr mw me | [4,8) rw-p off=0 rd wr mr mw me ac");
	EXPECT(m, "mseal 0 5", "0");
	LAYOUT(m, "[0,4) r--p off=0 rd mr mw me sl | [4,5) rw-p off=0 rd wr mr mw me ac sl | [5,8) rw-p off=0 rd wr mr mw me ac");
	EXPECT(m, "mprotect 0 1 r", "-1 EPERM");
	EXPECT(m, "mprotect 6 1 r", "0");
	EXPECT(m, "munmap 6 2", "0");
	EXPECT(m, "munmap 0 1", "-1 EPERM");
	LAYOUT(m, "[0,4) r--p off=0 rd mr mw me sl | [4,5) rw-p off=0 rd wr mr mw me ac sl | [5,6) rw-p off=0 rd wr mr mw me ac");
	EXPECT(m, "madvise 0 1 DONTNEED", "-1 EPERM");
	EXPECT(m, "madvise 4 1 DONTNEED", "0");
	EXPECT(m, "madvise 0 1 FREE", "-1 EPERM");
	EXPECT(m, "madvise 0 1 DONTFORK", "-1 EPERM");
	EXPECT(m, "madvise 0 1 WIPEONFORK", "-1 EPERM");
	EXPECT(m, "madvise 0 1 COLD", "0");
	EXPECT(m, "madvise 0 2 RANDOM", "0");
	EXPECT(m, "mmap 0 1 r pf", "-1 EPERM");
	EXPECT(m, "mmap 0 1 r pn", "-1 EEXIST");
	EXPECT(m, "mlock 0 1", "0");
	EXPECT(m, "mseal 0 1", "0");
	LAYOUT(m, "[0,1) r--p off=0 rd mr mw me lo rr sl | [1,2) r--p off=0 rd mr mw me rr sl | [2,4) r--p off=0 rd mr mw me sl | [4,5) rw-p off=0 rd wr mr mw me ac sl | [5,6) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

/*
 * GUARD_INSTALL zaps the range and puts a marker in every page: access
 * is SIGSEGV, the pages before it readable. The whole VMA gets `gu`
 * without a split; GUARD_REMOVE clears markers (a page faults in as zero
 * again) but not the sticky flag. A hole is ENOMEM, the part before it
 * guarded.
 *   aaaaaaaa -> aa##aaaa -> aa#aaaaa -> aaaaaaaa
 */
TEST(test_guard_install_remove)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 8 rw pf", "W+0");
	EXPECT(m, "touch 0 8", "8 pages");
	EXPECT(m, "madvise 2 2 GUARD_INSTALL", "0");
	LAYOUT(m, "[0,8) rw-p off=0 rd wr mr mw me gu ac");
	EXPECT(m, "read 0 8", "2 pages SIGSEGV data=08130b77ddef5807");
	EXPECT(m, "read 4 4", "4 pages data=91ced982cac07d96");
	EXPECT(m, "touch 2 1", "0 pages SIGSEGV");
	EXPECT(m, "madvise 3 1 GUARD_REMOVE", "0");
	EXPECT(m, "read 0 8", "2 pages SIGSEGV data=08130b77ddef5807");
	EXPECT(m, "read 3 1", "1 pages data=c44bdff4074eecdb");
	EXPECT(m, "touch 3 1", "1 pages");
	EXPECT(m, "madvise 2 1 GUARD_REMOVE", "0");
	EXPECT(m, "read 0 8", "8 pages data=bbc397aa6f131b7c");
	LAYOUT(m, "[0,8) rw-p off=0 rd wr mr mw me gu ac");
	EXPECT(m, "madvise 6 4 GUARD_INSTALL", "-1 ENOMEM");
	EXPECT(m, "read 5 3", "1 pages SIGSEGV data=d72f745408743e95");
	EXPECT(m, "madvise 20 1 GUARD_INSTALL", "-1 ENOMEM");
	EXPECT(m, "madvise 20 1 GUARD_REMOVE", "-1 ENOMEM");
	EXPECT(m, "madvise 0 8 GUARD_REMOVE", "0");
	EXPECT(m, "read 0 8", "8 pages data=35d7b86c157dea00");
	LAYOUT(m, "[0,8) rw-p off=0 rd wr mr mw me gu ac");
	model_destroy(m);
}

/*
 * is_valid_guard_vma(): PROT_NONE, read-only, growsdown, droppable and
 * sealed writable VMAs take guards; mlocked (install only) and hugetlb
 * VMAs are EINVAL, a sealed read-only anonymous VMA EPERM (is_discard).
 *   A B C D E F G H I  (two pages each) ... hugetlb at 512
 */
TEST(test_guard_refusals)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 10 2 0 pf", "W+10");
	EXPECT(m, "madvise 10 1 GUARD_INSTALL", "0");
	EXPECT(m, "mmap 12 2 r pf", "W+12");
	EXPECT(m, "madvise 12 1 GUARD_INSTALL", "0");
	EXPECT(m, "mmap 16 2 rw pfl", "W+16");
	EXPECT(m, "madvise 16 1 GUARD_INSTALL", "-1 EINVAL");
	EXPECT(m, "madvise 16 1 GUARD_REMOVE", "0");
	EXPECT(m, "mmap 20 2 r pf", "W+20");
	EXPECT(m, "mseal 20 2", "0");
	EXPECT(m, "madvise 20 1 GUARD_INSTALL", "-1 EPERM");
	EXPECT(m, "mmap 22 2 rw pf", "W+22");
	EXPECT(m, "mseal 22 2", "0");
	EXPECT(m, "madvise 22 1 GUARD_INSTALL", "0");
	EXPECT(m, "mmap 24 2 rw 0x28", "W+24");
	EXPECT(m, "madvise 24 1 GUARD_INSTALL", "0");
	EXPECT(m, "mmap 26 2 rw pfg", "W+26");
	EXPECT(m, "madvise 26 1 GUARD_INSTALL", "0");
	EXPECT(m, "mmap 512 512 rw pfhR", "W+512");
	EXPECT(m, "madvise 512 1 GUARD_INSTALL", "-1 EINVAL");
	EXPECT(m, "madvise 512 1 GUARD_REMOVE", "-1 EINVAL");
	LAYOUT(m, "[10,12) ---p off=0 mr mw me gu | [12,14) r--p off=0 rd mr mw me gu | [16,18) rw-p off=0 rd wr mr mw me lo ac | [20,22) r--p off=0 rd mr mw me sl | [22,24) rw-p off=0 rd wr mr mw me gu ac sl | [24,26) rw-p off=0 rd wr mr mw me gu nr wf dd dp | [26,28) rw-p off=0 rd wr mr mw me gd gu ac | [512,1024) rw-p off=0 rd wr mr mw me de nr ht");
	EXPECT(m, "read 10 1", "0 pages SIGSEGV data=2d06800538d394c2");
	EXPECT(m, "read 12 2", "0 pages SIGSEGV data=2d06800538d394c2");
	EXPECT(m, "read 26 2", "0 pages SIGSEGV data=2d06800538d394c2");
	model_destroy(m);
}

/*
 * Shared anonymous memory is a shmem file: guards install (6.15+), the
 * file's data survives the zap and shows again after GUARD_REMOVE; a
 * guard is SIGSEGV, never the SIGBUS of a page past i_size. No anon_vma.
 *   SSSS -> S#SS
 */
TEST(test_guard_shared)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 4 rw sf", "W+0");
	EXPECT(m, "touch 0 4", "4 pages");
	EXPECT(m, "madvise 1 1 GUARD_INSTALL", "0");
	EXPECT(m, "read 0 4", "1 pages SIGSEGV data=e12ef9d2eb86ceeb");
	EXPECT(m, "touch 1 1", "0 pages SIGSEGV");
	EXPECT(m, "madvise 0 4 DONTNEED", "0");
	EXPECT(m, "madvise 0 4 REMOVE", "0");
	EXPECT(m, "read 0 4", "1 pages SIGSEGV data=c44bdff4074eecdb");
	EXPECT(m, "madvise 1 1 GUARD_REMOVE", "0");
	EXPECT(m, "read 0 4", "4 pages data=48b2c92616fc193d");
	EXPECT(m, "touch 0 4", "4 pages");
	EXPECT(m, "mremap 0 4 8 0", "W+0");
	EXPECT(m, "madvise 5 1 GUARD_INSTALL", "0");
	EXPECT(m, "read 4 4", "0 pages SIGBUS data=2d06800538d394c2");
	LAYOUT(m, "[0,8) rw-s off=0 rd wr sh mr mw me ms gu");
	model_destroy(m);
}

/*
 * Guards survive DONTNEED, FREE and mprotect (no ZAP_FLAG_DROP_MARKER);
 * POPULATE over one is EFAULT (GUP meets VM_FAULT_SIGSEGV). A split
 * leaves `gu` on both halves.
 *   aa##aaaa
 */
TEST(test_guard_kept)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 8 rw pf", "W+0");
	EXPECT(m, "touch 0 8", "8 pages");
	EXPECT(m, "madvise 2 2 GUARD_INSTALL", "0");
	EXPECT(m, "madvise 0 8 DONTNEED", "0");
	EXPECT(m, "read 0 8", "2 pages SIGSEGV data=3325230e1f285505");
	EXPECT(m, "touch 0 1", "1 pages");
	EXPECT(m, "madvise 0 8 FREE", "0");
	EXPECT(m, "read 0 8", "2 pages SIGSEGV data=ab94ac0ace7276c0");
	EXPECT(m, "madvise 0 8 POPULATE_READ", "-1 EFAULT");
	EXPECT(m, "madvise 0 8 POPULATE_WRITE", "-1 EFAULT");
	EXPECT(m, "madvise 0 2 POPULATE_WRITE", "0");
	EXPECT(m, "madvise 4 4 POPULATE_READ", "0");
	EXPECT(m, "mprotect 0 8 r", "0");
	EXPECT(m, "read 0 4", "2 pages SIGSEGV data=ab94ac0ace7276c0");
	EXPECT(m, "mprotect 0 8 rw", "0");
	EXPECT(m, "read 0 4", "2 pages SIGSEGV data=ab94ac0ace7276c0");
	EXPECT(m, "mprotect 2 1 r", "0");
	LAYOUT(m, "[0,2) rw-p off=0 rd wr mr mw me gu ac | [2,3) r--p off=0 rd mr mw me gu ac | [3,8) rw-p off=0 rd wr mr mw me gu ac");
	model_destroy(m);
}

/*
 * munmap drops the markers (and MAP_FIXED over them): a new mapping there
 * faults normally, and merges with the `gu` neighbours, the flag kept.
 *   aa##aaaa -> aa.#aaaa -> aaa#aaaa
 */
TEST(test_guard_munmap)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 8 rw pf", "W+0");
	EXPECT(m, "madvise 2 2 GUARD_INSTALL", "0");
	EXPECT(m, "mprotect 2 1 r", "0");
	EXPECT(m, "munmap 2 1", "0");
	EXPECT(m, "mmap 2 1 rw pf", "W+2");
	LAYOUT(m, "[0,8) rw-p off=0 rd wr mr mw me gu ac");
	EXPECT(m, "read 0 4", "3 pages SIGSEGV data=eb5d658bb22f286b");
	EXPECT(m, "mmap 0 8 rw pf", "W+0");
	EXPECT(m, "read 0 8", "8 pages data=c77b3abb6f87acd9");
	LAYOUT(m, "[0,8) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

/*
 * mlock refuses to install but not to remove; mlock over a guard locks
 * and then fails to populate it (EFAULT -> ENOMEM), LOCKONFAULT does not
 * populate and succeeds.
 */
TEST(test_guard_mlock)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	EXPECT(m, "madvise 1 1 GUARD_INSTALL", "0");
	EXPECT(m, "mlock 0 4", "-1 ENOMEM");
	LAYOUT(m, "[0,4) rw-p off=0 rd wr mr mw me gu lo ac");
	EXPECT(m, "madvise 1 1 GUARD_INSTALL", "-1 EINVAL");
	EXPECT(m, "madvise 1 1 GUARD_REMOVE", "0");
	EXPECT(m, "mlock 0 4", "0");
	EXPECT(m, "read 0 4", "4 pages data=48b2c92616fc193d");
	EXPECT(m, "munlock 0 4", "0");
	EXPECT(m, "madvise 2 1 GUARD_INSTALL", "0");
	EXPECT(m, "mlock 1 2 1", "0");
	LAYOUT(m, "[0,1) rw-p off=0 rd wr mr mw me gu ac | [1,3) rw-p off=0 rd wr mr mw me gu lo lf ac | [3,4) rw-p off=0 rd wr mr mw me gu ac");
	EXPECT(m, "read 0 4", "2 pages SIGSEGV data=3325230e1f285505");
	model_destroy(m);
}

/*
 * `gu` never blocks a merge (VM_STICKY is ignored by is_mergeable_vma())
 * and the merged VMA keeps it, whichever side had it; but an install
 * gives an anonymous VMA an anon_vma, and two independent ones do not
 * merge.
 *   aa.bb + new -> aaa|bb;  AAbb -> bbbb;  aaBB -> aaaa;  AABBcc -> AAAAAA
 */
TEST(test_guard_merge)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 2 rw pf", "W+0");
	EXPECT(m, "mmap 3 2 rw pf", "W+3");
	EXPECT(m, "madvise 0 1 GUARD_INSTALL", "0");
	EXPECT(m, "madvise 3 1 GUARD_INSTALL", "0");
	EXPECT(m, "mmap 2 1 rw pf", "W+2");
	EXPECT(m, "mmap 10 2 r pf", "W+10");
	EXPECT(m, "mmap 12 2 rw pf", "W+12");
	EXPECT(m, "madvise 12 1 GUARD_INSTALL", "0");
	EXPECT(m, "mprotect 10 2 rw", "0");
	EXPECT(m, "mmap 20 2 rw pf", "W+20");
	EXPECT(m, "mmap 22 2 r pf", "W+22");
	EXPECT(m, "madvise 20 1 GUARD_INSTALL", "0");
	EXPECT(m, "mprotect 22 2 rw", "0");
	EXPECT(m, "mmap 30 2 rw pf", "W+30");
	EXPECT(m, "mmap 32 2 r pf", "W+32");
	EXPECT(m, "mmap 34 2 rw pf", "W+34");
	EXPECT(m, "madvise 34 1 GUARD_INSTALL", "0");
	EXPECT(m, "madvise 34 1 GUARD_REMOVE", "0");
	EXPECT(m, "mprotect 32 2 rw", "0");
	LAYOUT(m, "[0,3) rw-p off=0 rd wr mr mw me gu ac | [3,5) rw-p off=0 rd wr mr mw me gu ac | [10,14) rw-p off=0 rd wr mr mw me gu ac | [20,24) rw-p off=0 rd wr mr mw me gu ac | [30,36) rw-p off=0 rd wr mr mw me gu ac");
	EXPECT(m, "mmap 40 4 rw pf", "W+40");
	EXPECT(m, "madvise 41 1 GUARD_REMOVE", "0");
	LAYOUT(m, "[0,3) rw-p off=0 rd wr mr mw me gu ac | [3,5) rw-p off=0 rd wr mr mw me gu ac | [10,14) rw-p off=0 rd wr mr mw me gu ac | [20,24) rw-p off=0 rd wr mr mw me gu ac | [30,36) rw-p off=0 rd wr mr mw me gu ac | [40,44) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

/*
 * VM_MAYBE_GUARD is sticky (VM_STICKY): the part of a VMA that changes
 * may join a neighbour, which then gets `gu`, and the rest keeps it; an
 * mremap shrink and regrowth in place keep it.
 *   AAbB -> AAA|B;  aBBB -> a|BBB;  a#AA -> aaaaaa (read-only)
 */
TEST(test_guard_sticky)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 0 2 rw pf", "W+0");
	EXPECT(m, "mmap 2 2 r pf", "W+2");
	EXPECT(m, "madvise 2 1 GUARD_INSTALL", "0");
	EXPECT(m, "mprotect 2 1 rw", "0");
	EXPECT(m, "mmap 10 2 r pf", "W+10");
	EXPECT(m, "mmap 12 2 rw pf", "W+12");
	EXPECT(m, "madvise 10 1 GUARD_INSTALL", "0");
	EXPECT(m, "mprotect 11 1 rw", "0");
	EXPECT(m, "mmap 20 2 rw pf", "W+20");
	EXPECT(m, "madvise 20 1 GUARD_INSTALL", "0");
	EXPECT(m, "madvise 21 1 GUARD_REMOVE", "0");
	EXPECT(m, "mmap 22 2 rw pf", "W+22");
	EXPECT(m, "mprotect 20 4 r", "0");
	EXPECT(m, "mremap 20 4 2 0", "W+20");
	EXPECT(m, "mremap 20 2 6 0", "W+20");
	LAYOUT(m, "[0,3) rw-p off=0 rd wr mr mw me gu ac | [3,4) r--p off=0 rd mr mw me gu | [10,11) r--p off=0 rd mr mw me gu | [11,14) rw-p off=0 rd wr mr mw me gu ac | [20,26) r--p off=0 rd mr mw me gu ac");
	EXPECT(m, "read 20 6", "0 pages SIGSEGV data=2d06800538d394c2");
	model_destroy(m);
}

/*
 * mremap moves the markers with the pages (move_ptes); MREMAP_DONTUNMAP
 * leaves the source empty, with its `gu`; a partial move splits, both
 * parts keep `gu`; a shrink in place unmaps the tail's markers. (The
 * faulted VMA moved to 62 keeps its birth pgoff: no merge with 60.)
 *   a##a at 30 -> at 40 -> at 50 (40 empty) -> a#|aa at 54|52
 */
TEST(test_guard_mremap)
{
	struct model *m = new_model();

	EXPECT(m, "mmap 30 4 rw pf", "W+30");
	EXPECT(m, "touch 30 4", "4 pages");
	EXPECT(m, "madvise 31 2 GUARD_INSTALL", "0");
	EXPECT(m, "mremap 30 4 4 mf 40", "W+40");
	EXPECT(m, "read 40 4", "1 pages SIGSEGV data=e12ef9d2eb86ceeb");
	EXPECT(m, "read 30 1", "0 pages SIGSEGV data=2d06800538d394c2");
	EXPECT(m, "mremap 40 4 4 mfd 50", "W+50");
	LAYOUT(m, "[40,44) rw-p off=0 rd wr mr mw me gu ac | [50,54) rw-p off=0 rd wr mr mw me gu ac");
	EXPECT(m, "read 40 4", "4 pages data=48b2c92616fc193d");
	EXPECT(m, "read 50 4", "1 pages SIGSEGV data=e12ef9d2eb86ceeb");
	EXPECT(m, "madvise 50 4 GUARD_REMOVE", "0");
	EXPECT(m, "read 50 4", "4 pages data=5f3fac8078301896");
	EXPECT(m, "madvise 51 1 GUARD_INSTALL", "0");
	EXPECT(m, "mremap 50 2 2 mf 54", "W+54");
	EXPECT(m, "read 54 2", "1 pages SIGSEGV data=e12ef9d2eb86ceeb");
	EXPECT(m, "mremap 52 2 1 0", "W+52");
	EXPECT(m, "mremap 52 1 2 0", "W+52");
	EXPECT(m, "read 52 4", "3 pages SIGSEGV data=6f15e63fb37c575a");
	EXPECT(m, "mmap 60 2 rw pf", "W+60");
	EXPECT(m, "mremap 54 2 2 mf 62", "W+62");
	LAYOUT(m, "[40,44) rw-p off=0 rd wr mr mw me gu ac | [52,54) rw-p off=0 rd wr mr mw me gu ac | [60,62) rw-p off=0 rd wr mr mw me ac | [62,64) rw-p off=0 rd wr mr mw me gu ac");
	EXPECT(m, "read 60 4", "3 pages SIGSEGV data=6f15e63fb37c575a");
	model_destroy(m);
}

/*
 * Older kernels, from their source (not measured): before 6.13 both
 * advices are EINVAL (madvise_behavior_valid() does not know them); 6.13
 * and 6.14 take anonymous VMAs only (is_valid_guard_vma() tested
 * vma_is_anonymous()); without the probed VM_MAYBE_GUARD (mainline
 * before 6.19) no `gu` shows.
 */
TEST(test_guard_older_kernels)
{
	struct model_config cfg;
	struct model *m = model_new(KVER(6, 12, 0), 0);

	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	EXPECT(m, "madvise 0 1 GUARD_INSTALL", "-1 EINVAL");
	EXPECT(m, "madvise 0 1 GUARD_REMOVE", "-1 EINVAL");
	model_destroy(m);

	model_config_default(&cfg);
	cfg.kver = KVER(6, 14, 0);
	cfg.has_maybe_guard = 0;
	m = model_create(&cfg, NULL, 0);
	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	EXPECT(m, "mmap 4 4 rw sf", "W+4");
	EXPECT(m, "madvise 0 1 GUARD_INSTALL", "0");
	EXPECT(m, "madvise 4 1 GUARD_INSTALL", "-1 EINVAL");
	EXPECT(m, "madvise 4 1 GUARD_REMOVE", "-1 EINVAL");
	EXPECT(m, "read 0 2", "0 pages SIGSEGV data=2d06800538d394c2");
	LAYOUT(m, "[0,4) rw-p off=0 rd wr mr mw me ac | [4,8) rw-s off=0 rd wr sh mr mw me ms");
	model_destroy(m);
}

/* The data one read of window page pg returns (0 if it faults). */
static uint64_t read_data(struct model *m, uint64_t pg)
{
	struct outcome o;

	model_read(m, W + pg * PG, 1, &o);
	return o.sig ? 0 : o.data;
}

/*
 * MADV_FREE makes the private pages lazyfree; MADV_PAGEOUT (no swap on
 * this machine) discards the clean ones. Measured on 6.18.44 (C program
 * under setarch -R): values written, FREE over [0,8), then
 *
 *   0 1 2 3 4 5 6 7      after PAGEOUT of [0,8) and of [9,10):
 *   z D D z z z z D      z: reads 0, D: kept
 *
 * page 1 written again, 2 mlocked and unlocked (populate with FOLL_WRITE
 * dirties it), 3 POPULATE_READ, 4 MLOCK_ONFAULT, 5 mprotect r, 6 COLD
 * (none of which dirty it), 7 POPULATE_WRITE; page 9 is MAP_DROPPABLE:
 * discarded though dirty. Page 8 was never touched: the reference zero.
 */
TEST(test_free_pageout)
{
	struct model *m = new_model();
	struct outcome o;
	uint64_t zero;

	EXPECT(m, "mmap 0 9 rw pf", "W+0");
	EXPECT(m, "touch 0 8", "8 pages");
	model_mmap(m, W + 9 * PG, PG, PROT_READ | PROT_WRITE,
		   0x08 /* MAP_DROPPABLE */ | MAP_ANONYMOUS | MAP_FIXED, -1, 0,
		   &o);
	CHECK_EQ(o.ret, (int64_t)(W + 9 * PG));
	EXPECT(m, "touch 9 1", "1 pages");
	zero = read_data(m, 8);
	EXPECT(m, "madvise 0 8 FREE", "0");
	EXPECT(m, "touch 1 1", "1 pages");
	EXPECT(m, "mlock 2 1", "0");
	EXPECT(m, "munlock 2 1", "0");
	EXPECT(m, "madvise 3 1 POPULATE_READ", "0");
	model_mlock2(m, W + 4 * PG, PG, 1 /* MLOCK_ONFAULT */, &o);
	CHECK_EQ(o.ret, 0);
	EXPECT(m, "munlock 4 1", "0");
	EXPECT(m, "mprotect 5 1 r", "0");
	EXPECT(m, "madvise 6 1 COLD", "0");
	EXPECT(m, "madvise 7 1 POPULATE_WRITE", "0");
	EXPECT(m, "madvise 0 8 PAGEOUT", "0");
	EXPECT(m, "madvise 9 1 PAGEOUT", "0");
	for (uint64_t pg = 0; pg < 10; pg++)
		CHECK_EQ(read_data(m, pg) == zero,
			 pg != 1 && pg != 2 && pg != 7);
	model_destroy(m);
}

/*
 * After fork the child's pages are still the parent's folios (the parent
 * waits, mapping them): FREE and PAGEOUT skip them. A page the child
 * writes is its own and goes. Measured on 6.18.44:
 *
 *   0 1        child: FREE [0,2), touch 1, FREE [0,2), PAGEOUT [0,2)
 *   D z        D: kept (shared with the parent), z: reads 0
 */
TEST(test_free_after_fork)
{
	struct model *m = new_model();
	struct outcome o;
	uint64_t zero;

	EXPECT(m, "mmap 0 3 rw pf", "W+0");
	EXPECT(m, "touch 0 2", "2 pages");
	zero = read_data(m, 2);
	model_fork(m, &o);
	CHECK_EQ(o.ret, 0);
	EXPECT(m, "madvise 0 2 FREE", "0");
	EXPECT(m, "touch 1 1", "1 pages");
	EXPECT(m, "madvise 0 2 FREE", "0");
	EXPECT(m, "madvise 0 2 PAGEOUT", "0");
	CHECK(read_data(m, 0) != zero);
	CHECK_EQ(read_data(m, 1), zero);
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
	RUN(test_guard_install_remove);
	RUN(test_guard_refusals);
	RUN(test_guard_shared);
	RUN(test_guard_kept);
	RUN(test_guard_munmap);
	RUN(test_guard_mlock);
	RUN(test_guard_merge);
	RUN(test_guard_sticky);
	RUN(test_guard_mremap);
	RUN(test_guard_older_kernels);
	RUN(test_free_pageout);
	RUN(test_free_after_fork);
	return test_summary();
}
