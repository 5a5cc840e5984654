// SPDX-License-Identifier: GPL-2.0
/* Structure-aware minimisation of a divergent program (minimize.h). */
#include "minimize.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../oracle/suppress.h"

#define WINDOW_END (PROG_WINDOW_BASE + PROG_WINDOW_PAGES * PROG_PAGE_SIZE)
#define DEFAULT_RUNS 5000

struct mctx {
	struct engine *e;
	const char *pattern; /* NULL: keep `want`; "*": any */
	char want[256];
	char best_sig[256];
	FILE *log;
	unsigned runs, max_runs, steps;
	struct prog best, cand;
	struct outcome kout[PROG_MAX_OPS]; /* the kernel's, for best */
	struct verdict v;
};

/* The start of a signature that names the op kind, its class and the
 * field: cheap to know without rerunning for the layouts. */
static void sig_prefix(const struct prog *p, const struct verdict *v,
		       char *buf, size_t cap)
{
	const struct prog_op *op = &p->ops[v->op];
	size_t n;

	snprintf(buf, cap, "%s", op_kind_name(op->kind));
	n = strlen(buf);
	op_class_str(op->kind, op->prot, op->flags, buf + n, cap - n);
	n = strlen(buf);
	snprintf(buf + n, cap - n, " %s ", div_field_name(v->field));
}

/* Runs p: does it diverge as wanted? The signature goes to sig. */
static int diverges(struct mctx *m, const struct prog *p, char *sig,
		    size_t cap)
{
	char prefix[96];

	if (!prog_valid(p) || m->runs >= m->max_runs)
		return 0;
	m->runs++;
	if (engine_run(m->e, p, &m->v) != VERDICT_DIVERGE)
		return 0;
	if (!m->pattern) {
		sig_prefix(p, &m->v, prefix, sizeof(prefix));
		if (strncmp(prefix, m->want, strlen(prefix)))
			return 0;
	}
	engine_report(m->e, NULL, p, &m->v, sig, cap);
	if (!m->pattern)
		return !strcmp(sig, m->want);
	return !strcmp(m->pattern, "*") || glob_match(m->pattern, sig);
}

/* An op's first or (mremap) second address and length. */
static struct prog_addr *op_addr(struct prog_op *op, int second)
{
	return second ? &op->addr2 : &op->addr;
}

static struct prog_len *op_len(struct prog_op *op, int second)
{
	return second ? &op->len2 : &op->len;
}

static void canonicalise_part(struct prog_addr *a, struct prog_len *l)
{
	if (a->kind != ADDR_RAW)
		a->raw = 0;
	if (a->kind != ADDR_REF)
		a->ref = 0;
	if (l->raw)
		l->pages = 0;
	else
		l->bytes = 0;
}

static void canonicalise(struct prog_op *op)
{
	if (op->repeat <= 1) {
		op->repeat = 1;
		op->stride = 0;
	}
	canonicalise_part(&op->addr, &op->len);
	if (op->kind == OP_MREMAP)
		canonicalise_part(&op->addr2, &op->len2);
}

