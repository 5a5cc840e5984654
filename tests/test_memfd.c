// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of memfd mappings in the model (model/shmem.c, the file
 * branch of model/mmap.c, file pages in model/memory.c, MADV_REMOVE and
 * DONTNEED on file mappings in model/madvise.c). Every expected result
 * and layout below was measured on the real kernel (6.18.44 x86-64, this
 * machine): the same op lines were run, each test in a fresh process
 * under `setarch -R`, by a small C program that creates the memfds as the
 * executor does (memfd_create, ftruncate, page i's first byte
 * memfd_byte(k, i) when filled, an O_RDONLY reopen through /proc/self/fd
 * for ro, fd 200 + k), maps in a window at 0x100000000000 (W) and prints
 * each call's result, the bytes it read and the window's /proc/self/smaps
 * lines exactly as run() and layout() print them here (touch writes
 * touch_byte(0, i) to the i-th page).
 *
 * Maps in comments: one letter per page, one letter per VMA, `.`
 * unmapped, lower case for a VMA with an anon_vma.
 *
 * Op lines (page numbers relative to W or a raw 0x.. address):
 *   memfd K BYTES rw|ro fill|nofill   model_memfd(K, fd 200 + K)
 *   mmap P N PROT FLAGS FD OFF        PROT r w x letters; FLAGS p private,
 *                                     s shared, v shared_validate,
 *                                     f fixed, a anonymous, n noreserve,
 *                                     P populate, h hugetlb, g growsdown,
 *                                     y sync, l locked, d droppable, or
 *                                     0x..; FD fK (fd 200 + K) or -1
 *   mremap P OLD NEW F [Q]            F a number (1 MAYMOVE, 2 FIXED,
 *                                     4 DONTUNMAP)
 *   munmap P N, mprotect P N PROT, madvise P N ADVICE (a number),
 *   touch P N, read P N               read: the bytes read, one a page
 */
#include "model_test.h"

#include <xxhash.h>

#define SPAN (128 * PG)
#define FD_BASE 200

static uint64_t memfd_flags_of(const char *s)
{
	static const char letters[] = "psvfanPhgyld";
	static const uint64_t bits[] = {
		MAP_PRIVATE,  MAP_SHARED,   MAP_SHARED_VALIDATE, MAP_FIXED,
		MAP_ANONYMOUS, MAP_NORESERVE, MAP_POPULATE,	  MAP_HUGETLB,
		MAP_GROWSDOWN, 0x80000 /* MAP_SYNC */, MAP_LOCKED,
		0x08 /* MAP_DROPPABLE */,
	};
	uint64_t f = 0;

	if (!strncmp(s, "0x", 2))
		return strtoull(s, NULL, 16);
	for (; *s; s++)
		f |= bits[strchr(letters, *s) - letters];
	return f;
}

static void addr_result(const struct outcome *o, char *res, size_t size)
{
	uint64_t a = (uint64_t)o->ret;

	if (o->ret == -1)
		snprintf(res, size, "-1 %s", errname(o->err));
	else if (a >= W && a < W + (1ull << 30))
		snprintf(res, size, "W+%llu", (unsigned long long)((a - W) / PG));
	else
		snprintf(res, size, "0x%llx", (unsigned long long)a);
}

/*
 * model_read() only gives a hash of the bytes: read page by page and
 * take each byte back from its one-byte hash, then check the hash of the
 * whole read against them.
 */
static void read_bytes(struct model *m, uint64_t addr, uint64_t n, char *res,
		       size_t size)
{
	uint8_t bytes[64];
	struct outcome o, one;
	size_t len;

	model_read(m, addr, n, &o);
	len = snprintf(res, size, "%lld pages%s bytes=", (long long)o.ret,
		       o.sig == SIGSEGV ? " SIGSEGV" : o.sig ? " SIGBUS" : "");
	for (int64_t i = 0; i < o.ret && i < 64; i++) {
		model_read(m, addr + i * PG, 1, &one);
		for (unsigned b = 0; b < 256; b++) {
			bytes[i] = (uint8_t)b;
			if (XXH3_64bits(&bytes[i], 1) == one.data)
				break;
		}
		len += snprintf(res + len, size - len, "%s%u", i ? "," : "",
				bytes[i]);
	}
	if (XXH3_64bits(bytes, (size_t)o.ret) != o.data)
		snprintf(res + len, size - len, " (hash mismatch)");
}

