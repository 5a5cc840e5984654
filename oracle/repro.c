// SPDX-License-Identifier: GPL-2.0
/* The standalone C reproducer (repro.h). */
#include "repro.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/mman.h>

#include "compare.h"

#define WINDOW_END (PROG_WINDOW_BASE + PROG_WINDOW_PAGES * PROG_PAGE_SIZE)

/* --- the fixed parts of the generated file --------------------------------- */

static const char how_text[] =
	" * What is compared. For every op: the return value, errno, fault\n"
	" * signal and, for read, the bytes read (as their XXH3-64 digest, which\n"
	" * is what vmadiff compares). After op %u: the layout of the window\n"
	" * (W to W+1 GiB), VMA by VMA, against the model's.\n"
	" *\n"
	" * What is not. The model predicted where the kernel places non-fixed\n"
	" * mappings for vmadiff's small static executor; this process has its\n"
	" * own layout (a dynamic libc, its own stack), so they may land\n"
	" * elsewhere here without anything being wrong. So an address the\n"
	" * kernel chose (a non-fixed mmap not placed in the window) is compared\n"
	" * by class only: failed, at the hint, in the window, or elsewhere; and\n"
	" * VMAs outside the window are printed but not compared. Ops that use\n"
	" * such a result (rK+n) use the address the kernel returned here, as\n"
	" * the executor does with its own. This process also has more VMAs of\n"
	" * its own, which matters near vm.max_map_count (it prints a note).\n"
	" * Ops the executor skipped because they came near its own memory\n"
	" * (vmadiff knows which) are skipped here too; an op that would overlap\n"
	" * this process's own memory is not run (exit status 2).\n";

static const char runtime_head[] =
	"#define _GNU_SOURCE\n"
	"#include <errno.h>\n"
	"#include <fcntl.h>\n"
	"#include <setjmp.h>\n"
	"#include <signal.h>\n"
	"#include <stdint.h>\n"
	"#include <stdio.h>\n"
	"#include <string.h>\n"
	"#include <stdlib.h>\n"
	"#include <sys/resource.h>\n"
	"#include <sys/syscall.h>\n"
	"#include <sys/utsname.h>\n"
	"#include <sys/wait.h>\n"
	"#include <unistd.h>\n"
	"\n"
	"#define PAGE 0x1000ull\n"
	"#define W 0x100000000000ull\t\t/* the window: W+n is its page n */\n"
	"#define W_END (W + 262144 * PAGE)\t/* 1 GiB */\n"
	"#define MAX_VMAS 70000\n"
	"\n"
	"/* One op's result, as vmadiff records it (oracle/snapshot.h). */\n"
	"struct outcome {\n"
	"\tlong long ret;\t/* return value; touch/read: pages accessed */\n"
	"\tint err;\t/* errno when ret == -1 */\n"
	"\tint sig;\t/* SIGSEGV or SIGBUS when an access faulted */\n"
	"\tuint64_t data;\t/* read: XXH3-64 of the bytes read */\n"
	"\tint skipped;\t/* 1: skipped (near the executor's own memory),\n"
	"\t\t\t   2: not run (over this process's own memory) */\n"
	"};\n"
	"\n"
	"/* How an outcome is compared with the model's. */\n"
	"enum { EXACT, PLACED /* a non-fixed mmap: the address by class */ };\n"
	"\n"
	"struct range {\n"
	"\tuint64_t start, end;\n"
	"};\n"
	"\n"
	"/* A VMA as /proc/self/maps shows it. */\n"
	"struct vma {\n"
	"\tuint64_t start, end;\n"
	"\tchar prot[4];\t\t/* \"rw-\" */\n"
	"\tchar shared;\t\t/* 's' or 'p' */\n"
	"\tchar backing[6];\t/* \"anon\", \"shmem\" (shared or hugetlb) or \"memfd\" */\n"
	"\tuint64_t pgoff;\t\t/* the offset column in pages */\n"
	"};\n"
	"\n"
	;

