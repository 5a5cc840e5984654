// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of mlockall(), munlockall(), RLIMIT_MEMLOCK and CAP_IPC_LOCK
 * in the model (model/mlock.c, model/mmap.c, model/mremap.c). Every
 * expected result and layout below was taken from the real kernel
 * (6.18.44 x86-64, this machine, root without CAP_SYS_RESOURCE, RLIMIT_MEMLOCK
 * 8192 kB soft and hard): the same op lines were run under `setarch -R`,
 * each test in a fresh process, by a small C program that maps in a
 * window at 0x100000000000 (W) and prints each call's result and the
 * window's /proc/self/smaps lines exactly as run() and layout() print
 * them here. Whether populate gave a VMA an anon_vma is seen through
 * mprotect(PROT_READ): it drops VM_ACCOUNT (`ac`) only from an unfaulted
 * anonymous VMA (mprotect_fixup()).
 *
 * Maps in comments follow tools/testing/vma/vma.c: one letter per page,
 * one letter per VMA, `.` unmapped, lower case for a faulted VMA.
 *
 * Op lines (page numbers relative to W, lengths in pages):
 *   mmap P N PROT FLAGS  PROT r w x letters; FLAGS as in model_test.h or
 *                        0x.. (0x38: MAP_DROPPABLE|MAP_FIXED)
 *   mlock P N [F]        mlock2 flags F (1 MLOCK_ONFAULT); munlock P N
 *   mlockall F           F a number: 1 CURRENT, 2 FUTURE, 4 ONFAULT
 *   munlockall, dropcap (CAP_IPC_LOCK), memlock BYTES (setrlimit, cur =
 *   max), memlock_vm D   (the limit at total_vm + D pages: the kernel
 *                        program read VmSize), mremap P OLD NEW F (F a
 *                        number), mprotect P N PROT
 */
#include "model_test.h"

/* The pages of the model's foreign VMAs (see model_with_foreign()). */
static uint64_t foreign_pages;

/* mm->total_vm: the foreign VMAs plus the program's. */
static uint64_t total_vm(const struct model *m)
{
	struct snapshot s;
	uint64_t pages = foreign_pages;

	snapshot_init(&s);
	model_snapshot(m, &s, 0);
	for (uint32_t i = 0; i < s.n; i++)
		pages += (s.v[i].end - s.v[i].start) / PG;
	snapshot_free(&s);
	return pages;
}

/* Runs one op line on m; the result as the kernel-side program prints it. */
static const char *run(struct model *m, const char *line)
{
	static char res[128];
	char op[16], a[32] = "", b[32] = "", c[32] = "", d[32] = "";
	uint64_t len;
	struct outcome o;

	sscanf(line, "%15s %31s %31s %31s %31s", op, a, b, c, d);
	len = strtoull(b, NULL, 0) * PG;
	if (!strcmp(op, "mmap") || !strcmp(op, "mremap")) {
		if (op[2] == 'a')
			model_mmap(m, addr_of(a), len, prot_of(c), flags_of(d),
				   -1, 0, &o);
		else
			model_mremap(m, addr_of(a), len,
				     strtoull(c, NULL, 0) * PG,
				     strtoull(d, NULL, 0), 0, &o);
		if (o.ret == -1)
			snprintf(res, sizeof(res), "-1 %s", errname(o.err));
		else
			snprintf(res, sizeof(res), "W+%lld",
				 (long long)(((uint64_t)o.ret - W) / PG));
		return res;
	}
	if (!strcmp(op, "mprotect"))
		model_mprotect(m, addr_of(a), len, prot_of(c), &o);
	else if (!strcmp(op, "mlock"))
		model_mlock2(m, addr_of(a), len, strtoull(c, NULL, 0), &o);
	else if (!strcmp(op, "munlock"))
		model_munlock(m, addr_of(a), len, &o);
	else if (!strcmp(op, "mlockall"))
		model_mlockall(m, strtoull(a, NULL, 0), &o);
	else if (!strcmp(op, "munlockall"))
		model_munlockall(m, &o);
	else if (!strcmp(op, "memlock"))
		model_memlock_limit(m, strtoull(a, NULL, 0), &o);
	else if (!strcmp(op, "memlock_vm"))
		model_memlock_limit(m, (total_vm(m) + strtoll(a, NULL, 0)) * PG,
				    &o);
	else if (!strcmp(op, "dropcap"))
		model_drop_ipc_lock(m, &o);
	else
		return "bad op";
	int_result(&o, res, sizeof(res));
	return res;
}

static const char *layout(const struct model *m)
{
	return window_layout(m, 1024 * PG, LAYOUT_SMAPS);
}

