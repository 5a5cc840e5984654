// SPDX-License-Identifier: GPL-2.0
/*
 * Snapshots of the worker's own address space, without allocating: the
 * PROCMAP_QUERY ioctl (6.11+) or the /proc/self/maps text, both read through
 * fds opened once per worker, into static buffers.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "exec_int.h"

/* Debian's uapi headers predate PROCMAP_QUERY (include/uapi/linux/fs.h). */
struct procmap_query {
	uint64_t size;
	uint64_t query_flags;
	uint64_t query_addr;
	uint64_t vma_start;
	uint64_t vma_end;
	uint64_t vma_flags;
	uint64_t vma_page_size;
	uint64_t vma_offset;
	uint64_t inode;
	uint32_t dev_major;
	uint32_t dev_minor;
	uint32_t vma_name_size;
	uint32_t build_id_size;
	uint64_t vma_name_addr;
	uint64_t build_id_addr;
};
#define PROCMAP_QUERY _IOWR('f', 17, struct procmap_query)
/* vma_flags: READABLE 1, WRITABLE 2, EXECUTABLE 4 (= PROT_*), SHARED 8 */
#define PROCMAP_QUERY_VMA_SHARED 0x08
#define PROCMAP_QUERY_COVERING_OR_NEXT_VMA 0x10

int snap_tainted;

static int maps_fd = -1, smaps_fd = -1;

/* The foreign VMAs; `last` is the index of the last VMA of the contiguous
 * block this one belongs to. */
static struct {
	uint64_t start, end;
	uint32_t last;
	uint8_t growsdown;
} fr[EXEC_MAX_FOREIGN];
static unsigned nfr, fi;
static uint64_t task_limit = UINT64_MAX;

static struct snap_vma snap_v[EXEC_MAX_SNAP];
static uint64_t snap_obj[EXEC_MAX_SNAP];
static struct snapshot snap = { .v = snap_v, .cap = EXEC_MAX_SNAP };

/* Line buffer: maps and smaps lines are < 4 KiB + a path. */
static char rbuf[1 << 18];

int snap_open(void)
{
	if (maps_fd >= 0)
		close(maps_fd);
	if (smaps_fd >= 0)
		close(smaps_fd);
	maps_fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	smaps_fd = open("/proc/self/smaps", O_RDONLY | O_CLOEXEC);
	return maps_fd < 0 || smaps_fd < 0 ? -1 : 0;
}

int snap_has_query(void)
{
	struct procmap_query q = {
		.size = sizeof(q),
		.query_flags = PROCMAP_QUERY_COVERING_OR_NEXT_VMA,
	};

	return ioctl(maps_fd, PROCMAP_QUERY, &q) == 0;
}

/* Calls fn on each line of a seq_file, newline replaced by NUL. pread at
 * offset 0 restarts the seq_file; later offsets continue where it was. */
static int each_line(int fd, void (*fn)(char *line, void *arg), void *arg)
{
	size_t have = 0;
	off_t off = 0;

	for (;;) {
		ssize_t r = pread(fd, rbuf + have, sizeof(rbuf) - 1 - have,
				  off);
		char *p = rbuf, *end, *nl;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		off += r;
		have += r;
		end = rbuf + have;
		while ((nl = memchr(p, '\n', end - p))) {
			*nl = 0;
			fn(p, arg);
			p = nl + 1;
		}
		have = end - p;
		if (have == sizeof(rbuf) - 1)
			return -1;
		memmove(rbuf, p, have);
	}
	if (have) {
		rbuf[have] = 0;
		fn(rbuf, arg);
	}
	return 0;
}

static const char *parse_hex(const char *s, uint64_t *v)
{
	uint64_t x = 0;

	for (;; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else
			break;
		x = x << 4 | d;
	}
	*v = x;
	return s;
}

/* "start-end perms offset major:minor inode [name]" (show_map_vma). */
static int parse_maps_line(const char *s, struct kvma *k)
{
	uint64_t maj, min;

	s = parse_hex(s, &k->start);
	if (*s++ != '-')
		return -1;
	s = parse_hex(s, &k->end);
	if (*s++ != ' ' || strlen(s) < 5)
		return -1;
	k->prot = (s[0] == 'r' ? 1 : 0) | (s[1] == 'w' ? 2 : 0) |
		  (s[2] == 'x' ? 4 : 0);
	k->shared = s[3] == 's';
	s = parse_hex(s + 5, &k->offset);
	s = parse_hex(s + 1, &maj);
	if (*s != ':')
		return -1;
	s = parse_hex(s + 1, &min);
	k->dev_major = maj;
	k->dev_minor = min;
	for (k->inode = 0, s++; *s >= '0' && *s <= '9'; s++)
		k->inode = k->inode * 10 + (*s - '0');
	while (*s == ' ')
		s++;
	k->name = s;
	return 0;
}

struct each_text {
	void (*fn)(const struct kvma *k, void *arg);
	void *arg;
	int bad; /* a line did not parse: the snapshot would miss a VMA */
};

