// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of fork() in the model (model/fork.c): the model becomes the
 * child's mm. Every expected result and layout below was taken from the
 * real kernel (6.18.44 x86-64, this machine): the same op lines were run
 * under `setarch -R` by a small C program that maps in a window at
 * 0x100000000000 (W), forks where the test forks (the parent waits; the
 * child goes on with the op lines) and prints each call's result and the
 * window's /proc/self/smaps lines exactly as run() and layout() print
 * them here (touch writes touch_byte(0, i) to the i-th page, read hashes
 * the bytes with XXH3_64bits). map_count is the number of lines of
 * /proc/self/maps (the experiment had 30 VMAs of its own).
 *
 * Maps in comments follow tools/testing/vma/vma.c: one letter per page,
 * one letter per VMA, `.` unmapped, lower case for a faulted VMA; `#` is
 * a page holding a guard marker.
 *
 * Op lines (page numbers relative to W, lengths in pages):
 *   mmap P N PROT FLAGS   PROT r w x letters; FLAGS as in model_test.h
 *   madvise P N ADV       ADV a number (10 DONTFORK, 18 WIPEONFORK,
 *                         102 GUARD_INSTALL)
 *   mlock P N [F]         mlock2 flags F (1 MLOCK_ONFAULT)
 *   mlockall F, fork, mprotect P N PROT, touch P N, read P N
 */
#include "model_test.h"

/* Runs one op line on m; the result as the kernel-side program prints it. */
static const char *run(struct model *m, const char *line)
{
	static char res[128];
	char op[16], a[32] = "", b[32] = "", c[32] = "", d[32] = "";
	uint64_t len;
	struct outcome o;

	sscanf(line, "%15s %31s %31s %31s %31s", op, a, b, c, d);
	len = strtoull(b, NULL, 0) * PG;
	if (!strcmp(op, "mmap")) {
		model_mmap(m, addr_of(a), len, prot_of(c), flags_of(d), -1, 0,
			   &o);
		if (o.ret == -1)
			snprintf(res, sizeof(res), "-1 %s", errname(o.err));
		else
			snprintf(res, sizeof(res), "W+%lld",
				 (long long)(((uint64_t)o.ret - W) / PG));
		return res;
	}
	if (!strcmp(op, "touch") || !strcmp(op, "read")) {
		run_access(m, op, addr_of(a), strtoull(b, NULL, 0), res,
			   sizeof(res));
		return res;
	}
	if (!strcmp(op, "madvise"))
		model_madvise(m, addr_of(a), len, strtoull(c, NULL, 0), &o);
	else if (!strcmp(op, "mprotect"))
		model_mprotect(m, addr_of(a), len, prot_of(c), &o);
	else if (!strcmp(op, "mlock"))
		model_mlock2(m, addr_of(a), len, strtoull(c, NULL, 0), &o);
	else if (!strcmp(op, "mlockall"))
		model_mlockall(m, strtoull(a, NULL, 0), &o);
	else if (!strcmp(op, "fork"))
		model_fork(m, &o);
	else
		return "bad op";
	int_result(&o, res, sizeof(res));
	return res;
}

static const char *layout(const struct model *m)
{
	return window_layout(m, 1ull << 30, LAYOUT_SMAPS);
}

/*
 * AAAA.bb.cc.DD.ee.FF (b DONTFORK, c WIPEONFORK, D mlocked, e shared,
 * F mlocked on fault, all touched but D and F; MCL_FUTURE set) forks into
 * AAAA....cc.DD.ee.FF: b is gone (map_count drops by one), nothing is
 * locked any more, c reads 0 while A and e read as before, and the child
 * has no MCL_FUTURE (def_flags is not inherited).
 */