static const char runtime_body[] =
	"static struct outcome out[NOPS];\t/* what each op did here */\n"
	"static struct range self_own[4096];\t/* this process's VMAs at start */\n"
	"static int nself;\n"
	"static int ndiffer, nnot_run;\n"
	"static char maps[8 << 20];\n"
	"static struct vma here[MAX_VMAS];\n"
	"\n"
	"/* Whether [start, start + len) overlaps this process's own memory: the\n"
	" * op must not run (it could clobber us). A range that wraps never does:\n"
	" * every call rejects it before touching memory. */\n"
	"static int blocked(uint64_t start, uint64_t len, struct outcome *o)\n"
	"{\n"
	"\tmemset(o, 0, sizeof(*o));\n"
	"\tif (start + len < start)\n"
	"\t\treturn 0;\n"
	"\tfor (int i = 0; i < nself; i++)\n"
	"\t\tif (start < self_own[i].end && self_own[i].start < start + len)\n"
	"\t\t\to->skipped = 2;\n"
	"\treturn o->skipped;\n"
	"}\n"
	"\n"
	"/* --- printing and comparing ---------------------------------------------- */\n"
	"\n"
	"static const char *errno_name(int e, char *buf)\n"
	"{\n"
	"\tstatic const struct {\n"
	"\t\tint e;\n"
	"\t\tconst char *name;\n"
	"\t} names[] = {\n"
	"\t\t{ EPERM, \"EPERM\" },\t { EINTR, \"EINTR\" },\n"
	"\t\t{ EBADF, \"EBADF\" },\t { EAGAIN, \"EAGAIN\" },\n"
	"\t\t{ ENOMEM, \"ENOMEM\" },\t { EACCES, \"EACCES\" },\n"
	"\t\t{ EFAULT, \"EFAULT\" },\t { EBUSY, \"EBUSY\" },\n"
	"\t\t{ EEXIST, \"EEXIST\" },\t { ENODEV, \"ENODEV\" },\n"
	"\t\t{ EINVAL, \"EINVAL\" },\t { ENFILE, \"ENFILE\" },\n"
	"\t\t{ EMFILE, \"EMFILE\" },\t { ETXTBSY, \"ETXTBSY\" },\n"
	"\t\t{ EFBIG, \"EFBIG\" },\t { EOVERFLOW, \"EOVERFLOW\" },\n"
	"\t\t{ EOPNOTSUPP, \"EOPNOTSUPP\" },\n"
	"\t};\n"
	"\n"
	"\tfor (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)\n"
	"\t\tif (names[i].e == e)\n"
	"\t\t\treturn names[i].name;\n"
	"\tsprintf(buf, \"E%d\", e);\n"
	"\treturn buf;\n"
	"}\n"
	"\n"
	"static void show(char *buf, size_t cap, int is_mmap, const struct outcome *o)\n"
	"{\n"
	"\tchar e[16];\n"
	"\tint n;\n"
	"\n"
	"\tif (o->skipped)\n"
	"\t\tn = snprintf(buf, cap, o->skipped == 1 ? \"skipped\" : \"not run here\");\n"
	"\telse if (o->ret == -1)\n"
	"\t\tn = snprintf(buf, cap, \"ret=-1 %s\", errno_name(o->err, e));\n"
	"\telse if (is_mmap)\n"
	"\t\tn = snprintf(buf, cap, \"ret=0x%llx\", (unsigned long long)o->ret);\n"
	"\telse\n"
	"\t\tn = snprintf(buf, cap, \"ret=%lld%s\", o->ret,\n"
	"\t\t\t     o->sig == SIGSEGV ? \" SIGSEGV\"\n"
	"\t\t\t     : o->sig == SIGBUS ? \" SIGBUS\"\n"
	"\t\t\t     : o->sig\t       ? \" SIG?\"\n"
	"\t\t\t\t\t       : \"\");\n"
	"\tif (o->data && n >= 0 && (size_t)n < cap)\n"
	"\t\tsnprintf(buf + n, cap - n, \" data=%016llx\",\n"
	"\t\t\t (unsigned long long)o->data);\n"
	"}\n"
	"\n"
	"/* The class of an mmap result: what PLACED compares. */\n"
	"static const char *placed_class(const struct outcome *o, uint64_t hint)\n"
	"{\n"
	"\tuint64_t r = (uint64_t)o->ret;\n"
	"\n"
	"\tif (o->skipped || o->ret == -1)\n"
	"\t\treturn \"failed\";\n"
	"\tif (hint && r == hint)\n"
	"\t\treturn \"at the hint\";\n"
	"\tif (r >= W && r < W_END)\n"
	"\t\treturn \"in the window\";\n"
	"\treturn \"elsewhere\";\n"
	"}\n"
	"\n"
	"static int same(const struct outcome *k, const struct outcome *m, int how,\n"
	"\t\tuint64_t hint)\n"
	"{\n"
	"\tif (k->skipped != m->skipped || k->err != m->err || k->sig != m->sig ||\n"
	"\t    k->data != m->data)\n"
	"\t\treturn 0;\n"
	"\tif (how == PLACED)\n"
	"\t\treturn !strcmp(placed_class(k, hint), placed_class(m, hint));\n"
	"\treturn k->ret == m->ret;\n"
	"}\n"
	"\n"
	"/* Prints op i's outcome here next to the model's and counts a difference.\n"
	" * hint: the address the op's last call asked for (PLACED). */\n"
	"static void expect(int i, const char *text, int is_mmap, int how,\n"
	"\t\t   uint64_t hint, struct outcome m)\n"
	"{\n"
	"\tchar k[96], e[96];\n"
	"\tconst char *verdict;\n"
	"\n"
	"\tshow(k, sizeof(k), is_mmap, &out[i]);\n"
	"\tshow(e, sizeof(e), is_mmap, &m);\n"
	"\tif (out[i].skipped == 2) {\n"
	"\t\tverdict = \"NOT RUN (over this process's own memory)\";\n"
	"\t\tnnot_run++;\n"
	"\t} else if (!same(&out[i], &m, how, hint)) {\n"
	"\t\tverdict = \"DIFFERENT\";\n"
	"\t\tndiffer++;\n"
	"\t} else {\n"
	"\t\tverdict = how == PLACED ? \"same class\" : \"same\";\n"
	"\t}\n"
	"\tprintf(\"op %2d  %s\\n       kernel: %-36s model: %-36s %s\", i, text,\n"
	"\t       k, e, verdict);\n"
	"\tif (how == PLACED && !out[i].skipped)\n"
	"\t\tprintf(\" (kernel: %s, model: %s)\", placed_class(&out[i], hint),\n"
	"\t\t       placed_class(&m, hint));\n"
	"\tprintf(\"\\n\");\n"
	"}\n"
	"\n"
	"/* --- layouts ------------------------------------------------------------ */\n"
	"\n"
	"static size_t read_maps(void)\n"
	"{\n"
	"\tint fd = open(\"/proc/self/maps\", O_RDONLY);\n"
	"\tsize_t n = 0;\n"
	"\tssize_t r;\n"
	"\n"
	"\tif (fd < 0)\n"
	"\t\treturn 0;\n"
	"\twhile (n < sizeof(maps) - 1 &&\n"
	"\t       (r = read(fd, maps + n, sizeof(maps) - 1 - n)) > 0)\n"
	"\t\tn += (size_t)r;\n"
	"\tclose(fd);\n"
	"\tmaps[n] = 0;\n"
	"\treturn n;\n"
	"}\n"
	"\n"
	"/* Parses one maps line as the executor does (harness/exec_snap.c): an\n"
	" * inode means shmem (/dev/zero, /anon_hugepage) or, named\n"
	" * /memfd:vmadiff-fK, one of the program's memfds; the offset column\n"
	" * is pgoff. The path (or \"\") goes to *path. */\n"
	"static int parse_line(char *line, struct vma *v, char **path)\n"
	"{\n"
	"\tunsigned long long s, e, off, ino;\n"
	"\tchar perms[5];\n"
	"\tint n = 0;\n"
	"\n"
	"\tif (sscanf(line, \"%llx-%llx %4s %llx %*x:%*x %llu %n\", &s, &e, perms,\n"
	"\t\t   &off, &ino, &n) < 5 || !n)\n"
	"\t\treturn -1;\n"
	"\tv->start = s;\n"
	"\tv->end = e;\n"
	"\tmemcpy(v->prot, perms, 3);\n"
	"\tv->prot[3] = 0;\n"
	"\tv->shared = perms[3];\n"
	"\t*path = line + n;\n"
	"\tstrcpy(v->backing, !ino ? \"anon\"\n"
	"\t\t\t   : !strncmp(*path, \"/memfd:vmadiff-f\", 16) ? \"memfd\"\n"
	"\t\t\t\t\t\t\t\t : \"shmem\");\n"
	"\tv->pgoff = off / PAGE;\n"
	"\treturn 0;\n"
	"}\n"
	"\n"
	"/* This process's own VMAs: everything mapped before the first op. */\n"
	"static void snapshot_self(void)\n"
	"{\n"
	"\tchar *line = maps, *nl, *path;\n"
	"\tstruct vma v;\n"
	"\n"
	"\tread_maps();\n"
	"\tfor (; (nl = strchr(line, '\\n')) && nself < 4096; line = nl + 1) {\n"
	"\t\t*nl = 0;\n"
	"\t\t/* the gate page is no VMA to the executor either */\n"
	"\t\tif (!parse_line(line, &v, &path) && strcmp(path, \"[vsyscall]\")) {\n"
	"\t\t\tself_own[nself].start = v.start;\n"
	"\t\t\tself_own[nself++].end = v.end;\n"
	"\t\t}\n"
	"\t}\n"
	"}\n"
	"\n"
	"static int overlaps_self(const struct vma *v)\n"
	"{\n"
	"\tfor (int i = 0; i < nself; i++)\n"
	"\t\tif (v->start < self_own[i].end && self_own[i].start < v->end)\n"
	"\t\t\treturn 1;\n"
	"\treturn 0;\n"
	"}\n"
	"\n"
	"/* The program's VMAs here: those that overlap none of this process's\n"
	" * own and are no special mapping. */\n"
	"static int program_vmas(void)\n"
	"{\n"
	"\tchar *line = maps, *nl, *path;\n"
	"\tint n = 0;\n"
	"\n"
	"\tread_maps();\n"
	"\tfor (; (nl = strchr(line, '\\n')) && n < MAX_VMAS; line = nl + 1) {\n"
	"\t\t*nl = 0;\n"
	"\t\tif (parse_line(line, &here[n], &path))\n"
	"\t\t\tcontinue;\n"
	"\t\tif (*path == '[')\t/* [heap], [stack], ... */\n"
	"\t\t\tcontinue;\n"
	"\t\tif (!overlaps_self(&here[n]))\n"
	"\t\t\tn++;\n"
	"\t}\n"
	"\treturn n;\n"
	"}\n"
	"\n"
	"static int in_window(const struct vma *v)\n"
	"{\n"
	"\treturn v->start < W_END && v->end > W;\n"
	"}\n"
	"\n"
	"static int vma_same(const struct vma *a, const struct vma *b)\n"
	"{\n"
	"\treturn a->start == b->start && a->end == b->end &&\n"
	"\t       !strcmp(a->prot, b->prot) && a->shared == b->shared &&\n"
	"\t       !strcmp(a->backing, b->backing) && a->pgoff == b->pgoff;\n"
	"}\n"
	"\n"
	"static void vma_str(const struct vma *v, char *buf, size_t cap)\n"
	"{\n"
	"\tif (!v)\n"
	"\t\tbuf[0] = 0;\n"
	"\telse\n"
	"\t\tsnprintf(buf, cap, \"%llx-%llx %s %c %llx %s\",\n"
	"\t\t\t (unsigned long long)v->start, (unsigned long long)v->end,\n"
	"\t\t\t v->prot, v->shared, (unsigned long long)v->pgoff, v->backing);\n"
	"}\n"
	"\n"
	"static void side(int differ, const struct vma *m, const struct vma *k)\n"
	"{\n"
	"\tchar a[96], b[96];\n"
	"\n"
	"\tvma_str(m, a, sizeof(a));\n"
	"\tvma_str(k, b, sizeof(b));\n"
	"\tprintf(\"%s %-48s | %s\\n\", differ ? \"!\" : \" \", a, b);\n"
	"}\n"
	"\n"
	"/* Side by side, model | kernel, the VMAs in the window; returns the\n"
	" * number of differing lines. */\n"
	"static int diff(const struct vma *m, int nm, const struct vma *k, int nk)\n"
	"{\n"
	"\tint i = 0, j = 0, nd = 0;\n"
	"\n"
	"\twhile (i < nm || j < nk) {\n"
	"\t\tconst struct vma *x = i < nm ? &m[i] : NULL;\n"
	"\t\tconst struct vma *y = j < nk ? &k[j] : NULL;\n"
	"\n"
	"\t\tif (x && !in_window(x)) {\n"
	"\t\t\ti++;\n"
	"\t\t} else if (y && !in_window(y)) {\n"
	"\t\t\tj++;\n"
	"\t\t} else if (x && y && x->start == y->start) {\n"
	"\t\t\tnd += !vma_same(x, y);\n"
	"\t\t\tside(!vma_same(x, y), x, y);\n"
	"\t\t\ti++, j++;\n"
	"\t\t} else if (x && (!y || x->start < y->start)) {\n"
	"\t\t\tside(1, x, NULL);\n"
	"\t\t\tnd++, i++;\n"
	"\t\t} else {\n"
	"\t\t\tside(1, NULL, y);\n"
	"\t\t\tnd++, j++;\n"
	"\t\t}\n"
	"\t}\n"
	"\treturn nd;\n"
	"}\n"
	"\n"
	"/* Both lists of VMAs outside the window, side by side in order. */\n"
	"static void list_outside(const struct vma *m, int nm, const struct vma *k,\n"
	"\t\t\t int nk)\n"
	"{\n"
	"\tint i = 0, j = 0;\n"
	"\tchar a[96], b[96];\n"
	"\n"
	"\tfor (;;) {\n"
	"\t\twhile (i < nm && in_window(&m[i]))\n"
	"\t\t\ti++;\n"
	"\t\twhile (j < nk && in_window(&k[j]))\n"
	"\t\t\tj++;\n"
	"\t\tif (i == nm && j == nk)\n"
	"\t\t\treturn;\n"
	"\t\tvma_str(i < nm ? &m[i++] : NULL, a, sizeof(a));\n"
	"\t\tvma_str(j < nk ? &k[j++] : NULL, b, sizeof(b));\n"
	"\t\tprintf(\"  %-48s | %s\\n\", a, b);\n"
	"\t}\n"
	"}\n"
	"\n"
	"/* The window's layout here against the model's after op i. */\n"
	"static void expect_layout(int i)\n"
	"{\n"
	"\tint n = program_vmas(), nd;\n"
	"\n"
	"\tprintf(\"\\nlayout of the window after op %d (! marks differences):\\n\"\n"
	"\t       \"  %-48s | %s\\n\", i, \"model\", \"kernel (this process)\");\n"
	"\tnd = diff(model_layout, NMODEL, here, n);\n"
	"\tprintf(\"%s\\n\", nd ? \"layout: DIFFERENT\" : \"layout: same\");\n"
	"\tndiffer += nd != 0;\n"
	"\tprintf(\"\\nprogram VMAs outside the window (not compared: placed\"\n"
	"\t       \" for another process):\\n  %-48s | %s\\n\", \"model\",\n"
	"\t       \"kernel (this process)\");\n"
	"\tlist_outside(model_layout, NMODEL, here, n);\n"
	"}\n"
	"\n"
	"static void setup(void)\n"
	"{\n"
	"\tstatic char obuf[1 << 16];\n"
	"\tstruct utsname u;\n"
	"\n"
	"\t/* a static buffer: stdio must not map memory once we started */\n"
	"\tsetvbuf(stdout, obuf, _IOLBF, sizeof(obuf));\n"
	"\tsetrlimit(RLIMIT_AS, &(struct rlimit){ RLIMIT_AS_BYTES,\n"
	"\t\t\t\t\t   RLIMIT_AS_BYTES });\n"
	"\tuname(&u);\n"
	"\tprintf(\"vmadiff reproducer: kernel %s here, found on %s\\n\", u.release,\n"
	"\t       FOUND_ON);\n"
	"\tprintf(\"signature: %s\\n\\n\", SIGNATURE);\n"
	"\tfflush(stdout);\n"
	"\tsnapshot_self();\n"
	"\tif (MAP_COUNT_MATTERS && nself != EXEC_VMAS)\n"
	"\t\tprintf(\"note: this process has %d VMAs of its own, vmadiff's \"\n"
	"\t\t       \"executor had %d: a program that reaches \"\n"
	"\t\t       \"vm.max_map_count splits %s often here\\n\\n\", nself,\n"
	"\t\t       EXEC_VMAS, nself > EXEC_VMAS ? \"less\" : \"more\");\n"
	"}\n"
	"\n"
	"static int finish(void)\n"
	"{\n"
	"\tif (ndiffer)\n"
	"\t\tprintf(\"\\nRESULT: the kernel DISAGREES with the model (%d \"\n"
	"\t\t       \"difference%s)\\n\", ndiffer, ndiffer == 1 ? \"\" : \"s\");\n"
	"\telse if (nnot_run)\n"
	"\t\tprintf(\"\\nRESULT: inconclusive: %d op%s could not run here\\n\",\n"
	"\t\t       nnot_run, nnot_run == 1 ? \"\" : \"s\");\n"
	"\telse\n"
	"\t\tprintf(\"\\nRESULT: the kernel agrees with the model\\n\");\n"
	"\treturn ndiffer ? 1 : nnot_run ? 2 : 0;\n"
	"}\n";

