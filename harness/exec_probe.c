// SPDX-License-Identifier: GPL-2.0
/*
 * What the worker learns about the kernel and its own layout at start-up
 * (struct exec_facts). Runs before the foreign list is taken, so every
 * scratch mapping made here is gone again by then; no malloc, no stdio.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "../model/model.h"
#include "exec_int.h"

#define MADV_GUARD_INSTALL_ 102 /* 6.13+, newer than Debian's headers */
#define SYS_mseal_ 462
#define CAP_IPC_LOCK_ 14
#define CAP_SYS_RAWIO_ 17
#define CAP_SYS_RESOURCE_ 24

static char fbuf[8192];

/* Reads a small file into fbuf, NUL-terminated; "" if unreadable. */
static const char *read_small(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = 0, r;

	fbuf[0] = 0;
	if (fd < 0)
		return fbuf;
	while (n < (ssize_t)sizeof(fbuf) - 1 &&
	       (r = read(fd, fbuf + n, sizeof(fbuf) - 1 - n)) > 0)
		n += r;
	close(fd);
	fbuf[n] = 0;
	return fbuf;
}

static uint64_t parse_u64(const char *s, int base)
{
	uint64_t x = 0;

	for (;; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else
			return x;
		x = x * base + d;
	}
}

static uint64_t read_u64(const char *path, uint64_t dflt)
{
	const char *s = read_small(path);

	return *s >= '0' && *s <= '9' ? parse_u64(s, 10) : dflt;
}

/* KVER of "6.18.44-foo": components clamp at 255 like KERNEL_VERSION. */
static uint32_t parse_kver(const char *s)
{
	uint32_t v[3] = { 0, 0, 0 };

	for (int i = 0; i < 3; i++) {
		uint64_t x = parse_u64(s, 10);

		v[i] = x > 255 ? 255 : x;
		while (*s >= '0' && *s <= '9')
			s++;
		if (*s != '.')
			break;
		s++;
	}
	return KVER(v[0], v[1], v[2]);
}

/*
 * TASK_SIZE: a hinted mapping of the page at 128 TiB - 4 KiB succeeds only
 * with 5-level paging (where the hint opens the 56-bit space).
 */
static uint64_t probe_task_size(void)
{
	const uint64_t low = (1ull << 47) - PROG_PAGE_SIZE;
	void *p = mmap((void *)low, PROG_PAGE_SIZE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED)
		return errno == EEXIST ? (1ull << 56) - PROG_PAGE_SIZE : low;
	munmap(p, PROG_PAGE_SIZE);
	return (1ull << 56) - PROG_PAGE_SIZE;
}

static int thp_mode(void)
{
	const char *s = read_small("/sys/kernel/mm/transparent_hugepage/enabled");

	if (strstr(s, "[always]"))
		return THP_ALWAYS;
	if (strstr(s, "[madvise]"))
		return THP_MADVISE;
	return THP_NEVER;
}

static uint64_t cap_eff(void)
{
	const char *s = strstr(read_small("/proc/self/status"), "CapEff:");

	if (!s)
		return 0;
	s += 7;
	while (*s == ' ' || *s == '\t')
		s++;
	return parse_u64(s, 16);
}

/* stack_guard_gap=N on the command line is in pages (mm/mmap.c). */
static uint64_t guard_gap(void)
{
	const char *s = read_small("/proc/cmdline");
	const char *k = "stack_guard_gap=";

	for (const char *p = s; (p = strstr(p, k)); p++)
		if (p == s || p[-1] == ' ')
			return parse_u64(p + strlen(k), 10) * PROG_PAGE_SIZE;
	return 256 * PROG_PAGE_SIZE;
}

static uint64_t rlim_cur(int res)
{
	struct rlimit r;

	return getrlimit(res, &r) ? 0 : (uint64_t)r.rlim_cur;
}

static uint64_t rlim_max(int res)
{
	struct rlimit r;

	return getrlimit(res, &r) ? 0 : (uint64_t)r.rlim_max;
}

/* Is a new VMA soft-dirty (`sd`: CONFIG_MEM_SOFT_DIRTY)? */
static int probe_soft_dirty(void *page)
{
	struct snap_vma v = { .start = (uint64_t)page };

	return !snap_vmflags(&v, 1) && (v.vmflags & VMF(VMF_SOFTDIRTY));
}

