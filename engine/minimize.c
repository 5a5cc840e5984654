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

static void canonicalise(struct prog_op *op)
{
	if (op->repeat <= 1) {
		op->repeat = 1;
		op->stride = 0;
	}
	if (op->addr.kind != ADDR_RAW)
		op->addr.raw = 0;
	if (op->addr.kind != ADDR_REF)
		op->addr.ref = 0;
	if (op->len.raw)
		op->len.pages = 0;
	else
		op->len.bytes = 0;
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

/* cand = best without ops [j, j + n). */
static int drop(struct mctx *m, unsigned j, unsigned n)
{
	struct prog *c = &m->cand;

	*c = m->best;
	for (unsigned i = j + n; i < c->nops; i++) {
		struct prog_addr *a = &c->ops[i].addr;

		if (a->kind == ADDR_REF && a->ref >= j + n)
			a->ref -= n;
		else if (a->kind == ADDR_REF && a->ref >= j &&
			 !to_window(a, prog_resolve_addr(&m->best, i, 0,
							 m->kout)))
			return 0;
	}
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

enum field { F_REPEAT, F_STRIDE, F_PAGES, F_BYTES, F_OFF, F_WPAGE, F_RPAGE };

static const char *const field_names[] = {
	[F_REPEAT] = "repeat", [F_STRIDE] = "stride",
	[F_PAGES] = "length (pages)", [F_BYTES] = "length (bytes)",
	[F_OFF] = "mmap offset", [F_WPAGE] = "window page",
	[F_RPAGE] = "page after rK",
};

static uint64_t get_field(const struct prog_op *op, enum field f)
{
	switch (f) {
	case F_REPEAT:
		return op->repeat;
	case F_STRIDE:
		return op->stride;
	case F_PAGES:
		return op->len.pages;
	case F_BYTES:
		return op->len.bytes;
	case F_OFF:
		return op->off;
	default:
		return op->addr.page;
	}
}

static void set_field(struct prog_op *op, enum field f, uint64_t v)
{
	switch (f) {
	case F_REPEAT:
		op->repeat = (uint32_t)v;
		break;
	case F_STRIDE:
		op->stride = (uint32_t)v;
		break;
	case F_PAGES:
		op->len.pages = (uint32_t)v;
		break;
	case F_BYTES:
		op->len.bytes = v;
		break;
	case F_OFF:
		op->off = v;
		break;
	default:
		op->addr.page = (uint32_t)v;
		break;
	}
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

/* Clears the bits of *field (prot or flags) one at a time, high first. */
static int clear_bits(struct mctx *m, unsigned i, int flags)
{
	int changed = 0;

	for (int b = 31; b >= 0; b--) {
		struct prog_op *op;
		uint32_t cur = flags ? m->best.ops[i].flags
				     : m->best.ops[i].prot;

		if (!(cur & (1u << b)))
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

/* A raw or rK address that lands in the window becomes W+n. */
static int addr_to_window(struct mctx *m, unsigned i)
{
	const struct prog_addr *a = &m->best.ops[i].addr;
	uint64_t r = prog_resolve_addr(&m->best, i, 0, m->kout);

	if (a->kind == ADDR_WINDOW || r < PROG_WINDOW_BASE || r >= WINDOW_END)
		return 0;
	m->cand = m->best;
	to_window(&m->cand.ops[i].addr, r);
	m->cand.ops[i].addr.ref = 0;
	return try_cand(m, "op %u: address 0x%" PRIx64 " written as W+%u", i,
			r, m->cand.ops[i].addr.page);
}

static int drop_byte_off(struct mctx *m, unsigned i)
{
	uint16_t off = m->best.ops[i].addr.off;

	if (!off || m->best.ops[i].addr.kind == ADDR_RAW)
		return 0;
	m->cand = m->best;
	m->cand.ops[i].addr.off = 0;
	return try_cand(m, "op %u: byte offset 0x%x dropped", i, off);
}

/* A raw length that is whole pages becomes a page count. */
static int bytes_to_pages(struct mctx *m, unsigned i)
{
	uint64_t b = m->best.ops[i].len.bytes;

	if (!m->best.ops[i].len.raw || b % PROG_PAGE_SIZE ||
	    b / PROG_PAGE_SIZE > UINT32_MAX)
		return 0;
	m->cand = m->best;
	m->cand.ops[i].len.raw = 0;
	m->cand.ops[i].len.pages = (uint32_t)(b / PROG_PAGE_SIZE);
	return try_cand(m, "op %u: length b:%" PRIu64 " written in pages", i,
			b);
}

/* Every window address `by` pages lower. */
static int shift_window(struct mctx *m, uint32_t by)
{
	m->cand = m->best;
	for (unsigned i = 0; i < m->cand.nops; i++)
		if (m->cand.ops[i].addr.kind == ADDR_WINDOW)
			m->cand.ops[i].addr.page -= by;
	return try_cand(m, "all window addresses %u pages lower", by);
}

static int shift_all(struct mctx *m)
{
	uint32_t low = UINT32_MAX;
	int changed = 0;

	for (unsigned i = 0; i < m->best.nops; i++)
		if (m->best.ops[i].addr.kind == ADDR_WINDOW &&
		    m->best.ops[i].addr.page < low)
			low = m->best.ops[i].addr.page;
	for (uint32_t by = low; by && by != UINT32_MAX; by /= 2)
		if (shift_window(m, by)) {
			changed = 1;
			break;
		}
	return changed;
}

/* --- passes -------------------------------------------------------------- */

static int simplify_op(struct mctx *m, unsigned i)
{
	const struct prog_op *op = &m->best.ops[i];
	int c = 0;

	c |= shrink(m, i, F_REPEAT, 1);
	if (m->best.ops[i].repeat > 1)
		c |= shrink(m, i, F_STRIDE, 0);
	c |= bytes_to_pages(m, i);
	c |= op->len.raw ? shrink(m, i, F_BYTES, 1)
			 : shrink(m, i, F_PAGES, 1);
	c |= addr_to_window(m, i);
	if (op->addr.kind == ADDR_WINDOW)
		c |= shrink(m, i, F_WPAGE, 0);
	else if (op->addr.kind == ADDR_REF)
		c |= shrink(m, i, F_RPAGE, 0);
	c |= drop_byte_off(m, i);
	if (op->kind == OP_MMAP)
		c |= shrink(m, i, F_OFF, 0);
	if (op->kind == OP_MMAP || op->kind == OP_MPROTECT)
		c |= clear_bits(m, i, 0);
	if (op->kind == OP_MMAP)
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