static const char result_text[] =
	"/* rK+n: the address op K (an mmap) returned here, or the window if it\n"
	" * did not return one (harness/prog.c). */\n"
	"static uint64_t result(int k)\n"
	"{\n"
	"\treturn out[k].err || out[k].sig || out[k].skipped ? W\n"
	"\t\t\t\t\t\t\t   : (uint64_t)out[k].ret;\n"
	"}\n"
	"\n"
	;

static const char syscall_text[] =
	"static struct outcome syscall_outcome(long r)\n"
	"{\n"
	"\tstruct outcome o = { .ret = r };\n"
	"\n"
	"\tif (r == -1)\n"
	"\t\to.err = errno;\n"
	"\treturn o;\n"
	"}\n"
	"\n"
	;

static const char mmap_text[] =
	"/* Only an mmap at 0 that is neither MAP_FIXED nor MAP_FIXED_NOREPLACE\n"
	" * leaves the place to the kernel. fd: -1, or file K's FILE_FD + K. */\n"
	"static struct outcome do_mmap(uint64_t addr, uint64_t len, unsigned long prot,\n"
	"\t\t\t      unsigned long flags, long fd, uint64_t off)\n"
	"{\n"
	"\tstruct outcome o;\n"
	"\n"
	"\t/* 0x100010: MAP_FIXED | MAP_FIXED_NOREPLACE */\n"
	"\tif ((addr || (flags & 0x100010)) && blocked(addr, len, &o))\n"
	"\t\treturn o;\n"
	"\treturn syscall_outcome(syscall(SYS_mmap, addr, len, prot, flags, fd,\n"
	"\t\t\t\t       off));\n"
	"}\n"
	"\n"
	;

/* Emitted for programs that declare files: harness/exec_files.c. */
static const char files_text[] =
	"/* --- the program's memfds, made as the executor makes them\n"
	" * (harness/exec_files.c) before the first op */\n"
	"\n"
	"#define FILE_FD 200\t/* file K is at fd FILE_FD + K */\n"
	"\n"
	"/* memfd_byte() of vmadiff's model/model.h: the first byte of page i of\n"
	" * a filled file k (all its other bytes are 0). */\n"
	"static uint8_t memfd_byte(unsigned k, uint64_t i)\n"
	"{\n"
	"\treturn (uint8_t)((0x5bu + k * 61u + i * 7u) % 255u + 1u);\n"
	"}\n"
	"\n"
	"static void file_failed(unsigned k, const char *what)\n"
	"{\n"
	"\tprintf(\"cannot make memfd f%u: %s: %s\\n\", k, what, strerror(errno));\n"
	"\tfflush(stdout);\n"
	"\texit(2);\n"
	"}\n"
	"\n"
	"/* memfd_create \"vmadiff-fK\", ftruncate to size, page i starting with\n"
	" * memfd_byte(k, i) if filled, reopened O_RDONLY through /proc/self/fd\n"
	" * if ro, at fd FILE_FD + k; maps shows \"/memfd:vmadiff-fK (deleted)\". */\n"
	"static void make_file(unsigned k, uint64_t size, int ro, int fill)\n"
	"{\n"
	"\tchar name[16], path[32];\n"
	"\tint fd, use;\n"
	"\n"
	"\tsnprintf(name, sizeof(name), \"vmadiff-f%u\", k);\n"
	"\tfd = (int)syscall(SYS_memfd_create, name, 0);\n"
	"\tif (fd < 0 || ftruncate(fd, (off_t)size))\n"
	"\t\tfile_failed(k, \"memfd_create or ftruncate\");\n"
	"\tfor (uint64_t i = 0; fill && i * PAGE < size; i++) {\n"
	"\t\tuint8_t b = memfd_byte(k, i);\n"
	"\n"
	"\t\tif (pwrite(fd, &b, 1, (off_t)(i * PAGE)) != 1)\n"
	"\t\t\tfile_failed(k, \"pwrite\");\n"
	"\t}\n"
	"\tuse = fd;\n"
	"\tif (ro) {\n"
	"\t\tsnprintf(path, sizeof(path), \"/proc/self/fd/%d\", fd);\n"
	"\t\tuse = open(path, O_RDONLY);\n"
	"\t\tif (use < 0)\n"
	"\t\t\tfile_failed(k, \"open O_RDONLY\");\n"
	"\t}\n"
	"\tif (dup2(use, FILE_FD + (int)k) < 0)\n"
	"\t\tfile_failed(k, \"dup2\");\n"
	"\tif (use != fd)\n"
	"\t\tclose(use);\n"
	"\tclose(fd);\n"
	"}\n"
	"\n"
	;