/*
 * The experiment program's own VMAs stand in as foreign ones: 592 pages
 * of ordinary memory and 8 pages of VM_IO|VM_PFNMAP|VM_DONTEXPAND ones
 * (its vvar, vvar_vclock and vdso were 8 pages), which mlockall() leaves
 * unlocked (vma_supports_mlock()).
 */
static struct model *model_with_foreign(void)
{
	static const struct snap_vma foreign[] = {
		{ .start = 0x7ffff7000000, .end = 0x7ffff7250000,
		  .prot = PROT_READ,
		  .vmflags = VMF(VMF_READ) | VMF(VMF_MAYREAD) |
			     VMF(VMF_MAYWRITE) | VMF(VMF_MAYEXEC) },
		{ .start = 0x7ffff7300000, .end = 0x7ffff7308000,
		  .prot = PROT_READ,
		  .vmflags = VMF(VMF_READ) | VMF(VMF_MAYREAD) | VMF(VMF_IO) |
			     VMF(VMF_PFNMAP) | VMF(VMF_DONTEXPAND) },
	};
	struct model_config cfg;

	model_config_default(&cfg);
	foreign_pages = 592 + 8;
	return model_create(&cfg, foreign, 2);
}

/*
 * mlockall's EINVAL cases, then MCL_CURRENT over
 *   AABBCCDD..EE..XX..SS  (B read-only, C MAP_LOCKED, E PROT_NONE,
 *                          X droppable, S shared) and a hugetlb VMA:
 * every VMA but X and the hugetlb one gets `lo`, C and D merge (no split
 * ever), and populate faulted A for write (it keeps `ac` when made
 * read-only after munlockall).
 */
TEST(test_mlockall_current)
{
	struct model *m = model_new(0, 0);

	foreign_pages = 0;
	EXPECT(m, "mlockall 0", "-1 EINVAL");
	EXPECT(m, "mlockall 8", "-1 EINVAL");
	EXPECT(m, "mlockall 4", "-1 EINVAL");
	EXPECT(m, "mlockall 0x10", "-1 EINVAL");
	EXPECT(m, "mlockall 6", "0");
	EXPECT(m, "munlockall", "0");
	EXPECT(m, "mmap 0 2 rw pf", "W+0");
	EXPECT(m, "mmap 2 2 r pf", "W+2");
	EXPECT(m, "mmap 4 2 rw pfl", "W+4");
	EXPECT(m, "mmap 6 2 rw pf", "W+6");
	EXPECT(m, "mmap 10 2 0 pf", "W+10");
	EXPECT(m, "mmap 14 2 rw 0x38", "W+14");
	EXPECT(m, "mmap 16 2 rw sf", "W+16");
	EXPECT(m, "mmap 512 512 rw pfhR", "W+512");
	EXPECT(m, "mlockall 1", "0");
	LAYOUT(m, "[0,2) rw-p off=0 rd wr mr mw me lo ac | [2,4) r--p off=0 rd mr mw me lo | [4,8) rw-p off=0 rd wr mr mw me lo ac | [10,12) ---p off=0 mr mw me lo | [14,16) rw-p off=0 rd wr mr mw me nr wf dd dp | [16,18) rw-s off=0 rd wr sh mr mw me ms lo | [512,1024) rw-p off=0 rd wr mr mw me de nr ht");
	EXPECT(m, "munlockall", "0");
	LAYOUT(m, "[0,2) rw-p off=0 rd wr mr mw me ac | [2,4) r--p off=0 rd mr mw me | [4,8) rw-p off=0 rd wr mr mw me ac | [10,12) ---p off=0 mr mw me | [14,16) rw-p off=0 rd wr mr mw me nr wf dd dp | [16,18) rw-s off=0 rd wr sh mr mw me ms | [512,1024) rw-p off=0 rd wr mr mw me de nr ht");
	EXPECT(m, "mprotect 0 1 r", "0");
	EXPECT(m, "mprotect 8 2 rw", "-1 ENOMEM");
	EXPECT(m, "mprotect 2 2 rw", "0");
	LAYOUT(m, "[0,1) r--p off=0 rd mr mw me ac | [1,4) rw-p off=0 rd wr mr mw me ac | [4,8) rw-p off=0 rd wr mr mw me ac | [10,12) ---p off=0 mr mw me | [14,16) rw-p off=0 rd wr mr mw me nr wf dd dp | [16,18) rw-s off=0 rd wr sh mr mw me ms | [512,1024) rw-p off=0 rd wr mr mw me de nr ht");
	model_destroy(m);
}

