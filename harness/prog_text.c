// SPDX-License-Identifier: GPL-2.0
/*
 * The text form of a program (.vma files, reports): memfd declarations,
 * then one op per line, e.g.
 *   memfd f0 4 rw fill
 *   mmap W+0 4 rw PRIVATE|ANONYMOUS|FIXED
 *   mprotect r0+1 2 r x100/2
 * docs/FORMAT.md is the specification. prog_print writes the canonical
 * text; prog_parse accepts it and a little more (comments, blank lines,
 * decimal or hex numbers, names in any order).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "mman_compat.h"
#include "prog.h"

#define HUGE_FIELD (0x3fu << MAP_HUGE_SHIFT)

/* A name stands for val; it prints when (value & mask) == val. */
struct name {
	const char *name;
	uint32_t val, mask;
};

#define BITS(name, val) { name, val, val }

static const char *const op_names[OP__COUNT] = {
	[OP_MMAP] = "mmap",	    [OP_MUNMAP] = "munmap",
	[OP_MPROTECT] = "mprotect", [OP_TOUCH] = "touch",
	[OP_READ] = "read",	    [OP_MREMAP] = "mremap",
	[OP_MADVISE] = "madvise",   [OP_MLOCK] = "mlock",
	[OP_MUNLOCK] = "munlock",   [OP_MSEAL] = "mseal",
	[OP_MLOCKALL] = "mlockall", [OP_MUNLOCKALL] = "munlockall",
	[OP_MEMLOCK_LIMIT] = "memlock_limit",
	[OP_DROP_IPC_LOCK] = "drop_ipc_lock",
	[OP_FORK] = "fork",
};

static const struct name prot_names[] = {
	BITS("SEM", PROT_SEM),
	BITS("GROWSDOWN", PROT_GROWSDOWN),
	BITS("GROWSUP", PROT_GROWSUP),
};

/*
 * Print order: SHARED_VALIDATE before the SHARED and PRIVATE bits it is
 * made of, so that 3 prints as SHARED_VALIDATE. The hugetlb page size is a
 * number in bits 26-31: a name only if the whole field matches.
 */
static const struct name flag_names[] = {
	BITS("SHARED_VALIDATE", MAP_SHARED_VALIDATE),
	BITS("SHARED", MAP_SHARED),
	BITS("PRIVATE", MAP_PRIVATE),
	BITS("DROPPABLE", MAP_DROPPABLE),
	BITS("ANONYMOUS", MAP_ANONYMOUS),
	BITS("FIXED", MAP_FIXED),
	BITS("FIXED_NOREPLACE", MAP_FIXED_NOREPLACE),
	BITS("32BIT", MAP_32BIT),
	BITS("GROWSDOWN", MAP_GROWSDOWN),
	BITS("DENYWRITE", MAP_DENYWRITE),
	BITS("EXECUTABLE", MAP_EXECUTABLE),
	BITS("LOCKED", MAP_LOCKED),
	BITS("NORESERVE", MAP_NORESERVE),
	BITS("POPULATE", MAP_POPULATE),
	BITS("NONBLOCK", MAP_NONBLOCK),
	BITS("STACK", MAP_STACK),
	BITS("HUGETLB", MAP_HUGETLB),
	BITS("SYNC", MAP_SYNC),
	{ "HUGE_2MB", MAP_HUGE_2MB, HUGE_FIELD },
	{ "HUGE_1GB", MAP_HUGE_1GB, HUGE_FIELD },
};

/* The MREMAP_ flags without the prefix. */
static const struct name mremap_names[] = {
	BITS("MAYMOVE", MREMAP_MAYMOVE),
	BITS("FIXED", MREMAP_FIXED),
	BITS("DONTUNMAP", MREMAP_DONTUNMAP),
};

