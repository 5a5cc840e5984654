// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the model (model/). Every expected result and layout below
 * was taken from the real kernel (6.18.44 x86-64, this machine): the same
 * op lines were run by a small C program that maps in a window at
 * 0x100000000000 (W) and prints each call's result and the window's
 * /proc/self/smaps lines in exactly the format run() and layout() print
 * here (its touch wrote touch_byte(0, i) to the i-th page, its read
 * hashed the bytes with XXH3_64bits). Tests that needed a changed limit
 * or capability say how the experiment was run.
 *
 * Maps in comments follow tools/testing/vma/vma.c: one letter per page,
 * one letter per VMA, `.` unmapped, lower case for a faulted VMA (one
 * with an anon_vma).
 *
 * Op lines (page numbers relative to W, lengths in pages):
 *   mmap P N PROT FLAGS    PROT: r w x letters or 0x..; FLAGS: p private,
 *                          s shared, f fixed, n noreplace, g growsdown,
 *                          l locked, P populate, R noreserve, S stack,
 *                          h hugetlb (MAP_ANONYMOUS always) or 0x..
 *   mmapb A LEN PROT FLAGS raw address (0x.. or page) and byte length
 *   munmap P N / munmapb A LEN, mprotect P N PROT / mprotectb A LEN PROT
 *   touch P N, read P N    one byte per page at W + (P + i) pages (or at
 *                          a raw 0x.. address + i pages)
 */
#include "model_test.h"