/* MCL_CURRENT|MCL_ONFAULT: `lo lf` and no populate (A loses `ac`). */
TEST(test_mlockall_onfault)
{
	struct model *m = model_new(0, 0);

	foreign_pages = 0;
	EXPECT(m, "mmap 0 2 rw pf", "W+0");
	EXPECT(m, "mmap 2 2 r pf", "W+2");
	EXPECT(m, "mmap 4 2 rw pfl", "W+4");
	EXPECT(m, "mmap 6 2 rw pf", "W+6");
	EXPECT(m, "mmap 10 2 0 pf", "W+10");
	EXPECT(m, "mmap 14 2 rw 0x38", "W+14");
	EXPECT(m, "mmap 16 2 rw sf", "W+16");
	EXPECT(m, "mmap 512 512 rw pfhR", "W+512");
	EXPECT(m, "mlockall 5", "0");
	LAYOUT(m, "[0,2) rw-p off=0 rd wr mr mw me lo lf ac | [2,4) r--p off=0 rd mr mw me lo lf | [4,8) rw-p off=0 rd wr mr mw me lo lf ac | [10,12) ---p off=0 mr mw me lo lf | [14,16) rw-p off=0 rd wr mr mw me nr wf dd dp | [16,18) rw-s off=0 rd wr sh mr mw me ms lo lf | [512,1024) rw-p off=0 rd wr mr mw me de nr ht");
	EXPECT(m, "munlockall", "0");
	EXPECT(m, "mprotect 0 1 r", "0");
	EXPECT(m, "mprotect 14 1 r", "0");
	LAYOUT(m, "[0,1) r--p off=0 rd mr mw me | [1,2) rw-p off=0 rd wr mr mw me ac | [2,4) r--p off=0 rd mr mw me | [4,8) rw-p off=0 rd wr mr mw me ac | [10,12) ---p off=0 mr mw me | [14,15) r--p off=0 rd mr mw me nr wf dd dp | [15,16) rw-p off=0 rd wr mr mw me nr wf dd dp | [16,18) rw-s off=0 rd wr sh mr mw me ms | [512,1024) rw-p off=0 rd wr mr mw me de nr ht");
	model_destroy(m);
}

/*
 * MCL_FUTURE (mm->def_flags): later mappings are locked and populated,
 * with MCL_ONFAULT locked on fault; droppable and hugetlb ones are not
 * locked (__mmap_complete()). A later MCL_CURRENT alone clears
 * def_flags, and so does munlockall.
 */
TEST(test_mlockall_future)
{
	struct model *m = model_new(0, 0);

	foreign_pages = 0;
	EXPECT(m, "mlockall 2", "0");
	EXPECT(m, "mmap 0 2 rw pf", "W+0");
	EXPECT(m, "mmap 2 2 r pf", "W+2");
	EXPECT(m, "mlockall 6", "0");
	EXPECT(m, "mmap 4 2 rw pf", "W+4");
	EXPECT(m, "mmap 8 2 rw 0x38", "W+8");
	EXPECT(m, "mmap 512 512 rw pfhR", "W+512");
	LAYOUT(m, "[0,2) rw-p off=0 rd wr mr mw me lo ac | [2,4) r--p off=0 rd mr mw me lo | [4,6) rw-p off=0 rd wr mr mw me lo lf ac | [8,10) rw-p off=0 rd wr mr mw me nr wf dd dp | [512,1024) rw-p off=0 rd wr mr mw me de nr ht");
	EXPECT(m, "mlockall 1", "0");
	EXPECT(m, "mmap 12 2 rw pf", "W+12");
	LAYOUT(m, "[0,2) rw-p off=0 rd wr mr mw me lo ac | [2,4) r--p off=0 rd mr mw me lo | [4,6) rw-p off=0 rd wr mr mw me lo ac | [8,10) rw-p off=0 rd wr mr mw me nr wf dd dp | [12,14) rw-p off=0 rd wr mr mw me ac | [512,1024) rw-p off=0 rd wr mr mw me de nr ht");
	EXPECT(m, "mlockall 2", "0");
	EXPECT(m, "munlockall", "0");
	EXPECT(m, "mmap 16 2 rw pf", "W+16");
	EXPECT(m, "mprotect 0 1 r", "0");
	EXPECT(m, "mprotect 4 1 r", "0");
	LAYOUT(m, "[0,1) r--p off=0 rd mr mw me ac | [1,2) rw-p off=0 rd wr mr mw me ac | [2,4) r--p off=0 rd mr mw me | [4,5) r--p off=0 rd mr mw me ac | [5,6) rw-p off=0 rd wr mr mw me ac | [8,10) rw-p off=0 rd wr mr mw me nr wf dd dp | [12,14) rw-p off=0 rd wr mr mw me ac | [16,18) rw-p off=0 rd wr mr mw me ac | [512,1024) rw-p off=0 rd wr mr mw me de nr ht");
	model_destroy(m);
}