/* The MADV_ advices without the prefix: a whole value each. */
#define ADVICE(name, val) { name, val, 0xffffffff }
static const struct name advice_names[] = {
	ADVICE("NORMAL", 0),	     ADVICE("RANDOM", 1),
	ADVICE("SEQUENTIAL", 2),     ADVICE("WILLNEED", 3),
	ADVICE("DONTNEED", 4),	     ADVICE("FREE", 8),
	ADVICE("REMOVE", 9),	     ADVICE("DONTFORK", 10),
	ADVICE("DOFORK", 11),	     ADVICE("MERGEABLE", 12),
	ADVICE("UNMERGEABLE", 13),   ADVICE("HUGEPAGE", 14),
	ADVICE("NOHUGEPAGE", 15),    ADVICE("DONTDUMP", 16),
	ADVICE("DODUMP", 17),	     ADVICE("WIPEONFORK", 18),
	ADVICE("KEEPONFORK", 19),    ADVICE("COLD", 20),
	ADVICE("PAGEOUT", 21),	     ADVICE("POPULATE_READ", 22),
	ADVICE("POPULATE_WRITE", 23), ADVICE("DONTNEED_LOCKED", 24),
	ADVICE("GUARD_INSTALL", 102), ADVICE("GUARD_REMOVE", 103),
};

/* The MLOCK_ flags without the prefix. */
static const struct name mlock_names[] = {
	BITS("ONFAULT", 1),
};

