// SPDX-License-Identifier: GPL-2.0
/*
 * The byte form of a program, what libFuzzer and AFL++ mutate. Decoding is
 * total: every byte string is a valid program, missing bytes read as 0.
 * Each field is a selector byte that mostly picks a useful value from a
 * table and rarely pulls explicit little-endian bytes, so that random bytes
 * give plausible programs and every valid program has an encoding.
 * docs/FORMAT.md ("Byte format") is the specification.
 */
#include <string.h>
#include <sys/mman.h>

#include "mman_compat.h"
#include "prog.h"

/* Window pages are taken modulo its size, a power of two. */
_Static_assert((PROG_WINDOW_PAGES & (PROG_WINDOW_PAGES - 1)) == 0,
	       "PROG_WINDOW_PAGES must be a power of two");

#define W PROG_WINDOW_BASE
#define PAF (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

#define KIND_OFF 0x10  /* mmap: an offset field follows */
#define KIND_BULK 0xe0 /* all three bits set: a bulk field follows */
/* Low nibble 15: an extended op, picked by the high nibble (ext_kinds). */
#define KIND_EXT 0x0f

/* What an extended kind byte decodes to, by its high nibble. */
enum ext_kind {
	EXT_MLOCKALL,
	EXT_MUNLOCKALL,
	EXT_MEMLOCK_LIMIT,
	EXT_DROP_IPC_LOCK,
	EXT_FORK,
	EXT_MEMFD,     /* a file declaration (struct prog_file), not an op */
	EXT_FILE_MMAP, /* an mmap with an fd and an offset */
	EXT_FILE_MMAP_BULK, /* the same, then a bulk field */
};

/* Weighted: mmaps of files most, fork least. encode writes the first
 * nibble of each kind. */
static const uint8_t ext_kinds[16] = {
	EXT_MLOCKALL,	   EXT_MUNLOCKALL,	EXT_MEMLOCK_LIMIT,
	EXT_DROP_IPC_LOCK, EXT_FORK,		EXT_MEMFD,
	EXT_FILE_MMAP,	   EXT_FILE_MMAP_BULK,	EXT_MLOCKALL,
	EXT_MUNLOCKALL,	   EXT_MEMLOCK_LIMIT,	EXT_MEMFD,
	EXT_FILE_MMAP,	   EXT_FILE_MMAP,	EXT_MLOCKALL,
	EXT_FILE_MMAP,
};

/* Raw addresses: the edges of the user address space and of the window. */
static const uint64_t raw_addrs[] = {
	0, 1, 0xfff, 0x1000, 0x10000, 0x80000000, 0x100000000,
	W + 1, W + 0x800, W + 0xfff, W - 1, W - 0x1000,
	W + PROG_WINDOW_PAGES * PROG_PAGE_SIZE,
	0x7ffffffff000, 0x7fffffffffff, 0x800000000000, 0x1000000000000,
	0x100000000000000, 0x8000000000000000, 0xffff800000000000,
	0xfffffffffffff000, 0xffffffffffffffff,
};

static const uint32_t len_pages[] = {
	512, 1024, 0, 17, 31, 32, 33, 63, 64, 65, 128, 255, 256, 511, 513,
	1023, 1025, 2048, 4096, 65536, PROG_WINDOW_PAGES - 1,
	PROG_WINDOW_PAGES, PROG_WINDOW_PAGES + 1, 0x80000, 0x7fffffff,
	0x80000000, 0xffffffff,
};

/* Unaligned, 2 MiB +/- 1, the address-space size, and overflowing. */
static const uint64_t len_bytes[] = {
	0, 1, 0xfff, 0x1001, 0x1fff, 0x1fffff, 0x200001, 0x40000000,
	0x40000001, 0x7ffffffff000, 0x800000000000, 0x8000000000000000,
	0xfffffffffffff000, 0xfffffffffffff001, 0xffffffffffffffff,
};