static int aslr_off(void)
{
	int pers = personality(0xffffffff);

	return (pers != -1 && (pers & ADDR_NO_RANDOMIZE)) ||
	       read_u64("/proc/sys/kernel/randomize_va_space", 2) == 0;
}

struct foreign_walk {
	struct exec_facts *f;
	uint64_t task_size;
	int stack; /* index of [stack] in f->foreign, or -1 */
};

static void add_foreign(const struct kvma *k, void *arg)
{
	struct foreign_walk *w = arg;
	struct snap_vma *v;

	if (k->start >= w->task_size || w->f->nforeign == EXEC_MAX_FOREIGN)
		return;
	v = &w->f->foreign[w->f->nforeign++];
	v->start = k->start;
	v->end = k->end;
	v->pgoff = k->offset >> PROG_PAGE_SHIFT;
	v->prot = k->prot;
	v->shared = k->shared;
	/* file-backed foreign VMAs show as SHMEM: "has an object" is all
	 * that matters about them (no merge with anonymous memory) */
	v->backing = k->inode ? SNAP_SHMEM : SNAP_ANON;
	if (!strcmp(k->name, "[stack]"))
		w->stack = w->f->nforeign - 1;
}

uint64_t probe_locked_kb(void)
{
	const char *s = strstr(read_small("/proc/self/status"), "VmLck:");

	if (!s)
		return 0;
	s += 6;
	while (*s == ' ' || *s == '\t')
		s++;
	return parse_u64(s, 10);
}

/* Does smaps show `gu` (VM_MAYBE_GUARD) on a page with guard markers? */
static int probe_maybe_guard(void *page)
{
	struct snap_vma v = { .start = (uint64_t)page };

	if (madvise(page, PROG_PAGE_SIZE, MADV_GUARD_INSTALL_))
		return 0;
	return !snap_vmflags(&v, 1) && (v.vmflags & VMF(VMF_MAYBE_GUARD));
}

void probe_facts(struct exec_facts *f)
{
	struct utsname u;
	struct foreign_walk w = { .f = f, .stack = -1 };
	uint64_t caps;
	void *p;

	memset(f, 0, sizeof(*f));
	if (!uname(&u)) {
		memcpy(f->release, u.release,
		       strnlen(u.release, sizeof(f->release) - 1));
		f->kver = parse_kver(u.release);
	}
	f->task_size = w.task_size = probe_task_size();

	/* Scratch page: where a top-down mmap lands, mseal and guard probes. */
	p = mmap(NULL, PROG_PAGE_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED) {
		f->mmap_base = (uint64_t)p + PROG_PAGE_SIZE;
		/* len 0 returns before sealing anything */
		f->has_mseal = syscall(SYS_mseal_, p, 0, 0) == 0;
		f->has_soft_dirty = probe_soft_dirty(p);
		f->has_maybe_guard = probe_maybe_guard(p);
		munmap(p, PROG_PAGE_SIZE);
	}
	f->has_procmap_query = snap_has_query();

	snap_each_text(add_foreign, &w);
	snap_vmflags(f->foreign, f->nforeign);
	/* smaps shows `gd` anyway: this keeps the mark should smaps fail */
	if (w.stack >= 0)
		f->foreign[w.stack].vmflags |= VMF(VMF_GROWSDOWN);
	/* mmap_base: the end of the foreign block right above the probe */
	for (unsigned i = 0; i < f->nforeign; i++)
		if (f->foreign[i].start == f->mmap_base)
			f->mmap_base = f->foreign[i].end;

	f->mmap_min_addr = read_u64("/proc/sys/vm/mmap_min_addr", 65536);
	f->max_map_count = read_u64("/proc/sys/vm/max_map_count", 65530);
	f->overcommit_memory = read_u64("/proc/sys/vm/overcommit_memory", 0);
	f->stack_guard_gap = guard_gap();
	f->rlimit_stack = rlim_cur(RLIMIT_STACK);
	f->rlimit_memlock = rlim_cur(RLIMIT_MEMLOCK);
	f->rlimit_memlock_max = rlim_max(RLIMIT_MEMLOCK);
	f->rlimit_as = rlim_cur(RLIMIT_AS);
	f->thp = thp_mode();
	caps = cap_eff();
	f->cap_ipc_lock = !!(caps & (1ull << CAP_IPC_LOCK_));
	f->cap_sys_rawio = !!(caps & (1ull << CAP_SYS_RAWIO_));
	f->cap_sys_resource = !!(caps & (1ull << CAP_SYS_RESOURCE_));
	f->aslr_off = aslr_off();
}