/* The MCL_ flags of mlockall without the prefix. */
static const struct name mlockall_names[] = {
	BITS("CURRENT", 1),
	BITS("FUTURE", 2),
	BITS("ONFAULT", 4),
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define PROT_RWX (PROT_READ | PROT_WRITE | PROT_EXEC)

/* ---- printing ---- */

/* An snprintf-style sink: counts everything, stores what fits. */
struct sink {
	char *p;
	size_t cap, len;
};

__attribute__((format(printf, 2, 3)))
static void put(struct sink *o, const char *fmt, ...)
{
	size_t room = o->len < o->cap ? o->cap - o->len : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? o->p + o->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += n;
}

static void put_addr(struct sink *o, const struct prog_addr *a)
{
	if (a->kind == ADDR_WINDOW)
		put(o, " W+%u", a->page);
	else if (a->kind == ADDR_REF)
		put(o, " r%u+%u", a->ref, a->page);
	else if (a->raw)
		put(o, " 0x%llx", (unsigned long long)a->raw);
	else
		put(o, " 0");
	if (a->kind != ADDR_RAW && a->off)
		put(o, "+0x%x", a->off);
}

static void put_len(struct sink *o, const struct prog_len *l)
{
	if (!l->raw)
		put(o, " %u", l->pages);
	else if (l->bytes < 0x10000)
		put(o, " b:%llu", (unsigned long long)l->bytes);
	else
		put(o, " b:0x%llx", (unsigned long long)l->bytes);
}

/* Names whose bits are all present, then the rest as one hex number. */
static void put_names(struct sink *o, uint32_t v, const struct name *t,
		      size_t n, const char *sep)
{
	for (size_t i = 0; i < n; i++) {
		if ((v & t[i].mask) == t[i].val) {
			put(o, "%s%s", sep, t[i].name);
			v &= ~t[i].val;
			sep = "|";
		}
	}
	if (v)
		put(o, "%s0x%x", sep, v);
}

static void put_prot(struct sink *o, uint32_t prot)
{
	if (!(prot & PROT_RWX))
		put(o, " none");
	else
		put(o, " %s%s%s", prot & PROT_READ ? "r" : "",
		    prot & PROT_WRITE ? "w" : "", prot & PROT_EXEC ? "x" : "");
	put_names(o, prot & ~PROT_RWX, prot_names, NELEM(prot_names), "|");
}

/* mlockall's flags, or memlock_limit's length: the ops without a range. */
static void put_mm_op(struct sink *o, const struct prog_op *op)
{
	if (op->kind == OP_MLOCKALL) {
		if (op->flags)
			put_names(o, op->flags, mlockall_names,
				  NELEM(mlockall_names), " ");
		else
			put(o, " 0");
	}
	if (op->kind == OP_MEMLOCK_LIMIT)
		put_len(o, &op->len);
}

static void put_op(struct sink *o, const struct prog_op *op)
{
	put(o, "%s", op->kind < OP__COUNT ? op_names[op->kind] : "?");
	if (op->kind >= OP_MLOCKALL) {
		put_mm_op(o, op);
		return;
	}
	put_addr(o, &op->addr);
	put_len(o, &op->len);
	if (op->kind == OP_MMAP || op->kind == OP_MPROTECT)
		put_prot(o, op->prot);
	if (op->kind == OP_MMAP) {
		if (op->flags)
			put_names(o, op->flags, flag_names, NELEM(flag_names),
				  " ");
		else
			put(o, " 0");
	}
	if (op->kind == OP_MREMAP) {
		put_len(o, &op->len2);
		if (op->flags)
			put_names(o, op->flags, mremap_names,
				  NELEM(mremap_names), " ");
		else
			put(o, " 0");
		put_addr(o, &op->addr2);
	}
	if (op->kind == OP_MADVISE)
		put_names(o, op->flags, advice_names, NELEM(advice_names),
			  " ");
	if (op->kind == OP_MLOCK && op->flags)
		put_names(o, op->flags, mlock_names, NELEM(mlock_names), " ");
	if (op->kind == OP_MSEAL && op->flags)
		put(o, " 0x%x", op->flags);
	if (op->kind == OP_MMAP && op->fd)
		put(o, " fd=f%u", op->fd - 1u);
	if (op->kind == OP_MMAP && op->off)
		put(o, " off=0x%llx", (unsigned long long)op->off);
	if (op->repeat > 1)
		put(o, " x%u/%u", op->repeat, op->stride);
}

size_t prog_print_op(const struct prog *p, unsigned idx, char *out,
		     size_t cap)
{
	struct sink o = { out, cap, 0 };

	if (cap)
		out[0] = 0;
	if (idx < p->nops)
		put_op(&o, &p->ops[idx]);
	return o.len;
}

/* A file size: whole pages as a page count, else b:BYTES. */
static void put_file(struct sink *o, const struct prog *p, unsigned k)
{
	const struct prog_file *f = &p->files[k];
	struct prog_len l = { .raw = 1, .bytes = f->size };

	if (!(f->size % PROG_PAGE_SIZE))
		l = (struct prog_len){ .pages = f->size / PROG_PAGE_SIZE };
	put(o, "memfd f%u", k);
	put_len(o, &l);
	put(o, " %s%s\n", f->ro ? "ro" : "rw", f->fill ? " fill" : "");
}

size_t prog_print(const struct prog *p, char *out, size_t cap)
{
	struct sink o = { out, cap, 0 };

	if (cap)
		out[0] = 0;
	for (unsigned k = 0; k < p->nfiles && k < PROG_MAX_FILES; k++)
		put_file(&o, p, k);
	for (unsigned i = 0; i < p->nops && i < PROG_MAX_OPS; i++) {
		put_op(&o, &p->ops[i]);
		put(&o, "\n");
	}
	return o.len;
}

/* ---- parsing ---- */

struct tok {
	const char *p;
	size_t n;
};

struct parser {
	const char *cur, *end; /* the rest of this line, comment cut off */
	unsigned line;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!ps->err || !ps->errlen)
		return -1;
	n = snprintf(ps->err, ps->errlen, "%u: ", ps->line);
	if (n >= 0 && (size_t)n < ps->errlen) {
		va_start(ap, fmt);
		vsnprintf(ps->err + n, ps->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* A token for a message: quoted, escaped and cut short if long. */
static const char *found(const struct tok *t, char *buf, size_t size)
{
	size_t n = 0;

	if (!t->n)
		return "end of line";
	buf[n++] = '\'';
	for (size_t i = 0; i < t->n; i++) {
		unsigned char c = t->p[i];

		if (i == 32 || n + 8 >= size) {
			n += snprintf(buf + n, size - n, "...");
			break;
		}
		if (c >= 0x20 && c < 0x7f)
			buf[n++] = c;
		else
			n += snprintf(buf + n, size - n, "\\x%02x", c);
	}
	buf[n++] = '\'';
	buf[n] = 0;
	return buf;
}

#define FOUND(t) found(t, (char[64]){ 0 }, 64)

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* The next whitespace-separated token; n == 0 at the end of the line. */
static struct tok next(struct parser *ps)
{
	struct tok t;

	while (ps->cur < ps->end && is_space(*ps->cur))
		ps->cur++;
	t.p = ps->cur;
	while (ps->cur < ps->end && !is_space(*ps->cur))
		ps->cur++;
	t.n = ps->cur - t.p;
	return t;
}

static int tok_is(const struct tok *t, const char *s)
{
	return t->n == strlen(s) && !memcmp(t->p, s, t->n);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * A whole token as a decimal or 0x-prefixed hex number no larger than max.
 * Returns 0, or -1 after writing "expected WHAT, found ..." to the error.
 */
static int num(struct parser *ps, const struct tok *t, uint64_t max,
	       const char *what, uint64_t *v)
{
	unsigned base = 10;
	size_t i = 0;

	*v = 0;
	/* Only a part of a token can be empty, as in "W+" or "x2/". */
	if (!t->n)
		return fail(ps, "expected %s, found nothing", what);
	if (t->n > 2 && t->p[0] == '0' && t->p[1] == 'x') {
		base = 16;
		i = 2;
	}
	for (; i < t->n; i++) {
		int d = hexval(t->p[i]);

		if (d < 0 || (unsigned)d >= base)
			return fail(ps, "expected %s, found %s", what,
				    FOUND(t));
		if (*v > (max - d) / base)
			return fail(ps, "%s %s is too large (at most 0x%llx)",
				    what, FOUND(t), (unsigned long long)max);
		*v = *v * base + d;
	}
	return 0;
}

static int is_num(const struct tok *t)
{
	return t->n && t->p[0] >= '0' && t->p[0] <= '9';
}

/* Splits t at its first c: t keeps the head, tail gets the rest. */
static int split(struct tok *t, char c, struct tok *tail)
{
	const char *s = memchr(t->p, c, t->n);

	if (!s)
		return 0;
	tail->p = s + 1;
	tail->n = t->p + t->n - tail->p;
	t->n = s - t->p;
	return 1;
}

static int parse_addr(struct parser *ps, unsigned idx, struct prog_addr *a)
{
	struct tok t = next(ps), base = t, page, off, k;
	int has_page, has_off = 0;
	uint64_t v;

	if (is_num(&t)) {
		a->kind = ADDR_RAW;
		return num(ps, &t, UINT64_MAX, "an address", &a->raw);
	}
	has_page = split(&base, '+', &page);
	if (has_page)
		has_off = split(&page, '+', &off);
	k.p = base.p + 1;
	k.n = base.n ? base.n - 1 : 0;
	if (tok_is(&base, "W")) {
		a->kind = ADDR_WINDOW;
	} else if (base.n && base.p[0] == 'r' && is_num(&k)) {
		if (num(ps, &k, UINT64_MAX, "an op index after r", &v))
			return -1;
		if (v >= idx)
			return fail(ps,
				    "r%llu refers to op %llu, which does not come before this op (op %u)",
				    (unsigned long long)v,
				    (unsigned long long)v, idx);
		a->kind = ADDR_REF;
		a->ref = v;
	} else {
		return fail(ps,
			    "expected an address (W+PAGE, rK+PAGE or a number), found %s",
			    FOUND(&t));
	}
	if (!has_page)
		return fail(ps, "expected +PAGE after '%.*s', found %s",
			    (int)base.n, base.p, FOUND(&t));
	if (num(ps, &page, UINT32_MAX, "a page number", &v))
		return -1;
	if (a->kind == ADDR_WINDOW && v >= PROG_WINDOW_PAGES)
		return fail(ps,
			    "page %llu is outside the window (W+0 to W+%u)",
			    (unsigned long long)v, PROG_WINDOW_PAGES - 1);
	a->page = v;
	if (!has_off)
		return 0;
	if (num(ps, &off, UINT64_MAX, "a byte offset", &v))
		return -1;
	if (v >= PROG_PAGE_SIZE)
		return fail(ps, "byte offset %s is too large (at most 0xfff)",
			    FOUND(&off));
	a->off = v;
	return 0;
}

static int parse_len(struct parser *ps, struct prog_len *l)
{
	struct tok t = next(ps);
	uint64_t v;

	if (t.n > 2 && !memcmp(t.p, "b:", 2)) {
		struct tok b = { t.p + 2, t.n - 2 };

		l->raw = 1;
		return num(ps, &b, UINT64_MAX, "a length in bytes", &l->bytes);
	}
	if (!is_num(&t))
		return fail(ps,
			    "expected a length (PAGES or b:BYTES), found %s",
			    FOUND(&t));
	if (num(ps, &t, UINT32_MAX, "a length in pages", &v))
		return -1;
	l->pages = v;
	return 0;
}

/* rwx letters, each at most once, in any order: 0 if t is not that. */
static uint32_t prot_letters(const struct tok *t)
{
	uint32_t prot = 0, bit;

	for (size_t i = 0; i < t->n; i++) {
		switch (t->p[i]) {
		case 'r':
			bit = PROT_READ;
			break;
		case 'w':
			bit = PROT_WRITE;
			break;
		case 'x':
			bit = PROT_EXEC;
			break;
		default:
			return 0;
		}
		if (prot & bit)
			return 0;
		prot |= bit;
	}
	return prot;
}

static int lookup(const struct tok *t, const struct name *tab, size_t n,
		  uint32_t *v)
{
	for (size_t i = 0; i < n; i++) {
		if (tok_is(t, tab[i].name)) {
			*v = tab[i].val;
			return 1;
		}
	}
	return 0;
}

enum bits_kind {
	BITS_PROT,
	BITS_MMAP,
	BITS_MREMAP,
	BITS_MLOCK,
	BITS_MSEAL,
	BITS_MLOCKALL
};

/*
 * PART|PART|...: each part a name or a number (letters for prot).
 * Names are tried first: "32BIT" is a name, not a number.
 */
static int parse_bits(struct parser *ps, enum bits_kind kind, uint32_t *out)
{
	static const struct {
		const struct name *tab;
		size_t n;
		const char *what;
	} kinds[] = {
		[BITS_PROT] = { prot_names, NELEM(prot_names),
				"prot (none, r/w/x letters, SEM, GROWSDOWN, GROWSUP or a number, joined by |)" },
		[BITS_MMAP] = { flag_names, NELEM(flag_names),
				"mmap flags (names such as PRIVATE|ANONYMOUS|FIXED, or a number, joined by |)" },
		[BITS_MREMAP] = { mremap_names, NELEM(mremap_names),
				  "mremap flags (MAYMOVE, FIXED, DONTUNMAP or a number, joined by |)" },
		[BITS_MLOCK] = { mlock_names, NELEM(mlock_names),
				 "mlock flags (ONFAULT or a number, joined by |)" },
		[BITS_MSEAL] = { NULL, 0, "mseal flags (a number)" },
		[BITS_MLOCKALL] = { mlockall_names, NELEM(mlockall_names),
				    "mlockall flags (CURRENT, FUTURE, ONFAULT or a number, joined by |)" },
	};
	int is_prot = kind == BITS_PROT;
	const struct name *tab = kinds[kind].tab;
	size_t ntab = kinds[kind].n;
	const char *what = kinds[kind].what;
	struct tok t = next(ps), part, rest = t;
	uint32_t v;
	uint64_t n;
	int more;

	if (!t.n)
		return fail(ps, "expected %s, found end of line", what);
	*out = 0;
	do {
		part = rest;
		more = split(&part, '|', &rest);
		if (!part.n)
			return fail(ps, "expected %s, found an empty part in %s",
				    what, FOUND(&t));
		if (is_prot && tok_is(&part, "none"))
			continue;
		if (is_prot && (v = prot_letters(&part)))
			*out |= v;
		else if (lookup(&part, tab, ntab, &v))
			*out |= v;
		else if (!is_num(&part))
			return fail(ps, "expected %s, found %s", what,
				    FOUND(&part));
		else if (num(ps, &part, UINT32_MAX, "a number", &n))
			return -1;
		else
			*out |= n;
	} while (more);
	return 0;
}

static int parse_repeat(struct parser *ps, const struct tok *t,
			struct prog_op *op)
{
	struct tok r = { t->p + 1, t->n - 1 }, s;
	uint64_t repeat, stride;

	if (!split(&r, '/', &s))
		return fail(ps,
			    "expected xREPEAT/STRIDE (e.g. x100/2), found %s",
			    FOUND(t));
	if (num(ps, &r, UINT64_MAX, "a repeat count", &repeat) ||
	    num(ps, &s, UINT32_MAX, "a stride in pages", &stride))
		return -1;
	if (repeat < 1 || repeat > PROG_MAX_REPEAT)
		return fail(ps, "repeat %llu is out of range (1 to %u)",
			    (unsigned long long)repeat, PROG_MAX_REPEAT);
	if (repeat == 1 && stride)
		return fail(ps, "stride %llu needs a repeat count above 1",
			    (unsigned long long)stride);
	op->repeat = repeat;
	op->stride = stride;
	return 0;
}

/* Whether t is xREPEAT/STRIDE (not an optional argument before it). */
static int is_repeat(const struct tok *t)
{
	return t->n > 1 && t->p[0] == 'x' &&
	       is_num(&(struct tok){ t->p + 1, t->n - 1 });
}

/*
 * The advice of madvise: a name or a number (prog_advice_ok). The flags
 * of mlock and mseal are optional: 0 if the line ends or goes on with
 * xREPEAT/STRIDE.
 */
static int parse_op_flags(struct parser *ps, struct prog_op *op)
{
	const char *save = ps->cur;
	struct tok t = next(ps);
	uint32_t v;
	uint64_t n;

	if (op->kind != OP_MADVISE) {
		ps->cur = save;
		if (!t.n || is_repeat(&t))
			return 0;
		return parse_bits(ps, op->kind == OP_MLOCK ? BITS_MLOCK :
							      BITS_MSEAL,
				  &op->flags);
	}
	if (lookup(&t, advice_names, NELEM(advice_names), &v)) {
		op->flags = v;
		return 0;
	}
	if (!is_num(&t))
		return fail(ps,
			    "expected an advice (a name such as DONTNEED, or a number), found %s",
			    FOUND(&t));
	if (num(ps, &t, UINT32_MAX, "an advice", &n))
		return -1;
	if (!prog_advice_ok(n))
		return fail(ps, "advice %s is not supported", FOUND(&t));
	op->flags = n;
	return 0;
}

/* fd=fK: file K, declared or not (an undeclared one is EBADF). */
static int parse_fd(struct parser *ps, const struct tok *t,
		    struct prog_op *op)
{
	struct tok k = { t->p + 3, t->n - 3 };
	uint64_t v;

	if (!k.n || k.p[0] != 'f')
		return fail(ps, "expected fd=fK (K a file number), found %s",
			    FOUND(t));
	k.p++;
	k.n--;
	if (num(ps, &k, UINT64_MAX, "a file number after fd=f", &v))
		return -1;
	if (v >= PROG_MAX_FILES)
		return fail(ps, "file f%llu does not exist (f0 to f%u)",
			    (unsigned long long)v, PROG_MAX_FILES - 1);
	op->fd = v + 1;
	return 0;
}

/* After the fixed arguments: fd=fK and off=N (mmap), xREPEAT/STRIDE, once
 * each; the ops without a range take none. */
static int parse_options(struct parser *ps, struct prog_op *op)
{
	int seen_off = 0, seen_fd = 0, seen_repeat = 0;
	struct tok t;

	while ((t = next(ps)).n) {
		if (op->kind >= OP_MLOCKALL) {
			return fail(ps,
				    "unexpected %s after the arguments of %s (expected end of line)",
				    FOUND(&t), op_names[op->kind]);
		} else if (t.n >= 3 && !memcmp(t.p, "fd=", 3)) {
			if (op->kind != OP_MMAP)
				return fail(ps, "fd= is only valid for mmap");
			if (seen_fd++)
				return fail(ps, "fd= given twice");
			if (parse_fd(ps, &t, op))
				return -1;
		} else if (t.n >= 4 && !memcmp(t.p, "off=", 4)) {
			struct tok v = { t.p + 4, t.n - 4 };

			if (op->kind != OP_MMAP)
				return fail(ps, "off= is only valid for mmap");
			if (seen_off++)
				return fail(ps, "off= given twice");
			if (num(ps, &v, UINT64_MAX, "an offset", &op->off))
				return -1;
		} else if (is_repeat(&t)) {
			if (seen_repeat++)
				return fail(ps, "xREPEAT/STRIDE given twice");
			if (parse_repeat(ps, &t, op))
				return -1;
		} else {
			return fail(ps,
				    "unexpected %s after the arguments of %s (expected %sxREPEAT/STRIDE or end of line)",
				    FOUND(&t), op_names[op->kind],
				    op->kind == OP_MMAP ? "fd=fK, off=OFFSET, " :
							  "");
		}
	}
	return 0;
}

static int parse_op(struct parser *ps, const struct tok *name,
		    struct prog *p)
{
	unsigned idx = p->nops;
	struct prog_op *op = &p->ops[idx];
	unsigned k;

	for (k = 0; k < OP__COUNT; k++)
		if (tok_is(name, op_names[k]))
			break;
	if (k == OP__COUNT)
		return fail(ps,
			    "unknown op %s (expected memfd, mmap, munmap, mprotect, touch, read, mremap, madvise, mlock, munlock, mseal, mlockall, munlockall, memlock_limit, drop_ipc_lock or fork)",
			    FOUND(name));
	if (idx == PROG_MAX_OPS)
		return fail(ps, "too many ops (at most %u)", PROG_MAX_OPS);
	op->kind = k;
	op->repeat = 1;
	if (k >= OP_MLOCKALL) {
		if (k == OP_MLOCKALL &&
		    parse_bits(ps, BITS_MLOCKALL, &op->flags))
			return -1;
		if (k == OP_MEMLOCK_LIMIT && parse_len(ps, &op->len))
			return -1;
		if (parse_options(ps, op))
			return -1;
		p->nops++;
		return 0;
	}
	if (parse_addr(ps, idx, &op->addr) || parse_len(ps, &op->len))
		return -1;
	if ((k == OP_MMAP || k == OP_MPROTECT) &&
	    parse_bits(ps, BITS_PROT, &op->prot))
		return -1;
	if (k == OP_MMAP && parse_bits(ps, BITS_MMAP, &op->flags))
		return -1;
	if (k == OP_MREMAP &&
	    (parse_len(ps, &op->len2) ||
	     parse_bits(ps, BITS_MREMAP, &op->flags) ||
	     parse_addr(ps, idx, &op->addr2)))
		return -1;
	if ((k == OP_MADVISE || k == OP_MLOCK || k == OP_MSEAL) &&
	    parse_op_flags(ps, op))
		return -1;
	if (parse_options(ps, op))
		return -1;
	p->nops++;
	return 0;
}

/* memfd fK SIZE rw|ro [fill]: K the next file number, before any op. */
static int parse_memfd(struct parser *ps, struct prog *p)
{
	struct tok t = next(ps);
	struct prog_file *f = &p->files[p->nfiles];
	struct prog_len l = { 0 };
	uint64_t k;

	if (p->nops)
		return fail(ps, "memfd must come before the first op");
	if (p->nfiles == PROG_MAX_FILES)
		return fail(ps, "too many files (at most %u)", PROG_MAX_FILES);
	if (t.n < 2 || t.p[0] != 'f' ||
	    num(ps, &(struct tok){ t.p + 1, t.n - 1 }, UINT64_MAX,
		"a file name", &k) ||
	    k != p->nfiles)
		return fail(ps,
			    "expected f%u (files are declared in order from f0), found %s",
			    p->nfiles, FOUND(&t));
	if (parse_len(ps, &l))
		return -1;
	if (prog_len_bytes(&l) > PROG_FILE_MAX_BYTES)
		return fail(ps, "file size is too large (at most %llu pages)",
			    PROG_FILE_MAX_BYTES / PROG_PAGE_SIZE);
	f->size = prog_len_bytes(&l);
	t = next(ps);
	if (!tok_is(&t, "rw") && !tok_is(&t, "ro"))
		return fail(ps, "expected rw or ro, found %s", FOUND(&t));
	f->ro = tok_is(&t, "ro");
	t = next(ps);
	f->fill = tok_is(&t, "fill");
	if (t.n && !f->fill)
		return fail(ps, "expected fill or end of line, found %s",
			    FOUND(&t));
	if (f->fill && (t = next(ps)).n)
		return fail(ps, "unexpected %s after fill", FOUND(&t));
	p->nfiles++;
	return 0;
}

int prog_parse(const char *text, struct prog *p, char *err, size_t errlen)
{
	struct parser ps = { .err = err, .errlen = errlen };
	const char *s = text;

	memset(p, 0, sizeof(*p));
	if (err && errlen)
		err[0] = 0;
	while (*s) {
		const char *eol = strchr(s, '\n'), *hash;
		struct tok name;

		if (!eol)
			eol = s + strlen(s);
		hash = memchr(s, '#', eol - s);
		ps.line++;
		ps.cur = s;
		ps.end = hash ? hash : eol;
		name = next(&ps);
		if (tok_is(&name, "memfd") ? parse_memfd(&ps, p) :
		    name.n && parse_op(&ps, &name, p)) {
			memset(p, 0, sizeof(*p));
			return -1;
		}
		s = *eol ? eol + 1 : eol;
	}
	return 0;
}