static const char *run(struct model *m, const char *line)
{
	static char res[512];
	char op[16], a[6][32] = { { 0 } };
	struct outcome o;
	int n = sscanf(line, "%15s %31s %31s %31s %31s %31s %31s", op, a[0],
		       a[1], a[2], a[3], a[4], a[5]);
	uint64_t addr = addr_of(a[0]), len = strtoull(a[1], NULL, 0) * PG;

	if (!strcmp(op, "memfd")) {
		unsigned k = (unsigned)atoi(a[0]);

		model_memfd(m, k, FD_BASE + (int)k, strtoull(a[1], NULL, 0),
			    !strcmp(a[2], "ro"), !strcmp(a[3], "fill"));
		return "ok";
	}
	if (!strcmp(op, "mmap")) {
		model_mmap(m, addr, len, prot_of(a[2]), memfd_flags_of(a[3]),
			   a[4][0] == 'f' ? FD_BASE + atoi(a[4] + 1) : -1,
			   strtoull(a[5], NULL, 0), &o);
		addr_result(&o, res, sizeof(res));
	} else if (!strcmp(op, "mremap")) {
		model_mremap(m, addr, len, strtoull(a[2], NULL, 0) * PG,
			     strtoull(a[3], NULL, 0), n > 5 ? addr_of(a[4]) : 0,
			     &o);
		addr_result(&o, res, sizeof(res));
	} else if (!strcmp(op, "munmap")) {
		model_munmap(m, addr, len, &o);
		int_result(&o, res, sizeof(res));
	} else if (!strcmp(op, "mprotect")) {
		model_mprotect(m, addr, len, prot_of(a[2]), &o);
		int_result(&o, res, sizeof(res));
	} else if (!strcmp(op, "madvise")) {
		model_madvise(m, addr, len, strtoull(a[2], NULL, 0), &o);
		int_result(&o, res, sizeof(res));
	} else if (!strcmp(op, "touch")) {
		run_access(m, op, addr, len / PG, res, sizeof(res));
	} else {
		read_bytes(m, addr, len / PG, res, sizeof(res));
	}
	return res;
}

static const char *layout(const struct model *m)
{
	return window_layout(m, SPAN, LAYOUT_SMAPS);
}

