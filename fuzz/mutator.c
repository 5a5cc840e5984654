// SPDX-License-Identifier: GPL-2.0
/*
 * The structure-aware mutator (mutator.h). One call decodes the input,
 * applies one to four edits to the program and writes its canonical
 * encoding, or (half the time, given a byte mutator) leaves the input to
 * byte-level mutation: the byte format is made for that, and with fewer
 * byte mutations byte-only fuzzing covered more (make fuzz-compare).
 * Edits that choose addresses and lengths first run the ops
 * before the edited one on a model of their own (model_prog_op, the
 * engine's op semantics): the VMAs it then holds are where merges, splits
 * and off-by-one errors live, so addresses go to their edges and lengths
 * to their sizes. Deterministic for a given seed and input.
 */
#include "mutator.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "../engine/engine.h"
#include "../harness/mman_compat.h"
#include "../harness/prog.h"

#define W PROG_WINDOW_BASE
#define PAGE PROG_PAGE_SIZE
#define WINDOW_BYTES ((uint64_t)PROG_WINDOW_PAGES * PAGE)
#define PAF (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)
#define HUGE_SHIFT 26
#define HUGE_FIELD (0x3fu << HUGE_SHIFT)
#define NO_REF 0xff /* a reference to fix (fix_refs) */
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102 /* uapi asm-generic/mman-common.h */
#define MADV_GUARD_REMOVE 103
#endif

/*
 * Model work (reps, plus pages for touch/read) one prefix run may do; the
 * ops past it are left out of the layout, so that a mutation costs well
 * under a millisecond (a few thousand VMAs or written pages), not the
 * seconds a program with 65536-rep ops or 2^18-page touches takes.
 */
#define PREFIX_BUDGET (1u << 14)
/* Pages a generated touch/read may access over all its reps. */
#define ACCESS_BUDGET (1u << 18)
/* Pages a generated MAP_POPULATE or MAP_LOCKED mmap may fault in over all
 * its reps (64 MiB): more takes the kernel side seconds and real memory
 * (7 GiB for one 7-rep, 1 GiB MAP_LOCKED mmap as root). */
#define PREFAULT_BUDGET (1u << 14)
/* run_cost() of an output; ops are dropped from the end past it (the
 * map_count_limit seed, 70000 reps a few ops from the end, fits). */
#define RUN_BUDGET (1u << 18)
/* The largest program encoding plus slack (49 bytes an op, FORMAT.md). */
#define ENC_MAX 4096

struct mutator {
	struct model *model;
	struct range *foreign;
	unsigned nforeign;
	mutator_bytes_fn bytes;
	uint64_t rng;
	struct prog p, q;
	/* The model after ops [0, at) of p: their outcomes and the layout.
	 * -1: not computed since p last changed. */
	int at;
	struct outcome outs[PROG_MAX_OPS];
	struct snapshot snap;
	uint8_t enc[ENC_MAX];
};

struct mutator *mutator_new(const struct model_config *cfg,
			    const struct snap_vma *foreign, unsigned nforeign,
			    mutator_bytes_fn bytes)
{
	struct mutator *mu = calloc(1, sizeof(*mu));

	if (!mu)
		return NULL;
	mu->foreign = calloc(nforeign ? nforeign : 1, sizeof(*mu->foreign));
	mu->model = model_create(cfg, foreign, nforeign);
	if (!mu->foreign || !mu->model) {
		mutator_free(mu);
		return NULL;
	}
	for (unsigned i = 0; i < nforeign; i++) {
		mu->foreign[i].start = foreign[i].start;
		mu->foreign[i].end = foreign[i].end;
	}
	mu->nforeign = nforeign;
	mu->bytes = bytes;
	mu->at = -1;
	snapshot_init(&mu->snap);
	return mu;
}

void mutator_free(struct mutator *mu)
{
	if (!mu)
		return;
	if (mu->model)
		model_destroy(mu->model);
	snapshot_free(&mu->snap);
	free(mu->foreign);
	free(mu);
}

/* --- randomness ----------------------------------------------------------- */