static const char memlock_limit_text[] =
	"static struct outcome do_memlock_limit(uint64_t len)\n"
	"{\n"
	"\tstruct rlimit r = { len, len };\n"
	"\n"
	"\treturn syscall_outcome(setrlimit(RLIMIT_MEMLOCK, &r));\n"
	"}\n"
	"\n"
	;

static const char drop_ipc_lock_text[] =
	"/* capget/capset version 3 (linux/capability.h, here so that this\n"
	" * file needs libc only): two 32-bit words of each set. */\n"
	"struct cap_header {\n"
	"\tuint32_t version;\n"
	"\tint pid;\n"
	"};\n"
	"\n"
	"struct cap_data {\n"
	"\tuint32_t effective, permitted, inheritable;\n"
	"};\n"
	"\n"
	"#define CAP_VERSION_3 0x20080522\n"
	"#define CAP_IPC_LOCK 14\n"
	"\n"
	"/* CAP_IPC_LOCK out of the effective, permitted and inheritable sets,\n"
	" * every other capability kept. */\n"
	"static struct outcome do_drop_ipc_lock(void)\n"
	"{\n"
	"\tstruct cap_header h = { CAP_VERSION_3, 0 };\n"
	"\tstruct cap_data d[2];\n"
	"\tuint32_t bit = 1u << (CAP_IPC_LOCK % 32);\n"
	"\n"
	"\tif (syscall(SYS_capget, &h, d))\n"
	"\t\treturn syscall_outcome(-1);\n"
	"\td[CAP_IPC_LOCK / 32].effective &= ~bit;\n"
	"\td[CAP_IPC_LOCK / 32].permitted &= ~bit;\n"
	"\td[CAP_IPC_LOCK / 32].inheritable &= ~bit;\n"
	"\treturn syscall_outcome(syscall(SYS_capset, &h, d));\n"
	"}\n"
	"\n"
	;

static const char fork_text[] =
	"/* fork: the child runs the rest of the program (its outcome: ret 0)\n"
	" * and prints its results; the parent waits for it and exits with its\n"
	" * status, as vmadiff's executor does. */\n"
	"static struct outcome do_fork(void)\n"
	"{\n"
	"\tpid_t c;\n"
	"\tint st;\n"
	"\n"
	"\tfflush(stdout);\n"
	"\tc = fork();\n"
	"\tif (c < 0)\n"
	"\t\treturn syscall_outcome(-1);\n"
	"\tif (c == 0)\n"
	"\t\treturn (struct outcome){ 0 };\n"
	"\twhile (waitpid(c, &st, 0) < 0)\n"
	"\t\tif (errno != EINTR)\n"
	"\t\t\t_exit(2);\n"
	"\t_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));\n"
	"}\n"
	"\n"
	;

static const char munmap_text[] =
	"static struct outcome do_munmap(uint64_t addr, uint64_t len)\n"
	"{\n"
	"\tstruct outcome o;\n"
	"\n"
	"\tif (blocked(addr, len, &o))\n"
	"\t\treturn o;\n"
	"\treturn syscall_outcome(syscall(SYS_munmap, addr, len));\n"
	"}\n"
	"\n"
	;

static const char mremap_text[] =
	"/* The source, where it may grow, and any new address must all be\n"
	" * clear of this process's own memory. */\n"
	"static struct outcome do_mremap(uint64_t addr, uint64_t len, uint64_t len2,\n"
	"\t\t\t\tunsigned long flags, uint64_t addr2)\n"
	"{\n"
	"\tstruct outcome o;\n"
	"\n"
	"\tif (blocked(addr, len > len2 ? len : len2, &o) ||\n"
	"\t    (addr2 && blocked(addr2, len2, &o)))\n"
	"\t\treturn o;\n"
	"\treturn syscall_outcome(syscall(SYS_mremap, addr, len, len2, flags,\n"
	"\t\t\t\t       addr2));\n"
	"}\n"
	"\n"
	;

static const char range_text[] =
	"/* madvise, mlock2, munlock, mseal: one range, one argument. */\n"
	"static struct outcome do_range(long nr, uint64_t addr, uint64_t len,\n"
	"\t\t\t       long arg)\n"
	"{\n"
	"\tstruct outcome o;\n"
	"\n"
	"\tif (blocked(addr, len, &o))\n"
	"\t\treturn o;\n"
	"\treturn syscall_outcome(syscall(nr, addr, len, arg));\n"
	"}\n"
	"\n"
	;

static const char mprotect_text[] =
	"static struct outcome do_mprotect(uint64_t addr, uint64_t len,\n"
	"\t\t\t\t  unsigned long prot)\n"
	"{\n"
	"\tstruct outcome o;\n"
	"\n"
	"\tif (blocked(addr, len, &o))\n"
	"\t\treturn o;\n"
	"\treturn syscall_outcome(syscall(SYS_mprotect, addr, len, prot));\n"
	"}\n"
	"\n"
	;

static const char access_text[] =
	"/* --- touch and read: faults are outcomes, caught as the executor does */\n"
	"\n"
	"static sigjmp_buf fault_jmp;\n"
	"static volatile sig_atomic_t armed;\n"
	"static volatile uint64_t fault_addr;\n"
	"static uint8_t bytes[262144];\n"
	"\n"
	"/* Only a fault on the page being accessed (or a #GP, address 0, for a\n"
	" * non-canonical one) is an outcome; anything else kills us. */\n"
	"static void on_fault(int sig, siginfo_t *si, void *uc)\n"
	"{\n"
	"\tuint64_t a = (uint64_t)(uintptr_t)si->si_addr;\n"
	"\n"
	"\t(void)uc;\n"
	"\tif (armed && ((a >> 12) == (fault_addr >> 12) ||\n"
	"\t\t      (si->si_code == SI_KERNEL && !a))) {\n"
	"\t\tarmed = 0;\n"
	"\t\tsiglongjmp(fault_jmp, sig);\n"
	"\t}\n"
	"\tsignal(sig, SIG_DFL);\n"
	"}\n"
	"\n"
	"static void catch_faults(void)\n"
	"{\n"
	"\t/* NODEFER: siglongjmp need not restore the signal mask */\n"
	"\tstruct sigaction sa = { .sa_sigaction = on_fault,\n"
	"\t\t\t\t.sa_flags = SA_SIGINFO | SA_NODEFER };\n"
	"\n"
	"\tsigaction(SIGSEGV, &sa, NULL);\n"
	"\tsigaction(SIGBUS, &sa, NULL);\n"
	"}\n"
	"\n"
	"/* Writes (seed * 37 + i) % 255 + 1 to, or reads, the first byte of page i\n"
	" * for i < npages; o->ret = pages accessed before a fault. */\n"
	"static void access_pages(uint64_t addr, uint64_t npages, int write,\n"
	"\t\t\t uint32_t seed, struct outcome *o)\n"
	"{\n"
	"\tstatic volatile uint64_t i; /* survives the siglongjmp */\n"
	"\tint sig;\n"
	"\n"
	"\tcatch_faults();\n"
	"\ti = 0;\n"
	"\tsig = sigsetjmp(fault_jmp, 0);\n"
	"\tif (!sig) {\n"
	"\t\tarmed = 1;\n"
	"\t\tfor (; i < npages; i++) {\n"
	"\t\t\tvolatile uint8_t *b =\n"
	"\t\t\t\t(volatile uint8_t *)(uintptr_t)(addr + i * PAGE);\n"
	"\n"
	"\t\t\tfault_addr = (uint64_t)(uintptr_t)b;\n"
	"\t\t\tif (write)\n"
	"\t\t\t\t*b = (uint8_t)((seed * 37u + i) % 255u + 1u);\n"
	"\t\t\telse\n"
	"\t\t\t\tbytes[i] = *b;\n"
	"\t\t}\n"
	"\t\tarmed = 0;\n"
	"\t}\n"
	"\to->ret = (long long)i;\n"
	"\to->sig = sig;\n"
	"}\n"
	"\n"
	;

static const char touch_text[] =
	"static struct outcome do_touch(uint64_t addr, uint64_t npages, uint32_t seed)\n"
	"{\n"
	"\tstruct outcome o;\n"
	"\n"
	"\tif (!blocked(addr, npages * PAGE, &o))\n"
	"\t\taccess_pages(addr, npages, 1, seed, &o);\n"
	"\treturn o;\n"
	"}\n"
	"\n"
	;