/* Runs one op line on m; the result as the kernel-side program prints it. */
static const char *run(struct model *m, const char *line)
{
	static char res[128];
	char op[16], a[32], b[32], c[32], d[32];
	struct outcome o;

	sscanf(line, "%15s %31s %31s %31s %31s", op, a, b, c, d);
	if (!strcmp(op, "mmap") || !strcmp(op, "mmapb")) {
		uint64_t len = strtoull(b, NULL, 0) * (op[4] ? 1 : PG);

		model_mmap(m, addr_of(a), len, prot_of(c), flags_of(d), -1, 0,
			   &o);
		if (o.ret == -1)
			snprintf(res, sizeof(res), "-1 %s", errname(o.err));
		else if (op[4])
			snprintf(res, sizeof(res), "%#llx",
				 (unsigned long long)o.ret);
		else
			snprintf(res, sizeof(res), "W+%lld",
				 (long long)((uint64_t)o.ret - W) / (long long)PG);
		return res;
	}
	if (!strcmp(op, "touch") || !strcmp(op, "read")) {
		run_access(m, op, addr_of(a), strtoull(b, NULL, 0), res,
			   sizeof(res));
		return res;
	}
	if (!strcmp(op, "munmap") || !strcmp(op, "munmapb"))
		model_munmap(m, addr_of(a),
			     strtoull(b, NULL, 0) * (op[6] ? 1 : PG), &o);
	else
		model_mprotect(m, addr_of(a),
			       strtoull(b, NULL, 0) * (op[8] ? 1 : PG),
			       prot_of(c), &o);
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

static struct model *new_model_max(uint64_t max_map_count)
{
	return model_new(0, max_map_count);
}

/* Two adjacent fixed mmaps with equal flags merge; a third joins. */
TEST(test_fixed_adjacent_merge)
{
	struct model *m = new_model();

	/* AAAA BBBB -> AAAAAAAA */
	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	EXPECT(m, "mmap 4 4 rw pf", "W+4");
	LAYOUT(m, "[0,8) rw-p off=0 rd wr mr mw me ac");
	/* aaaaaaaa BB -> aaaaaaaaaa (faulted prev, unfaulted new range) */
	EXPECT(m, "touch 0 1", "1 pages");
	EXPECT(m, "mmap 8 2 rw pf", "W+8");
	LAYOUT(m, "[0,10) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

/*
 * mmap argument validation, in the kernel's order (sys_mmap,
 * ksys_mmap_pgoff, do_mmap, __get_unmapped_area, the type switch,
 * mmap_region). Kernel experiment: each row's mmap() called in turn on a
 * window where only W+256 (one RO page) was mapped; successful ones were
 * unmapped again.
 */
struct mmap_case {
	const char *what;
	uint64_t addr, len, prot, flags, off;
	int64_t ret;
	int err;
};

static const struct mmap_case mmap_cases[] = {
	{"unaligned off before anything", 0, 0, 0x1, 0, 0x1, -1, EINVAL},
	{"not anonymous: EBADF even with len 0", 0, 0, 0x1, 0x2, 0, -1, EBADF},
	{"len 0", 0x100000000000, 0, 0x3, 0x32, 0, -1, EINVAL},
	{"len 0 beats PAGE_ALIGN overflow order", 0x100000000000, 0, 0x3, 0, 0, -1, EBADF},
	{"PAGE_ALIGN(len) wraps", 0x100000000000, 0xffffffffffffffff, 0x3, 0x32, 0, -1, ENOMEM},
	{"PAGE_ALIGN(len) wraps, type 0", 0x100000000000, 0xfffffffffffff001, 0x3, 0, 0, -1, EBADF},
	{"len > TASK_SIZE fixed", 0x100000000000, 0x800000000000, 0x3, 0x32, 0, -1, ENOMEM},
	{"fixed end beyond TASK_SIZE", 0x7ffffffff000, 0x2000, 0x3, 0x32, 0, -1, ENOMEM},
	{"fixed last page", 0x7fffffffe000, 0x1000, 0x3, 0x32, 0, 0x7fffffffe000, 0},
	{"fixed at TASK_SIZE", 0x7ffffffff000, 0x1000, 0x3, 0x32, 0, -1, ENOMEM},
	{"fixed unaligned", 0x100000000001, 0x1000, 0x3, 0x32, 0, -1, EINVAL},
	{"noreplace unaligned", 0x100000000001, 0x1000, 0x3, 0x100022, 0, -1, EINVAL},
	{"noreplace over existing", 0x100000100000, 0x1000, 0x3, 0x100022, 0, -1, EEXIST},
	{"noreplace over existing, bad type", 0x100000100000, 0x1000, 0x3, 0x100020, 0, -1, EEXIST},
	{"noreplace over existing, validate", 0x100000100000, 0x1000, 0x3, 0x100023, 0, -1, EEXIST},
	{"fixed, type 0", 0x100000000000, 0x1000, 0x3, 0x30, 0, -1, EINVAL},
	{"fixed, validate", 0x100000000000, 0x1000, 0x3, 0x33, 0, -1, EINVAL},
	{"fixed, validate+unknown", 0x100000000000, 0x1000, 0x3, 0x800033, 0, -1, EINVAL},
	{"fixed, type 4", 0x100000000000, 0x1000, 0x3, 0x34, 0, -1, EINVAL},
	{"fixed, droppable", 0x100000000000, 0x1000, 0x3, 0x38, 0, 0x100000000000, 0},
	{"fixed, droppable|private", 0x100000000000, 0x1000, 0x3, 0x3a, 0, -1, EINVAL},
	{"fixed, droppable locked", 0x100000000000, 0x1000, 0x3, 0x2038, 0, -1, EINVAL},
	{"fixed, droppable growsdown", 0x100000000000, 0x1000, 0x3, 0x138, 0, -1, EINVAL},
	{"fixed, shared growsdown", 0x100000000000, 0x1000, 0x3, 0x131, 0, -1, EINVAL},
	{"fixed, private growsdown", 0x100000000000, 0x1000, 0x3, 0x132, 0, 0x100000000000, 0},
	{"fixed, shared with offset (ignored)", 0x100000000000, 0x1000, 0x3, 0x31, 0x5000, 0x100000000000, 0},
	{"fixed, prot junk", 0x100000000000, 0x1000, 0xfff0, 0x32, 0, 0x100000000000, 0},
	{"fixed, prot growsdown", 0x100000000000, 0x1000, 0x1000003, 0x32, 0, 0x100000000000, 0},
	{"fixed at 0 (root: CAP_SYS_RAWIO)", 0, 0x1000, 0x3, 0x32, 0, 0, 0},
	{"hugetlb bad size", 0x100000000000, 0x1000, 0x3, 0x50040032, 0, -1, EINVAL},
	{"hugetlb fixed unaligned", 0x100000001000, 0x1000, 0x3, 0x40032, 0, -1, EINVAL},
	{"hugetlb fixed no pages", 0x100000000000, 0x1000, 0x3, 0x40032, 0, -1, ENOMEM},
	{"hugetlb noreserve unaligned off", 0x100000000000, 0x1000, 0x3, 0x44032, 0x1000, -1, EINVAL},
	{"hugetlb validate unknown", 0x100000000000, 0x1000, 0x3, 0x840033, 0, -1, EOPNOTSUPP},
	{"hugetlb validate noreplace", 0x100000000000, 0x1000, 0x3, 0x140023, 0, -1, EOPNOTSUPP},
	{"hugetlb growsdown", 0x100000000000, 0x1000, 0x3, 0x40132, 0, -1, EINVAL},
	{"hugetlb droppable", 0x100000000000, 0x1000, 0x3, 0x40038, 0, -1, EINVAL},
	{"hugetlb type0", 0x100000000000, 0x1000, 0x3, 0x40030, 0, -1, EINVAL},
	{"hugetlb huge off EOVERFLOW", 0x100000000000, 0x1000, 0x3, 0x40032, 0x7fffffffffe00000, -1, EOVERFLOW},
	{"hugetlb len wraps", 0x100000000000, 0xfffffffffffff000, 0x3, 0x40032, 0, -1, EINVAL},
	{"RW beyond RAM (overcommit guess)", 0x100000000000, 0x5e2991000, 0x3, 0x32, 0, -1, ENOMEM},
	{"RW exactly RAM", 0x100000000000, 0x5e2990000, 0x3, 0x32, 0, 0x100000000000, 0},
	{"RW beyond RAM noreserve", 0x100000000000, 0x5e2991000, 0x3, 0x4032, 0, 0x100000000000, 0},
	{"RO beyond RAM", 0x100000000000, 0x5e2991000, 0x1, 0x32, 0, 0x100000000000, 0},
	{"shared RO beyond RAM", 0x100000000000, 0x5e2991000, 0x1, 0x31, 0, -1, ENOMEM},
	{"shared noreserve beyond RAM", 0x100000000000, 0x5e2991000, 0x1, 0x4031, 0, 0x100000000000, 0},
	{"locked populate private", 0x100000000000, 0x2000, 0x3, 0x2032, 0, 0x100000000000, 0},
	{"sync", 0x100000000000, 0x2000, 0x3, 0x80032, 0, 0x100000000000, 0},
	{"32bit fixed high", 0x100000000000, 0x2000, 0x3, 0x72, 0, 0x100000000000, 0},
	{"fixed at -1: the address reads as -EPERM", 0xffffffffffffffff, 0xffff, 0x3, 0x32, 0, -1, EPERM},
	{"fixed at -12: ENOMEM", 0xfffffffffffffff4, 0x1000, 0x3, 0x32, 0, -1, ENOMEM},
	{"fixed at -4095: errno 4095", 0xfffffffffffff001, 0x1000, 0x3, 0x32, 0, -1, 4095},
	{"fixed at -4096: a real address, too high", 0xfffffffffffff000, 0x1000, 0x3, 0x32, 0, -1, ENOMEM},
	{"shared fixed at -22", 0xffffffffffffffea, 0x1000, 0x3, 0x31, 0, -1, EINVAL},
	{"noreplace at -1", 0xffffffffffffffff, 0x1000, 0x3, 0x100022, 0, -1, EPERM},
	{"hugetlb fixed at -1: unaligned first", 0xffffffffffffffff, 0x1000, 0x3, 0x44032, 0, -1, EINVAL},
	{"fixed at -1, len > TASK_SIZE", 0xffffffffffffffff, 0x800000000000, 0x3, 0x32, 0, -1, ENOMEM},
};

TEST(test_mmap_validation)
{
	struct model *m = new_model();
	struct outcome o;

	EXPECT(m, "mmap 256 1 r pf", "W+256");
	for (size_t i = 0; i < sizeof(mmap_cases) / sizeof(mmap_cases[0]); i++) {
		const struct mmap_case *c = &mmap_cases[i];

		model_mmap(m, c->addr, c->len, c->prot, c->flags, -1, c->off,
			   &o);
		if (o.ret != c->ret || o.err != c->err) {
			fprintf(stderr, "%s: %s: model %lld %s\n", test_cur,
				c->what, (long long)o.ret, errname(o.err));
			test_cur_failed = 1;
		}
		if (o.ret != -1)
			model_munmap(m, (uint64_t)o.ret, c->len, &o);
	}
	model_destroy(m);
}

/*
 * anon_vma compatibility, 6.16 rules (is_mergeable_anon_vma): a new range
 * or a VMA without anon_vma may merge with a faulted neighbour.
 * Letters: one per page; lower case = faulted (has an anon_vma).
 */
TEST(test_anon_unfaulted_prev_faulted_next)
{
	struct model *m = new_model();

	/* ....bbbb + AAAA -> bbbbbbbb (new range into faulted next) */
	EXPECT(m, "mmap 4 4 rw pf", "W+4");
	EXPECT(m, "touch 4 1", "1 pages");
	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	LAYOUT(m, "[0,8) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

TEST(test_anon_existing_faulted_into_unfaulted)
{
	struct model *m = new_model();

	/* AAAABBBB (NORESERVE: no VM_ACCOUNT to tell them apart), A RO,
	 * B faulted: AAAAbbbb */
	EXPECT(m, "mmap 0 8 rw pfR", "W+0");
	EXPECT(m, "mprotect 0 4 r", "0");
	EXPECT(m, "touch 4 1", "1 pages");
	LAYOUT(m, "[0,4) r--p off=0 rd mr mw me nr | [4,8) rw-p off=0 rd wr mr mw me nr");
	/* AAAAbbbb -> aaaaaaaa: the faulted middle merges into the
	 * unfaulted prev, which gets its anon_vma (dup_anon_vma); refused
	 * before 6.16 */
	EXPECT(m, "mprotect 4 4 r", "0");
	LAYOUT(m, "[0,8) r--p off=0 rd mr mw me nr");
	model_destroy(m);
}

TEST(test_anon_independent_faulted)
{
	struct model *m = new_model();

	/* aaaa....cccc: faulted apart, so two different anon_vmas */
	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	EXPECT(m, "touch 0 1", "1 pages");
	EXPECT(m, "mmap 8 4 rw pf", "W+8");
	EXPECT(m, "touch 8 1", "1 pages");
	/* aaaaBBBBcccc -> aaaaaaaacccc: B could join either, but prev and
	 * next are incompatible, so only the left merge happens */
	EXPECT(m, "mmap 4 4 rw pf", "W+4");
	LAYOUT(m, "[0,8) rw-p off=0 rd wr mr mw me ac | [8,12) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

TEST(test_anon_reuse_neighbour)
{
	struct model *m = new_model();

	/* aaaaBBBB, B rwx: differs from A only in R/W/X, so B's first fault
	 * reuses A's anon_vma (find_mergeable_anon_vma) */
	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	EXPECT(m, "touch 0 1", "1 pages");
	EXPECT(m, "mmap 4 4 rwx pf", "W+4");
	EXPECT(m, "touch 4 1", "1 pages");
	LAYOUT(m, "[0,4) rw-p off=0 rd wr mr mw me ac | [4,8) rwxp off=0 rd wr ex mr mw me ac");
	/* aaaabbbb -> aaaaaaaa: same anon_vma, so they merge */
	EXPECT(m, "mprotect 4 4 rw", "0");
	LAYOUT(m, "[0,8) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

TEST(test_anon_mprotect_middle_both_faulted)
{
	struct model *m = new_model();

	/* aaaaBBBBcccc, B RO and unfaulted, a and c different anon_vmas */
	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	EXPECT(m, "touch 0 1", "1 pages");
	EXPECT(m, "mmap 8 4 rw pf", "W+8");
	EXPECT(m, "touch 8 1", "1 pages");
	EXPECT(m, "mmap 4 4 r pf", "W+4");
	LAYOUT(m, "[0,4) rw-p off=0 rd wr mr mw me ac | [4,8) r--p off=0 rd mr mw me | [8,12) rw-p off=0 rd wr mr mw me ac");
	/* -> aaaaaaaacccc: the both-sided merge falls back to left only */
	EXPECT(m, "mprotect 4 4 rw", "0");
	LAYOUT(m, "[0,8) rw-p off=0 rd wr mr mw me ac | [8,12) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

TEST(test_anon_split_shares)
{
	struct model *m = new_model();

	/* aaaaaaaaaaaa -> aaaaBBBBcccc: the split pieces share the anon_vma
	 * (and B keeps VM_ACCOUNT: it is faulted) */
	EXPECT(m, "mmap 0 12 rw pf", "W+0");
	EXPECT(m, "touch 0 1", "1 pages");
	EXPECT(m, "mprotect 4 4 r", "0");
	LAYOUT(m, "[0,4) rw-p off=0 rd wr mr mw me ac | [4,8) r--p off=0 rd mr mw me ac | [8,12) rw-p off=0 rd wr mr mw me ac");
	/* -> aaaaaaaaaaaa: all three merge back */
	EXPECT(m, "mprotect 4 4 rw", "0");
	LAYOUT(m, "[0,12) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

/*
 * VM_ACCOUNT: RO-created (no ac), RW-unfaulted -> RO (ac dropped) and
 * RW-faulted -> RO (ac kept) are what mprotect_fixup() makes of them.
 */
TEST(test_account_three_states)
{
	struct model *m = new_model();

	/* AAAA BBBB cccc: A created RO, B RW unfaulted -> RO, c RW faulted
	 * -> RO: AAAAAAAAcccc (only c keeps ac) */
	EXPECT(m, "mmap 0 4 r pf", "W+0");
	EXPECT(m, "mmap 4 4 rw pf", "W+4");
	EXPECT(m, "mprotect 4 4 r", "0");
	EXPECT(m, "mmap 8 4 rw pf", "W+8");
	EXPECT(m, "touch 8 1", "1 pages");
	EXPECT(m, "mprotect 8 4 r", "0");
	LAYOUT(m, "[0,8) r--p off=0 rd mr mw me | [8,12) r--p off=0 rd mr mw me ac");
	/* making them all RW gives A ac again: one VMA */
	EXPECT(m, "mprotect 0 12 rw", "0");
	LAYOUT(m, "[0,12) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

TEST(test_mprotect_account_rules)
{
	struct model *m = new_model();

	/* NORESERVE and shared VMAs never get ac from mprotect; a private
	 * RO VMA made RW gets it and loses it again while unfaulted */
	EXPECT(m, "mmap 0 4 r pfR", "W+0");
	EXPECT(m, "mprotect 0 4 rw", "0");
	LAYOUT(m, "[0,4) rw-p off=0 rd wr mr mw me nr");
	EXPECT(m, "mmap 4 4 r sf", "W+4");
	EXPECT(m, "mprotect 4 4 rw", "0");
	LAYOUT(m, "[0,4) rw-p off=0 rd wr mr mw me nr | [4,8) rw-s off=0 rd wr sh mr mw me ms");
	EXPECT(m, "mmap 8 4 r pf", "W+8");
	EXPECT(m, "mprotect 8 4 rw", "0");
	EXPECT(m, "mprotect 8 4 r", "0");
	LAYOUT(m, "[0,4) rw-p off=0 rd wr mr mw me nr | [4,8) rw-s off=0 rd wr sh mr mw me ms | [8,12) r--p off=0 rd mr mw me");
	model_destroy(m);
}

TEST(test_mprotect_hole_nonatomic)
{
	struct model *m = new_model();

	/* AAAA.BBBB: mprotect over the hole fails with A already changed */
	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	EXPECT(m, "mmap 5 4 rw pf", "W+5");
	EXPECT(m, "mprotect 0 9 r", "-1 ENOMEM");
	LAYOUT(m, "[0,4) r--p off=0 rd mr mw me | [5,9) rw-p off=0 rd wr mr mw me ac");
	/* starting in the hole: nothing happens */
	EXPECT(m, "mprotect 4 5 r", "-1 ENOMEM");
	/* AAAA -> AACA: two splits */
	EXPECT(m, "mprotect 2 1 rw", "0");
	LAYOUT(m, "[0,2) r--p off=0 rd mr mw me | [2,3) rw-p off=0 rd wr mr mw me ac | [3,4) r--p off=0 rd mr mw me | [5,9) rw-p off=0 rd wr mr mw me ac");
	/* AACA -> AAAA: a both-sided merge */
	EXPECT(m, "mprotect 2 1 r", "0");
	LAYOUT(m, "[0,4) r--p off=0 rd mr mw me | [5,9) rw-p off=0 rd wr mr mw me ac");
	/* AAAA -> ACCC: one split at the start, the range reaches the end */
	EXPECT(m, "mprotect 1 3 rw", "0");
	LAYOUT(m, "[0,1) r--p off=0 rd mr mw me | [1,4) rw-p off=0 rd wr mr mw me ac | [5,9) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

TEST(test_mprotect_errors)
{
	struct model *m = new_model();

	/* AAAA; do_mprotect_pkey() checks in order: unaligned start, len 0
	 * (success even with bad prot), end overflow, unknown prot bits,
	 * both GROWS bits, no VMA */
	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	EXPECT(m, "mprotectb 0x100000000001 4096 0x1", "-1 EINVAL");
	EXPECT(m, "mprotectb 0x100000000000 0 0x100", "0");
	EXPECT(m, "mprotectb 0x100000000000 4096 0x10", "-1 EINVAL");
	/* PROT_SEM alone is accepted and means PROT_NONE: BAAA */
	EXPECT(m, "mprotectb 0x100000000000 4096 0x8", "0");
	EXPECT(m, "mprotectb 0x100000000000 4096 0x3000001", "-1 EINVAL");
	EXPECT(m, "mprotectb 0xfffffffffffff000 8192 0x1", "-1 ENOMEM");
	EXPECT(m, "mprotect 10 2 r", "-1 ENOMEM");
	/* PROT_GROWSUP: x86 has no VM_GROWSUP */
	EXPECT(m, "mprotectb 0x100000000000 4096 0x2000001", "-1 EINVAL");
	LAYOUT(m, "[0,1) ---p off=0 mr mw me | [1,4) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

TEST(test_mprotect_growsdown)
{
	struct model *m = new_model();

	/* AA........GGGG: PROT_GROWSDOWN from page 6 (a hole) extends the
	 * range down to G's start: the first G page becomes RO */
	EXPECT(m, "mmap 0 2 r pf", "W+0");
	EXPECT(m, "mmap 10 4 rw pfg", "W+10");
	EXPECT(m, "mprotectb 0x100000006000 20480 0x1000001", "0");
	LAYOUT(m, "[0,2) r--p off=0 rd mr mw me | [10,11) r--p off=0 rd mr mw me gd | [11,14) rw-p off=0 rd wr mr mw me gd ac");
	/* on a VMA without VM_GROWSDOWN: EINVAL */
	EXPECT(m, "mprotectb 0x100000000000 4096 0x1000003", "-1 EINVAL");
	/* from page 12: pages 11-12 of G become PROT_NONE */
	EXPECT(m, "mprotectb 0x10000000c000 4096 0x1000000", "0");
	LAYOUT(m, "[0,2) r--p off=0 rd mr mw me | [10,11) r--p off=0 rd mr mw me gd | [11,13) ---p off=0 mr mw me gd | [13,14) rw-p off=0 rd wr mr mw me gd ac");
	model_destroy(m);
}

TEST(test_munmap_holes_splits)
{
	struct model *m = new_model();

	/* AAAAAAAAAAAAAAAA -> AAAA..AAAAAAAAAA (a 3-way split) */
	EXPECT(m, "mmap 0 16 rw pf", "W+0");
	EXPECT(m, "munmap 4 2", "0");
	LAYOUT(m, "[0,4) rw-p off=0 rd wr mr mw me ac | [6,16) rw-p off=0 rd wr mr mw me ac");
	/* -> .AAA..AAAAAAAAAA */
	EXPECT(m, "munmap 0 1", "0");
	LAYOUT(m, "[1,4) rw-p off=0 rd wr mr mw me ac | [6,16) rw-p off=0 rd wr mr mw me ac");
	/* -> .A.............. across a hole and past the end */
	EXPECT(m, "munmap 2 20", "0");
	LAYOUT(m, "[1,2) rw-p off=0 rd wr mr mw me ac");
	/* unaligned start, zero length, beyond TASK_SIZE: EINVAL; an
	 * unmapped range: success */
	EXPECT(m, "munmapb 0x100000001001 4096", "-1 EINVAL");
	EXPECT(m, "munmapb 0x100000001000 0", "-1 EINVAL");
	EXPECT(m, "munmap 100 1", "0");
	EXPECT(m, "munmapb 0x7ffffffff000 4096", "-1 EINVAL");
	EXPECT(m, "munmapb 0x100000000000 0x7ffffffff000", "-1 EINVAL");
	EXPECT(m, "munmapb 0x7fffffffe000 4096", "0");
	LAYOUT(m, "[1,2) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

TEST(test_noreplace_eexist)
{
	struct model *m = new_model();

	/* ....AAAA: NOREPLACE over page 4 is EEXIST, next to it fine */
	EXPECT(m, "mmap 4 4 rw pf", "W+4");
	EXPECT(m, "mmap 0 5 rw pn", "-1 EEXIST");
	EXPECT(m, "mmap 0 4 rw pn", "W+0");
	EXPECT(m, "mmap 8 2 r pn", "W+8");
	LAYOUT(m, "[0,8) rw-p off=0 rd wr mr mw me ac | [8,10) r--p off=0 rd mr mw me");
	EXPECT(m, "mmap 3 2 r sn", "-1 EEXIST");
	LAYOUT(m, "[0,8) rw-p off=0 rd wr mr mw me ac | [8,10) r--p off=0 rd mr mw me");
	model_destroy(m);
}

TEST(test_shared_never_merge)
{
	struct model *m = new_model();

	/* SSSS TTTT: each shared mmap is a new shmem object: no merge;
	 * maps shows the object offset */
	EXPECT(m, "mmap 0 4 rw sf", "W+0");
	EXPECT(m, "mmap 4 4 rw sf", "W+4");
	LAYOUT(m, "[0,4) rw-s off=0 rd wr sh mr mw me ms | [4,8) rw-s off=0 rd wr sh mr mw me ms");
	/* SsSS: split pieces of one object carry its offsets ... */
	EXPECT(m, "mprotect 1 1 r", "0");
	LAYOUT(m, "[0,1) rw-s off=0 rd wr sh mr mw me ms | [1,2) r--s off=1000 rd sh mr mw me ms | [2,4) rw-s off=2000 rd wr sh mr mw me ms | [4,8) rw-s off=0 rd wr sh mr mw me ms");
	/* ... and merge back */
	EXPECT(m, "mprotect 1 1 rw", "0");
	LAYOUT(m, "[0,4) rw-s off=0 rd wr sh mr mw me ms | [4,8) rw-s off=0 rd wr sh mr mw me ms");
	/* data lives in the object: SSUUUUTT, U a new object, reads 0 */
	EXPECT(m, "touch 0 2", "2 pages");
	EXPECT(m, "read 0 4", "4 pages data=ee0ad52b2a38f0d3");
	EXPECT(m, "mmap 2 4 rw sf", "W+2");
	EXPECT(m, "read 0 4", "4 pages data=ee0ad52b2a38f0d3");
	LAYOUT(m, "[0,2) rw-s off=0 rd wr sh mr mw me ms | [2,6) rw-s off=0 rd wr sh mr mw me ms | [6,8) rw-s off=2000 rd wr sh mr mw me ms");
	model_destroy(m);
}

TEST(test_shared_private_neighbours)
{
	struct model *m = new_model();

	/* AAAASSSSBBBB: no merge across S; after S goes, a private mmap
	 * joins both sides: AAAAAAAAAAAA */
	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	EXPECT(m, "mmap 4 4 rw sf", "W+4");
	EXPECT(m, "mmap 8 4 rw pf", "W+8");
	LAYOUT(m, "[0,4) rw-p off=0 rd wr mr mw me ac | [4,8) rw-s off=0 rd wr sh mr mw me ms | [8,12) rw-p off=0 rd wr mr mw me ac");
	EXPECT(m, "munmap 4 4", "0");
	EXPECT(m, "mmap 4 4 rw pf", "W+4");
	LAYOUT(m, "[0,12) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

/*
 * Stack growth: an access below a VM_GROWSDOWN VMA grows it down to the
 * page (lock_mm_and_find_vma, expand_downwards, acct_stack_growth).
 */
TEST(test_growsdown_touch)
{
	struct model *m = new_model();

	/* ...GGGG -> ..gGGGG -> ...: writes and reads alike, unaligned too */
	EXPECT(m, "mmap 600 4 rw pfg", "W+600");
	EXPECT(m, "touch 599 1", "1 pages");
	LAYOUT(m, "[599,604) rw-p off=0 rd wr mr mw me gd ac");
	EXPECT(m, "touch 0x10000024f123 1", "1 pages");
	LAYOUT(m, "[591,604) rw-p off=0 rd wr mr mw me gd ac");
	EXPECT(m, "read 580 1", "1 pages data=c44bdff4074eecdb");
	LAYOUT(m, "[580,604) rw-p off=0 rd wr mr mw me gd ac");
	model_destroy(m);
}

TEST(test_growsdown_guard_gap)
{
	struct model *m = new_model();

	/* A.....GGGG: growth must stay stack_guard_gap (256 pages) above an
	 * accessible prev: down to page 257 but not 256 */
	EXPECT(m, "mmap 0 1 r pf", "W+0");
	EXPECT(m, "mmap 300 4 rw pfg", "W+300");
	EXPECT(m, "touch 299 1", "1 pages");
	LAYOUT(m, "[0,1) r--p off=0 rd mr mw me | [299,304) rw-p off=0 rd wr mr mw me gd ac");
	EXPECT(m, "touch 200 1", "0 pages SIGSEGV");
	LAYOUT(m, "[0,1) r--p off=0 rd mr mw me | [299,304) rw-p off=0 rd wr mr mw me gd ac");
	EXPECT(m, "touch 257 1", "1 pages");
	LAYOUT(m, "[0,1) r--p off=0 rd mr mw me | [257,304) rw-p off=0 rd wr mr mw me gd ac");
	EXPECT(m, "touch 256 1", "0 pages SIGSEGV");
	LAYOUT(m, "[0,1) r--p off=0 rd mr mw me | [257,304) rw-p off=0 rd wr mr mw me gd ac");
	model_destroy(m);
}

TEST(test_growsdown_prev_none)
{
	struct model *m = new_model();

	/* N...GGGG: a PROT_NONE prev needs no guard gap */
	EXPECT(m, "mmap 0 1 0 pf", "W+0");
	EXPECT(m, "mmap 100 4 rw pfg", "W+100");
	EXPECT(m, "touch 50 1", "1 pages");
	LAYOUT(m, "[0,1) ---p off=0 mr mw me | [50,104) rw-p off=0 rd wr mr mw me gd ac");
	model_destroy(m);
}

TEST(test_growsdown_prev_growsdown)
{
	struct model *m = new_model();

	/* F...GGGG: nor does a VM_GROWSDOWN prev */
	EXPECT(m, "mmap 0 1 r pfg", "W+0");
	EXPECT(m, "mmap 100 4 rw pfg", "W+100");
	EXPECT(m, "touch 2 1", "1 pages");
	LAYOUT(m, "[0,1) r--p off=0 rd mr mw me gd | [2,104) rw-p off=0 rd wr mr mw me gd ac");
	model_destroy(m);
}

TEST(test_growsdown_rlimit)
{
	struct model *m = new_model();

	/* ...GGGG: RLIMIT_STACK (8 MiB = 2048 pages) bounds the whole VMA:
	 * 2048 pages fit, 2049 do not */
	EXPECT(m, "mmap 3000 4 rw pfg", "W+3000");
	EXPECT(m, "touch 955 1", "0 pages SIGSEGV");
	LAYOUT(m, "[3000,3004) rw-p off=0 rd wr mr mw me gd ac");
	EXPECT(m, "touch 956 1", "1 pages");
	LAYOUT(m, "[956,3004) rw-p off=0 rd wr mr mw me gd ac");
	EXPECT(m, "touch 955 1", "0 pages SIGSEGV");
	LAYOUT(m, "[956,3004) rw-p off=0 rd wr mr mw me gd ac");
	model_destroy(m);
}

TEST(test_growsdown_failed_growth_faults)
{
	struct model *m = new_model();

	/* GGGG....cccc: a growth refused by RLIMIT_STACK still prepared G's
	 * anon_vma (expand_downwards), so BBBB merges left only */
	EXPECT(m, "mmap 3000 4 rw pfg", "W+3000");
	EXPECT(m, "touch 955 1", "0 pages SIGSEGV");
	EXPECT(m, "mmap 3008 4 rw pfg", "W+3008");
	EXPECT(m, "touch 3008 1", "1 pages");
	EXPECT(m, "mmap 3004 4 rw pfg", "W+3004");
	LAYOUT(m, "[3000,3008) rw-p off=0 rd wr mr mw me gd ac | [3008,3012) rw-p off=0 rd wr mr mw me gd ac");
	model_destroy(m);

	/* without the failed touch all three merge */
	m = new_model();
	EXPECT(m, "mmap 3000 4 rw pfg", "W+3000");
	EXPECT(m, "mmap 3008 4 rw pfg", "W+3008");
	EXPECT(m, "touch 3008 1", "1 pages");
	EXPECT(m, "mmap 3004 4 rw pfg", "W+3004");
	LAYOUT(m, "[3000,3012) rw-p off=0 rd wr mr mw me gd ac");
	model_destroy(m);
}

TEST(test_growsdown_access)
{
	struct model *m = new_model();

	/* ...RRRR: the VMA grows before access_error() is checked, so a
	 * write below a RO stack grows it and still faults */
	EXPECT(m, "mmap 100 4 r pfg", "W+100");
	EXPECT(m, "touch 90 1", "0 pages SIGSEGV");
	LAYOUT(m, "[90,104) r--p off=0 rd mr mw me gd");
	EXPECT(m, "read 80 1", "1 pages data=c44bdff4074eecdb");
	LAYOUT(m, "[80,104) r--p off=0 rd mr mw me gd");
	model_destroy(m);

	/* ...NNNN: and so does a read below a PROT_NONE one */
	m = new_model();
	EXPECT(m, "mmap 100 4 0 pfg", "W+100");
	EXPECT(m, "read 90 1", "0 pages SIGSEGV data=2d06800538d394c2");
	LAYOUT(m, "[90,104) ---p off=0 mr mw me gd");
	model_destroy(m);
}

/*
 * touch/read: one byte per page at addr + i pages; the result counts the
 * pages accessed before a fault, read hashes the bytes it got (xxh3).
 */
TEST(test_touch_read_data)
{
	struct model *m = new_model();

	/* AAAA.: bytes 1, 2 written at offset 0 of pages 0-1 */
	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	EXPECT(m, "touch 0 2", "2 pages");
	EXPECT(m, "read 0 4", "4 pages data=ee0ad52b2a38f0d3");
	EXPECT(m, "read 0 6", "4 pages SIGSEGV data=ee0ad52b2a38f0d3");
	/* an unaligned touch writes at that offset of each page */
	EXPECT(m, "touch 0x100000000123 2", "2 pages");
	EXPECT(m, "read 0 2", "2 pages data=08130b77ddef5807");
	EXPECT(m, "read 0x100000000123 3", "3 pages data=d78bdc59d53b1ffc");
	/* MAP_FIXED over page 1 drops its contents */
	EXPECT(m, "mmap 1 1 rw pf", "W+1");
	EXPECT(m, "read 0 3", "3 pages data=bac0c69c15810e04");
	model_destroy(m);
}

TEST(test_page_lifetime)
{
	struct model *m = new_model();

	/* aaaa: mprotect keeps the pages, MAP_FIXED and munmap drop them */
	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	EXPECT(m, "touch 0 4", "4 pages");
	EXPECT(m, "read 0 4", "4 pages data=988b7b9033ac4622");
	EXPECT(m, "mprotect 0 4 r", "0");
	EXPECT(m, "read 0 4", "4 pages data=988b7b9033ac4622");
	EXPECT(m, "mmap 2 1 rw pf", "W+2");
	EXPECT(m, "read 0 4", "4 pages data=12dd25aef059c4c4");
	EXPECT(m, "munmap 0 4", "0");
	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	EXPECT(m, "read 0 4", "4 pages data=48b2c92616fc193d");
	/* SS: shared pages belong to the object, whatever VMA maps them */
	EXPECT(m, "mmap 8 2 rw sf", "W+8");
	EXPECT(m, "touch 8 2", "2 pages");
	EXPECT(m, "mprotect 8 1 r", "0");
	EXPECT(m, "read 8 2", "2 pages data=08130b77ddef5807");
	EXPECT(m, "munmap 9 1", "0");
	EXPECT(m, "read 8 1", "1 pages data=e12ef9d2eb86ceeb");
	model_destroy(m);
}

TEST(test_access_rules)
{
	struct model *m = new_model();

	/* NRWXA (PROT_NONE, r, w, x, rw): x86 reads anything with R, W or X;
	 * writes need W; TASK_SIZE and above (and the last page below it,
	 * TASK_SIZE_MAX) are the kernel's */
	EXPECT(m, "mmap 0 1 0 pf", "W+0");
	EXPECT(m, "mmap 1 1 r pf", "W+1");
	EXPECT(m, "mmap 2 1 w pf", "W+2");
	EXPECT(m, "mmap 3 1 x pf", "W+3");
	EXPECT(m, "mmap 4 1 rw pf", "W+4");
	EXPECT(m, "read 0 1", "0 pages SIGSEGV data=2d06800538d394c2");
	EXPECT(m, "read 1 1", "1 pages data=c44bdff4074eecdb");
	EXPECT(m, "read 2 1", "1 pages data=c44bdff4074eecdb");
	EXPECT(m, "read 3 1", "1 pages data=c44bdff4074eecdb");
	EXPECT(m, "touch 1 1", "0 pages SIGSEGV");
	EXPECT(m, "touch 2 1", "1 pages");
	EXPECT(m, "touch 3 1", "0 pages SIGSEGV");
	EXPECT(m, "touch 4 1", "1 pages");
	EXPECT(m, "read 4 1", "1 pages data=e12ef9d2eb86ceeb");
	EXPECT(m, "touch 0xfffffffffffff000 1", "0 pages SIGSEGV");
	EXPECT(m, "touch 0x7ffffffff000 1", "0 pages SIGSEGV");
	EXPECT(m, "read 0x800000000000 1", "0 pages SIGSEGV data=2d06800538d394c2");
	LAYOUT(m, "[0,1) ---p off=0 mr mw me | [1,2) r--p off=0 rd mr mw me | [2,3) -w-p off=0 wr mr mw me ac | [3,4) --xp off=0 ex mr mw me | [4,5) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

/*
 * MAP_POPULATE and MAP_LOCKED prefault: write faults (an anon_vma) for
 * private writable mappings, read faults (none) otherwise.
 */
TEST(test_populate_anon)
{
	struct model *m = new_model();

	/* aaaa....cccc + BBBB -> aaaaaaaacccc: populated = faulted */
	EXPECT(m, "mmap 0 4 rw pfP", "W+0");
	EXPECT(m, "mmap 8 4 rw pfP", "W+8");
	EXPECT(m, "mmap 4 4 rw pf", "W+4");
	LAYOUT(m, "[0,8) rw-p off=0 rd wr mr mw me ac | [8,12) rw-p off=0 rd wr mr mw me ac");
	/* RRRR....RRRR + RRRR -> one VMA: RO populate only reads */
	EXPECT(m, "mmap 20 4 r pfP", "W+20");
	EXPECT(m, "mmap 28 4 r pfP", "W+28");
	EXPECT(m, "mmap 24 4 r pf", "W+24");
	LAYOUT(m, "[0,8) rw-p off=0 rd wr mr mw me ac | [8,12) rw-p off=0 rd wr mr mw me ac | [20,32) r--p off=0 rd mr mw me");
	/* NORESERVE changes nothing here */
	EXPECT(m, "mmap 40 4 rw pfPR", "W+40");
	EXPECT(m, "mmap 48 4 rw pfPR", "W+48");
	EXPECT(m, "mmap 44 4 rw pfR", "W+44");
	LAYOUT(m, "[0,8) rw-p off=0 rd wr mr mw me ac | [8,12) rw-p off=0 rd wr mr mw me ac | [20,32) r--p off=0 rd mr mw me | [40,48) rw-p off=0 rd wr mr mw me nr | [48,52) rw-p off=0 rd wr mr mw me nr");
	model_destroy(m);
}

TEST(test_populate_nonblock)
{
	struct model *m = new_model();

	/* MAP_POPULATE|MAP_NONBLOCK does not populate: AAAAAAAAAAAA */
	EXPECT(m, "mmap 0 4 rw 0x18032", "W+0");
	EXPECT(m, "mmap 8 4 rw 0x18032", "W+8");
	EXPECT(m, "mmap 4 4 rw pf", "W+4");
	LAYOUT(m, "[0,12) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

TEST(test_locked_anon)
{
	struct model *m = new_model();

	/* llll....llll + LLLL -> llllllllllll, but as two VMAs: MAP_LOCKED
	 * populates (write faults): two anon_vmas, so a left-only merge */
	EXPECT(m, "mmap 0 4 rw pfl", "W+0");
	EXPECT(m, "mmap 8 4 rw pfl", "W+8");
	EXPECT(m, "mmap 4 4 rw pfl", "W+4");
	LAYOUT(m, "[0,8) rw-p off=0 rd wr mr mw me lo ac | [8,12) rw-p off=0 rd wr mr mw me lo ac");
	/* a locked RO VMA made writable is populated by mprotect_fixup() */
	EXPECT(m, "mmap 20 4 r pfl", "W+20");
	EXPECT(m, "mprotect 20 4 rw", "0");
	EXPECT(m, "mmap 28 4 rw pfl", "W+28");
	EXPECT(m, "touch 28 1", "1 pages");
	EXPECT(m, "mmap 24 4 rw pfl", "W+24");
	LAYOUT(m, "[0,8) rw-p off=0 rd wr mr mw me lo ac | [8,12) rw-p off=0 rd wr mr mw me lo ac | [20,28) rw-p off=0 rd wr mr mw me lo ac | [28,32) rw-p off=0 rd wr mr mw me lo ac");
	model_destroy(m);
}

/*
 * MAP_FIXED over existing mappings (6.12+: gather the overlap, merge with
 * what is left around it, then unmap).
 */
TEST(test_fixed_over_faulted)
{
	struct model *m = new_model();

	/* aaaaaaaaaaaa, MAP_FIXED over 4-7: the new range merges with both
	 * faulted remains (same anon_vma): one VMA */
	EXPECT(m, "mmap 0 12 rw pf", "W+0");
	EXPECT(m, "touch 0 1", "1 pages");
	EXPECT(m, "mmap 4 4 rw pf", "W+4");
	LAYOUT(m, "[0,12) rw-p off=0 rd wr mr mw me ac");
	EXPECT(m, "mmap 4 4 r pf", "W+4");
	EXPECT(m, "mmap 4 4 rw pf", "W+4");
	LAYOUT(m, "[0,12) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

TEST(test_fixed_over_mixed)
{
	struct model *m = new_model();

	/* AAAARRRRSSSS, MAP_FIXED 2-9 -> AAAAAAAAAASS (S keeps its offset) */
	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	EXPECT(m, "mmap 4 4 r pf", "W+4");
	EXPECT(m, "mmap 8 4 rw sf", "W+8");
	EXPECT(m, "mmap 2 8 rw pf", "W+2");
	LAYOUT(m, "[0,10) rw-p off=0 rd wr mr mw me ac | [10,12) rw-s off=2000 rd wr sh mr mw me ms");
	model_destroy(m);
}

/*
 * A failure after the overlapped PTEs were cleared (vms_abort_munmap_vmas)
 * leaves a hole: shmem accounting (shmem_acct_size) for a shared mapping
 * larger than RAM, and hugetlb reservation with no huge pages.
 */
TEST(test_shmem_gap)
{
	struct model *m = new_model();

	/* AAAAAAAA, MAP_SHARED|MAP_FIXED of RAM + 1 page at 2: AA...... */
	EXPECT(m, "mmap 0 8 rw pf", "W+0");
	EXPECT(m, "mmap 2 6171025 rw sf", "-1 ENOMEM");
	LAYOUT(m, "[0,2) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

TEST(test_hugetlb_gap)
{
	struct model *m = new_model();

	/* 4 MiB of A, MAP_HUGETLB over its upper 2 MiB: ENOMEM, and gone */
	EXPECT(m, "mmap 0 1024 rw pf", "W+0");
	EXPECT(m, "mmap 512 512 rw pfh", "-1 ENOMEM");
	LAYOUT(m, "[0,512) rw-p off=0 rd wr mr mw me ac");
	/* over nothing: ENOMEM and no change */
	EXPECT(m, "mmap 1536 8 rw pf", "W+1536");
	EXPECT(m, "mmap 1024 512 rw pfh", "-1 ENOMEM");
	LAYOUT(m, "[0,512) rw-p off=0 rd wr mr mw me ac | [1536,1544) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

TEST(test_stack_flag)
{
	struct model *m = new_model();

	/* MAP_STACK sets VM_NOHUGEPAGE, so SSSS AAAA do not merge; MAP_SYNC
	 * on anonymous memory sets VM_SYNC */
	EXPECT(m, "mmap 0 4 rw pfS", "W+0");
	EXPECT(m, "mmap 4 4 rw pf", "W+4");
	LAYOUT(m, "[0,4) rw-p off=0 rd wr mr mw me ac nh | [4,8) rw-p off=0 rd wr mr mw me ac");
	EXPECT(m, "mmap 8 4 rw 0x80032", "W+8");
	LAYOUT(m, "[0,4) rw-p off=0 rd wr mr mw me ac nh | [4,8) rw-p off=0 rd wr mr mw me ac | [8,12) rw-p off=0 rd wr mr mw me ac sf");
	model_destroy(m);
}

TEST(test_droppable)
{
	struct model *m = new_model();

	/* MAP_DROPPABLE: private anon with nr wf dd dp, no ac; DDDD DDDD
	 * merge */
	EXPECT(m, "mmap 0 4 rw 0x38", "W+0");
	EXPECT(m, "mmap 4 4 rw 0x38", "W+4");
	EXPECT(m, "touch 0 1", "1 pages");
	EXPECT(m, "touch 4 1", "1 pages");
	LAYOUT(m, "[0,8) rw-p off=0 rd wr mr mw me nr wf dd dp");
	model_destroy(m);
}

/*
 * max_map_count, measured by lowering /proc/sys/vm/max_map_count to the
 * experiment process's map_count + N (then restoring 65530); the kernel
 * process had 29 VMAs of its own, so its map_count is ours + 29.
 * mmap refuses only when map_count > max (one mapping beyond the limit is
 * allowed, a would-merge mmap is refused too); splits need map_count < max;
 * merges cost nothing.
 */
TEST(test_limit_mmap)
{
	/* max = 2 */
	struct model *m = new_model_max(2);

	/* A.B.C: the third mmap reaches max + 1, then nothing more */
	EXPECT(m, "mmap 0 1 rw pf", "W+0");
	EXPECT(m, "mmap 2 1 rw pf", "W+2");
	EXPECT(m, "mmap 4 1 rw pf", "W+4");
	EXPECT(m, "mmap 6 1 rw pf", "-1 ENOMEM");
	/* A.B.C + 1 page after A would merge: refused all the same */
	EXPECT(m, "mmap 1 1 rw pf", "-1 ENOMEM");
	CHECK_EQ(model_map_count(m), 32 - 29);
	/* whole-VMA mprotect needs no split; a hole still fails */
	EXPECT(m, "mprotect 0 1 r", "0");
	EXPECT(m, "mprotect 0 3 r", "-1 ENOMEM");
	LAYOUT(m, "[0,1) r--p off=0 rd mr mw me | [2,3) rw-p off=0 rd wr mr mw me ac | [4,5) rw-p off=0 rd wr mr mw me ac");
	EXPECT(m, "munmap 0 1", "0");
	EXPECT(m, "mprotect 4 1 rw", "0");
	CHECK_EQ(model_map_count(m), 31 - 29);
	LAYOUT(m, "[2,3) rw-p off=0 rd wr mr mw me ac | [4,5) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

TEST(test_limit_munmap_3way)
{
	/* max = map_count = 2 */
	struct model *m = new_model_max(2);

	EXPECT(m, "mmap 0 8 rw pf", "W+0");
	EXPECT(m, "mmap 10 1 rw pf", "W+10");
	/* AAAAAAAA..B: munmap 2-3 needs a 3-way split: refused */
	EXPECT(m, "munmap 2 2", "-1 ENOMEM");
	/* MAP_FIXED inside A: the gather's 3-way split is refused too */
	EXPECT(m, "mmap 4 2 r pf", "-1 ENOMEM");
	/* .AAAAAA...B: edge splits are unchecked (__split_vma) */
	EXPECT(m, "munmap 0 1", "0");
	EXPECT(m, "munmap 7 1", "0");
	CHECK_EQ(model_map_count(m), 31 - 29);
	LAYOUT(m, "[1,7) rw-p off=0 rd wr mr mw me ac | [10,11) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

TEST(test_limit_fixed_3way)
{
	/* max = map_count = 1 */
	struct model *m = new_model_max(1);

	EXPECT(m, "mmap 0 8 rw pf", "W+0");
	/* AAAAAAAA: a fixed mmap strictly inside needs a 3-way split */
	EXPECT(m, "mmap 2 2 r pf", "-1 ENOMEM");
	/* BBAAAAAA: an edge split is unchecked, map_count becomes max + 1 */
	EXPECT(m, "mmap 0 2 r pf", "W+0");
	/* now do_mmap refuses up front (map_count > max) */
	EXPECT(m, "mmap 2 6 r pf", "-1 ENOMEM");
	CHECK_EQ(model_map_count(m), 31 - 29);
	LAYOUT(m, "[0,2) r--p off=0 rd mr mw me | [2,8) rw-p off=0 rd wr mr mw me ac");
	EXPECT(m, "mmap 10 1 r pf", "-1 ENOMEM");
	EXPECT(m, "mmap 2 2 rw pf", "-1 ENOMEM");
	model_destroy(m);
}

TEST(test_limit_mprotect)
{
	/* max = map_count + 1 = 3 */
	struct model *m = new_model_max(3);

	EXPECT(m, "mmap 0 8 rw pf", "W+0");
	EXPECT(m, "mmap 10 2 rw pf", "W+10");
	/* AAAAAAAA..BB -> AA|AAAAAA..BB: the start split succeeds, the end
	 * split fails, and the first split stays */
	EXPECT(m, "mprotect 2 2 r", "-1 ENOMEM");
	CHECK_EQ(model_map_count(m), 32 - 29);
	LAYOUT(m, "[0,2) rw-p off=0 rd wr mr mw me ac | [2,8) rw-p off=0 rd wr mr mw me ac | [10,12) rw-p off=0 rd wr mr mw me ac");
	/* rr|rrrrrr..BB -> rrrrrrrr..BB: the second VMA merges into the
	 * first (no map_count needed), then the hole fails */
	EXPECT(m, "mprotect 0 12 r", "-1 ENOMEM");
	LAYOUT(m, "[0,8) r--p off=0 rd mr mw me | [10,12) rw-p off=0 rd wr mr mw me ac");
	EXPECT(m, "mprotect 0 12 rw", "-1 ENOMEM");
	CHECK_EQ(model_map_count(m), 31 - 29);
	LAYOUT(m, "[0,8) rw-p off=0 rd wr mr mw me ac | [10,12) rw-p off=0 rd wr mr mw me ac");
	EXPECT(m, "mprotect 5 1 r", "-1 ENOMEM");
	CHECK_EQ(model_map_count(m), 32 - 29);
	LAYOUT(m, "[0,5) rw-p off=0 rd wr mr mw me ac | [5,8) rw-p off=0 rd wr mr mw me ac | [10,12) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

/*
 * RLIMIT_MEMLOCK without CAP_IPC_LOCK. Kernel experiment: the op lines run
 * under `prlimit --memlock=65536 capsh --drop=cap_ipc_lock` (16 pages),
 * and with --memlock=0 for EPERM.
 */
static struct model *new_model_memlock(uint64_t memlock)
{
	struct model_config cfg;

	model_config_default(&cfg);
	cfg.cap_ipc_lock = 0;
	cfg.rlimit_memlock = memlock;
	return model_create(&cfg, NULL, 0);
}

TEST(test_memlock_limit)
{
	struct model *m = new_model_memlock(65536);

	/* LLLLLLLL..LLLLLLLL: 16 locked pages, the limit */
	EXPECT(m, "mmap 0 8 rw pfl", "W+0");
	EXPECT(m, "mmap 10 8 rw pfl", "W+10");
	EXPECT(m, "mmap 20 9 rw pfl", "-1 EAGAIN");
	/* replacing a locked VMA gives its pages back */
	EXPECT(m, "mmap 10 8 rw pf", "W+10");
	EXPECT(m, "mmap 20 8 rw pfl", "W+20");
	EXPECT(m, "mmap 40 4 rw pfg", "W+40");
	EXPECT(m, "mmap 50 1 r pf", "W+50");
	LAYOUT(m, "[0,8) rw-p off=0 rd wr mr mw me lo ac | [10,18) rw-p off=0 rd wr mr mw me ac | [20,28) rw-p off=0 rd wr mr mw me lo ac | [40,44) rw-p off=0 rd wr mr mw me gd ac | [50,51) r--p off=0 rd mr mw me");
	/* and so does munmap */
	EXPECT(m, "munmap 0 8", "0");
	EXPECT(m, "mmap 30 4 r pfl", "W+30");
	LAYOUT(m, "[10,18) rw-p off=0 rd wr mr mw me ac | [20,28) rw-p off=0 rd wr mr mw me lo ac | [30,34) r--p off=0 rd mr mw me lo | [40,44) rw-p off=0 rd wr mr mw me gd ac | [50,51) r--p off=0 rd mr mw me");
	model_destroy(m);

	/* RLIMIT_MEMLOCK 0: can_do_mlock() fails, EPERM */
	m = new_model_memlock(0);
	EXPECT(m, "mmap 0 8 rw pfl", "-1 EPERM");
	EXPECT(m, "mmap 0 8 rw pf", "W+0");
	model_destroy(m);
}

TEST(test_memlock_stack_growth)
{
	struct model *m = new_model_memlock(65536);

	/* ...GGGGGGGGGGGG (12 locked pages): growth counts against 16 */
	EXPECT(m, "mmap 100 12 rw pflg", "W+100");
	EXPECT(m, "touch 97 1", "1 pages");
	LAYOUT(m, "[97,112) rw-p off=0 rd wr mr mw me gd lo ac");
	EXPECT(m, "touch 95 1", "0 pages SIGSEGV");
	EXPECT(m, "touch 96 1", "1 pages");
	LAYOUT(m, "[96,112) rw-p off=0 rd wr mr mw me gd lo ac");
	model_destroy(m);
}

/*
 * The layout of the experiment program itself (setarch -R, dynamically
 * linked), as foreign VMAs: the model places non-fixed mappings around
 * them as the kernel did for that program, keeps them out of snapshots,
 * counts them in map_count and restores them on model_reset().
 */
static const struct snap_vma exp_layout[] = {
	{ .start = 0x555555554000, .end = 0x555555555000, .prot = PROT_READ },
	{ .start = 0x555555555000, .end = 0x555555556000, .prot = PROT_READ|PROT_EXEC },
	{ .start = 0x555555556000, .end = 0x555555557000, .prot = PROT_READ },
	{ .start = 0x555555557000, .end = 0x555555558000, .prot = PROT_READ },
	{ .start = 0x555555558000, .end = 0x555555559000, .prot = PROT_READ|PROT_WRITE },
	{ .start = 0x555555559000, .end = 0x555555659000, .prot = PROT_READ|PROT_WRITE },
	{ .start = 0x555555659000, .end = 0x55555567a000, .prot = PROT_READ|PROT_WRITE },
	{ .start = 0x7ffff7db9000, .end = 0x7ffff7dbc000, .prot = PROT_READ|PROT_WRITE },
	{ .start = 0x7ffff7dbc000, .end = 0x7ffff7de2000, .prot = PROT_READ },
	{ .start = 0x7ffff7de2000, .end = 0x7ffff7f38000, .prot = PROT_READ|PROT_EXEC },
	{ .start = 0x7ffff7f38000, .end = 0x7ffff7f8b000, .prot = PROT_READ },
	{ .start = 0x7ffff7f8b000, .end = 0x7ffff7f8f000, .prot = PROT_READ },
	{ .start = 0x7ffff7f8f000, .end = 0x7ffff7f91000, .prot = PROT_READ|PROT_WRITE },
	{ .start = 0x7ffff7f91000, .end = 0x7ffff7f9e000, .prot = PROT_READ|PROT_WRITE },
	{ .start = 0x7ffff7f9e000, .end = 0x7ffff7fa0000, .prot = PROT_READ },
	{ .start = 0x7ffff7fa0000, .end = 0x7ffff7faf000, .prot = PROT_READ|PROT_EXEC },
	{ .start = 0x7ffff7faf000, .end = 0x7ffff7fb1000, .prot = PROT_READ },
	{ .start = 0x7ffff7fb1000, .end = 0x7ffff7fb2000, .prot = PROT_READ },
	{ .start = 0x7ffff7fb2000, .end = 0x7ffff7fb3000, .prot = PROT_READ|PROT_WRITE },
	{ .start = 0x7ffff7fc0000, .end = 0x7ffff7fc2000, .prot = PROT_READ|PROT_WRITE },
	{ .start = 0x7ffff7fc2000, .end = 0x7ffff7fc6000, .prot = PROT_READ },
	{ .start = 0x7ffff7fc6000, .end = 0x7ffff7fc8000, .prot = PROT_READ },
	{ .start = 0x7ffff7fc8000, .end = 0x7ffff7fca000, .prot = PROT_READ|PROT_EXEC },
	{ .start = 0x7ffff7fca000, .end = 0x7ffff7fcb000, .prot = PROT_READ },
	{ .start = 0x7ffff7fcb000, .end = 0x7ffff7ff1000, .prot = PROT_READ|PROT_EXEC },
	{ .start = 0x7ffff7ff1000, .end = 0x7ffff7ffb000, .prot = PROT_READ },
	{ .start = 0x7ffff7ffb000, .end = 0x7ffff7ffd000, .prot = PROT_READ },
	{ .start = 0x7ffff7ffd000, .end = 0x7ffff7fff000, .prot = PROT_READ|PROT_WRITE },
	{ .start = 0x7ffffffde000, .end = 0x7ffffffff000, .prot = PROT_READ|PROT_WRITE },
};

TEST(test_placement_with_foreign)
{
	struct model_config cfg;
	struct snapshot s;
	struct model *m;
	const unsigned n = sizeof(exp_layout) / sizeof(exp_layout[0]);

	model_config_default(&cfg);
	m = model_create(&cfg, exp_layout, n);
	CHECK_EQ(model_map_count(m), n);
	/* the first gap below mmap_base that fits, 2 MiB THP alignment,
	 * a free hint taken as is, a hint below mmap_min_addr (65536 with
	 * the LSM minimum) raised to it */
	EXPECT(m, "mmapb 0x0 4096 rw p", "0x7ffff7fbf000");
	EXPECT(m, "mmapb 0x0 0x200000 rw p", "0x7ffff7a00000");
	EXPECT(m, "mmapb 0x0 8192 r p", "0x7ffff7fbd000");
	EXPECT(m, "mmapb 0x7ffff7000000 8192 rw p", "0x7ffff7000000");
	EXPECT(m, "mmapb 0x800 4096 rw p", "0x7ffff7fbc000");
	EXPECT(m, "mmapb 0x1000 4096 rw p", "0x10000");
	EXPECT(m, "mmapb 0x0 4096 rw s", "0x7ffff7fbb000");
	CHECK_EQ(model_map_count(m), n + 7);
	snapshot_init(&s);
	model_snapshot(m, &s, 0);
	CHECK_EQ(s.n, 7);
	CHECK_EQ(s.v[0].start, 0x10000);
	model_reset(m);
	CHECK_EQ(model_map_count(m), n);
	model_snapshot(m, &s, 0);
	CHECK_EQ(s.n, 0);
	EXPECT(m, "mmapb 0x0 4096 rw p", "0x7ffff7fbf000");
	snapshot_free(&s);
	model_destroy(m);
}

/*
 * Two minimums: cap_mmap_addr() checks the sysctl (dac_mmap_min_addr,
 * 4096) for MAP_FIXED without CAP_SYS_RAWIO (experiment run under
 * `capsh --drop=cap_sys_rawio`), while stack growth stops at the
 * kernel's mmap_min_addr, here CONFIG_LSM_MMAP_MIN_ADDR = 65536.
 */
TEST(test_mmap_min_addr)
{
	struct model_config cfg;
	struct model *m;

	model_config_default(&cfg);
	cfg.cap_sys_rawio = 0;
	m = model_create(&cfg, NULL, 0);
	EXPECT(m, "mmapb 0x0 4096 r pf", "-1 EPERM");
	EXPECT(m, "mmapb 0x1000 4096 r pf", "0x1000");
	EXPECT(m, "mmapb 0x8000 4096 r pf", "0x8000");
	EXPECT(m, "mmapb 0x10000 4096 r pf", "0x10000");
	model_destroy(m);

	/* ..G at 0x12000 grows to 0x10000, not below */
	m = new_model();
	EXPECT(m, "mmapb 0x12000 4096 rw pfg", "0x12000");
	EXPECT(m, "touch 0x11000 1", "1 pages");
	EXPECT(m, "touch 0x10000 1", "1 pages");
	EXPECT(m, "touch 0xf000 1", "0 pages SIGSEGV");
	model_destroy(m);
}

/*
 * MAP_HUGETLB|MAP_NORESERVE succeeds even with no huge pages: a hugetlbfs
 * file mapping (de nr ht, never merges, pgoff from the offset argument),
 * which only splits at huge page boundaries (hugetlb_vm_op_split) and
 * whose every fault finds no page: SIGBUS. MAP_LOCKED is dropped.
 */
TEST(test_hugetlb_noreserve)
{
	struct model *m = new_model();

	/* HHHH (one 2 MiB page) */
	EXPECT(m, "mmap 0 512 rw pfhR", "W+0");
	LAYOUT(m, "[0,512) rw-p off=0 rd wr mr mw me de nr ht");
	EXPECT(m, "touch 0 1", "0 pages SIGBUS");
	EXPECT(m, "read 0 1", "0 pages SIGBUS data=2d06800538d394c2");
	EXPECT(m, "munmap 1 1", "-1 EINVAL");
	EXPECT(m, "munmap 0 512", "0");
	LAYOUT(m, "");
	/* HHHHHHHH -> RRRRHHHH: split at 2 MiB only; maps shows the offset */
	EXPECT(m, "mmap 0 1024 rw pfhR", "W+0");
	EXPECT(m, "mprotect 0 1 r", "-1 EINVAL");
	EXPECT(m, "mprotect 0 512 r", "0");
	LAYOUT(m, "[0,512) r--p off=0 rd mr mw me de nr ht | [512,1024) rw-p off=200000 rd wr mr mw me de nr ht");
	EXPECT(m, "munmap 512 512", "0");
	LAYOUT(m, "[0,512) r--p off=0 rd mr mw me de nr ht");
	/* shared ones do not merge either; a length rounds up to 2 MiB */
	EXPECT(m, "mmap 1024 512 rw sfhR", "W+1024");
	EXPECT(m, "mmap 1536 512 rw sfhR", "W+1536");
	EXPECT(m, "mmap 512 1 rw pf", "W+512");
	LAYOUT(m, "[0,512) r--p off=0 rd mr mw me de nr ht | [512,513) rw-p off=0 rd wr mr mw me ac | [1024,1536) rw-s off=0 rd wr sh mr mw me ms de nr ht | [1536,2048) rw-s off=0 rd wr sh mr mw me ms de nr ht");
	EXPECT(m, "mmap 2048 3 rw pfhR", "W+2048");
	EXPECT(m, "mmap 0 512 rw pflhR", "W+0");
	LAYOUT(m, "[0,512) rw-p off=0 rd wr mr mw me de nr ht | [512,513) rw-p off=0 rd wr mr mw me ac | [1024,1536) rw-s off=0 rd wr sh mr mw me ms de nr ht | [1536,2048) rw-s off=0 rd wr sh mr mw me ms de nr ht | [2048,2560) rw-p off=0 rd wr mr mw me de nr ht");
	model_destroy(m);

	/* HHHHHHHH: a failed end split keeps the start split (munmap); an
	 * unaligned split fails mprotect and the MAP_FIXED gather too */
	m = new_model();
	EXPECT(m, "mmap 0 1024 rw pfhR", "W+0");
	EXPECT(m, "munmap 512 1", "-1 EINVAL");
	LAYOUT(m, "[0,512) rw-p off=0 rd wr mr mw me de nr ht | [512,1024) rw-p off=200000 rd wr mr mw me de nr ht");
	EXPECT(m, "mmap 2048 1024 rw pfhR", "W+2048");
	EXPECT(m, "mprotect 2048 513 r", "-1 EINVAL");
	LAYOUT(m, "[0,512) rw-p off=0 rd wr mr mw me de nr ht | [512,1024) rw-p off=200000 rd wr mr mw me de nr ht | [2048,3072) rw-p off=0 rd wr mr mw me de nr ht");
	EXPECT(m, "mmap 512 2 r pf", "-1 EINVAL");
	LAYOUT(m, "[0,512) rw-p off=0 rd wr mr mw me de nr ht | [512,1024) rw-p off=200000 rd wr mr mw me de nr ht | [2048,3072) rw-p off=0 rd wr mr mw me de nr ht");
	model_destroy(m);
}

TEST(test_hugetlb_placement)
{
	struct model_config cfg;
	struct model *m;

	/* huge page aligned top-down placement among the experiment
	 * program's own VMAs; a hint is rounded up to 2 MiB */
	model_config_default(&cfg);
	m = model_create(&cfg, exp_layout,
			 sizeof(exp_layout) / sizeof(exp_layout[0]));
	EXPECT(m, "mmapb 0x0 4096 rw phR", "0x7ffff7a00000");
	EXPECT(m, "mmapb 0x0 4096 rw phR", "0x7ffff7800000");
	EXPECT(m, "mmapb 0x7ffff7000000 4096 rw phR", "0x7ffff7000000");
	EXPECT(m, "mmapb 0x7ffff7001000 4096 rw phR", "0x7ffff7200000");
	EXPECT(m, "mmapb 0x0 4096 rw sphR", "0x7ffff7600000");
	model_destroy(m);
}

/*
 * MAP_HUGETLB goes through the file branch of do_mmap() with the
 * hugetlbfs file ksys_mmap_pgoff() made: MAP_SHARED_VALIDATE checks
 * LEGACY_MAP_MASK (which has MAP_32BIT, MAP_ABOVE4G and the huge page
 * size codes), MAP_SHARED drops unknown bits, the size code picks the
 * hstate (bit 26, MAP_UNINITIALIZED, is part of it), the offset must be
 * huge page aligned. Same experiment as test_mmap_validation, except that
 * each success was unmapped with a 1 GiB munmap (which also removed the
 * page at W+256).
 */
static const struct mmap_case mmap_hugetlb_cases[] = {
	{"hugetlb validate with 32bit", 0x100000000000, 0x1000, 0x7, 0x44073, 0, 0x100000000000, 0},
	{"hugetlb validate with above4g", 0x100000000000, 0x1000, 0x3, 0x440b3, 0, 0x100000000000, 0},
	{"hugetlb validate 1G", 0x100000000000, 0x1000, 0x3, 0x78044033, 0, 0x100000000000, 0},
	{"hugetlb validate 2M code", 0x100000000000, 0x1000, 0x3, 0x54044033, 0, 0x100000000000, 0},
	{"hugetlb validate sync", 0x100000000000, 0x1000, 0x3, 0xc4033, 0, -1, EOPNOTSUPP},
	{"hugetlb validate uninitialized", 0x100000000000, 0x1000, 0x3, 0x4044033, 0, -1, EINVAL},
	{"hugetlb shared unknown dropped", 0x100000000000, 0x1000, 0x3, 0x844031, 0, 0x100000000000, 0},
	{"hugetlb private 1G unaligned", 0x100000200000, 0x1000, 0x3, 0x78044032, 0, -1, EINVAL},
	{"hugetlb private off 2M", 0x100000000000, 0x1000, 0x3, 0x44032, 0x200000, 0x100000000000, 0},
	{"hugetlb private off 1M", 0x100000000000, 0x1000, 0x3, 0x44032, 0x100000, -1, EINVAL},
};

TEST(test_mmap_hugetlb_validation)
{
	struct model *m = new_model();
	struct outcome o;

	EXPECT(m, "mmap 256 1 r pf", "W+256");
	for (size_t i = 0; i < sizeof(mmap_hugetlb_cases) /
			       sizeof(mmap_hugetlb_cases[0]); i++) {
		const struct mmap_case *c = &mmap_hugetlb_cases[i];

		model_mmap(m, c->addr, c->len, c->prot, c->flags, -1, c->off,
			   &o);
		if (o.ret != c->ret || o.err != c->err) {
			fprintf(stderr, "%s: %s: model %lld %s\n", test_cur,
				c->what, (long long)o.ret, errname(o.err));
			test_cur_failed = 1;
		}
		if (o.ret != -1)
			model_munmap(m, (uint64_t)o.ret, 1ull << 30, &o);
	}
	model_destroy(m);
}

/*
 * RLIMIT_AS (may_expand_vm()) against mm->total_vm, here 16 pages:
 *
 *   AAAAAAAA  BBBBBBBB       8 + 8 pages: full; a 17th page is ENOMEM;
 *   AAAA****  BBBBBBBB       a MAP_FIXED over A adding 2 pages is refused
 *                            after the gather split A (the split stays,
 *                            as measured with a C program at 64 GiB);
 *   AAAACCCCC BBBBBBB        MAP_FIXED counts only the pages it adds
 * The executor's 64 GiB version is corpus/seeds/rlimit_as_total_vm.vma,
 * replayed against 6.18.44.
 */
TEST(test_rlimit_as)
{
	struct model_config cfg;
	struct model *m;

	model_config_default(&cfg);
	cfg.rlimit_as = 16 * PG;
	m = model_create(&cfg, NULL, 0);
	EXPECT(m, "mmap 0 8 rw pf", "W+0");
	EXPECT(m, "mmap 10 8 r pf", "W+10");
	EXPECT(m, "mmap 20 1 r pf", "-1 ENOMEM");
	EXPECT(m, "mmap 0 8 r pf", "W+0");
	/* gathered and split at W+4, then refused: the split stays
	 * (vms_abort_munmap_vmas()) */
	EXPECT(m, "mmap 4 6 r pf", "-1 ENOMEM");
	LAYOUT(m, "[0,4) r--p off=0 rd mr mw me | [4,8) r--p off=0 rd mr mw me | [10,18) r--p off=0 rd mr mw me");
	EXPECT(m, "munmap 17 1", "0");
	EXPECT(m, "mmap 4 5 r pf", "W+4");
	model_destroy(m);
}

int main(void)
{
	RUN(test_fixed_adjacent_merge);
	RUN(test_mmap_validation);
	RUN(test_anon_unfaulted_prev_faulted_next);
	RUN(test_anon_existing_faulted_into_unfaulted);
	RUN(test_anon_independent_faulted);
	RUN(test_anon_reuse_neighbour);
	RUN(test_anon_mprotect_middle_both_faulted);
	RUN(test_anon_split_shares);
	RUN(test_account_three_states);
	RUN(test_mprotect_account_rules);
	RUN(test_mprotect_hole_nonatomic);
	RUN(test_mprotect_errors);
	RUN(test_mprotect_growsdown);
	RUN(test_munmap_holes_splits);
	RUN(test_noreplace_eexist);
	RUN(test_shared_never_merge);
	RUN(test_shared_private_neighbours);
	RUN(test_growsdown_touch);
	RUN(test_growsdown_guard_gap);
	RUN(test_growsdown_prev_none);
	RUN(test_growsdown_prev_growsdown);
	RUN(test_growsdown_rlimit);
	RUN(test_growsdown_failed_growth_faults);
	RUN(test_growsdown_access);
	RUN(test_touch_read_data);
	RUN(test_page_lifetime);
	RUN(test_access_rules);
	RUN(test_populate_anon);
	RUN(test_populate_nonblock);
	RUN(test_locked_anon);
	RUN(test_fixed_over_faulted);
	RUN(test_fixed_over_mixed);
	RUN(test_shmem_gap);
	RUN(test_hugetlb_gap);
	RUN(test_stack_flag);
	RUN(test_droppable);
	RUN(test_limit_mmap);
	RUN(test_limit_munmap_3way);
	RUN(test_limit_fixed_3way);
	RUN(test_limit_mprotect);
	RUN(test_memlock_limit);
	RUN(test_memlock_stack_growth);
	RUN(test_placement_with_foreign);
	RUN(test_mmap_min_addr);
	RUN(test_hugetlb_noreserve);
	RUN(test_hugetlb_placement);
	RUN(test_mmap_hugetlb_validation);
	RUN(test_rlimit_as);
	return test_summary();
}