static uint64_t next(struct mutator *mu)
{
	/* splitmix64 */
	uint64_t z = (mu->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t rnd(struct mutator *mu, uint32_t n)
{
	return n ? (uint32_t)(next(mu) % n) : 0;
}

#define PICK(mu, table) ((table)[rnd((mu), NELEM(table))])

/* --- the model on a prefix ------------------------------------------------ */

/* Runs ops [0, at) of p on the model (within PREFIX_BUDGET) and takes the
 * layout. Ops left out count as skipped, so references to them resolve
 * to the window as if they had not run. */
static void layout_before(struct mutator *mu, unsigned at)
{
	const struct prog *p = &mu->p;
	uint64_t work = 0;

	if (mu->at == (int)at)
		return;
	model_reset(mu->model);
	memset(mu->outs, 0, sizeof(mu->outs));
	for (unsigned i = 0; i < at; i++) {
		const struct prog_op *op = &p->ops[i];
		uint64_t cost = 1;

		if (op->kind == OP_TOUCH || op->kind == OP_READ)
			cost += prog_touch_pages(&op->len);
		work += cost * op->repeat;
		if (work > PREFIX_BUDGET) {
			for (unsigned j = i; j < at; j++)
				mu->outs[j].skipped = 1;
			break;
		}
		model_prog_op(mu->model, mu->foreign, mu->nforeign, p, i,
			      mu->outs);
	}
	snapshot_clear(&mu->snap);
	model_snapshot(mu->model, &mu->snap, 0);
	mu->at = (int)at;
}


/* The VMA containing a, else the first one above it, else the last. */
static const struct snap_vma *vma_near(const struct mutator *mu, uint64_t a)
{
	const struct snapshot *s = &mu->snap;

	if (!s->n)
		return NULL;
	for (uint32_t i = 0; i < s->n; i++)
		if (a < s->v[i].end)
			return &s->v[i];
	return &s->v[s->n - 1];
}

/* --- references ----------------------------------------------------------- */

/* An op's addresses, which may be references: addr, and mremap's addr2. */
static unsigned op_addrs(struct prog_op *op, struct prog_addr *a[2])
{
	a[0] = &op->addr;
	a[1] = &op->addr2;
	return op->kind == OP_MREMAP ? 2 : 1;
}

/* The ops whose result is an address worth referring to. */
static int returns_addr(unsigned kind)
{
	return kind == OP_MMAP || kind == OP_MREMAP;
}

/* The ops without a range (mlockall .. fork): no address, no bulk, no
 * length but memlock_limit's. */
static int no_range(unsigned kind)
{
	return kind >= OP_MLOCKALL;
}

/* Points every reference that is not to an earlier op (NO_REF, or an op
 * that moved behind it) to the closest earlier mmap or mremap, else makes
 * it a window address. */
static void fix_refs(struct prog *p)
{
	for (unsigned i = 0; i < p->nops; i++) {
		struct prog_addr *as[2];

		for (unsigned x = op_addrs(&p->ops[i], as); x-- > 0;) {
			struct prog_addr *a = as[x];
			int k = (int)i - 1;

			if (a->kind != ADDR_REF || a->ref < i)
				continue;
			while (k >= 0 && !returns_addr(p->ops[k].kind))
				k--;
			if (k >= 0) {
				a->ref = (uint8_t)k;
			} else {
				a->kind = ADDR_WINDOW;
				a->ref = 0;
				a->page &= PROG_WINDOW_PAGES - 1;
			}
		}
	}
}

/* Opens n slots at pos (n <= room); references to ops at or after pos
 * follow them. The slots keep stale contents: callers fill them. */
static void open_slots(struct prog *p, unsigned pos, unsigned n)
{
	memmove(&p->ops[pos + n], &p->ops[pos],
		(p->nops - pos) * sizeof(p->ops[0]));
	p->nops += n;
	for (unsigned i = pos + n; i < p->nops; i++) {
		struct prog_addr *as[2];

		for (unsigned x = op_addrs(&p->ops[i], as); x-- > 0;)
			if (as[x]->kind == ADDR_REF && as[x]->ref >= pos)
				as[x]->ref += n;
	}
}

static void remove_op(struct prog *p, unsigned pos)
{
	memmove(&p->ops[pos], &p->ops[pos + 1],
		(p->nops - pos - 1) * sizeof(p->ops[0]));
	p->nops--;
	memset(&p->ops[p->nops], 0, sizeof(p->ops[0]));
	for (unsigned i = pos; i < p->nops; i++) {
		struct prog_addr *as[2];

		for (unsigned x = op_addrs(&p->ops[i], as); x-- > 0;) {
			if (as[x]->kind != ADDR_REF)
				continue;
			if (as[x]->ref == pos)
				as[x]->ref = NO_REF;
			else if (as[x]->ref > pos)
				as[x]->ref--;
		}
	}
	fix_refs(p);
}

/* Copies n ops of src from `from` into dst at pos; their references
 * within the copied run follow it, the others are fixed. */
static void splice_ops(struct prog *dst, unsigned pos, const struct prog *src,
		       unsigned from, unsigned n)
{
	if (n > PROG_MAX_OPS - dst->nops)
		n = PROG_MAX_OPS - dst->nops;
	open_slots(dst, pos, n);
	for (unsigned i = 0; i < n; i++) {
		struct prog_op *op = &dst->ops[pos + i];
		struct prog_addr *as[2];

		*op = src->ops[from + i];
		for (unsigned x = op_addrs(op, as); x-- > 0;)
			if (as[x]->kind == ADDR_REF)
				as[x]->ref = as[x]->ref >= from ?
						     as[x]->ref - from + pos :
						     NO_REF;
	}
	fix_refs(dst);
}

/* --- fields --------------------------------------------------------------- */

static const uint32_t common_prots[] = {
	PROT_READ | PROT_WRITE, PROT_READ, PROT_NONE, PROT_READ | PROT_EXEC,
	PROT_READ | PROT_WRITE | PROT_EXEC, PROT_WRITE, PROT_EXEC,
};

/* The MAP_ bits the kernel knows (x86-64), for flips inside the valid set. */
static const uint32_t valid_flags[] = {
	MAP_SHARED, MAP_PRIVATE, MAP_DROPPABLE, MAP_FIXED, MAP_ANONYMOUS,
	MAP_32BIT, MAP_GROWSDOWN, MAP_DENYWRITE, MAP_EXECUTABLE, MAP_LOCKED,
	MAP_NORESERVE, MAP_POPULATE, MAP_NONBLOCK, MAP_STACK, MAP_HUGETLB,
	MAP_SYNC, MAP_FIXED_NOREPLACE,
};

static const uint32_t map_types[] = {
	MAP_PRIVATE, MAP_SHARED, MAP_SHARED_VALIDATE, MAP_DROPPABLE, 0, 0xf,
};

/* Placement: a hint, fixed, no-replace, both. */
static const uint32_t placements[] = {
	0, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_FIXED | MAP_FIXED_NOREPLACE,
};

static const uint32_t flag_mods[] = {
	0, MAP_NORESERVE, MAP_POPULATE, MAP_LOCKED, MAP_GROWSDOWN, MAP_STACK,
	MAP_HUGETLB, MAP_32BIT, MAP_NONBLOCK,
};

static uint32_t gen_flags(struct mutator *mu)
{
	uint32_t type = rnd(mu, 4) ? MAP_PRIVATE : PICK(mu, map_types);
	uint32_t place = rnd(mu, 3) ? MAP_FIXED : PICK(mu, placements);
	uint32_t flags = type | MAP_ANONYMOUS | place |
			 (rnd(mu, 4) ? 0 : PICK(mu, flag_mods));

	/* a placed mapping searches bottom-up below 2 GiB with MAP_32BIT,
	 * the one way into the bottom-up allocator on a top-down layout */
	if (!place && !rnd(mu, 4))
		flags |= MAP_32BIT;
	return flags;
}

static uint32_t mutate_prot(struct mutator *mu, uint32_t prot)
{
	static const uint32_t extra[] = { PROT_SEM, PROT_GROWSDOWN,
					  PROT_GROWSUP };

	switch (rnd(mu, 6)) {
	case 0:
	case 1:
	case 2:
		return prot ^ (1u << rnd(mu, 3)); /* r, w, x */
	case 3:
		return prot ^ PICK(mu, extra);
	case 4:
		/* any bit: mostly invalid ones */
		return prot ^ (1u << rnd(mu, 32));
	default:
		return PICK(mu, common_prots);
	}
}

static uint32_t mutate_flags(struct mutator *mu, uint32_t flags)
{
	static const uint32_t huge[] = { 21u << HUGE_SHIFT, 30u << HUGE_SHIFT,
					 0 };

	switch (rnd(mu, 8)) {
	case 0:
	case 1:
	case 2:
		return flags ^ PICK(mu, valid_flags);
	case 3:
		return flags ^ (1u << rnd(mu, 32)); /* mostly outside the set */
	case 4:
		return (flags & ~0xfu) | PICK(mu, map_types);
	case 5:
		return (flags & ~(MAP_FIXED | MAP_FIXED_NOREPLACE)) |
		       PICK(mu, placements);
	case 6:
		/* the hugetlb page size: 2 MiB, 1 GiB, none or any */
		flags &= ~HUGE_FIELD;
		if (rnd(mu, 4))
			flags |= PICK(mu, huge);
		else
			flags |= rnd(mu, 64) << HUGE_SHIFT;
		return rnd(mu, 2) ? flags | MAP_HUGETLB : flags;
	default:
		return gen_flags(mu);
	}
}

/* Makes op a `kind` op, keeping the struct canonical (FORMAT.md). An
 * mremap starts as a same-size fixed move to the window's start. */
static void set_kind(struct prog_op *op, unsigned kind)
{
	int had_prot = op->kind == OP_MMAP || op->kind == OP_MPROTECT;

	if (kind == op->kind)
		return;
	op->flags = kind == OP_MMAP ? PAF :
		    kind == OP_MREMAP ? MREMAP_MAYMOVE | MREMAP_FIXED : 0;
	if ((kind == OP_MMAP || kind == OP_MPROTECT) && !had_prot)
		op->prot = PROT_READ | PROT_WRITE;
	if (kind != OP_MMAP) {
		op->off = 0;
		op->fd = 0;
	}
	if (kind != OP_MMAP && kind != OP_MPROTECT)
		op->prot = 0;
	memset(&op->addr2, 0, sizeof(op->addr2));
	memset(&op->len2, 0, sizeof(op->len2));
	if (kind == OP_MREMAP)
		op->len2 = op->len;
	if (no_range(kind)) {
		memset(&op->addr, 0, sizeof(op->addr));
		op->repeat = 1;
		op->stride = 0;
		if (kind != OP_MEMLOCK_LIMIT)
			memset(&op->len, 0, sizeof(op->len));
		if (kind == OP_MLOCKALL)
			op->flags = MCL_CURRENT | MCL_FUTURE;
	}
	op->kind = (uint8_t)kind;
}

/* Keeps generated ops cheap on the kernel side: touch/read within
 * ACCESS_BUDGET pages, prefaulting mmaps within PREFAULT_BUDGET (else they
 * lose MAP_POPULATE and MAP_LOCKED). */
static void bound_cost(struct prog_op *op)
{
	uint64_t pages = prog_touch_pages(&op->len);
	uint32_t prefault = MAP_POPULATE | MAP_LOCKED;

	if (op->kind == OP_MMAP && (op->flags & prefault) &&
	    prog_len_bytes(&op->len) / PAGE * op->repeat > PREFAULT_BUDGET)
		op->flags &= ~prefault;
	if (op->kind != OP_TOUCH && op->kind != OP_READ)
		return;
	/* pages <= PROG_WINDOW_PAGES <= ACCESS_BUDGET: repeat stays >= 1 */
	if (pages && (uint64_t)op->repeat * pages > ACCESS_BUDGET)
		op->repeat = (uint32_t)(ACCESS_BUDGET / pages);
	if (op->repeat == 1)
		op->stride = 0;
}

/*
 * Repeats: mostly a few; sometimes thousands of VMAs; rarely enough to
 * reach max_map_count (65530 by default), which is slow on the kernel side
 * (a snapshot of every VMA after every op) and so kept rare.
 */
static void mutate_bulk(struct mutator *mu, struct prog_op *op)
{
	static const uint32_t reps[] = { 1, 16, 100, 1000, 4096 };
	static const uint32_t many[] = { 32767, 32768, 65535, 65536 };
	uint32_t len = op->len.raw ? (uint32_t)(op->len.bytes / PAGE)
				   : op->len.pages;
	uint32_t strides[] = { 0, 1, 2, 3, 512, len, len + 1, 2 * len };
	uint32_t r = rnd(mu, 16);

	op->repeat = r < 12 ? 2 + rnd(mu, 8) : r < 15 ? PICK(mu, reps)
						       : PICK(mu, many);
	op->stride = op->repeat > 1 ? PICK(mu, strides) : 0;
	bound_cost(op);
}

/* --- addresses and lengths ------------------------------------------------ */

/* An address where something happens in the layout before op idx: the
 * edges of its VMAs, a page in or beside them, a 2 MiB boundary; else
 * (and sometimes anyway) a page of the window. */
static uint64_t edge_addr(struct mutator *mu, unsigned idx)
{
	static const uint32_t pages[] = { 0, 1, 2, 3, 4, 8, 16, 63, 64,
					  511, 512, 513, 1024, 4096 };
	const struct snap_vma *v;
	uint64_t a;

	layout_before(mu, idx);
	if (!mu->snap.n || !rnd(mu, 8))
		return W + PICK(mu, pages) * PAGE;
	v = &mu->snap.v[rnd(mu, mu->snap.n)];
	switch (rnd(mu, 9)) {
	case 0:
		a = v->start;
		break;
	case 1:
		a = v->end;
		break;
	case 2:
		a = v->start - PAGE;
		break;
	case 3:
		a = v->end - PAGE;
		break;
	case 4:
		a = v->start + PAGE;
		break;
	case 5:
		a = v->end + PAGE; /* leaves a one-page hole */
		break;
	case 6:
		a = v->start + rnd(mu, (uint32_t)((v->end - v->start) / PAGE)) *
				       PAGE;
		break;
	case 7:
		a = (v->start + 0x1fffff) & ~0x1fffffull; /* THP boundary */
		break;
	default:
		a = v->start - 512 * PAGE;
		break;
	}
	if (!rnd(mu, 16))
		a += rnd(mu, 2) ? 1 + rnd(mu, PAGE - 1) : PAGE / 2;
	return a;
}

/* Sets address a of op idx (its addr, or mremap's addr2) to t: as rK+n
 * from an earlier mmap or mremap that returned an address below t (what
 * keeps programs portable: raw numbers depend on the machine's layout),
 * as W+n in the window, else raw. */
static void set_addr_of(struct mutator *mu, unsigned idx,
			struct prog_addr *a, uint64_t t)
{
	unsigned refs[PROG_MAX_OPS], n = 0;
	int in_window = t >= W && t - W < WINDOW_BYTES;

	layout_before(mu, idx);
	for (unsigned k = 0; k < idx; k++) {
		uint64_t base = (uint64_t)mu->outs[k].ret;

		if (prog_returns_addr(&mu->p, k, mu->outs) && base <= t &&
		    (t - base) / PAGE <= UINT32_MAX)
			refs[n++] = k;
	}
	memset(a, 0, sizeof(*a));
	if (n && (!in_window || rnd(mu, 2))) {
		unsigned k = refs[rnd(mu, n)];
		uint64_t d = t - (uint64_t)mu->outs[k].ret;

		a->kind = ADDR_REF;
		a->ref = (uint8_t)k;
		a->page = (uint32_t)(d / PAGE);
		a->off = d % PAGE;
	} else if (in_window) {
		a->kind = ADDR_WINDOW;
		a->page = (uint32_t)((t - W) / PAGE);
		a->off = (t - W) % PAGE;
	} else {
		a->kind = ADDR_RAW;
		a->raw = t;
	}
}

static void set_addr(struct mutator *mu, unsigned idx, uint64_t t)
{
	set_addr_of(mu, idx, &mu->p.ops[idx].addr, t);
}

static void set_pages(struct prog_len *l, uint64_t pages)
{
	memset(l, 0, sizeof(*l));
	l->pages = pages > UINT32_MAX ? UINT32_MAX : (uint32_t)pages;
}

static void set_bytes(struct prog_len *l, uint64_t bytes)
{
	memset(l, 0, sizeof(*l));
	l->raw = 1;
	l->bytes = bytes;
}

/* Lengths that matter at op idx's address: 0, a page, the VMA's length,
 * up to its end or to the next one, across two, 2 MiB, huge, misaligned. */
static void pick_len(struct mutator *mu, unsigned idx)
{
	static const uint32_t huge_pages[] = { PROG_WINDOW_PAGES,
					       PROG_WINDOW_PAGES + 1, 1u << 20,
					       0x7fffffff, 0xffffffff };
	static const uint64_t raw[] = { 0, 1, PAGE - 1, PAGE + 1,
					0x1fffff, 0x200001, 1ull << 47,
					-PAGE, ~0ull };
	struct prog_len *l = &mu->p.ops[idx].len;
	uint64_t cur = prog_len_bytes(l), a;
	const struct snap_vma *v;

	layout_before(mu, idx);
	a = prog_resolve_addr(&mu->p, idx, 0, mu->outs) & ~(PAGE - 1);
	v = vma_near(mu, a);
	switch (rnd(mu, 12)) {
	case 0:
		set_pages(l, 0);
		break;
	case 1:
		set_pages(l, 1);
		break;
	case 2:
		set_pages(l, v ? (v->end - v->start) / PAGE : 1);
		break;
	case 3: /* to the VMA's end, or across the hole to the next one */
		set_pages(l, !v ? 2 : a < v->start ? (v->start - a) / PAGE
						   : (v->end - a) / PAGE);
		break;
	case 4: /* through the next VMA and one page beyond */
		set_pages(l, v && a < v->end ? (v->end - a) / PAGE + 1 : 3);
		break;
	case 5:
		set_pages(l, 512);
		break;
	case 6:
		set_pages(l, PICK(mu, huge_pages));
		break;
	case 7:
		set_bytes(l, PICK(mu, raw));
		break;
	case 8:
		set_pages(l, cur / PAGE + (rnd(mu, 2) ? 1 : -1));
		break;
	case 9:
		set_bytes(l, cur + (rnd(mu, 2) ? 1 : -1));
		break;
	case 10:
		set_pages(l, rnd(mu, 2) ? 511 : 513);
		break;
	default:
		set_pages(l, 1 + rnd(mu, 64));
		break;
	}
	bound_cost(&mu->p.ops[idx]);
}

/* --- mremap ---------------------------------------------------------------- */

/* Mostly valid combinations, the fixed move most of all. */
static const uint32_t mremap_flag_sets[] = {
	MREMAP_MAYMOVE,
	MREMAP_MAYMOVE | MREMAP_FIXED,
	MREMAP_MAYMOVE | MREMAP_FIXED,
	MREMAP_MAYMOVE | MREMAP_DONTUNMAP,
	MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP,
	0,
};

static uint32_t mutate_mremap_flags(struct mutator *mu, uint32_t flags)
{
	switch (rnd(mu, 4)) {
	case 0:
		return flags ^ (1u << rnd(mu, 3)); /* within the valid set */
	case 1:
		return flags ^ (1u << rnd(mu, 32)); /* mostly outside it */
	default:
		return PICK(mu, mremap_flag_sets);
	}
}

/*
 * mremap's lengths: one picked like any length (pick_len) and kept as
 * both, the same size again (DONTUNMAP and fixed moves need it), old_len
 * 0 (a duplicate), a growth or a shrink.
 */
static void pick_mremap_len(struct mutator *mu, unsigned idx)
{
	struct prog_op *op = &mu->p.ops[idx];
	struct prog_len old = op->len;
	uint64_t pages = prog_len_bytes(&old) / PAGE;

	switch (rnd(mu, 8)) {
	case 0:
	case 1:
		pick_len(mu, idx);
		op->len2 = op->len;
		break;
	case 2: /* a new length picked like the old one */
		pick_len(mu, idx);
		op->len2 = op->len;
		op->len = old;
		break;
	case 3:
		set_pages(&op->len, 0);
		break;
	case 4:
		set_pages(&op->len2, pages + 1 + rnd(mu, 16));
		break;
	case 5:
		set_pages(&op->len2, pages > 1 ? pages / 2 : 1);
		break;
	case 6:
		op->len2 = op->len;
		break;
	default:
		pick_len(mu, idx);
		break;
	}
}

/* new_addr: 0 (the kernel picks, for DONTUNMAP), a free-looking page
 * far up the window, or a VMA edge (what a fixed move unmaps). */
static void pick_mremap_addr2(struct mutator *mu, unsigned idx)
{
	struct prog_addr *a = &mu->p.ops[idx].addr2;

	switch (rnd(mu, 4)) {
	case 0:
		memset(a, 0, sizeof(*a));
		a->kind = ADDR_RAW;
		break;
	case 1:
		set_addr_of(mu, idx, a, W + (65536 + rnd(mu, 65536)) * PAGE);
		break;
	default:
		set_addr_of(mu, idx, a, edge_addr(mu, idx));
		break;
	}
}

/* --- files and the ops without a range ----------------------------------- */

/* File sizes: a few pages, a partial last page, empty, 2 MiB, the most. */
static uint64_t pick_file_size(struct mutator *mu)
{
	static const uint64_t pages[] = { 1, 2, 3, 4, 8, 16, 64 };
	static const uint64_t odd[] = { 1, PAGE / 2, PAGE - 1 };

	switch (rnd(mu, 8)) {
	case 0:
		return PICK(mu, pages) * PAGE + PICK(mu, odd);
	case 1:
		return 0;
	case 2:
		return rnd(mu, 4) ? 512 * PAGE : PROG_FILE_MAX_BYTES;
	default:
		return PICK(mu, pages) * PAGE;
	}
}

/* Declares the next file (if there is room): mostly rw, half filled. */
static int add_file(struct prog *p, struct mutator *mu)
{
	struct prog_file *f = &p->files[p->nfiles];

	if (p->nfiles == PROG_MAX_FILES)
		return -1;
	memset(f, 0, sizeof(*f));
	f->size = pick_file_size(mu);
	f->ro = !rnd(mu, 4);
	f->fill = rnd(mu, 2);
	p->nfiles++;
	return 0;
}

/* An mmap offset for file fd: its start, a page inside, its last page,
 * EOF (whole pages: the page past it faults), beyond, misaligned. */
static uint64_t pick_file_off(struct mutator *mu, const struct prog *p,
			      unsigned fd)
{
	uint64_t size = fd && fd <= p->nfiles ? p->files[fd - 1].size : 0;
	uint64_t eof = (size + PAGE - 1) & ~(PAGE - 1);

	switch (rnd(mu, 10)) {
	case 0:
	case 1:
	case 2:
		return 0;
	case 3:
		return eof > PAGE ? rnd(mu, (uint32_t)(eof / PAGE)) * PAGE
				  : PAGE;
	case 4:
		return eof >= PAGE ? eof - PAGE : 0;
	case 5:
		return eof;
	case 6:
		return eof + PAGE * (1 + rnd(mu, 512));
	case 7:
		return rnd(mu, 2) ? 1 : PAGE + PAGE / 2;
	case 8:
		return rnd(mu, 2) ? 1ull << 32 : -PAGE;
	default:
		return PAGE;
	}
}

/* Makes mmap op idx map a file: a declared one mostly (declaring one if
 * there is none), else an undeclared fd (EBADF); shared or private, its
 * length the file's, or the default. */
static void set_file(struct mutator *mu, unsigned idx)
{
	struct prog *p = &mu->p;
	struct prog_op *op = &p->ops[idx];
	uint64_t size;

	if (!p->nfiles && rnd(mu, 4))
		add_file(p, mu);
	op->fd = p->nfiles && rnd(mu, 8) ? 1 + rnd(mu, p->nfiles)
					 : 1 + rnd(mu, PROG_MAX_FILES);
	op->flags &= ~(MAP_ANONYMOUS | 0xfu);
	op->flags |= rnd(mu, 3) ? MAP_SHARED : PICK(mu, map_types);
	if (!rnd(mu, 16))
		op->flags |= MAP_ANONYMOUS; /* the fd is ignored */
	op->off = pick_file_off(mu, p, op->fd);
	size = op->fd <= p->nfiles ? p->files[op->fd - 1].size : 0;
	if (size && rnd(mu, 2))
		set_pages(&op->len, (size + PAGE - 1) / PAGE -
					    (op->off < size ? op->off / PAGE : 0));
	bound_cost(op);
}

/* One change to the declared files or to an mmap's file. */
static int edit_files(struct mutator *mu, unsigned i)
{
	struct prog *p = &mu->p;
	struct prog_op *op = &p->ops[i];
	struct prog_file *f;

	switch (rnd(mu, 6)) {
	case 0:
		return add_file(p, mu);
	case 1: /* the last one goes: its mmaps now fail with EBADF */
		if (!p->nfiles)
			return -1;
		memset(&p->files[--p->nfiles], 0, sizeof(p->files[0]));
		return 0;
	case 2:
		if (!p->nfiles)
			return add_file(p, mu);
		f = &p->files[rnd(mu, p->nfiles)];
		if (rnd(mu, 2))
			f->size = pick_file_size(mu);
		else if (rnd(mu, 2))
			f->ro ^= 1;
		else
			f->fill ^= 1;
		return 0;
	default:
		if (!p->nops || op->kind != OP_MMAP)
			return -1;
		if (op->fd && !rnd(mu, 3)) {
			op->fd = 0;
			op->off = 0;
			op->flags |= MAP_ANONYMOUS;
		} else {
			set_file(mu, i);
		}
		return 0;
	}
}

/* memlock_limit: none, a page, the default 8 MiB, unlimited, or about
 * what the program maps before op idx (what mlockall then needs). */
static void pick_limit(struct mutator *mu, unsigned idx)
{
	struct prog_len *l = &mu->p.ops[idx].len;
	uint64_t mapped = 0;

	layout_before(mu, idx);
	for (uint32_t i = 0; i < mu->snap.n; i++)
		mapped += mu->snap.v[i].end - mu->snap.v[i].start;
	switch (rnd(mu, 8)) {
	case 0:
		set_pages(l, 0);
		break;
	case 1:
		set_pages(l, 1);
		break;
	case 2:
		set_pages(l, 2048);
		break;
	case 3:
		set_bytes(l, ~0ull); /* RLIM_INFINITY */
		break;
	case 4:
		set_bytes(l, mapped ? mapped - 1 : PAGE - 1);
		break;
	case 5:
		set_pages(l, mapped / PAGE + rnd(mu, 2));
		break;
	default:
		set_pages(l, 1 + rnd(mu, 64));
		break;
	}
}

static const uint32_t mlockall_sets[] = {
	MCL_CURRENT, MCL_CURRENT | MCL_FUTURE, MCL_FUTURE,
	MCL_CURRENT | MCL_ONFAULT, MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT,
	MCL_FUTURE | MCL_ONFAULT, MCL_ONFAULT, 0,
};

/* Fills the fresh slot idx with an op without a range; fork at most
 * twice a program (each one is a process on the kernel side). */
static void gen_mm_op(struct mutator *mu, unsigned idx)
{
	static const uint8_t kinds[] = { OP_MLOCKALL, OP_MLOCKALL,
					 OP_MLOCKALL, OP_MUNLOCKALL,
					 OP_MUNLOCKALL, OP_MEMLOCK_LIMIT,
					 OP_MEMLOCK_LIMIT, OP_MEMLOCK_LIMIT,
					 OP_DROP_IPC_LOCK, OP_DROP_IPC_LOCK,
					 OP_FORK };
	struct prog_op *op = &mu->p.ops[idx];
	unsigned forks = 0;

	for (unsigned k = 0; k < mu->p.nops; k++)
		forks += k != idx && mu->p.ops[k].kind == OP_FORK;
	memset(op, 0, sizeof(*op));
	op->kind = PICK(mu, kinds);
	op->repeat = 1;
	if (op->kind == OP_FORK && forks >= 2)
		op->kind = OP_MUNLOCKALL;
	if (op->kind == OP_MLOCKALL)
		op->flags = PICK(mu, mlockall_sets);
	if (op->kind == OP_MEMLOCK_LIMIT)
		pick_limit(mu, idx);
}

/* madvise advices: the guards most, then those that interact with them
 * (and with locked and file memory). */
static uint32_t pick_advice(struct mutator *mu)
{
	static const uint32_t advices[] = {
		MADV_DONTNEED, MADV_DONTNEED_LOCKED, MADV_FREE, MADV_REMOVE,
		MADV_WIPEONFORK, MADV_DONTFORK, MADV_POPULATE_READ,
		MADV_POPULATE_WRITE,
	};

	if (rnd(mu, 2))
		return rnd(mu, 3) ? MADV_GUARD_INSTALL : MADV_GUARD_REMOVE;
	return PICK(mu, advices);
}

/* --- edits ---------------------------------------------------------------- */

/*
 * Fills the fresh slot idx with any op the byte format has, new kinds
 * included, with the codec's choice of values (advice, flags): a few random
 * bytes decoded as a first op (so no references), then aimed at the layout.
 */
static void gen_any_op(struct mutator *mu, unsigned idx)
{
	uint8_t b[48];

	for (unsigned i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)next(mu);
	prog_decode(b, sizeof(b), &mu->q);
	mu->p.ops[idx] = mu->q.ops[0];
	if (rnd(mu, 2))
		set_addr(mu, idx, edge_addr(mu, idx));
	if (rnd(mu, 2))
		pick_len(mu, idx);
	bound_cost(&mu->p.ops[idx]);
}

/* Fills the fresh slot idx with a new op fitting the layout before it. */
static void gen_op(struct mutator *mu, unsigned idx)
{
	static const uint8_t kinds[] = { OP_MMAP, OP_MMAP, OP_MMAP, OP_MUNMAP,
					 OP_MUNMAP, OP_MPROTECT, OP_MPROTECT,
					 OP_TOUCH, OP_READ, OP_MREMAP,
					 OP_MREMAP };
	struct prog_op *op = &mu->p.ops[idx];

	if (!rnd(mu, 3)) {
		gen_any_op(mu, idx);
		return;
	}
	if (!rnd(mu, 5)) {
		gen_mm_op(mu, idx);
		return;
	}
	memset(op, 0, sizeof(*op));
	op->kind = rnd(mu, 6) ? PICK(mu, kinds) : OP_MADVISE;
	op->repeat = 1;
	if (op->kind == OP_MADVISE)
		op->flags = pick_advice(mu);
	if (op->kind == OP_MMAP || op->kind == OP_MPROTECT)
		op->prot = PICK(mu, common_prots);
	if (op->kind == OP_MMAP)
		op->flags = gen_flags(mu);
	if (op->kind == OP_MMAP &&
	    !(op->flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && rnd(mu, 2)) {
		op->addr.kind = ADDR_RAW; /* raw 0: the kernel picks */
	} else {
		set_addr(mu, idx, edge_addr(mu, idx));
	}
	if (rnd(mu, 2))
		set_pages(&op->len, 1 + rnd(mu, 16));
	else
		pick_len(mu, idx);
	if (op->kind == OP_MREMAP) {
		op->flags = PICK(mu, mremap_flag_sets);
		op->len2 = op->len;
		pick_mremap_len(mu, idx);
		pick_mremap_addr2(mu, idx);
	}
	/* files are rare in random bytes: map them when there are some */
	if (op->kind == OP_MMAP && (mu->p.nfiles ? rnd(mu, 2) : !rnd(mu, 6)))
		set_file(mu, idx);
	if (!rnd(mu, 8))
		mutate_bulk(mu, op);
	bound_cost(op);
}

enum edit {
	ED_INSERT, ED_DELETE, ED_DUPLICATE, ED_SWAP, ED_SPLICE, ED_ADDR,
	ED_LEN, ED_PROT, ED_FLAGS, ED_KIND, ED_BULK, ED_OFF, ED_REF,
	ED_FILE, ED__COUNT
};

static const uint8_t edit_weights[ED__COUNT] = {
	[ED_INSERT] = 20, [ED_DELETE] = 8, [ED_DUPLICATE] = 6,
	[ED_SWAP] = 5,	  [ED_SPLICE] = 3, [ED_ADDR] = 18,
	[ED_LEN] = 14,	  [ED_PROT] = 6,   [ED_FLAGS] = 8,
	[ED_KIND] = 3,	  [ED_BULK] = 5,   [ED_OFF] = 2,
	[ED_REF] = 2,	  [ED_FILE] = 8,
};

static enum edit pick_edit(struct mutator *mu)
{
	unsigned total = 0, r;

	for (unsigned e = 0; e < ED__COUNT; e++)
		total += edit_weights[e];
	r = rnd(mu, total);
	for (unsigned e = 0; e < ED__COUNT; e++) {
		if (r < edit_weights[e])
			return (enum edit)e;
		r -= edit_weights[e];
	}
	return ED_INSERT;
}

/* Points op idx (either address of an mremap) at another earlier mmap's
 * or mremap's result, same page offset. */
static int retarget(struct mutator *mu, unsigned idx)
{
	struct prog_addr *as[2], *a;
	unsigned mmaps[PROG_MAX_OPS], n = 0, naddrs;

	if (no_range(mu->p.ops[idx].kind))
		return -1;
	naddrs = op_addrs(&mu->p.ops[idx], as);
	a = as[rnd(mu, naddrs)];
	for (unsigned k = 0; k < idx; k++)
		if (returns_addr(mu->p.ops[k].kind))
			mmaps[n++] = k;
	if (!n)
		return -1;
	if (a->kind == ADDR_RAW) {
		a->raw = 0;
		a->page = 0;
	}
	a->kind = ADDR_REF;
	a->ref = (uint8_t)mmaps[rnd(mu, n)];
	return 0;
}

/* One edit of mu->p; -1 if it did not apply. */
static int edit(struct mutator *mu)
{
	static const uint64_t offsets[] = { 0x1000, 0x200000, 1, 0xfff,
					    -PAGE, 1ull << 32 };
	struct prog *p = &mu->p;
	unsigned n = p->nops, i = rnd(mu, n), j;
	struct prog_op *op = &p->ops[i], tmp;

	mu->at = -1;
	switch (pick_edit(mu)) {
	case ED_INSERT:
		/* the longer the program, the likelier another edit instead:
		 * every op costs a snapshot of every VMA on the kernel side */
		if (rnd(mu, PROG_MAX_OPS) < n)
			return -1;
		i = rnd(mu, n + 1);
		open_slots(p, i, 1);
		gen_op(mu, i);
		return 0;
	case ED_DELETE:
		if (n < 2)
			return -1;
		remove_op(p, i);
		return 0;
	case ED_DUPLICATE:
		if (!n || n == PROG_MAX_OPS)
			return -1;
		/* right after it, or at the end (again, after the rest) */
		j = rnd(mu, 2) ? i + 1 : n;
		tmp = *op; /* its reference is to an op before i < j */
		open_slots(p, j, 1);
		p->ops[j] = tmp;
		return 0;
	case ED_SWAP:
		if (n < 2)
			return -1;
		j = rnd(mu, 2) && i + 1 < n ? i + 1 : rnd(mu, n);
		if (i == j)
			return -1;
		tmp = p->ops[i];
		p->ops[i] = p->ops[j];
		p->ops[j] = tmp;
		for (unsigned k = 0; k < n; k++) {
			struct prog_addr *as[2];

			for (unsigned x = op_addrs(&p->ops[k], as); x-- > 0;) {
				struct prog_addr *a = as[x];

				if (a->kind == ADDR_REF && a->ref == i)
					a->ref = (uint8_t)j;
				else if (a->kind == ADDR_REF && a->ref == j)
					a->ref = (uint8_t)i;
			}
		}
		fix_refs(p);
		return 0;
	case ED_SPLICE: /* a run of this program's ops, again elsewhere */
		if (!n || n == PROG_MAX_OPS)
			return -1;
		mu->q = *p;
		splice_ops(p, rnd(mu, n + 1), &mu->q, i, 1 + rnd(mu, n - i));
		return 0;
	case ED_ADDR:
		if (!n || no_range(op->kind))
			return -1;
		if (op->kind == OP_MREMAP && rnd(mu, 2))
			pick_mremap_addr2(mu, i);
		else
			set_addr(mu, i, edge_addr(mu, i));
		return 0;
	case ED_LEN:
		if (!n || (no_range(op->kind) && op->kind != OP_MEMLOCK_LIMIT))
			return -1;
		if (op->kind == OP_MEMLOCK_LIMIT)
			pick_limit(mu, i);
		else if (op->kind == OP_MREMAP)
			pick_mremap_len(mu, i);
		else
			pick_len(mu, i);
		return 0;
	case ED_PROT:
		if (!n || (op->kind != OP_MMAP && op->kind != OP_MPROTECT))
			return -1;
		op->prot = mutate_prot(mu, op->prot);
		return 0;
	case ED_FLAGS:
		if (n && op->kind == OP_MADVISE) {
			op->flags = pick_advice(mu);
			return 0;
		}
		if (n && op->kind == OP_MLOCKALL) {
			op->flags = rnd(mu, 2) ? PICK(mu, mlockall_sets) :
				    op->flags ^ (1u << rnd(mu, rnd(mu, 2) ? 3 : 32));
			return 0;
		}
		if (!n || (op->kind != OP_MMAP && op->kind != OP_MREMAP))
			return -1;
		op->flags = op->kind == OP_MMAP ?
				    mutate_flags(mu, op->flags) :
				    mutate_mremap_flags(mu, op->flags);
		bound_cost(op);
		return 0;
	case ED_KIND:
		if (!n)
			return -1;
		j = (op->kind + 1 + rnd(mu, OP__COUNT - 1)) % OP__COUNT;
		set_kind(op, j);
		bound_cost(op);
		return 0;
	case ED_BULK:
		if (!n || no_range(op->kind))
			return -1;
		mutate_bulk(mu, op);
		return 0;
	case ED_OFF:
		if (!n || op->kind != OP_MMAP)
			return -1;
		if (op->fd && rnd(mu, 2))
			op->off = pick_file_off(mu, p, op->fd);
		else
			op->off = rnd(mu, 3) ? PICK(mu, offsets) : 0;
		return 0;
	case ED_FILE:
		return edit_files(mu, i);
	case ED_REF:
		if (!n)
			return -1;
		return retarget(mu, i);
	default:
		return -1;
	}
}

/* --- encoding ------------------------------------------------------------- */

/*
 * The kernel side's work for p, roughly: it snapshots every VMA after
 * every op, so each rep (which may add a VMA) costs once per later op,
 * and touch/read cost a fault per page. A 35000-rep op followed by 40
 * ops takes a second or more; RUN_BUDGET keeps a program to about 0.1 s.
 */
static uint64_t run_cost(const struct prog *p)
{
	uint64_t cost = 0;

	for (unsigned i = 0; i < p->nops; i++) {
		const struct prog_op *op = &p->ops[i];

		cost += (uint64_t)op->repeat * (p->nops - i);
		if (op->kind == OP_TOUCH || op->kind == OP_READ)
			cost += (uint64_t)op->repeat *
				prog_touch_pages(&op->len);
	}
	return cost;
}

/* Writes mu->p canonically to out: the struct goes through encode and
 * decode once (which zeroes what canonical form zeroes), then ops are
 * dropped from the end until it is within RUN_BUDGET and its encoding
 * fits. Returns the size, >= 1. */
static size_t finish(struct mutator *mu, uint8_t *out, size_t max)
{
	struct prog *p = &mu->p;
	size_t n;

	n = prog_encode(p, mu->enc, sizeof(mu->enc));
	prog_decode(mu->enc, n, p);
	while (p->nops > 1 && run_cost(p) > RUN_BUDGET)
		memset(&p->ops[--p->nops], 0, sizeof(p->ops[0]));
	while (p->nops && !(n = prog_encode(p, out, max)))
		memset(&p->ops[--p->nops], 0, sizeof(p->ops[0]));
	if (n)
		return n;
	/* not even one op fits: one kind byte decodes to a whole op */
	out[0] = OP_MUNMAP;
	return 1;
}

size_t mutator_mutate(struct mutator *mu, uint8_t *data, size_t size,
		      size_t max, unsigned seed)
{
	unsigned edits;

	mu->rng = seed;
	if (mu->bytes && rnd(mu, 2)) {
		size_t n = mu->bytes(data, size, max);

		/* kept as they are: bytes that no op reads now (explicit
		 * values, what follows the last op) become ops and values
		 * after later byte edits; decoding is total and canonical */
		if (n)
			return n;
	}
	prog_decode(data, size, &mu->p);
	edits = 1 + (rnd(mu, 4) ? 0 : 1 + rnd(mu, 3));
	for (unsigned e = 0, tries = 0; e < edits && tries < 32; tries++) {
		if (!mu->p.nops) {
			mu->at = -1;
			open_slots(&mu->p, 0, 1);
			gen_op(mu, 0);
		} else if (edit(mu)) {
			continue;
		}
		e++;
	}
	if (!mu->p.nops) {
		mu->at = -1;
		open_slots(&mu->p, 0, 1);
		gen_op(mu, 0);
	}
	return finish(mu, data, max);
}

size_t mutator_crossover(struct mutator *mu, const uint8_t *a, size_t na,
			 const uint8_t *b, size_t nb, uint8_t *out, size_t max,
			 unsigned seed)
{
	struct prog *p = &mu->p, *q = &mu->q;
	unsigned i, j, longest;

	mu->rng = seed;
	mu->at = -1;
	prog_decode(a, na, p);
	prog_decode(b, nb, q);
	/* b's ops keep their files: declarations a lacks come from b */
	for (; p->nfiles < q->nfiles; p->nfiles++)
		p->files[p->nfiles] = q->files[p->nfiles];
	longest = p->nops > q->nops ? p->nops : q->nops;
	i = rnd(mu, p->nops + 1);
	j = rnd(mu, q->nops + 1);
	if (rnd(mu, 2)) {
		/* a's first i ops, then b's from j on */
		while (p->nops > i)
			memset(&p->ops[--p->nops], 0, sizeof(p->ops[0]));
		splice_ops(p, i, q, j, q->nops - j);
	} else {
		/* a run of b's ops inserted into a */
		splice_ops(p, i, q, j,
			   j < q->nops ? 1 + rnd(mu, q->nops - j) : 0);
	}
	/* no longer than the longer parent: length costs (run_cost) */
	while (p->nops > longest)
		memset(&p->ops[--p->nops], 0, sizeof(p->ops[0]));
	if (!p->nops) {
		open_slots(p, 0, 1);
		gen_op(mu, 0);
	}
	return finish(mu, out, max);
}