TEST(test_mmap_rules)
{
	struct model *m = model_new(0, 0);

	EXPECT(m, "memfd 0 16384 rw nofill", "ok");
	EXPECT(m, "mmap 0 1 r sf f0 0x800", "-1 EINVAL");
	EXPECT(m, "mmap 0 1 r sf f3 0", "-1 EBADF");
	EXPECT(m, "mmap 0 1 r pf f3 0", "-1 EBADF");
	EXPECT(m, "mmap 0 1 r sfh f0 0", "-1 EINVAL");
	EXPECT(m, "mmap 0 1 r sf f0 0x7ffffffffffff000", "-1 EOVERFLOW");
	EXPECT(m, "mmap 0 1 r sf f0 0x7fffffffffffe000", "W+0");
	EXPECT(m, "mmap 2 1 r sf f0 0xfffffffffffff000", "-1 EOVERFLOW");
	EXPECT(m, "mmap 4 1 r vfy f0 0", "-1 EOPNOTSUPP");
	EXPECT(m, "mmap 4 1 r sfy f0 0", "W+4");
	EXPECT(m, "mmap 6 1 r pfg f0 0", "-1 EINVAL");
	EXPECT(m, "mmap 6 1 r sfg f0 0", "-1 EINVAL");
	EXPECT(m, "mmap 6 1 r df f0 0", "-1 EINVAL");
	EXPECT(m, "mmap 6 1 r 0x10 f0 0", "-1 EINVAL");
	EXPECT(m, "mmap 8 1 rw sfa f0 0x3000", "W+8");
	EXPECT(m, "mmap 10 1 rw pfa f3 0", "W+10");
	/* W: A...B...C.D.   A s f0@0x7fffffffffffe000, B s f0 (VM_SYNC kept), */
	/*                   C s anon (fd ignored), D p anon */
	LAYOUT(m, "[0,1) r--s off=7fffffffffffe000 rd sh mr mw me ms | "
		   "[4,5) r--s off=0 rd sh mr mw me ms sf | "
		   "[8,9) rw-s off=0 rd wr sh mr mw me ms | "
		   "[10,11) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

/* An O_RDONLY memfd: no shared writing, ever; private COW is fine. */
TEST(test_ro_fd)
{
	struct model *m = model_new(0, 0);

	EXPECT(m, "memfd 0 8192 ro fill", "ok");
	EXPECT(m, "mmap 0 2 rw sf f0 0", "-1 EACCES");
	EXPECT(m, "mmap 0 2 rw vf f0 0", "-1 EACCES");
	EXPECT(m, "mmap 0 2 r sf f0 0", "W+0");
	EXPECT(m, "mprotect 0 2 rw", "-1 EACCES");
	EXPECT(m, "mprotect 0 1 rx", "0");
	EXPECT(m, "mmap 4 2 rw pf f0 0", "W+4");
	EXPECT(m, "read 4 2", "2 pages bytes=92,99");
	EXPECT(m, "touch 4 1", "1 pages");
	EXPECT(m, "read 4 2", "2 pages bytes=1,99");
	EXPECT(m, "read 0 2", "2 pages bytes=92,99");
	EXPECT(m, "madvise 0 2 9", "-1 EACCES");
	EXPECT(m, "madvise 4 2 9", "-1 EACCES");
	/* W: AB..cc   A r-xs, B r--s (no mw: O_RDONLY), c rw-p COW */
	LAYOUT(m, "[0,1) r-xs off=0 rd ex mr me ms | "
		   "[1,2) r--s off=1000 rd mr me ms | "
		   "[4,6) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

TEST(test_account)
{
	struct model *m = model_new(0, 0);

	EXPECT(m, "memfd 0 65536 rw nofill", "ok");
	EXPECT(m, "mmap 0 2 rw pf f0 0", "W+0");
	EXPECT(m, "mmap 3 2 r pf f0 0x3000", "W+3");
	EXPECT(m, "mmap 6 2 rw pfn f0 0x6000", "W+6");
	EXPECT(m, "mmap 9 2 rwx sfn f0 0x9000", "W+9");
	EXPECT(m, "mmap 12 2 rw sf f0 0xc000", "W+12");
	EXPECT(m, "mprotect 3 1 rw", "0");
	EXPECT(m, "mprotect 0 1 r", "0");
	EXPECT(m, "mprotect 12 2 r", "0");
	EXPECT(m, "mprotect 12 2 rw", "0");
	/* W: AB.CD.EE.FF.GG   private: A r ac, B rw ac, C rw ac (mprotect), */
	/*                     D r none, E noreserve; shared F, G never ac */
	LAYOUT(m, "[0,1) r--p off=0 rd mr mw me ac | "
		   "[1,2) rw-p off=1000 rd wr mr mw me ac | "
		   "[3,4) rw-p off=3000 rd wr mr mw me ac | "
		   "[4,5) r--p off=4000 rd mr mw me | "
		   "[6,8) rw-p off=6000 rd wr mr mw me nr | "
		   "[9,11) rwxs off=9000 rd wr ex sh mr mw me ms nr | "
		   "[12,14) rw-s off=c000 rd wr sh mr mw me ms");
	model_destroy(m);
}

TEST(test_merge)
{
	struct model *m = model_new(0, 0);

	EXPECT(m, "memfd 0 262144 rw nofill", "ok");
	EXPECT(m, "memfd 1 262144 rw nofill", "ok");
	EXPECT(m, "mmap 0 2 r sf f0 0", "W+0");
	EXPECT(m, "mmap 4 2 r sf f0 0x4000", "W+4");
	EXPECT(m, "mmap 2 2 r sf f0 0x2000", "W+2");
	EXPECT(m, "mmap 6 2 r sf f0 0x10000", "W+6");
	EXPECT(m, "mmap 8 2 r sf f1 0x8000", "W+8");
	EXPECT(m, "mmap 10 2 r pf f1 0xa000", "W+10");
	/* W: AAAAAABBCCDD   A f0 pgoff 0-5 (filled hole merges both sides), */
	/*                   B f0 @0x10000, C f1, D private f1 */
	/* then mprotect 1-2 rw:  ABBCCCDDEEFF  and back: AAAAAA... */
	LAYOUT(m, "[0,6) r--s off=0 rd sh mr mw me ms | "
		   "[6,8) r--s off=10000 rd sh mr mw me ms | "
		   "[8,10) r--s off=8000 rd sh mr mw me ms | "
		   "[10,12) r--p off=a000 rd mr mw me");
	EXPECT(m, "mprotect 1 2 rw", "0");
	/* W: AAAAAABBCCDD   A f0 pgoff 0-5 (filled hole merges both sides), */
	/*                   B f0 @0x10000, C f1, D private f1 */
	/* then mprotect 1-2 rw:  ABBCCCDDEEFF  and back: AAAAAA... */
	LAYOUT(m, "[0,1) r--s off=0 rd sh mr mw me ms | "
		   "[1,3) rw-s off=1000 rd wr sh mr mw me ms | "
		   "[3,6) r--s off=3000 rd sh mr mw me ms | "
		   "[6,8) r--s off=10000 rd sh mr mw me ms | "
		   "[8,10) r--s off=8000 rd sh mr mw me ms | "
		   "[10,12) r--p off=a000 rd mr mw me");
	EXPECT(m, "mprotect 1 2 r", "0");
	/* W: AAAAAABBCCDD   A f0 pgoff 0-5 (filled hole merges both sides), */
	/*                   B f0 @0x10000, C f1, D private f1 */
	/* then mprotect 1-2 rw:  ABBCCCDDEEFF  and back: AAAAAA... */
	LAYOUT(m, "[0,6) r--s off=0 rd sh mr mw me ms | "
		   "[6,8) r--s off=10000 rd sh mr mw me ms | "
		   "[8,10) r--s off=8000 rd sh mr mw me ms | "
		   "[10,12) r--p off=a000 rd mr mw me");
	model_destroy(m);
}

/*
 * W: SSSS....ppp   S shared f0 pgoff 0-3, p private f0 pgoff 1-3.
 * The private mapping reads the file (later shared writes show) until
 * its own write makes a COW copy; DONTNEED drops the copies.
 */
TEST(test_data)
{
	struct model *m = model_new(0, 0);

	EXPECT(m, "memfd 0 16384 rw fill", "ok");
	EXPECT(m, "mmap 0 4 rw sf f0 0", "W+0");
	EXPECT(m, "mmap 8 3 rw pf f0 0x1000", "W+8");
	EXPECT(m, "read 0 4", "4 pages bytes=92,99,106,113");
	EXPECT(m, "read 8 3", "3 pages bytes=99,106,113");
	EXPECT(m, "touch 1 2", "2 pages");
	EXPECT(m, "read 8 3", "3 pages bytes=1,2,113");
	EXPECT(m, "touch 9 1", "1 pages");
	EXPECT(m, "read 0 4", "4 pages bytes=92,1,2,113");
	EXPECT(m, "read 8 3", "3 pages bytes=1,1,113");
	EXPECT(m, "touch 1 2", "2 pages");
	EXPECT(m, "read 8 3", "3 pages bytes=1,1,113");
	EXPECT(m, "madvise 8 3 4", "0");
	EXPECT(m, "read 8 3", "3 pages bytes=1,2,113");
	EXPECT(m, "madvise 0 4 4", "0");
	EXPECT(m, "read 0 4", "4 pages bytes=92,1,2,113");
	model_destroy(m);
}

TEST(test_sigbus)
{
	struct model *m = model_new(0, 0);

	EXPECT(m, "memfd 0 5000 rw fill", "ok");
	EXPECT(m, "memfd 1 4096 rw nofill", "ok");
	EXPECT(m, "mmap 0 4 rw sf f0 0", "W+0");
	EXPECT(m, "read 0 4", "2 pages SIGBUS bytes=92,99");
	EXPECT(m, "touch 0 4", "2 pages SIGBUS");
	EXPECT(m, "mmap 8 4 rw pf f0 0", "W+8");
	EXPECT(m, "read 8 4", "2 pages SIGBUS bytes=1,2");
	EXPECT(m, "touch 8 4", "2 pages SIGBUS");
	EXPECT(m, "mmap 16 1 rw pf f1 0", "W+16");
	EXPECT(m, "mmap 18 1 rw pf f1 0x2000", "W+18");
	EXPECT(m, "touch 16 1", "1 pages");
	EXPECT(m, "touch 18 1", "0 pages SIGBUS");
	EXPECT(m, "mmap 17 1 rw pf f1 0x1000", "W+17");
	EXPECT(m, "mmap 20 1 rw pf f1 0", "W+20");
	EXPECT(m, "mmap 22 1 rw pf f1 0x2000", "W+22");
	EXPECT(m, "touch 20 1", "1 pages");
	EXPECT(m, "read 22 1", "0 pages SIGBUS bytes=");
	EXPECT(m, "mmap 21 1 rw pf f1 0x1000", "W+21");
	/* W: AAAA....bbbb....ccD.eee   f1 is one page: c holds pgoff 0-1, */
	/*    D (pgoff 2) got its anon_vma from a SIGBUS write, so the middle */
	/*    joined only prev; e: the read SIGBUS gave none, all three merge */
	LAYOUT(m, "[0,4) rw-s off=0 rd wr sh mr mw me ms | "
		   "[8,12) rw-p off=0 rd wr mr mw me ac | "
		   "[16,18) rw-p off=0 rd wr mr mw me ac | "
		   "[18,19) rw-p off=2000 rd wr mr mw me ac | "
		   "[20,23) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

/*
 * W: SSSS....ppp   f0 is 10000 bytes (3 pages). REMOVE punches holes:
 * shared pages and uncopied private ones read 0, COW copies stay; on a
 * private mapping EACCES; FREE is EINVAL on file mappings.
 */
TEST(test_remove)
{
	struct model *m = model_new(0, 0);

	EXPECT(m, "memfd 0 10000 rw fill", "ok");
	EXPECT(m, "mmap 0 4 rw sf f0 0", "W+0");
	EXPECT(m, "mmap 8 3 rw pf f0 0", "W+8");
	EXPECT(m, "read 8 3", "3 pages bytes=92,99,106");
	EXPECT(m, "touch 8 1", "1 pages");
	EXPECT(m, "madvise 0 1 9", "0");
	EXPECT(m, "read 0 3", "3 pages bytes=0,99,106");
	EXPECT(m, "read 8 3", "3 pages bytes=1,99,106");
	EXPECT(m, "madvise 1 3 9", "0");
	EXPECT(m, "read 8 3", "3 pages bytes=1,0,0");
	EXPECT(m, "madvise 8 1 9", "-1 EACCES");
	EXPECT(m, "madvise 0 1 8", "-1 EINVAL");
	EXPECT(m, "madvise 8 1 8", "-1 EINVAL");
	EXPECT(m, "touch 1 1", "1 pages");
	EXPECT(m, "read 9 1", "1 pages bytes=1");
	EXPECT(m, "madvise 8 3 4", "0");
	EXPECT(m, "read 8 3", "3 pages bytes=0,1,0");
	model_destroy(m);
}

TEST(test_populate)
{
	struct model *m = model_new(0, 0);

	EXPECT(m, "memfd 0 9000 rw fill", "ok");
	EXPECT(m, "mmap 0 4 rw sf f0 0", "W+0");
	EXPECT(m, "mmap 8 4 rw pfP f0 0", "W+8");
	EXPECT(m, "mmap 16 3 r pfP f0 0", "W+16");
	EXPECT(m, "mmap 20 3 rw pf f0 0", "W+20");
	EXPECT(m, "madvise 20 4 23", "-1 ENOMEM");
	EXPECT(m, "madvise 20 2 23", "0");
	EXPECT(m, "touch 0 3", "3 pages");
	EXPECT(m, "read 8 4", "3 pages SIGBUS bytes=92,99,106");
	EXPECT(m, "read 16 3", "3 pages bytes=1,2,3");
	EXPECT(m, "read 20 3", "3 pages bytes=92,99,106");
	/* W: AAAA....bbbb....CCC.ddd   b, d: COW copies; C maps the file */
	LAYOUT(m, "[0,4) rw-s off=0 rd wr sh mr mw me ms | "
		   "[8,12) rw-p off=0 rd wr mr mw me ac | "
		   "[16,19) r--p off=0 rd mr mw me | "
		   "[20,23) rw-p off=0 rd wr mr mw me ac");
	model_destroy(m);
}

TEST(test_mremap)
{
	struct model *m = model_new(0, 0);

	EXPECT(m, "memfd 0 131072 rw fill", "ok");
	EXPECT(m, "mmap 0 2 rw sf f0 0", "W+0");
	EXPECT(m, "mmap 2 2 rw sf f0 0x2000", "W+2");
	EXPECT(m, "mremap 2 2 4 0", "W+2");
	EXPECT(m, "mremap 0 1 1 3 20", "W+20");
	/* W: AAAAAA ... (20: A moved out and back) ... bbb@60 ... bbbbb@80 */
	LAYOUT(m, "[1,6) rw-s off=1000 rd wr sh mr mw me ms | "
		   "[20,21) rw-s off=0 rd wr sh mr mw me ms");
	EXPECT(m, "mremap 20 1 1 3 0", "W+0");
	/* W: AAAAAA ... (20: A moved out and back) ... bbb@60 ... bbbbb@80 */
	LAYOUT(m, "[0,6) rw-s off=0 rd wr sh mr mw me ms");
	EXPECT(m, "mmap 40 3 rw pf f0 0x8000", "W+40");
	EXPECT(m, "touch 40 2", "2 pages");
	EXPECT(m, "mremap 40 3 3 3 60", "W+60");
	EXPECT(m, "read 60 3", "3 pages bytes=1,2,162");
	EXPECT(m, "mremap 60 3 3 7 80", "W+80");
	EXPECT(m, "read 60 3", "3 pages bytes=148,155,162");
	EXPECT(m, "read 80 3", "3 pages bytes=1,2,162");
	EXPECT(m, "mremap 80 3 5 0", "W+80");
	EXPECT(m, "read 80 5", "5 pages bytes=1,2,162,169,176");
	EXPECT(m, "touch 0 1", "1 pages");
	EXPECT(m, "read 80 5", "5 pages bytes=1,2,162,169,176");
	/* W: AAAAAA ... (20: A moved out and back) ... bbb@60 ... bbbbb@80 */
	LAYOUT(m, "[0,6) rw-s off=0 rd wr sh mr mw me ms | "
		   "[60,63) rw-p off=8000 rd wr mr mw me ac | "
		   "[80,85) rw-p off=8000 rd wr mr mw me ac");
	model_destroy(m);
}

/* mmap then munmap; the address the mmap returned (or -1). */
static int64_t place(struct model *m, uint64_t flags, int fd, uint64_t off)
{
	struct outcome o, u;

	model_mmap(m, 0, 512 * PG, PROT_READ, flags, fd, off, &o);
	if (o.ret != -1)
		model_munmap(m, (uint64_t)o.ret, 512 * PG, &u);
	return o.ret;
}

/*
 * Placement: a memfd's f_op->get_unmapped_area is shmem_get_unmapped_area(),
 * which with shmem THP off (shmem_enabled `never`, hugepages-2048kB
 * `inherit`) is the plain top-down search, shared or private, whatever
 * the offset. Measured (one process, each mapping unmapped before the
 * next, len 2 MiB): shared anon, memfd shared, memfd private and memfd
 * private at offset 0x1000 all landed at 0x7ffff7bce000, private anon at
 * the THP-aligned 0x7ffff7a00000. The model's absolute addresses differ
 * (no libc mappings), so this checks the same relations. A free hint is
 * taken as it is (measured: W+100).
 */
TEST(test_placement)
{
	struct model *m = model_new(0, 0);
	int64_t shanon;

	EXPECT(m, "memfd 0 8388608 rw nofill", "ok");
	shanon = place(m, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(shanon != -1 && (shanon & (2 * 1024 * 1024 - 1)));
	CHECK_EQ(place(m, MAP_SHARED, FD_BASE, 0), shanon);
	CHECK_EQ(place(m, MAP_PRIVATE, FD_BASE, 0), shanon);
	CHECK_EQ(place(m, MAP_PRIVATE, FD_BASE, 0x1000), shanon);
	CHECK_EQ(place(m, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) &
			 (2 * 1024 * 1024 - 1), 0);
	EXPECT(m, "mmap 100 1 r s f0 0", "W+100");
	LAYOUT(m, "[100,101) r--s off=0 rd sh mr mw me ms");
	model_destroy(m);
}

/* The executor closes the memfds after each program: after model_reset()
 * their fds are bad (an undeclared fd measured EBADF above). The first
 * read was measured: memfd_byte(1, 0). */
TEST(test_reset_forgets)
{
	struct model *m = model_new(0, 0);

	EXPECT(m, "memfd 1 4096 rw fill", "ok");
	EXPECT(m, "mmap 0 1 r sf f1 0", "W+0");
	EXPECT(m, "read 0 1", "1 pages bytes=153");
	model_reset(m);
	EXPECT(m, "mmap 0 1 r sf f1 0", "-1 EBADF");
	EXPECT(m, "memfd 1 4096 rw nofill", "ok");
	EXPECT(m, "mmap 0 1 r sf f1 0", "W+0");
	EXPECT(m, "read 0 1", "1 pages bytes=0");
	model_destroy(m);
}

int main(void)
{
	RUN(test_mmap_rules);
	RUN(test_ro_fd);
	RUN(test_account);
	RUN(test_merge);
	RUN(test_data);
	RUN(test_sigbus);
	RUN(test_remove);
	RUN(test_populate);
	RUN(test_mremap);
	RUN(test_placement);
	RUN(test_reset_forgets);
	return test_summary();
}