static void text_line(char *line, void *arg)
{
	struct each_text *t = arg;
	struct kvma k;

	if (parse_maps_line(line, &k))
		t->bad = 1;
	else if (k.start < task_limit) /* not [vsyscall], the gate area */
		t->fn(&k, t->arg);
}

int snap_each_text(void (*fn)(const struct kvma *k, void *arg), void *arg)
{
	struct each_text t = { fn, arg, 0 };

	return each_line(maps_fd, text_line, &t) || t.bad ? -1 : 0;
}

void snap_set_foreign(const struct exec_facts *f)
{
	nfr = f->nforeign < EXEC_MAX_FOREIGN ? f->nforeign : EXEC_MAX_FOREIGN;
	task_limit = f->task_size;
	for (unsigned i = 0; i < nfr; i++) {
		fr[i].start = f->foreign[i].start;
		fr[i].end = f->foreign[i].end;
		fr[i].growsdown = !!(f->foreign[i].vmflags & VMF(VMF_GROWSDOWN));
	}
	for (unsigned i = nfr; i-- > 0;)
		fr[i].last = i + 1 < nfr && fr[i].end == fr[i + 1].start ?
				     fr[i + 1].last : i;
}

/* Whether kernel VMA k, which overlaps foreign VMA f, is still that VMA
 * (the stack may have grown down). Anything else means a program VMA
 * merged with a foreign one. */
static int foreign_intact(unsigned f, const struct kvma *k)
{
	return k->end == fr[f].end &&
	       (k->start == fr[f].start ||
		(fr[f].growsdown && k->start < fr[f].start));
}

static void to_snap(const struct kvma *k, struct snap_vma *v, uint64_t *obj)
{
	memset(v, 0, sizeof(*v));
	v->start = k->start;
	v->end = k->end;
	v->pgoff = k->offset >> PROG_PAGE_SHIFT;
	v->prot = k->prot;
	v->shared = k->shared;
	/* the program's memfds and shared anonymous memory ("/dev/zero
	 * (deleted)") are both shmem files: their inodes tell them apart */
	v->backing = !k->inode ? SNAP_ANON :
		     files_is_memfd(k->dev_major, k->dev_minor, k->inode) ?
					 SNAP_MEMFD :
					 SNAP_SHMEM;
	*obj = k->inode ? (uint64_t)k->dev_major << 52 ^
				  (uint64_t)k->dev_minor << 32 ^ k->inode
			: 0;
}

/*
 * Records one VMA (in address order) and returns where the next query may
 * start. Query mode skips to the last VMA of a contiguous foreign block:
 * the guard keeps programs away from its interior, only its outer edges
 * can change.
 */
static uint64_t add_vma(const struct kvma *k)
{
	while (fi < nfr && fr[fi].end <= k->start)
		fi++;
	if (fi < nfr && fr[fi].start < k->end) {
		if (!foreign_intact(fi, k)) {
			snap_tainted = 1;
			return k->end;
		}
		return fr[fr[fi].last].start > k->start ?
			       fr[fr[fi].last].start : k->end;
	}
	if (snap.n == snap.cap) {
		snap_tainted = 1;
		return k->end;
	}
	to_snap(k, &snap_v[snap.n], &snap_obj[snap.n]);
	snap.n++;
	return k->end;
}

static void add_text(const struct kvma *k, void *arg)
{
	(void)arg;
	add_vma(k);
}

/* The first VMA that ends above addr: 1 and *k, 0 if there is none, -1 if
 * the ioctl failed. */
static int query_one(uint64_t addr, struct kvma *k)
{
	struct procmap_query q = {
		.size = sizeof(q),
		.query_flags = PROCMAP_QUERY_COVERING_OR_NEXT_VMA,
		.query_addr = addr,
	};

	while (ioctl(maps_fd, PROCMAP_QUERY, &q))
		if (errno != EINTR)
			return errno == ENOENT ? 0 : -1;
	memset(k, 0, sizeof(*k));
	k->start = q.vma_start;
	k->end = q.vma_end;
	k->offset = q.vma_offset;
	k->inode = q.inode;
	k->dev_major = q.dev_major;
	k->dev_minor = q.dev_minor;
	k->prot = q.vma_flags & 7;
	k->shared = !!(q.vma_flags & PROCMAP_QUERY_VMA_SHARED);
	return 1;
}

static int take_query(void)
{
	uint64_t addr = 0;

	for (;;) {
		struct kvma k;
		int r = query_one(addr, &k);

		if (r <= 0)
			return r;
		if (k.start >= task_limit)
			return 0;
		addr = add_vma(&k);
	}
}

int snap_take(int use_query, const struct snapshot **s)
{
	int r;

	snap.n = 0;
	fi = 0;
	r = use_query ? take_query() : snap_each_text(add_text, NULL);
	snapshot_canonicalise_objects(&snap, snap_obj);
	*s = &snap;
	return r;
}

const struct snapshot *snap_clear(void)
{
	snap.n = 0;
	return &snap;
}