/* Tries the candidate; keeps it if it still diverges as wanted. */
static int try_cand(struct mctx *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int try_cand(struct mctx *m, const char *fmt, ...)
{
	char sig[256];
	va_list ap;

	for (unsigned i = 0; i < m->cand.nops; i++)
		canonicalise(&m->cand.ops[i]);
	if (!memcmp(&m->cand, &m->best, sizeof(m->cand)) ||
	    !diverges(m, &m->cand, sig, sizeof(sig)))
		return 0;
	m->best = m->cand;
	memcpy(m->kout, m->v.kernel, sizeof(m->kout));
	snprintf(m->best_sig, sizeof(m->best_sig), "%s", sig);
	m->steps++;
	if (m->log) {
		fprintf(m->log, "minimize: run %u: ", m->runs);
		va_start(ap, fmt);
		vfprintf(m->log, fmt, ap);
		va_end(ap);
		fprintf(m->log, " (%u ops)\n", m->best.nops);
		fflush(m->log);
	}
	return 1;
}

/* --- dropping ops ---------------------------------------------------------- */

/* Sets a to the window address it resolves to, or W+page if that is not in
 * the window; 0 if neither can be written. */
static int to_window(struct prog_addr *a, uint64_t resolved)
{
	if (resolved >= PROG_WINDOW_BASE && resolved < WINDOW_END) {
		a->page = (uint32_t)((resolved - PROG_WINDOW_BASE) >>
				     PROG_PAGE_SHIFT);
		a->off = (uint16_t)(resolved & (PROG_PAGE_SIZE - 1));
	} else if (a->page >= PROG_WINDOW_PAGES) {
		return 0;
	}
	a->kind = ADDR_WINDOW;
	return 1;
}

/* Renumbers a reference of op i past dropped ops [j, j + n); one to a
 * dropped op becomes a window address. 0 if it cannot be written. */
static int renumber(struct mctx *m, unsigned i, int second, unsigned j,
		    unsigned n)
{
	struct prog_addr *a = op_addr(&m->cand.ops[i], second);
	uint64_t r = second ? prog_resolve_addr2(&m->best, i, 0, m->kout)
			    : prog_resolve_addr(&m->best, i, 0, m->kout);

	if (a->kind != ADDR_REF || a->ref < j)
		return 1;
	if (a->ref >= j + n) {
		a->ref -= n;
		return 1;
	}
	return to_window(a, r);
}

/* cand = best without ops [j, j + n). */
static int drop(struct mctx *m, unsigned j, unsigned n)
{
	struct prog *c = &m->cand;

	*c = m->best;
	for (unsigned i = j + n; i < c->nops; i++)
		if (!renumber(m, i, 0, j, n) ||
		    (c->ops[i].kind == OP_MREMAP && !renumber(m, i, 1, j, n)))
			return 0;
	memmove(&c->ops[j], &c->ops[j + n],
		(c->nops - j - n) * sizeof(c->ops[0]));
	c->nops -= n;
	memset(&c->ops[c->nops], 0, n * sizeof(c->ops[0]));
	return 1;
}

static int drop_ops(struct mctx *m)
{
	int changed = 0;

	for (unsigned n = m->best.nops / 2; n >= 1; n /= 2) {
		for (unsigned j = m->best.nops; j-- > 0;) {
			if (j + n > m->best.nops)
				continue;
			if (drop(m, j, n) &&
			    (n == 1 ? try_cand(m, "dropped op %u", j)
				    : try_cand(m, "dropped ops %u-%u", j,
					       j + n - 1)))
				changed = 1;
		}
	}
	return changed;
}

/* --- shrinking numbers ----------------------------------------------------- */

/* The numbers the minimiser shrinks; the *2 ones are an mremap's second
 * length and address. */
enum field {
	F_REPEAT, F_STRIDE, F_OFF,
	F_PAGES, F_BYTES, F_PAGE,
	F_PAGES2, F_BYTES2, F_PAGE2,
};

static const char *const field_names[] = {
	[F_REPEAT] = "repeat", [F_STRIDE] = "stride",
	[F_OFF] = "mmap offset", [F_PAGES] = "length (pages)",
	[F_BYTES] = "length (bytes)", [F_PAGE] = "address page",
	[F_PAGES2] = "new length (pages)", [F_BYTES2] = "new length (bytes)",
	[F_PAGE2] = "new address page",
};

/* Where field f lives in op (all fit in 64 bits; widths differ). */
static void *field_ptr(struct prog_op *op, enum field f, int *wide)
{
	int second = f >= F_PAGES2;

	*wide = f == F_OFF || f == F_BYTES || f == F_BYTES2;
	switch (f) {
	case F_REPEAT:
		return &op->repeat;
	case F_STRIDE:
		return &op->stride;
	case F_OFF:
		return &op->off;
	case F_PAGES:
	case F_PAGES2:
		return &op_len(op, second)->pages;
	case F_BYTES:
	case F_BYTES2:
		return &op_len(op, second)->bytes;
	default:
		return &op_addr(op, second)->page;
	}
}

static uint64_t get_field(const struct prog_op *op, enum field f)
{
	int wide;
	void *p = field_ptr((struct prog_op *)op, f, &wide);

	return wide ? *(uint64_t *)p : *(uint32_t *)p;
}

static void set_field(struct prog_op *op, enum field f, uint64_t v)
{
	int wide;
	void *p = field_ptr(op, f, &wide);

	if (wide)
		*(uint64_t *)p = v;
	else
		*(uint32_t *)p = (uint32_t)v;
}

static int try_value(struct mctx *m, unsigned i, enum field f, uint64_t v)
{
	uint64_t cur = get_field(&m->best.ops[i], f);

	m->cand = m->best;
	set_field(&m->cand.ops[i], f, v);
	return try_cand(m, "op %u: %s %" PRIu64 " -> %" PRIu64, i,
			field_names[f], cur, v);
}

/* Lowers field f of op i towards min: min itself first, then steps that
 * halve whenever one fails (a binary search for the smallest value that
 * keeps the divergence, if it is monotone). */
static int shrink(struct mctx *m, unsigned i, enum field f, uint64_t min)
{
	uint64_t cur = get_field(&m->best.ops[i], f), d;
	int changed = 0;

	if (cur <= min)
		return 0;
	if (try_value(m, i, f, min))
		return 1;
	for (d = (cur - min) / 2; d > 0;) {
		if (try_value(m, i, f, cur - d)) {
			cur -= d;
			changed = 1;
			if (d > (cur - min) / 2)
				d = (cur - min) / 2;
		} else {
			d /= 2;
		}
	}
	return changed;
}

/* MAP_FIXED stays: a mapping at a named address is the simpler program
 * to read, even where a hint would land there too. */
#define KEEP_MMAP_FLAGS 0x10u

/* Clears the bits of the op's prot or flags one at a time, high first. */
static int clear_bits(struct mctx *m, unsigned i, int flags)
{
	int changed = 0;

	for (int b = 31; b >= 0; b--) {
		struct prog_op *op;
		uint32_t cur = flags ? m->best.ops[i].flags
				     : m->best.ops[i].prot;

		if (!(cur & (1u << b)) ||
		    (flags && m->best.ops[i].kind == OP_MMAP &&
		     (KEEP_MMAP_FLAGS & (1u << b))))
			continue;
		m->cand = m->best;
		op = &m->cand.ops[i];
		if (flags)
			op->flags &= ~(1u << b);
		else
			op->prot &= ~(1u << b);
		changed |= try_cand(m, "op %u: %s 0x%x -> 0x%x", i,
				    flags ? "flags" : "prot", cur,
				    cur & ~(1u << b));
	}
	return changed;
}

/* --- addresses ------------------------------------------------------------- */

static const char *const part_names[] = { "", "new " };

/* A raw or rK address that lands in the window becomes W+n. */
static int addr_to_window(struct mctx *m, unsigned i, int second)
{
	const struct prog_addr *a = op_addr(&m->best.ops[i], second);
	uint64_t r = second ? prog_resolve_addr2(&m->best, i, 0, m->kout)
			    : prog_resolve_addr(&m->best, i, 0, m->kout);
	struct prog_addr *c;

	if (a->kind == ADDR_WINDOW || r < PROG_WINDOW_BASE || r >= WINDOW_END)
		return 0;
	m->cand = m->best;
	c = op_addr(&m->cand.ops[i], second);
	to_window(c, r);
	return try_cand(m, "op %u: %saddress 0x%" PRIx64 " written as W+%u", i,
			part_names[second], r, c->page);
}

static int drop_byte_off(struct mctx *m, unsigned i, int second)
{
	uint16_t off = op_addr(&m->best.ops[i], second)->off;

	if (!off || op_addr(&m->best.ops[i], second)->kind == ADDR_RAW)
		return 0;
	m->cand = m->best;
	op_addr(&m->cand.ops[i], second)->off = 0;
	return try_cand(m, "op %u: %sbyte offset 0x%x dropped", i,
			part_names[second], off);
}

/* A raw length that is whole pages becomes a page count. */
static int bytes_to_pages(struct mctx *m, unsigned i, int second)
{
	const struct prog_len *l = op_len(&m->best.ops[i], second);
	uint64_t b = l->bytes;

	if (!l->raw || b % PROG_PAGE_SIZE || b / PROG_PAGE_SIZE > UINT32_MAX)
		return 0;
	m->cand = m->best;
	op_len(&m->cand.ops[i], second)->raw = 0;
	op_len(&m->cand.ops[i], second)->pages =
		(uint32_t)(b / PROG_PAGE_SIZE);
	return try_cand(m, "op %u: %slength b:%" PRIu64 " written in pages", i,
			part_names[second], b);
}

/* Address k of p (op k / 2; its second one if k is odd) if it is a
 * window address, else NULL. */
static struct prog_addr *window_addr(struct prog *p, unsigned k)
{
	struct prog_op *op = &p->ops[k / 2];
	struct prog_addr *a = op_addr(op, k % 2);

	if (k % 2 && op->kind != OP_MREMAP)
		return NULL;
	return a->kind == ADDR_WINDOW ? a : NULL;
}

/* Every window address `by` pages lower. */
static int shift_window(struct mctx *m, uint32_t by)
{
	struct prog_addr *a;

	m->cand = m->best;
	for (unsigned k = 0; k < 2 * m->cand.nops; k++)
		if ((a = window_addr(&m->cand, k)))
			a->page -= by;
	return try_cand(m, "all window addresses %u pages lower", by);
}

static int shift_all(struct mctx *m)
{
	uint32_t low = UINT32_MAX;
	struct prog_addr *a;

	for (unsigned k = 0; k < 2 * m->best.nops; k++)
		if ((a = window_addr(&m->best, k)) && a->page < low)
			low = a->page;
	for (uint32_t by = low; by && by != UINT32_MAX; by /= 2)
		if (shift_window(m, by))
			return 1;
	return 0;
}

/* --- passes -------------------------------------------------------------- */

/* The length and address of op i (second: an mremap's new ones). */
static int simplify_part(struct mctx *m, unsigned i, int second)
{
	int c = bytes_to_pages(m, i, second);

	c |= op_len(&m->best.ops[i], second)->raw
		     ? shrink(m, i, second ? F_BYTES2 : F_BYTES, 1)
		     : shrink(m, i, second ? F_PAGES2 : F_PAGES, 1);
	c |= addr_to_window(m, i, second);
	if (op_addr(&m->best.ops[i], second)->kind != ADDR_RAW)
		c |= shrink(m, i, second ? F_PAGE2 : F_PAGE, 0);
	c |= drop_byte_off(m, i, second);
	return c;
}

static int simplify_op(struct mctx *m, unsigned i)
{
	unsigned kind = m->best.ops[i].kind;
	int c = 0;

	c |= shrink(m, i, F_REPEAT, 1);
	if (m->best.ops[i].repeat > 1)
		c |= shrink(m, i, F_STRIDE, 0);
	c |= simplify_part(m, i, 0);
	if (kind == OP_MREMAP)
		c |= simplify_part(m, i, 1);
	if (kind == OP_MMAP)
		c |= shrink(m, i, F_OFF, 0);
	if (kind == OP_MMAP || kind == OP_MPROTECT)
		c |= clear_bits(m, i, 0);
	if (kind == OP_MMAP || kind == OP_MREMAP)
		c |= clear_bits(m, i, 1);
	return c;
}

static int one_pass(struct mctx *m)
{
	int c = drop_ops(m);

	for (unsigned i = 0; i < m->best.nops; i++)
		c |= simplify_op(m, i);
	c |= shift_all(m);
	return c;
}

int engine_minimize(struct engine *e, struct prog *p,
		    const struct minimize_opts *o, struct minimize_result *r,
		    char *err, size_t errlen)
{
	struct mctx *m = calloc(1, sizeof(*m));
	char sig[256];
	int rc = -1;

	if (!m)
		abort();
	memset(r, 0, sizeof(*r));
	m->e = e;
	m->log = o->progress;
	m->max_runs = o->max_runs ? o->max_runs : DEFAULT_RUNS;
	m->pattern = !o->want || !strcmp(o->want, "keep") ? NULL
		     : !strcmp(o->want, "any")		   ? "*"
							   : o->want;
	r->nops_before = p->nops;
	if (!m->pattern)
		m->pattern = "*"; /* the first run learns the signature */
	if (!diverges(m, p, sig, sizeof(sig))) {
		snprintf(err, errlen, "the program does not diverge%s%s",
			 strcmp(m->pattern, "*") ? " as wanted: " : "",
			 strcmp(m->pattern, "*") ? m->pattern : "");
		goto out;
	}
	snprintf(r->original, sizeof(r->original), "%s", sig);
	if (!o->want || !strcmp(o->want, "keep")) {
		snprintf(m->want, sizeof(m->want), "%s", sig);
		m->pattern = NULL;
	}
	m->best = *p;
	memcpy(m->kout, m->v.kernel, sizeof(m->kout));
	snprintf(m->best_sig, sizeof(m->best_sig), "%s", sig);
	if (m->log)
		fprintf(m->log, "minimize: %u ops, signature: %s\n", p->nops,
			sig);
	/* Nothing after the divergent op matters. */
	m->cand = m->best;
	memset(&m->cand.ops[m->v.op + 1], 0,
	       (m->cand.nops - m->v.op - 1) * sizeof(m->cand.ops[0]));
	m->cand.nops = m->v.op + 1;
	try_cand(m, "cut the ops after op %d", m->v.op);
	while (one_pass(m) && m->runs < m->max_runs)
		;
	*p = m->best;
	snprintf(r->signature, sizeof(r->signature), "%s", m->best_sig);
	r->runs = m->runs;
	r->steps = m->steps;
	r->budget_exhausted = m->runs >= m->max_runs;
	rc = 0;
out:
	free(m);
	return rc;
}