/* Emitted only for programs that read: how the executor digests bytes. */
static const char xxh3_text[] =
	"\n"
	"/* --- XXH3-64 ---------------------------------------------------------------\n"
	" * xxHash 0.8's XXH3_64bits() (seed 0, default secret, little-endian):\n"
	" * the digest vmadiff keeps of the bytes a read returns. A plain C copy so\n"
	" * that this file needs libc only. */\n"
	"\n"
	"static const uint8_t xxh_secret[192] = {\n"
	"\t0xb8, 0xfe, 0x6c, 0x39, 0x23, 0xa4, 0x4b, 0xbe, 0x7c, 0x01, 0x81, 0x2c,\n"
	"\t0xf7, 0x21, 0xad, 0x1c, 0xde, 0xd4, 0x6d, 0xe9, 0x83, 0x90, 0x97, 0xdb,\n"
	"\t0x72, 0x40, 0xa4, 0xa4, 0xb7, 0xb3, 0x67, 0x1f, 0xcb, 0x79, 0xe6, 0x4e,\n"
	"\t0xcc, 0xc0, 0xe5, 0x78, 0x82, 0x5a, 0xd0, 0x7d, 0xcc, 0xff, 0x72, 0x21,\n"
	"\t0xb8, 0x08, 0x46, 0x74, 0xf7, 0x43, 0x24, 0x8e, 0xe0, 0x35, 0x90, 0xe6,\n"
	"\t0x81, 0x3a, 0x26, 0x4c, 0x3c, 0x28, 0x52, 0xbb, 0x91, 0xc3, 0x00, 0xcb,\n"
	"\t0x88, 0xd0, 0x65, 0x8b, 0x1b, 0x53, 0x2e, 0xa3, 0x71, 0x64, 0x48, 0x97,\n"
	"\t0xa2, 0x0d, 0xf9, 0x4e, 0x38, 0x19, 0xef, 0x46, 0xa9, 0xde, 0xac, 0xd8,\n"
	"\t0xa8, 0xfa, 0x76, 0x3f, 0xe3, 0x9c, 0x34, 0x3f, 0xf9, 0xdc, 0xbb, 0xc7,\n"
	"\t0xc7, 0x0b, 0x4f, 0x1d, 0x8a, 0x51, 0xe0, 0x4b, 0xcd, 0xb4, 0x59, 0x31,\n"
	"\t0xc8, 0x9f, 0x7e, 0xc9, 0xd9, 0x78, 0x73, 0x64, 0xea, 0xc5, 0xac, 0x83,\n"
	"\t0x34, 0xd3, 0xeb, 0xc3, 0xc5, 0x81, 0xa0, 0xff, 0xfa, 0x13, 0x63, 0xeb,\n"
	"\t0x17, 0x0d, 0xdd, 0x51, 0xb7, 0xf0, 0xda, 0x49, 0xd3, 0x16, 0x55, 0x26,\n"
	"\t0x29, 0xd4, 0x68, 0x9e, 0x2b, 0x16, 0xbe, 0x58, 0x7d, 0x47, 0xa1, 0xfc,\n"
	"\t0x8f, 0xf8, 0xb8, 0xd1, 0x7a, 0xd0, 0x31, 0xce, 0x45, 0xcb, 0x3a, 0x8f,\n"
	"\t0x95, 0x16, 0x04, 0x28, 0xaf, 0xd7, 0xfb, 0xca, 0xbb, 0x4b, 0x40, 0x7e,\n"
	"};\n"
	"\n"
	"#define P32_1 0x9E3779B1u\n"
	"#define P32_2 0x85EBCA77u\n"
	"#define P32_3 0xC2B2AE3Du\n"
	"#define P64_1 0x9E3779B185EBCA87ull\n"
	"#define P64_2 0xC2B2AE3D27D4EB4Full\n"
	"#define P64_3 0x165667B19E3779F9ull\n"
	"#define P64_4 0x85EBCA77C2B2AE63ull\n"
	"#define P64_5 0x27D4EB2F165667C5ull\n"
	"\n"
	"static uint64_t rd64(const uint8_t *p)\n"
	"{\n"
	"\tuint64_t v;\n"
	"\n"
	"\tmemcpy(&v, p, 8);\n"
	"\treturn v;\n"
	"}\n"
	"\n"
	"static uint32_t rd32(const uint8_t *p)\n"
	"{\n"
	"\tuint32_t v;\n"
	"\n"
	"\tmemcpy(&v, p, 4);\n"
	"\treturn v;\n"
	"}\n"
	"\n"
	"static uint64_t rotl64(uint64_t x, int r)\n"
	"{\n"
	"\treturn x << r | x >> (64 - r);\n"
	"}\n"
	"\n"
	"static uint64_t bswap64(uint64_t x)\n"
	"{\n"
	"\tuint64_t r = 0;\n"
	"\n"
	"\tfor (int i = 0; i < 8; i++, x >>= 8)\n"
	"\t\tr = r << 8 | (x & 0xff);\n"
	"\treturn r;\n"
	"}\n"
	"\n"
	"/* The 128-bit product of a and b, its halves xored. */\n"
	"static uint64_t fold64(uint64_t a, uint64_t b)\n"
	"{\n"
	"\tuint64_t ll = (a & 0xffffffff) * (b & 0xffffffff);\n"
	"\tuint64_t hl = (a >> 32) * (b & 0xffffffff);\n"
	"\tuint64_t lh = (a & 0xffffffff) * (b >> 32);\n"
	"\tuint64_t hh = (a >> 32) * (b >> 32);\n"
	"\tuint64_t cross = (ll >> 32) + (hl & 0xffffffff) + lh;\n"
	"\n"
	"\treturn ((cross << 32) | (ll & 0xffffffff)) ^\n"
	"\t       ((hl >> 32) + (cross >> 32) + hh);\n"
	"}\n"
	"\n"
	"static uint64_t avalanche(uint64_t h)\n"
	"{\n"
	"\th ^= h >> 37;\n"
	"\th *= 0x165667919E3779F9ull;\n"
	"\treturn h ^ h >> 32;\n"
	"}\n"
	"\n"
	"static uint64_t avalanche64(uint64_t h)\n"
	"{\n"
	"\th ^= h >> 33;\n"
	"\th *= P64_2;\n"
	"\th ^= h >> 29;\n"
	"\th *= P64_3;\n"
	"\treturn h ^ h >> 32;\n"
	"}\n"
	"\n"
	"static uint64_t mix16(const uint8_t *in, const uint8_t *s)\n"
	"{\n"
	"\treturn fold64(rd64(in) ^ rd64(s), rd64(in + 8) ^ rd64(s + 8));\n"
	"}\n"
	"\n"
	"static uint64_t xxh3_short(const uint8_t *in, size_t len)\n"
	"{\n"
	"\tconst uint8_t *s = xxh_secret;\n"
	"\tuint64_t h, lo, hi;\n"
	"\n"
	"\tif (len > 8) {\n"
	"\t\tlo = rd64(in) ^ (rd64(s + 24) ^ rd64(s + 32));\n"
	"\t\thi = rd64(in + len - 8) ^ (rd64(s + 40) ^ rd64(s + 48));\n"
	"\t\treturn avalanche(len + bswap64(lo) + hi + fold64(lo, hi));\n"
	"\t}\n"
	"\tif (len >= 4) {\n"
	"\t\th = (rd32(in + len - 4) + ((uint64_t)rd32(in) << 32)) ^\n"
	"\t\t    (rd64(s + 8) ^ rd64(s + 16));\n"
	"\t\th ^= rotl64(h, 49) ^ rotl64(h, 24);\n"
	"\t\th *= 0x9FB21C651E98DF25ull;\n"
	"\t\th ^= (h >> 35) + len;\n"
	"\t\th *= 0x9FB21C651E98DF25ull;\n"
	"\t\treturn h ^ h >> 28;\n"
	"\t}\n"
	"\tif (len)\n"
	"\t\treturn avalanche64(((uint64_t)in[0] << 16 |\n"
	"\t\t\t\t    (uint64_t)in[len >> 1] << 24 | in[len - 1] |\n"
	"\t\t\t\t    (uint64_t)len << 8) ^\n"
	"\t\t\t\t   (rd32(s) ^ rd32(s + 4)));\n"
	"\treturn avalanche64(rd64(s + 56) ^ rd64(s + 64));\n"
	"}\n"
	"\n"
	"static uint64_t xxh3_mid(const uint8_t *in, size_t len)\n"
	"{\n"
	"\tconst uint8_t *s = xxh_secret;\n"
	"\tuint64_t acc = len * P64_1;\n"
	"\n"
	"\tif (len <= 128) {\n"
	"\t\tfor (int i = (int)((len - 1) / 32); i >= 0; i--) {\n"
	"\t\t\tacc += mix16(in + 16 * i, s + 32 * i);\n"
	"\t\t\tacc += mix16(in + len - 16 * (i + 1), s + 32 * i + 16);\n"
	"\t\t}\n"
	"\t\treturn avalanche(acc);\n"
	"\t}\n"
	"\tfor (int i = 0; i < 8; i++)\n"
	"\t\tacc += mix16(in + 16 * i, s + 16 * i);\n"
	"\tacc = avalanche(acc);\n"
	"\tfor (int i = 8; i < (int)len / 16; i++)\n"
	"\t\tacc += mix16(in + 16 * i, s + 16 * (i - 8) + 3);\n"
	"\tacc += mix16(in + len - 16, s + 136 - 17);\n"
	"\treturn avalanche(acc);\n"
	"}\n"
	"\n"
	"static void accumulate(uint64_t *acc, const uint8_t *in, const uint8_t *s)\n"
	"{\n"
	"\tfor (int i = 0; i < 8; i++) {\n"
	"\t\tuint64_t v = rd64(in + 8 * i), k = v ^ rd64(s + 8 * i);\n"
	"\n"
	"\t\tacc[i ^ 1] += v;\n"
	"\t\tacc[i] += (k & 0xffffffff) * (k >> 32);\n"
	"\t}\n"
	"}\n"
	"\n"
	"static uint64_t xxh3_long(const uint8_t *in, size_t len)\n"
	"{\n"
	"\tuint64_t acc[8] = { P32_3, P64_1, P64_2, P64_3, P64_4, P32_2, P64_5, P32_1 };\n"
	"\tconst uint8_t *s = xxh_secret;\n"
	"\tsize_t nblocks = (len - 1) / 1024, n, i;\n"
	"\tuint64_t r = len * P64_1;\n"
	"\n"
	"\tfor (n = 0; n < nblocks; n++) {\n"
	"\t\tfor (i = 0; i < 16; i++)\n"
	"\t\t\taccumulate(acc, in + n * 1024 + i * 64, s + i * 8);\n"
	"\t\tfor (i = 0; i < 8; i++) {\n"
	"\t\t\tacc[i] = (acc[i] ^ acc[i] >> 47 ^ rd64(s + 128 + 8 * i)) * P32_1;\n"
	"\t\t}\n"
	"\t}\n"
	"\tfor (i = 0; i < ((len - 1) - nblocks * 1024) / 64; i++)\n"
	"\t\taccumulate(acc, in + nblocks * 1024 + i * 64, s + i * 8);\n"
	"\taccumulate(acc, in + len - 64, s + 192 - 64 - 7);\n"
	"\tfor (i = 0; i < 4; i++)\n"
	"\t\tr += fold64(acc[2 * i] ^ rd64(s + 11 + 16 * i),\n"
	"\t\t\t    acc[2 * i + 1] ^ rd64(s + 11 + 16 * i + 8));\n"
	"\treturn avalanche(r);\n"
	"}\n"
	"\n"
	"static uint64_t xxh3(const uint8_t *in, size_t len)\n"
	"{\n"
	"\tif (len <= 16)\n"
	"\t\treturn xxh3_short(in, len);\n"
	"\tif (len <= 240)\n"
	"\t\treturn xxh3_mid(in, len);\n"
	"\treturn xxh3_long(in, len);\n"
	"}\n"
	"\n"
	"static struct outcome do_read(uint64_t addr, uint64_t npages)\n"
	"{\n"
	"\tstruct outcome o;\n"
	"\n"
	"\tif (!blocked(addr, npages * PAGE, &o)) {\n"
	"\t\taccess_pages(addr, npages, 0, 0, &o);\n"
	"\t\to.data = xxh3(bytes, (size_t)o.ret);\n"
	"\t}\n"
	"\treturn o;\n"
	"}\n";