static const uint32_t prots[8] = {
	PROT_READ | PROT_WRITE, PROT_READ, PROT_NONE,
	PROT_READ | PROT_EXEC, PROT_READ | PROT_WRITE | PROT_EXEC,
	PROT_WRITE, PROT_EXEC, PROT_WRITE | PROT_EXEC,
};

static const uint32_t prot_extra[3] = {
	PROT_SEM, PROT_GROWSDOWN, PROT_GROWSUP,
};

static const uint32_t flag_bases[8] = {
	PAF,
	MAP_PRIVATE | MAP_ANONYMOUS,
	MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED,
	MAP_SHARED | MAP_ANONYMOUS,
	MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
	MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
	MAP_SHARED_VALIDATE | MAP_ANONYMOUS | MAP_FIXED,
	MAP_DROPPABLE | MAP_ANONYMOUS | MAP_FIXED,
};

/* mmap flags for a file: the anonymous bases without ANONYMOUS. */
static const uint32_t file_flag_bases[8] = {
	MAP_SHARED | MAP_FIXED,
	MAP_PRIVATE | MAP_FIXED,
	MAP_SHARED,
	MAP_PRIVATE,
	MAP_SHARED_VALIDATE | MAP_FIXED,
	MAP_SHARED | MAP_FIXED_NOREPLACE,
	MAP_PRIVATE | MAP_FIXED_NOREPLACE,
	MAP_SHARED_VALIDATE,
};

static const uint32_t flag_mods[8] = {
	0, MAP_NORESERVE, MAP_POPULATE, MAP_LOCKED,
	MAP_GROWSDOWN, MAP_STACK, MAP_HUGETLB, MAP_32BIT,
};

/* mmap offsets: unaligned ones fail, aligned ones matter for pgoff. */
static const uint64_t offsets[] = {
	0x1000, 0x200000, 1, 0xfff, 0x100000000, 0x7ffffffff000,
	0x8000000000000000, 0xfffffffffffff000, 0xffffffffffffffff,
};

static const uint32_t strides[8] = { 1, 2, 0, 3, 4, 8, 16, 512 };

/* mremap flags: the valid combinations first, then the invalid ones. */
static const uint32_t mremap_flags[8] = {
	MREMAP_MAYMOVE,
	0,
	MREMAP_MAYMOVE | MREMAP_FIXED,
	MREMAP_MAYMOVE | MREMAP_DONTUNMAP,
	MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP,
	MREMAP_FIXED,
	MREMAP_DONTUNMAP,
	MREMAP_FIXED | MREMAP_DONTUNMAP,
};

/* madvise advices: the modelled ones (uapi values), then invalid ones. */
static const uint32_t advices[] = {
	4 /* DONTNEED */, 0 /* NORMAL */, 1 /* RANDOM */, 2 /* SEQUENTIAL */,
	3 /* WILLNEED */, 8 /* FREE */, 9 /* REMOVE */, 10 /* DONTFORK */,
	11 /* DOFORK */, 12 /* MERGEABLE */, 13 /* UNMERGEABLE */,
	14 /* HUGEPAGE */, 15 /* NOHUGEPAGE */, 16 /* DONTDUMP */,
	17 /* DODUMP */, 18 /* WIPEONFORK */, 19 /* KEEPONFORK */,
	20 /* COLD */, 21 /* PAGEOUT */, 22 /* POPULATE_READ */,
	23 /* POPULATE_WRITE */, 24 /* DONTNEED_LOCKED */, 5, 0xffffffff,
};

/* Advice selectors 0xe0-0xef and 0xf0-0xf7: the guard advices. */
#define ADV_GUARD_INSTALL 102
#define ADV_GUARD_REMOVE 103
#define ADV_SEL_INSTALL 0xe0
#define ADV_SEL_REMOVE 0xf0

/* mlockall flags (MCL_CURRENT 1, MCL_FUTURE 2, MCL_ONFAULT 4): the
 * valid combinations first. */