TEST(test_fork_child_layout)
{
	struct model *m = model_new(0, 0);

	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	EXPECT(m, "touch 0 4", "4 pages");
	EXPECT(m, "mmap 5 2 rw pf", "W+5");
	EXPECT(m, "touch 5 2", "2 pages");
	EXPECT(m, "madvise 5 2 10", "0");
	EXPECT(m, "mmap 8 2 rw pf", "W+8");
	EXPECT(m, "touch 8 2", "2 pages");
	EXPECT(m, "madvise 8 2 18", "0");
	EXPECT(m, "mmap 11 2 rw pf", "W+11");
	EXPECT(m, "mlock 11 2", "0");
	EXPECT(m, "mmap 14 2 rw sf", "W+14");
	EXPECT(m, "touch 14 2", "2 pages");
	EXPECT(m, "mmap 17 2 rw pf", "W+17");
	EXPECT(m, "mlock 17 2 1", "0");
	EXPECT(m, "mlockall 2", "0");
	LAYOUT(m, "[0,4) rw-p off=0 rd wr mr mw me ac | [5,7) rw-p off=0 rd wr mr mw me dc ac | [8,10) rw-p off=0 rd wr mr mw me ac wf | [11,13) rw-p off=0 rd wr mr mw me lo ac | [14,16) rw-s off=0 rd wr sh mr mw me ms | [17,19) rw-p off=0 rd wr mr mw me lo lf ac");
	CHECK_EQ(model_map_count(m), 36 - 30);

	EXPECT(m, "fork", "0");
	LAYOUT(m, "[0,4) rw-p off=0 rd wr mr mw me ac | [8,10) rw-p off=0 rd wr mr mw me ac wf | [11,13) rw-p off=0 rd wr mr mw me ac | [14,16) rw-s off=0 rd wr sh mr mw me ms | [17,19) rw-p off=0 rd wr mr mw me ac");
	CHECK_EQ(model_map_count(m), 35 - 30);
	EXPECT(m, "read 0 4", "4 pages data=988b7b9033ac4622");
	EXPECT(m, "read 8 2", "2 pages data=3325230e1f285505");
	EXPECT(m, "read 14 2", "2 pages data=08130b77ddef5807");
	EXPECT(m, "touch 8 1", "1 pages");
	EXPECT(m, "read 8 2", "2 pages data=ab94ac0ace7276c0");
	/* no MCL_FUTURE in the child: a new mapping is not locked */
	EXPECT(m, "mmap 20 1 rw pf", "W+20");
	LAYOUT(m, "[0,4) rw-p off=0 rd wr mr mw me ac | [8,10) rw-p off=0 rd wr mr mw me ac wf | [11,13) rw-p off=0 rd wr mr mw me ac | [14,16) rw-s off=0 rd wr sh mr mw me ms | [17,19) rw-p off=0 rd wr mr mw me ac | [20,21) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

/*
 * The anon_vma rules in the child (anon_vma_fork(), mm/rmap.c, and
 * vma_had_uncowed_parents(), mm/vma.c). Before the fork:
 *   aaBB......ccDD......eeff......gg........hhhh
 * (aa/BB: one touched VMA split by mprotect, sharing an anon_vma; cc
 * touched next to an untouched DD of another prot; ee/ff WIPEONFORK, each
 * with its own anon_vma; gg touched; hhhh touched). In the parent every
 * pair below merges (checked by the same program without the fork:
 * [0,4) [10,14) [20,22)+[22,24) stay two [30,34) [40,44)); in the child:
 * - aa + BB made rw: refused, each child VMA got an anon_vma of its own;
 * - cc + DD made rw: refused, cc's anon_vma comes from the fork
 *   (case 2 of is_mergeable_anon_vma: the target had uncowed parents);
 * - ee + ff made r: merged, WIPEONFORK left both without an anon_vma
 *   (and mprotect drops VM_ACCOUNT of an unfaulted VMA made read-only);
 * - gg + a new mapping after it: refused (a new range is case 2 too);
 * - hhhh split and joined again: merged, the two parts share one.
 */
TEST(test_fork_anon_vma_merges)
{
	struct model *m = model_new(0, 0);

	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	EXPECT(m, "touch 0 4", "4 pages");
	EXPECT(m, "mprotect 2 2 r", "0");
	EXPECT(m, "mmap 10 2 rw pf", "W+10");
	EXPECT(m, "touch 10 2", "2 pages");
	EXPECT(m, "mmap 12 2 r pf", "W+12");
	EXPECT(m, "mmap 20 4 rw pf", "W+20");
	EXPECT(m, "madvise 20 2 18", "0");
	EXPECT(m, "touch 20 4", "4 pages");
	EXPECT(m, "madvise 22 2 18", "0");
	EXPECT(m, "mmap 30 2 rw pf", "W+30");
	EXPECT(m, "touch 30 2", "2 pages");
	EXPECT(m, "mmap 40 4 rw pf", "W+40");
	EXPECT(m, "touch 40 4", "4 pages");
	LAYOUT(m, "[0,2) rw-p off=0 rd wr mr mw me ac | [2,4) r--p off=0 rd mr mw me ac | [10,12) rw-p off=0 rd wr mr mw me ac | [12,14) r--p off=0 rd mr mw me | [20,22) rw-p off=0 rd wr mr mw me ac wf | [22,24) rw-p off=0 rd wr mr mw me ac wf | [30,32) rw-p off=0 rd wr mr mw me ac | [40,44) rw-p off=0 rd wr mr mw me ac");

	EXPECT(m, "fork", "0");
	EXPECT(m, "mprotect 2 2 rw", "0");
	EXPECT(m, "mprotect 12 2 rw", "0");
	EXPECT(m, "mprotect 20 4 r", "0");
	EXPECT(m, "mmap 32 2 rw pf", "W+32");
	EXPECT(m, "mprotect 40 1 r", "0");
	EXPECT(m, "mprotect 40 1 rw", "0");
	LAYOUT(m, "[0,2) rw-p off=0 rd wr mr mw me ac | [2,4) rw-p off=0 rd wr mr mw me ac | [10,12) rw-p off=0 rd wr mr mw me ac | [12,14) rw-p off=0 rd wr mr mw me ac | [20,24) r--p off=0 rd mr mw me wf | [30,32) rw-p off=0 rd wr mr mw me ac | [32,34) rw-p off=0 rd wr mr mw me ac | [40,44) rw-p off=0 rd wr mr mw me ac");
	/* faulting the neighbours later changes nothing */
	EXPECT(m, "touch 12 2", "2 pages");
	EXPECT(m, "touch 32 1", "1 pages");
	LAYOUT(m, "[0,2) rw-p off=0 rd wr mr mw me ac | [2,4) rw-p off=0 rd wr mr mw me ac | [10,12) rw-p off=0 rd wr mr mw me ac | [12,14) rw-p off=0 rd wr mr mw me ac | [20,24) r--p off=0 rd mr mw me wf | [30,32) rw-p off=0 rd wr mr mw me ac | [32,34) rw-p off=0 rd wr mr mw me ac | [40,44) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

/*
 * Guard markers: a#aa (WIPEONFORK) loses its marker, b#bb keeps it,
 * c#cc (DONTFORK) is gone with its marker: mapped again, it is plain.
 * The sticky `gu` flag stays on the copied VMAs.
 */
TEST(test_fork_guards)
{
	struct model *m = model_new(0, 0);

	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	EXPECT(m, "madvise 0 4 18", "0");
	EXPECT(m, "madvise 1 1 102", "0");
	EXPECT(m, "mmap 10 4 rw pf", "W+10");
	EXPECT(m, "madvise 11 1 102", "0");
	EXPECT(m, "mmap 20 4 rw pf", "W+20");
	EXPECT(m, "madvise 20 4 10", "0");
	EXPECT(m, "madvise 21 1 102", "0");
	LAYOUT(m, "[0,4) rw-p off=0 rd wr mr mw me gu ac wf | [10,14) rw-p off=0 rd wr mr mw me gu ac | [20,24) rw-p off=0 rd wr mr mw me gu dc ac");
	EXPECT(m, "fork", "0");
	EXPECT(m, "touch 1 1", "1 pages");
	EXPECT(m, "touch 11 1", "0 pages SIGSEGV");
	EXPECT(m, "mmap 20 4 rw pf", "W+20");
	EXPECT(m, "touch 21 1", "1 pages");
	LAYOUT(m, "[0,4) rw-p off=0 rd wr mr mw me gu ac wf | [10,14) rw-p off=0 rd wr mr mw me gu ac | [20,24) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

int main(void)
{
	RUN(test_fork_child_layout);
	RUN(test_fork_anon_vma_merges);
	RUN(test_fork_guards);
	return test_summary();
}