/* --- writing the file ------------------------------------------------------ */

/* Text inside a comment: no comment end, printable only. */
static void comment_safe(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (s[0] == '*' && s[1] == '/')
			fputs("* ", f);
		else
			fputc(*s >= 0x20 && *s < 0x7f ? *s : '?', f);
	}
}

static void c_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if (*s >= 0x20 && *s < 0x7f)
			fputc(*s, f);
		else
			fprintf(f, "\\%03o", (unsigned char)*s);
	}
	fputc('"', f);
}

/* a (of op i) is rK with op K an mmap or mremap: K's result. */
static int refs_result(const struct prog *p, unsigned i,
		       const struct prog_addr *a)
{
	return a->kind == ADDR_REF && a->ref < i &&
	       (p->ops[a->ref].kind == OP_MMAP ||
		p->ops[a->ref].kind == OP_MREMAP);
}

/* Op i as canonical text, and its space-separated fields. */
static unsigned op_fields(const struct prog *p, unsigned i, char *line,
			  size_t cap, char *fields[8])
{
	size_t n = prog_print_op(p, i, line, cap);
	unsigned nf = 0;
	char *save = NULL, *t;

	if (n >= cap)
		n = cap - 1;
	line[n] = 0;
	while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
		line[--n] = 0;
	for (t = strtok_r(line, " ", &save); t && nf < 8;
	     t = strtok_r(NULL, " ", &save))
		fields[nf++] = t;
	return nf;
}

static void op_line(const struct prog *p, unsigned i, char *line, size_t cap)
{
	size_t n = prog_print_op(p, i, line, cap);

	if (n >= cap)
		n = cap - 1;
	line[n] = 0;
	while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
		line[--n] = 0;
}

/* The memfd declarations, one comment line each. */
static void write_files_header(FILE *f, const struct prog *p)
{
	static struct prog files;
	char text[PROG_MAX_FILES * 64], *s, *nl;

	memset(&files, 0, sizeof(files));
	files.nfiles = p->nfiles;
	memcpy(files.files, p->files, sizeof(files.files));
	prog_print(&files, text, sizeof(text));
	for (s = text; (nl = strchr(s, '\n')); s = nl + 1) {
		*nl = 0;
		fputs(" *          ", f);
		comment_safe(f, s);
		fputc('\n', f);
	}
}

static void write_header(FILE *f, const struct repro_input *r)
{
	const struct prog *p = r->prog;
	char line[512];

	fputs("/*\n * vmadiff reproducer for ", f);
	comment_safe(f, r->source ? r->source : "a program");
	fputs(", written by `vmadiff repro`.\n *\n", f);
	if (r->signature) {
		fputs(" * Signature:  ", f);
		comment_safe(f, r->signature);
		fprintf(f, "\n * Divergence: op %d (%s), field %s\n", r->div_op,
			op_kind_name(p->ops[r->div_op].kind), r->div_field);
	} else {
		fputs(" * Signature:  none: vmadiff saw the kernel agree with "
		      "the model\n",
		      f);
	}
	fputs(" * Found on:   Linux ", f);
	comment_safe(f, r->release ? r->release : "?");
	fprintf(f, " (uname -r where vmadiff ran)\n"
		   " * Model:      the rules of Linux %u.%u.%u",
		(r->model_kver >> 16) & 0xff, (r->model_kver >> 8) & 0xff,
		r->model_kver & 0xff);
	if (r->config_override && *r->config_override) {
		fputs(", config overridden: ", f);
		comment_safe(f, r->config_override);
	}
	fputs("\n *\n"
	      " * The program (vmadiff's text format, docs/FORMAT.md: W+n is page n\n"
	      " * of the window at 0x100000000000, rK+n page n of what op K\n"
	      " * returned, xR/S repeats the call R times S pages apart):\n *\n",
	      f);
	write_files_header(f, p);
	for (unsigned i = 0; i < p->nops; i++) {
		op_line(p, i, line, sizeof(line));
		fprintf(f, " *  %s %2u  ", (int)i == r->div_op ? ">>>" : "   ", i);
		comment_safe(f, line);
		fputc('\n', f);
	}
	fputs(" *\n"
	      " * Build and run (needs only libc):\n *\n"
	      " *     cc -o repro repro.c && ./repro; echo \"exit status $?\"\n"
	      " *\n"
	      " * It makes the same calls on the running kernel at the same\n"
	      " * addresses and prints each result next to the model's. Exit\n"
	      " * status: 0 the kernel agrees with the model, 1 it disagrees (the\n"
	      " * divergence reproduces), 2 an op could not be run here.\n"
	      " *\n",
	      f);
	fprintf(f, how_text, r->layout_op);
	for (unsigned i = 0; i < p->nops; i++) {
		if (p->ops[i].kind != OP_MLOCKALL)
			continue;
		fputs(" *\n"
		      " * mlockall locks this process's own memory too, more than\n"
		      " * the executor has: under a low RLIMIT_MEMLOCK without\n"
		      " * CAP_IPC_LOCK it may fail here where it did not there.\n",
		      f);
		break;
	}
	fputs(" */\n", f);
}

/* The program may reach vm.max_map_count: something failed with ENOMEM,
 * or an op makes many calls. */