/*
 * Without CAP_IPC_LOCK: MCL_CURRENT needs total_vm (every VMA, the
 * foreign ones included) <= the limit; MCL_FUTURE alone is not checked
 * but later mappings are (EAGAIN); a raised limit is EPERM (no
 * CAP_SYS_RESOURCE); mlock counts the locked pages already in its range
 * once; mremap cannot grow a locked VMA past the limit (EAGAIN); with
 * limit 0 everything but munlock(all) is EPERM, or EAGAIN for a mapping
 * that MCL_FUTURE would lock.
 *   AAAA....BBBB........CCCCCCCC
 */
TEST(test_memlock_limits)
{
	struct model *m = model_with_foreign();

	EXPECT(m, "dropcap", "0");
	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	EXPECT(m, "mmap 8 4 rw pf", "W+8");
	EXPECT(m, "memlock_vm -1", "0");
	EXPECT(m, "mlockall 1", "-1 ENOMEM");
	EXPECT(m, "mlockall 3", "-1 ENOMEM");
	EXPECT(m, "mlockall 2", "0");
	EXPECT(m, "mmap 20 1 rw pf", "W+20");
	EXPECT(m, "munlockall", "0");
	EXPECT(m, "memlock_vm 0", "-1 EPERM");
	EXPECT(m, "mlockall 1", "-1 ENOMEM");
	EXPECT(m, "munlockall", "0");
	EXPECT(m, "memlock 65536", "0");
	EXPECT(m, "mlock 0 4", "0");
	EXPECT(m, "mlock 8 4", "0");
	EXPECT(m, "mmap 20 8 rw pfl", "W+20");
	EXPECT(m, "mmap 30 1 rw pfl", "-1 EAGAIN");
	EXPECT(m, "mlock 0 4", "0");
	EXPECT(m, "mremap 20 8 9 0", "-1 EAGAIN");
	EXPECT(m, "munlock 0 1", "0");
	EXPECT(m, "mremap 20 8 9 0", "W+20");
	EXPECT(m, "mlockall 1", "-1 ENOMEM");
	EXPECT(m, "mlockall 2", "0");
	EXPECT(m, "mmap 40 1 rw pf", "-1 EAGAIN");
	EXPECT(m, "munlock 0 4", "0");
	EXPECT(m, "mmap 40 1 rw pf", "W+40");
	LAYOUT(m, "[0,4) rw-p off=0 rd wr mr mw me ac | [8,12) rw-p off=0 rd wr mr mw me lo ac | [20,29) rw-p off=0 rd wr mr mw me lo ac | [40,41) rw-p off=0 rd wr mr mw me lo ac");
	EXPECT(m, "memlock 0", "0");
	EXPECT(m, "mlock 0 1", "-1 EPERM");
	EXPECT(m, "mmap 50 1 rw pfl", "-1 EPERM");
	EXPECT(m, "mmap 50 1 rw pf", "-1 EAGAIN");
	EXPECT(m, "mlockall 2", "-1 EPERM");
	EXPECT(m, "munlockall", "0");
	EXPECT(m, "mmap 50 1 rw pf", "W+50");
	EXPECT(m, "munlock 8 4", "0");
	LAYOUT(m, "[0,4) rw-p off=0 rd wr mr mw me ac | [8,12) rw-p off=0 rd wr mr mw me ac | [20,29) rw-p off=0 rd wr mr mw me ac | [40,41) rw-p off=0 rd wr mr mw me ac | [50,51) rw-p off=0 rd wr mr mw me ac");

	/* model_reset() (the model's, not a kernel call): the configured
	 * limit and capability come back */
	model_reset(m);
	EXPECT(m, "dropcap", "0");
	EXPECT(m, "memlock 65536", "0");
	EXPECT(m, "mmap 0 17 rw pfl", "-1 EAGAIN");
	model_reset(m);
	EXPECT(m, "mmap 0 17 rw pfl", "W+0");
	EXPECT(m, "mlockall 1", "0");
	model_destroy(m);
}

/*
 * The limit exactly at total_vm: MCL_CURRENT passes (the check is <=),
 * and the special foreign VMAs stay unlocked: 8 more MCL_FUTURE pages
 * still fit, the 9th does not (the kernel program's VmLck stayed 32 kB
 * below its VmSize).
 */
TEST(test_mlockall_limit_boundary)
{
	struct model *m = model_with_foreign();

	EXPECT(m, "dropcap", "0");
	EXPECT(m, "mmap 0 4 rw pf", "W+0");
	EXPECT(m, "memlock_vm 0", "0");
	EXPECT(m, "mlockall 3", "0");
	EXPECT(m, "mmap 8 8 rw pf", "W+8");
	EXPECT(m, "mmap 16 1 rw pf", "-1 EAGAIN");
	model_destroy(m);
}

int main(void)
{
	RUN(test_mlockall_current);
	RUN(test_mlockall_onfault);
	RUN(test_mlockall_future);
	RUN(test_memlock_limits);
	RUN(test_mlockall_limit_boundary);
	return test_summary();
}