static const uint32_t mlockall_flags[8] = {
	1, 3, 2, 5, 7, 6, 0, 4,
};

/* memfd sizes: whole pages, then the odd byte sizes around page edges. */
static const uint32_t file_pages[] = {
	0, 17, 32, 64, 512, 1024, 16384,
};
static const uint64_t file_bytes[] = {
	1, 0xfff, 0x1001, 0x1fff, 0x2001, 5000,
};

/* mremap lengths: old_len 0 (a duplicate) is one selector in 8; new_len
 * equal to old_len (DONTUNMAP, fixed moves) one in 4. */
#define OLD_LEN_ZERO 0x20
#define NEW_LEN_SAME 0x40

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Selector 0x1f of a 32-entry block means explicit bytes, not the table. */
_Static_assert(NELEM(raw_addrs) < 0x1f && NELEM(len_pages) < 0x1f &&
		       NELEM(len_bytes) < 0x1f,
	       "tables must leave selector 0x1f free");

struct reader {
	const uint8_t *p;
	size_t n, pos;
};

static uint8_t rd8(struct reader *r)
{
	return r->pos < r->n ? r->p[r->pos++] : 0;
}

static uint64_t rdle(struct reader *r, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)rd8(r) << (8 * i);
	return v;
}

/*
 * A 32-entry selector block: the last one reads an explicit u64, the others
 * cycle through the table, so random selectors rarely give random values.
 */
static uint64_t pick64(struct reader *r, uint8_t s, const uint64_t *t,
		       size_t n)
{
	return (s & 0x1f) == 0x1f ? rdle(r, 8) : t[(s & 0x1f) % n];
}

/*
 * The ref byte: < 0x80 picks among the earlier mmaps and mremaps, most
 * recent first, since only they return a useful address; >= 0x80 names
 * any earlier op by index (what encode writes). The first op has no
 * earlier op: the byte is still read, so that the bytes after it keep
 * their meaning.
 */
static uint8_t decode_ref(struct reader *r, const struct prog *p,
			  unsigned idx)
{
	uint8_t b = rd8(r);
	unsigned mmaps[PROG_MAX_OPS], n = 0;

	if (!idx)
		return 0;
	if (b >= 0x80)
		return (b & 0x7f) % idx;
	for (unsigned i = idx; i-- > 0;)
		if (p->ops[i].kind == OP_MMAP || p->ops[i].kind == OP_MREMAP)
			mmaps[n++] = i;
	return n ? mmaps[b % n] : b % idx;
}

static void decode_addr(struct reader *r, const struct prog *p,
			unsigned idx, struct prog_addr *a)
{
	uint8_t s = rd8(r);
	int is_ref;
	uint32_t page;

	if (s >= 0xe0) {
		a->kind = ADDR_RAW;
		a->raw = pick64(r, s, raw_addrs, NELEM(raw_addrs));
		return;
	}
	is_ref = s >= 0xc0 ? s & 1 : s >= 0x80;
	if (is_ref)
		a->ref = decode_ref(r, p, idx);
	if (s < 0xc0) {
		page = s & 0x3f;
	} else {
		page = s & 2 ? (uint32_t)rdle(r, 4) : rd8(r);
		if (s & 4)
			a->off = rdle(r, 2) & (PROG_PAGE_SIZE - 1);
	}
	if (is_ref && idx) {
		a->kind = ADDR_REF;
		a->page = page;
	} else {
		a->kind = ADDR_WINDOW;
		a->page = page & (PROG_WINDOW_PAGES - 1);
	}
}

/* A length from selector s (read already). */
static void decode_len_sel(struct reader *r, uint8_t s, struct prog_len *l)
{
	if (s < 0xc0) {
		l->pages = 1 + s % 16;
	} else if (s < 0xe0) {
		l->pages = (s & 0x1f) == 0x1f ?
				   (uint32_t)rdle(r, 4) :
				   len_pages[(s & 0x1f) % NELEM(len_pages)];
	} else {
		l->raw = 1;
		l->bytes = pick64(r, s, len_bytes, NELEM(len_bytes));
	}
}