/* First index in snap_v whose VMA ends above addr. */
static uint32_t first_ending_above(uint64_t addr)
{
	uint32_t lo = 0, hi = snap.n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (snap_v[mid].end > addr)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

int snap_covers(uint64_t lo, uint64_t hi)
{
	for (uint32_t i = first_ending_above(lo); lo < hi; i++) {
		if (i == snap.n || snap_v[i].start > lo)
			return 0;
		lo = snap_v[i].end;
	}
	return 1;
}

/*
 * The range grows by a page on each side where a VMA touches it: that
 * neighbour may have merged with it or been split. Every VMA that now
 * intersects the range replaces, in the snapshot, every VMA that
 * intersected the span they and the range cover: a VMA that merged with
 * its neighbour (an mprotect with PROT_GROWSDOWN reaches down to its
 * VMA's start) still intersects the range and covers the old neighbour.
 * Foreign VMAs met on the way must be intact. Gives up (1) when one is
 * not or when more than max VMAs come: the caller then takes a full
 * snapshot.
 */
int snap_update(uint64_t lo, uint64_t hi, uint32_t max,
		const struct snapshot **s)
{
	static struct snap_vma upd_v[SNAP_UPDATE_MAX];
	static uint64_t upd_obj[SNAP_UPDATE_MAX];
	uint32_t n = 0, i0, i1;
	uint64_t addr;
	unsigned f = 0;

	if (max > SNAP_UPDATE_MAX)
		max = SNAP_UPDATE_MAX;
	i0 = lo >= PROG_PAGE_SIZE ? first_ending_above(lo - PROG_PAGE_SIZE)
				   : snap.n;
	if (i0 < snap.n && snap_v[i0].start < lo)
		lo -= PROG_PAGE_SIZE;
	i1 = first_ending_above(hi);
	if (hi <= UINT64_MAX - PROG_PAGE_SIZE && i1 < snap.n &&
	    snap_v[i1].start < hi + PROG_PAGE_SIZE)
		hi += PROG_PAGE_SIZE;
	while (f < nfr && fr[f].end <= lo)
		f++;
	for (addr = lo; addr < hi;) {
		struct kvma k;
		int r = query_one(addr, &k);

		if (r < 0)
			return -1;
		if (!r || k.start >= hi || k.start >= task_limit)
			break;
		addr = k.end;
		while (f < nfr && fr[f].end <= k.start)
			f++;
		if (f < nfr && fr[f].start < k.end) {
			if (!foreign_intact(f, &k))
				return 1;
			continue;
		}
		if (n == max)
			return 1;
		to_snap(&k, &upd_v[n], &upd_obj[n]);
		n++;
	}
	if (n) {
		lo = lo < upd_v[0].start ? lo : upd_v[0].start;
		hi = hi > upd_v[n - 1].end ? hi : upd_v[n - 1].end;
	}
	i0 = first_ending_above(lo);
	for (i1 = i0; i1 < snap.n && snap_v[i1].start < hi; i1++)
		;
	if (snap.n - (i1 - i0) + n > snap.cap)
		return 1;
	memmove(&snap_v[i0 + n], &snap_v[i1], (snap.n - i1) * sizeof(*snap_v));
	memmove(&snap_obj[i0 + n], &snap_obj[i1],
		(snap.n - i1) * sizeof(*snap_obj));
	memcpy(&snap_v[i0], upd_v, n * sizeof(*snap_v));
	memcpy(&snap_obj[i0], upd_obj, n * sizeof(*snap_obj));
	snap.n = snap.n - (i1 - i0) + n;
	snapshot_canonicalise_objects(&snap, snap_obj);
	*s = &snap;
	return 0;
}

static uint64_t parse_vmflags(const char *s)
{
	uint64_t f = 0;

	while (*s) {
		while (*s == ' ')
			s++;
		if (!s[0] || !s[1])
			break;
		if (vmflag_bit(s) >= 0)
			f |= VMF(vmflag_bit(s));
		while (*s && *s != ' ')
			s++;
	}
	return f;
}

struct vmflags_walk {
	struct snap_vma *v;
	uint32_t n, j;
	int cur; /* index into v of the VMA whose block we are in, or -1 */
};

static void vmflags_line(char *line, void *arg)
{
	struct vmflags_walk *w = arg;
	uint64_t start;

	/* headers start with lowercase hex, field lines with a capital */
	if ((*line >= '0' && *line <= '9') || (*line >= 'a' && *line <= 'f')) {
		parse_hex(line, &start);
		while (w->j < w->n && w->v[w->j].start < start)
			w->j++;
		w->cur = w->j < w->n && w->v[w->j].start == start ? (int)w->j
								  : -1;
	} else if (w->cur >= 0 && !strncmp(line, "VmFlags:", 8)) {
		w->v[w->cur].vmflags = parse_vmflags(line + 8);
	}
}

int snap_vmflags(struct snap_vma *v, uint32_t n)
{
	struct vmflags_walk w = { v, n, 0, -1 };

	return each_line(smaps_fd, vmflags_line, &w);
}