static int map_count_matters(const struct repro_input *r)
{
	for (unsigned i = 0; i < r->prog->nops; i++)
		if (r->prog->ops[i].repeat >= 1024 || r->model[i].err == ENOMEM ||
		    (r->kernel && r->kernel[i].err == ENOMEM))
			return 1;
	return 0;
}

static void write_data(FILE *f, const struct repro_input *r)
{
	char p[4];

	fprintf(f, "\n#define NOPS %u\n#define FOUND_ON ", r->prog->nops);
	c_string(f, r->release ? r->release : "?");
	fputs("\n#define SIGNATURE ", f);
	c_string(f, r->signature ? r->signature : "none (agreeing program)");
	fprintf(f, "\n#define RLIMIT_AS_BYTES 0x%llxull\t/* as the executor's "
		   "workers */", (unsigned long long)PROG_RLIMIT_AS);
	fprintf(f, "\n#define EXEC_VMAS %u\t/* the executor's own VMAs */"
		   "\n#define MAP_COUNT_MATTERS %d\t/* ENOMEM or many calls */",
		r->nexec_own, map_count_matters(r));
	fprintf(f, "\n\n/* The model's layout after op %u: the program's VMAs. "
		   "*/\n#define NMODEL %u\n"
		   "static const struct vma model_layout[%u] = {\n",
		r->layout_op, r->layout ? r->layout->n : 0,
		r->layout && r->layout->n ? r->layout->n : 1);
	for (uint32_t i = 0; r->layout && i < r->layout->n; i++) {
		const struct snap_vma *v = &r->layout->v[i];

		fprintf(f, "\t{ 0x%" PRIx64 "ull, 0x%" PRIx64
			   "ull, \"%s\", '%c', \"%s\", 0x%" PRIx64 " },\n",
			v->start, v->end, prot_str(v->prot, p),
			v->shared ? 's' : 'p',
			v->backing == SNAP_ANON	   ? "anon" :
			v->backing == SNAP_MEMFD ? "memfd" :
						   "shmem",
			v->pgoff);
	}
	if (!r->layout || !r->layout->n)
		fputs("\t{ 0 }, /* none */\n", f);
	fputs("};\n\n", f);
}

/* The call of op i that the executor skipped because it came near its
 * own memory (so ended the op), or -1: the repro does the same. */
static long skipped_at(const struct repro_input *r, unsigned i)
{
	const struct prog_op *op = &r->prog->ops[i];

	if (!r->kernel || !r->kernel[i].skipped)
		return -1;
	for (unsigned rep = 0; rep < op->repeat; rep++)
		if (prog_op_is_foreign(op,
				       prog_resolve_addr(r->prog, i, rep, r->kernel),
				       prog_resolve_addr2(r->prog, i, rep, r->kernel),
				       r->exec_own, r->nexec_own))
			return rep;
	return 0;
}

/* Whether some op of this kind makes calls (is not skipped from the
 * start): the helpers the file needs. */
static int calls(const struct repro_input *r, unsigned kind)
{
	for (unsigned i = 0; i < r->prog->nops; i++)
		if (r->prog->ops[i].kind == kind && skipped_at(r, i))
			return 1;
	return 0;
}

static int calls_in_bulk(const struct repro_input *r)
{
	for (unsigned i = 0; i < r->prog->nops; i++)
		if (r->prog->ops[i].repeat > 1 && skipped_at(r, i))
			return 1;
	return 0;
}

static int calls_with_ref(const struct repro_input *r)
{
	for (unsigned i = 0; i < r->prog->nops; i++)
		if ((refs_result(r->prog, i, &r->prog->ops[i].addr) ||
		     refs_result(r->prog, i, &r->prog->ops[i].addr2)) &&
		    skipped_at(r, i))
			return 1;
	return 0;
}

static void write_runtime(FILE *f, const struct repro_input *r)
{
	int access = calls(r, OP_TOUCH) || calls(r, OP_READ);

	fputs(runtime_body, f);
	fputs("\n/* --- the calls, with the executor's op semantics "
	      "(harness/prog.c) --- */\n\n",
	      f);
	if (calls_with_ref(r))
		fputs(result_text, f);
	int range = calls(r, OP_MADVISE) || calls(r, OP_MLOCK) ||
		    calls(r, OP_MUNLOCK) || calls(r, OP_MSEAL);
	int whole = calls(r, OP_MLOCKALL) || calls(r, OP_MUNLOCKALL) ||
		    calls(r, OP_MEMLOCK_LIMIT) || calls(r, OP_DROP_IPC_LOCK) ||
		    calls(r, OP_FORK);

	if (calls(r, OP_MMAP) || calls(r, OP_MUNMAP) || calls(r, OP_MPROTECT) ||
	    calls(r, OP_MREMAP) || range || whole)
		fputs(syscall_text, f);
	if (r->prog->nfiles)
		fputs(files_text, f);
	if (calls(r, OP_MEMLOCK_LIMIT))
		fputs(memlock_limit_text, f);
	if (calls(r, OP_DROP_IPC_LOCK))
		fputs(drop_ipc_lock_text, f);
	if (calls(r, OP_FORK))
		fputs(fork_text, f);
	if (range)
		fputs(range_text, f);
	if (calls(r, OP_MMAP))
		fputs(mmap_text, f);
	if (calls(r, OP_MUNMAP))
		fputs(munmap_text, f);
	if (calls(r, OP_MPROTECT))
		fputs(mprotect_text, f);
	if (calls(r, OP_MREMAP))
		fputs(mremap_text, f);
	if (access)
		fputs(access_text, f);
	if (calls(r, OP_TOUCH))
		fputs(touch_text, f);
	if (calls(r, OP_READ))
		fputs(xxh3_text, f);
}

/* Address a of op i's call as a C expression (rep: the bulk index). */
static void write_addr(FILE *f, const struct prog *p, unsigned i,
		       const struct prog_addr *a)
{
	const struct prog_op *op = &p->ops[i];
	uint64_t rel = (uint64_t)a->page * PROG_PAGE_SIZE + a->off;

	if (a->kind == ADDR_RAW)
		fprintf(f, "0x%" PRIx64 "ull", a->raw + rel);
	else if (refs_result(p, i, a))
		fprintf(f, "result(%u) + 0x%" PRIx64 "ull", a->ref, rel);
	else
		fprintf(f, "W + 0x%" PRIx64 "ull", rel);
	if (op->repeat > 1 && op->stride)
		fprintf(f, " + rep * 0x%" PRIx64 "ull",
			(uint64_t)(op->stride * PROG_PAGE_SIZE));
}

/* "addr = ...;" (and "addr2 = ...;" for mremap) */
static void write_addrs(FILE *f, const struct prog *p, unsigned i,
			const char *indent)
{
	fprintf(f, "%saddr = ", indent);
	write_addr(f, p, i, &p->ops[i].addr);
	fputs(";\n", f);
	if (p->ops[i].kind != OP_MREMAP)
		return;
	fprintf(f, "%saddr2 = ", indent);
	write_addr(f, p, i, &p->ops[i].addr2);
	fputs(";\n", f);
}

/* "out[i] = do_KIND(addr, ...);" */
static void write_call(FILE *f, const struct prog *p, unsigned i,
		       const char *indent)
{
	const struct prog_op *op = &p->ops[i];
	char line[512], *fld[8] = { 0 };
	uint64_t len = prog_len_bytes(&op->len);

	op_fields(p, i, line, sizeof(line), fld);
	fprintf(f, "%sout[%u] = ", indent, i);
	switch (op->kind) {
	case OP_MMAP:
		fprintf(f, "do_mmap(addr, 0x%" PRIx64 ", 0x%x /* %s */,\n"
			   "%s\t\t 0x%x /* %s */, ",
			len, op->prot, fld[3], indent, op->flags, fld[4]);
		if (op->fd)
			fprintf(f, "FILE_FD + %u /* f%u */, ",
				(unsigned)op->fd - 1, (unsigned)op->fd - 1);
		else
			fputs("-1, ", f);
		fprintf(f, "0x%" PRIx64 ");\n", op->off);
		break;
	case OP_MUNMAP:
		fprintf(f, "do_munmap(addr, 0x%" PRIx64 ");\n", len);
		break;
	case OP_MPROTECT:
		fprintf(f, "do_mprotect(addr, 0x%" PRIx64 ", 0x%x /* %s */);\n",
			len, op->prot, fld[3]);
		break;
	case OP_MREMAP:
		fprintf(f, "do_mremap(addr, 0x%" PRIx64 ", 0x%" PRIx64
			   ", 0x%x /* %s */,\n%s\t\t  addr2);\n",
			len, prog_len_bytes(&op->len2), op->flags, fld[4],
			indent);
		break;
	case OP_TOUCH:
		fprintf(f, "do_touch(addr, %" PRIu64 ", %u << 16%s);\n",
			prog_touch_pages(&op->len), i,
			op->repeat > 1 ? " | rep" : "");
		break;
	case OP_READ:
		fprintf(f, "do_read(addr, %" PRIu64 ");\n",
			prog_touch_pages(&op->len));
		break;
	case OP_MADVISE:
		fprintf(f, "do_range(SYS_madvise, addr, 0x%" PRIx64
			   ", %d /* %s */);\n",
			len, (int)op->flags, fld[3]);
		break;
	case OP_MLOCK:
		fprintf(f, "do_range(SYS_mlock2, addr, 0x%" PRIx64 ", %d);\n",
			len, (int)op->flags);
		break;
	case OP_MUNLOCK:
		fprintf(f, "do_range(SYS_munlock, addr, 0x%" PRIx64 ", 0);\n",
			len);
		break;
	case OP_MSEAL:
		fprintf(f, "do_range(462 /* SYS_mseal */, addr, 0x%" PRIx64
			   ", 0x%x);\n",
			len, op->flags);
		break;
	case OP_MLOCKALL:
		fprintf(f, "syscall_outcome(syscall(SYS_mlockall, 0x%xUL /* %s */));\n",
			op->flags, fld[1]);
		break;
	case OP_MUNLOCKALL:
		fputs("syscall_outcome(syscall(SYS_munlockall));\n", f);
		break;
	case OP_MEMLOCK_LIMIT:
		fprintf(f, "do_memlock_limit(0x%" PRIx64 "ull);\n", len);
		break;
	case OP_DROP_IPC_LOCK:
		fputs("do_drop_ipc_lock();\n", f);
		break;
	case OP_FORK:
		fputs("do_fork();\n", f);
		break;
	}
}