static void decode_len(struct reader *r, struct prog_len *l)
{
	decode_len_sel(r, rd8(r), l);
}

/* mremap's old_len: selectors below OLD_LEN_ZERO mean 0 pages. */
static void decode_old_len(struct reader *r, struct prog_len *l)
{
	uint8_t s = rd8(r);

	if (s >= OLD_LEN_ZERO)
		decode_len_sel(r, s, l);
}

/* mremap's new_len: selectors below NEW_LEN_SAME repeat old_len. */
static void decode_new_len(struct reader *r, const struct prog_len *old,
			   struct prog_len *l)
{
	uint8_t s = rd8(r);

	if (s < NEW_LEN_SAME)
		*l = *old;
	else
		decode_len_sel(r, s, l);
}

static uint32_t decode_mremap_flags(struct reader *r)
{
	uint8_t s = rd8(r);

	if (s < 0xf8)
		return mremap_flags[s & 7];
	return mremap_flags[s & 7] ^ (uint32_t)rdle(r, 4);
}

/* An advice: the table, the guard advices, or (0xf8-0xff) a u32 the
 * model knows, else the first entry (prog_advice_ok). */
static uint32_t decode_advice(struct reader *r)
{
	uint8_t s = rd8(r);
	uint32_t v;

	if (s < ADV_SEL_INSTALL)
		return advices[s % NELEM(advices)];
	if (s < ADV_SEL_REMOVE)
		return ADV_GUARD_INSTALL;
	if (s < 0xf8)
		return ADV_GUARD_REMOVE;
	v = (uint32_t)rdle(r, 4);
	return prog_advice_ok(v) ? v : advices[0];
}

/* mlock2 and mseal flags: mostly the valid ones, rarely a u32. */
static uint32_t decode_lock_flags(struct reader *r, uint8_t kind)
{
	uint8_t s = rd8(r);

	if (s >= 0xf8)
		return (uint32_t)rdle(r, 4);
	return kind == OP_MLOCK && s >= 0x80;
}

static uint32_t decode_prot(struct reader *r)
{
	uint8_t s = rd8(r);

	if (s < 0xe0)
		return prots[s & 7];
	if (s < 0xf8)
		return prots[s & 7] | prot_extra[(s >> 3) & 3];
	return prots[s & 7] ^ (uint32_t)rdle(r, 4);
}

/* bases: flag_bases, or file_flag_bases for an mmap of a file. */
static uint32_t decode_flags(struct reader *r, const uint32_t *bases)
{
	uint8_t s = rd8(r);

	if (s < 0x80)
		return bases[0];
	if (s < 0xf8)
		return bases[s & 7] | flag_mods[(s >> 3) & 7];
	return bases[s & 7] ^ (uint32_t)rdle(r, 4);
}

/* file: an mmap of a file, where selectors 0x40-0xbf are s & 63 pages,
 * the offsets inside and just past a small file. */
static uint64_t decode_off(struct reader *r, int file)
{
	uint8_t s = rd8(r);

	if (s < 0xc0)
		return file && s >= 0x40 ? (s & 0x3f) * PROG_PAGE_SIZE : 0;
	if (s < 0xff)
		return offsets[(s - 0xc0) % NELEM(offsets)];
	return rdle(r, 8);
}

/* The file of an mmap: below 0xc0 one the program declared (file 0 if
 * none), else any of the PROG_MAX_FILES, declared or not (EBADF). */
static uint8_t decode_fd(struct reader *r, const struct prog *p)
{
	uint8_t s = rd8(r);

	if (s >= 0xc0)
		return 1 + (s & (PROG_MAX_FILES - 1));
	return 1 + (p->nfiles ? s % p->nfiles : 0);
}

static uint32_t decode_mlockall_flags(struct reader *r)
{
	uint8_t s = rd8(r);

	if (s < 0xf8)
		return mlockall_flags[s & 7];
	return mlockall_flags[s & 7] ^ (uint32_t)rdle(r, 4);
}

/* A memfd declaration: size selector, then mode (bit 0 ro, bit 1 fill).
 * Past PROG_MAX_FILES files it is read and dropped. */
static void decode_memfd(struct reader *r, struct prog *p)
{
	uint8_t s = rd8(r), mode;
	uint64_t size;

	if (s < 0xc0)
		size = (1 + s % 16) * PROG_PAGE_SIZE;
	else if (s < 0xe0)
		size = file_pages[(s & 0x1f) % NELEM(file_pages)] *
		       PROG_PAGE_SIZE;
	else if (s < 0xff)
		size = file_bytes[(s & 0x1f) % NELEM(file_bytes)];
	else
		size = rdle(r, 8) % (PROG_FILE_MAX_BYTES + 1);
	mode = rd8(r);
	if (p->nfiles == PROG_MAX_FILES)
		return;
	p->files[p->nfiles].size = size;
	p->files[p->nfiles].ro = mode & 1;
	p->files[p->nfiles].fill = (mode >> 1) & 1;
	p->nfiles++;
}

static void decode_bulk(struct reader *r, struct prog_op *op)
{
	uint8_t s = rd8(r);

	if (s < 0xf0) {
		op->repeat = 2 + (s & 7);
		op->stride = strides[(s >> 3) & 7];
		return;
	}
	op->repeat = 1 + (uint32_t)rdle(r, 2);
	if (s < 0xf8)
		op->stride = strides[s & 7];
	else
		op->stride = rdle(r, 4);
	if (op->repeat == 1)
		op->stride = 0;
}

/* An mmap of a file: addr len prot fd flags offset [bulk]. */
static void decode_file_mmap(struct reader *r, struct prog *p,
			     struct prog_op *op, int bulk)
{
	op->kind = OP_MMAP;
	decode_addr(r, p, p->nops, &op->addr);
	decode_len(r, &op->len);
	op->prot = decode_prot(r);
	op->fd = decode_fd(r, p);
	op->flags = decode_flags(r, file_flag_bases);
	op->off = decode_off(r, 1);
	if (bulk)
		decode_bulk(r, op);
}

/* Kind byte k with low nibble KIND_EXT: returns 0 for a declaration. */
static int decode_ext(struct reader *r, struct prog *p, struct prog_op *op,
		      uint8_t k)
{
	static const uint8_t kinds[] = {
		[EXT_MLOCKALL] = OP_MLOCKALL,
		[EXT_MUNLOCKALL] = OP_MUNLOCKALL,
		[EXT_MEMLOCK_LIMIT] = OP_MEMLOCK_LIMIT,
		[EXT_DROP_IPC_LOCK] = OP_DROP_IPC_LOCK,
		[EXT_FORK] = OP_FORK,
	};
	uint8_t e = ext_kinds[k >> 4];

	if (e == EXT_MEMFD) {
		decode_memfd(r, p);
		return 0;
	}
	op->repeat = 1;
	switch (e) {
	case EXT_FILE_MMAP:
	case EXT_FILE_MMAP_BULK:
		decode_file_mmap(r, p, op, e == EXT_FILE_MMAP_BULK);
		return 1;
	}
	op->kind = kinds[e];
	if (e == EXT_MLOCKALL)
		op->flags = decode_mlockall_flags(r);
	if (e == EXT_MEMLOCK_LIMIT)
		decode_len(r, &op->len);
	return 1;
}