/* The ops without a range (mlockall .. fork) have no address. */
static int has_addr(const struct prog_op *op)
{
	return op->kind < OP_MLOCKALL;
}

static int returns_addr(const struct prog_op *op)
{
	return op->kind == OP_MMAP || op->kind == OP_MREMAP;
}

static int in_window(uint64_t a)
{
	return a >= PROG_WINDOW_BASE && a < WINDOW_END;
}

/* A non-fixed mmap, or an mremap that may move without MREMAP_FIXED,
 * whose address the model did not put in the window: its result is
 * compared by class (see the header). */
static int placed(const struct prog_op *op, const struct outcome *m)
{
	int kernel_picks =
		op->kind == OP_MMAP
			? !(op->flags & (MAP_FIXED | MAP_FIXED_NOREPLACE))
		: op->kind == OP_MREMAP
			? (op->flags & MREMAP_MAYMOVE) && !(op->flags & MREMAP_FIXED)
			: 0;

	return kernel_picks && !in_window((uint64_t)m->ret);
}

static void write_expect(FILE *f, const struct repro_input *r, unsigned i)
{
	const struct prog_op *op = &r->prog->ops[i];
	const struct outcome *m = &r->model[i];
	char line[512], b[32];

	op_line(r->prog, i, line, sizeof(line));
	fprintf(f, "\texpect(%u, ", i);
	c_string(f, line);
	fprintf(f, ", %d, %s, %s,\n\t       (struct outcome){ .ret = ",
		returns_addr(op), placed(op, m) ? "PLACED" : "EXACT",
		placed(op, m) ? "addr" : "0");
	if (returns_addr(op) && m->ret != -1)
		fprintf(f, "0x%" PRIx64, (uint64_t)m->ret);
	else
		fprintf(f, "%" PRId64, m->ret);
	if (m->err)
		fprintf(f, ", .err = %d /* %s */", m->err,
			errno_name(m->err, b, sizeof(b)));
	if (m->sig)
		fprintf(f, ", .sig = %s", signal_name(m->sig, b, sizeof(b)));
	if (m->data)
		fprintf(f, ", .data = 0x%016" PRIx64 "ull", m->data);
	if (m->skipped)
		fprintf(f, ", .skipped = 1");
	fputs(" });\n", f);
}

static void write_skip(FILE *f, unsigned i, long k)
{
	fprintf(f, "\tif (rep == %ld) /* the executor skipped call %ld: near "
		   "its own memory */\n"
		   "\t\tout[%u] = (struct outcome){ .skipped = 1 };\n",
		k, k, i);
}

static void write_op(FILE *f, const struct repro_input *r, unsigned i)
{
	const struct prog_op *op = &r->prog->ops[i];
	long k = skipped_at(r, i);
	char line[512];

	op_line(r->prog, i, line, sizeof(line));
	fprintf(f, "\n\t/* op %u: ", i);
	comment_safe(f, line);
	if ((int)i == r->div_op)
		fputs("\n\t * the op where vmadiff saw the kernel diverge", f);
	if (k == 0) {
		fprintf(f, "\n\t * the executor skipped it (it came near its "
			   "own memory): so do we */\n"
			   "\taddr = 0;\n"
			   "\tout[%u] = (struct outcome){ .skipped = 1 };\n",
			i);
	} else if (op->repeat > 1) {
		fprintf(f, "\n\t * %u calls, %u pages apart; the first that "
			   "fails or faults ends the op */\n"
			   "\tfor (rep = 0; rep < %ld; rep++) {\n",
			op->repeat, op->stride, k > 0 ? k : (long)op->repeat);
		write_addrs(f, r->prog, i, "\t\t");
		write_call(f, r->prog, i, "\t\t");
		fprintf(f, "\t\tif (out[%u].skipped || out[%u].ret == -1 || "
			   "out[%u].sig)\n\t\t\tbreak;\n\t}\n",
			i, i, i);
		if (k > 0)
			write_skip(f, i, k);
	} else {
		fputs(" */\n", f);
		if (has_addr(op))
			write_addrs(f, r->prog, i, "\t");
		write_call(f, r->prog, i, "\t");
	}
	write_expect(f, r, i);
}

static void write_main(FILE *f, const struct repro_input *r)
{
	const struct prog *p = r->prog;
	int addrs = 0, ranges = 0;

	fprintf(f, "\nint main(void)\n{\n\tuint64_t addr;\n%s%s\n\tsetup();\n",
		calls(r, OP_MREMAP) ? "\tuint64_t addr2;\n" : "",
		calls_in_bulk(r) ? "\tunsigned rep;\n" : "");
	for (unsigned k = 0; k < p->nfiles; k++)
		fprintf(f, "\tmake_file(%u, 0x%" PRIx64 "ull, %d, %d);\n", k,
			p->files[k].size, p->files[k].ro, p->files[k].fill);
	for (unsigned i = 0; i < p->nops; i++) {
		write_op(f, r, i);
		addrs |= has_addr(&p->ops[i]);
		ranges |= has_addr(&p->ops[i]) && skipped_at(r, i);
		if (i == r->layout_op)
			fprintf(f, "\texpect_layout(%u);\n", i);
	}
	if (!addrs)
		fputs("\t(void)addr;\n", f);
	if (!ranges) /* no call that needs it */
		fputs("\t(void)blocked;\n", f);
	fputs("\treturn finish();\n}\n", f);
}

int repro_write(FILE *f, const struct repro_input *r)
{
	write_header(f, r);
	fputs("\n", f);
	fputs(runtime_head, f);
	write_data(f, r);
	write_runtime(f, r);
	write_main(f, r);
	return fflush(f) || ferror(f) ? -1 : 0;
}

/* The VMAs of s that lie in the window equal those of t. */
static int window_equal(const struct snapshot *s, const struct snapshot *t)
{
	uint32_t i = 0, j = 0;

	for (;;) {
		while (i < s->n && !(s->v[i].start < WINDOW_END &&
				     s->v[i].end > PROG_WINDOW_BASE))
			i++;
		while (j < t->n && !(t->v[j].start < WINDOW_END &&
				     t->v[j].end > PROG_WINDOW_BASE))
			j++;
		if (i == s->n || j == t->n)
			return i == s->n && j == t->n;
		if (s->v[i].start != t->v[j].start ||
		    s->v[i].end != t->v[j].end ||
		    s->v[i].prot != t->v[j].prot ||
		    s->v[i].shared != t->v[j].shared ||
		    s->v[i].backing != t->v[j].backing ||
		    s->v[i].pgoff != t->v[j].pgoff)
			return 0;
		i++, j++;
	}
}

int repro_can_show(const struct repro_input *r)
{
	const struct prog_op *op;

	if (!r->signature || r->div_op < 0)
		return 1;
	op = &r->prog->ops[r->div_op];
	if (!strcmp(r->div_field, "vmflags")) /* maps only, no smaps */
		return 0;
	if (!strcmp(r->div_field, "ret") && placed(op, &r->model[r->div_op]))
		return 0;
	if (!strcmp(r->div_field, "layout") && r->layout && r->kernel_layout)
		return !window_equal(r->layout, r->kernel_layout);
	return 1;
}