void prog_decode(const uint8_t *data, size_t size, struct prog *p)
{
	struct reader r = { data, size, 0 };

	memset(p, 0, sizeof(*p));
	while (r.pos < r.n && p->nops < PROG_MAX_OPS) {
		unsigned idx = p->nops;
		struct prog_op *op = &p->ops[idx];
		uint8_t k = rd8(&r);

		if ((k & 0xf) == KIND_EXT) {
			p->nops += decode_ext(&r, p, op, k);
			continue;
		}
		op->repeat = 1;
		/* 10-14 repeat the first kinds, as before the extended ops */
		op->kind = (k & 0xf) % (OP_MSEAL + 1);
		decode_addr(&r, p, idx, &op->addr);
		if (op->kind == OP_MREMAP) {
			decode_old_len(&r, &op->len);
			decode_new_len(&r, &op->len, &op->len2);
			op->flags = decode_mremap_flags(&r);
			decode_addr(&r, p, idx, &op->addr2);
		} else {
			decode_len(&r, &op->len);
		}
		if (op->kind == OP_MMAP || op->kind == OP_MPROTECT)
			op->prot = decode_prot(&r);
		if (op->kind == OP_MMAP)
			op->flags = decode_flags(&r, flag_bases);
		if (op->kind == OP_MADVISE)
			op->flags = decode_advice(&r);
		if (op->kind == OP_MLOCK || op->kind == OP_MSEAL)
			op->flags = decode_lock_flags(&r, op->kind);
		if (op->kind == OP_MMAP && (k & KIND_OFF))
			op->off = decode_off(&r, 0);
		if ((k & KIND_BULK) == KIND_BULK)
			decode_bulk(&r, op);
		p->nops++;
	}
}

struct writer {
	uint8_t *p;
	size_t cap, len;
};

static void wr8(struct writer *w, uint8_t v)
{
	if (w->len < w->cap)
		w->p[w->len] = v;
	w->len++;
}

static void wrle(struct writer *w, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		wr8(w, v >> (8 * i));
}

static int find64(const uint64_t *t, size_t n, uint64_t v)
{
	for (size_t i = 0; i < n; i++)
		if (t[i] == v)
			return i;
	return -1;
}

static int find32(const uint32_t *t, size_t n, uint32_t v)
{
	for (size_t i = 0; i < n; i++)
		if (t[i] == v)
			return i;
	return -1;
}

static void encode_addr(struct writer *w, const struct prog_addr *a)
{
	int i, is_ref = a->kind == ADDR_REF;
	uint8_t s;

	if (a->kind == ADDR_RAW) {
		i = find64(raw_addrs, NELEM(raw_addrs), a->raw);
		wr8(w, 0xe0 | (i >= 0 ? i : 0x1f));
		if (i < 0)
			wrle(w, a->raw, 8);
		return;
	}
	if (a->page < 0x40 && !a->off) {
		wr8(w, (is_ref ? 0x80 : 0) | a->page);
		if (is_ref)
			wr8(w, 0x80 | a->ref);
		return;
	}
	s = 0xc0 | is_ref | (a->page > 0xff ? 2 : 0) | (a->off ? 4 : 0);
	wr8(w, s);
	if (is_ref)
		wr8(w, 0x80 | a->ref);
	wrle(w, a->page, s & 2 ? 4 : 1);
	if (a->off)
		wrle(w, a->off, 2);
}

/* base: the selector of 1 page (0x00, or 0x20 and 0x40 for mremap). */
static void encode_len(struct writer *w, const struct prog_len *l,
		       uint8_t base)
{
	int i;

	if (l->raw) {
		i = find64(len_bytes, NELEM(len_bytes), l->bytes);
		wr8(w, 0xe0 | (i >= 0 ? i : 0x1f));
		if (i < 0)
			wrle(w, l->bytes, 8);
	} else if (l->pages >= 1 && l->pages <= 16) {
		wr8(w, base + l->pages - 1);
	} else {
		i = find32(len_pages, NELEM(len_pages), l->pages);
		wr8(w, 0xc0 | (i >= 0 ? i : 0x1f));
		if (i < 0)
			wrle(w, l->pages, 4);
	}
}

static void encode_prot(struct writer *w, uint32_t prot)
{
	int i = find32(prots, NELEM(prots), prot);

	if (i >= 0) {
		wr8(w, i);
		return;
	}
	for (unsigned e = 0; e < NELEM(prot_extra); e++) {
		i = find32(prots, NELEM(prots), prot & ~prot_extra[e]);
		if ((prot & prot_extra[e]) && i >= 0) {
			wr8(w, 0xe0 | e << 3 | i);
			return;
		}
	}
	wr8(w, 0xf8);
	wrle(w, prot ^ prots[0], 4);
}

static void encode_flags(struct writer *w, uint32_t flags,
			 const uint32_t *bases)
{
	if (flags == bases[0]) {
		wr8(w, 0);
		return;
	}
	for (unsigned b = 0; b < 8; b++)
		for (unsigned m = 0; m < 8; m++)
			if ((bases[b] | flag_mods[m]) == flags) {
				wr8(w, 0x80 | m << 3 | b);
				return;
			}
	wr8(w, 0xf8);
	wrle(w, flags ^ bases[0], 4);
}

static void encode_off(struct writer *w, uint64_t off, int file)
{
	int i = find64(offsets, NELEM(offsets), off);

	if (file && !(off % PROG_PAGE_SIZE) && off / PROG_PAGE_SIZE < 0x40) {
		wr8(w, off ? 0x40 | off / PROG_PAGE_SIZE : 0);
		return;
	}
	wr8(w, i >= 0 ? 0xc0 + i : 0xff);
	if (i < 0)
		wrle(w, off, 8);
}

/* The first high nibble that decodes to e. */
static uint8_t ext_byte(enum ext_kind e)
{
	unsigned h = 0;

	while (ext_kinds[h] != e)
		h++;
	return h << 4 | KIND_EXT;
}

static void encode_memfd(struct writer *w, const struct prog_file *f)
{
	uint64_t pages = f->size / PROG_PAGE_SIZE;
	int i;

	wr8(w, ext_byte(EXT_MEMFD));
	if (f->size % PROG_PAGE_SIZE) {
		i = find64(file_bytes, NELEM(file_bytes), f->size);
		wr8(w, i >= 0 ? 0xe0 | i : 0xff);
		if (i < 0)
			wrle(w, f->size, 8);
	} else if (pages >= 1 && pages <= 16) {
		wr8(w, pages - 1);
	} else {
		i = find32(file_pages, NELEM(file_pages), pages);
		wr8(w, i >= 0 ? 0xc0 | i : 0xff);
		if (i < 0)
			wrle(w, f->size, 8);
	}
	wr8(w, f->ro | f->fill << 1);
}

/* The ops without a range, and mmaps of files. */
static void encode_ext(struct writer *w, const struct prog *p,
		       const struct prog_op *op);

static void encode_bulk(struct writer *w, const struct prog_op *op)
{
	int i = find32(strides, NELEM(strides), op->stride);

	if (op->repeat <= 9 && i >= 0) {
		wr8(w, i << 3 | (op->repeat - 2));
		return;
	}
	wr8(w, i >= 0 ? 0xf0 | i : 0xf8);
	wrle(w, op->repeat - 1, 2);
	if (i < 0)
		wrle(w, op->stride, 4);
}

static void encode_ext(struct writer *w, const struct prog *p,
		       const struct prog_op *op)
{
	int i;

	switch (op->kind) {
	case OP_MMAP:
		wr8(w, ext_byte(op->repeat > 1 ? EXT_FILE_MMAP_BULK :
						 EXT_FILE_MMAP));
		encode_addr(w, &op->addr);
		encode_len(w, &op->len, 0);
		encode_prot(w, op->prot);
		/* decode_fd: below 0xc0 the declared file s % nfiles */
		wr8(w, op->fd - 1u < p->nfiles ? op->fd - 1u :
						 0xc0 | (op->fd - 1u));
		encode_flags(w, op->flags, file_flag_bases);
		encode_off(w, op->off, 1);
		if (op->repeat > 1)
			encode_bulk(w, op);
		break;
	case OP_MLOCKALL:
		wr8(w, ext_byte(EXT_MLOCKALL));
		i = find32(mlockall_flags, NELEM(mlockall_flags), op->flags);
		wr8(w, i >= 0 ? i : 0xf8);
		if (i < 0)
			wrle(w, op->flags ^ mlockall_flags[0], 4);
		break;
	case OP_MUNLOCKALL:
		wr8(w, ext_byte(EXT_MUNLOCKALL));
		break;
	case OP_MEMLOCK_LIMIT:
		wr8(w, ext_byte(EXT_MEMLOCK_LIMIT));
		encode_len(w, &op->len, 0);
		break;
	case OP_DROP_IPC_LOCK:
		wr8(w, ext_byte(EXT_DROP_IPC_LOCK));
		break;
	case OP_FORK:
		wr8(w, ext_byte(EXT_FORK));
		break;
	}
}

size_t prog_encode(const struct prog *p, uint8_t *out, size_t cap)
{
	struct writer w = { out, cap, 0 };

	for (unsigned k = 0; k < p->nfiles; k++)
		encode_memfd(&w, &p->files[k]);
	for (unsigned idx = 0; idx < p->nops; idx++) {
		const struct prog_op *op = &p->ops[idx];
		uint8_t k = op->kind;
		int i;

		if (op->kind > OP_MSEAL || op->fd) {
			encode_ext(&w, p, op);
			continue;
		}
		if (op->kind == OP_MMAP && op->off)
			k |= KIND_OFF;
		if (op->repeat > 1)
			k |= KIND_BULK;
		wr8(&w, k);
		encode_addr(&w, &op->addr);
		if (op->kind == OP_MREMAP) {
			if (!op->len.raw && !op->len.pages)
				wr8(&w, 0);
			else
				encode_len(&w, &op->len, OLD_LEN_ZERO);
			if (!memcmp(&op->len2, &op->len, sizeof(op->len)))
				wr8(&w, 0);
			else
				encode_len(&w, &op->len2, NEW_LEN_SAME);
			i = find32(mremap_flags, NELEM(mremap_flags),
				   op->flags);
			wr8(&w, i >= 0 ? i : 0xf8);
			if (i < 0)
				wrle(&w, op->flags ^ mremap_flags[0], 4);
			encode_addr(&w, &op->addr2);
		} else {
			encode_len(&w, &op->len, 0);
		}
		if (op->kind == OP_MMAP || op->kind == OP_MPROTECT)
			encode_prot(&w, op->prot);
		if (op->kind == OP_MMAP)
			encode_flags(&w, op->flags, flag_bases);
		if (op->kind == OP_MADVISE) {
			i = find32(advices, NELEM(advices), op->flags);
			if (op->flags == ADV_GUARD_INSTALL)
				wr8(&w, ADV_SEL_INSTALL);
			else if (op->flags == ADV_GUARD_REMOVE)
				wr8(&w, ADV_SEL_REMOVE);
			else
				wr8(&w, i >= 0 ? i : 0xf8);
			if (op->flags != ADV_GUARD_INSTALL &&
			    op->flags != ADV_GUARD_REMOVE && i < 0)
				wrle(&w, op->flags, 4);
		}
		if (op->kind == OP_MLOCK || op->kind == OP_MSEAL) {
			if (op->flags > 1 || (op->flags && op->kind == OP_MSEAL)) {
				wr8(&w, 0xf8);
				wrle(&w, op->flags, 4);
			} else {
				wr8(&w, op->flags ? 0x80 : 0);
			}
		}
		if (k & KIND_OFF)
			encode_off(&w, op->off, 0);
		if (op->repeat > 1)
			encode_bulk(&w, op);
	}
	return w.len <= cap ? w.len : 0;
}
