// SPDX-License-Identifier: GPL-2.0
/* Verdicts, outcome comparison and divergence signatures (compare.h). */
#include "compare.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <xxhash.h>

const char *verdict_kind_name(enum verdict_kind k)
{
	switch (k) {
	case VERDICT_AGREE:
		return "agree";
	case VERDICT_DIVERGE:
		return "diverge";
	case VERDICT_INFRA:
		return "infra";
	}
	return "verdict?";
}

static const char *const field_names[DIV__COUNT] = {
	[DIV_NONE] = "none",	 [DIV_SKIPPED] = "skipped",
	[DIV_ERRNO] = "errno",	 [DIV_SIGNAL] = "signal",
	[DIV_RET] = "ret",	 [DIV_DATA] = "data",
	[DIV_LAYOUT] = "layout", [DIV_VMFLAGS] = "vmflags",
};

const char *div_field_name(enum div_field f)
{
	return (unsigned)f < DIV__COUNT ? field_names[f] : "field?";
}

static const char *const kind_names[OP__COUNT] = {
	[OP_MMAP] = "mmap",	    [OP_MUNMAP] = "munmap",
	[OP_MPROTECT] = "mprotect", [OP_TOUCH] = "touch",
	[OP_READ] = "read",	    [OP_MREMAP] = "mremap",
	[OP_MADVISE] = "madvise",   [OP_MLOCK] = "mlock",
	[OP_MUNLOCK] = "munlock",   [OP_MSEAL] = "mseal",
	[OP_MLOCKALL] = "mlockall", [OP_MUNLOCKALL] = "munlockall",
	[OP_MEMLOCK_LIMIT] = "memlock_limit",
	[OP_DROP_IPC_LOCK] = "drop_ipc_lock", [OP_FORK] = "fork",
};

const char *op_kind_name(unsigned kind)
{
	return kind < OP__COUNT ? kind_names[kind] : "op?";
}

enum div_field compare_outcome(const struct outcome *m, const struct outcome *k)
{
	if (m->skipped != k->skipped)
		return DIV_SKIPPED;
	if (m->err != k->err)
		return DIV_ERRNO;
	if (m->sig != k->sig)
		return DIV_SIGNAL;
	if (m->ret != k->ret)
		return DIV_RET;
	if (m->data != k->data)
		return DIV_DATA;
	return DIV_NONE;
}

const char *errno_name(int err, char *buf, size_t cap)
{
	const char *n;

	if (err == 0)
		return "0";
	n = strerrorname_np(err);
	if (n)
		return n;
	snprintf(buf, cap, "E%d", err);
	return buf;
}

const char *signal_name(int sig, char *buf, size_t cap)
{
	const char *n;

	if (sig == 0)
		return "0";
	n = sigabbrev_np(sig);
	if (n)
		snprintf(buf, cap, "SIG%s", n);
	else
		snprintf(buf, cap, "SIG%d", sig);
	return buf;
}

const char *prot_str(unsigned prot, char buf[4])
{
	buf[0] = (prot & PROT_READ) ? 'r' : '-';
	buf[1] = (prot & PROT_WRITE) ? 'w' : '-';
	buf[2] = (prot & PROT_EXEC) ? 'x' : '-';
	buf[3] = 0;
	return buf;
}

/* --- abstract values -------------------------------------------------- */

static const char *mmap_ret_class(int64_t ret, const struct div_context *c)
{
	uint64_t r = (uint64_t)ret;

	if (ret == -1)
		return "-1";
	if (c && r == c->req_addr && r != 0)
		return "hint";
	if (r >= PROG_WINDOW_BASE &&
	    r < PROG_WINDOW_BASE + PROG_WINDOW_PAGES * PROG_PAGE_SIZE)
		return "window";
	return "other";
}

static const char *pages_class(int64_t ret, const struct div_context *c)
{
	if (ret == -1)
		return "-1";
	if (ret == 0)
		return "0";
	if (c && c->req_pages && (uint64_t)ret == c->req_pages)
		return "all";
	return "some";
}

/* The data digest of `n` zero bytes: what a read of never-written (or
 * zapped) pages gives. */
static uint64_t zeros_digest(uint64_t n)
{
	static const uint8_t zeros[PROG_WINDOW_PAGES];

	if (n > sizeof(zeros))
		n = sizeof(zeros);
	return XXH3_64bits(zeros, (size_t)n);
}

static const char *data_class(const struct outcome *o)
{
	if (o->ret <= 0)
		return "none";
	return o->data == zeros_digest((uint64_t)o->ret) ? "zeros" : "written";
}

static const char *backing_name(unsigned b)
{
	switch (b) {
	case SNAP_ANON:
		return "anon";
	case SNAP_SHMEM:
		return "shmem";
	case SNAP_MEMFD:
		return "memfd";
	}
	return "backing?";
}

static char *layout_signature(char *buf, size_t cap, const char *op,
			      const struct snapshot *a, const struct snapshot *b)
{
	char pa[4], pb[4];
	uint32_t i;

	if (!a || !b)
		return snprintf(buf, cap, "%s layout digest", op), buf;
	if (a->n != b->n)
		return snprintf(buf, cap, "%s layout vmas model=%s kernel=%s",
				op, a->n > b->n ? "more" : "fewer",
				a->n > b->n ? "fewer" : "more"),
		       buf;
	for (i = 0; i < a->n; i++) {
		const struct snap_vma *x = &a->v[i], *y = &b->v[i];
		uint64_t lx = x->end - x->start, ly = y->end - y->start;

		if (x->start != y->start || x->end != y->end) {
			snprintf(buf, cap,
				 "%s layout bounds model=%s kernel=%s", op,
				 lx == ly ? (x->start < y->start ? "lower"
								 : "higher")
				 : lx > ly ? "longer" : "shorter",
				 lx == ly ? (x->start < y->start ? "higher"
								 : "lower")
				 : lx > ly ? "shorter" : "longer");
			return buf;
		}
		if (x->prot != y->prot) {
			snprintf(buf, cap, "%s layout prot model=%s kernel=%s",
				 op, prot_str(x->prot, pa),
				 prot_str(y->prot, pb));
			return buf;
		}
		if (x->shared != y->shared) {
			snprintf(buf, cap, "%s layout shared model=%c kernel=%c",
				 op, x->shared ? 's' : 'p',
				 y->shared ? 's' : 'p');
			return buf;
		}
		if (x->backing != y->backing) {
			snprintf(buf, cap,
				 "%s layout backing model=%s kernel=%s", op,
				 backing_name(x->backing),
				 backing_name(y->backing));
			return buf;
		}
		if (x->pgoff != y->pgoff) {
			snprintf(buf, cap, "%s layout pgoff model=%s kernel=%s",
				 op, x->pgoff < y->pgoff ? "lower" : "higher",
				 x->pgoff < y->pgoff ? "higher" : "lower");
			return buf;
		}
		if (x->object != y->object) {
			snprintf(buf, cap, "%s layout object", op);
			return buf;
		}
	}
	/* Equal without vmflags: the digests differed for another reason
	 * (e.g. the rerun did not reproduce). */
	snprintf(buf, cap, "%s layout digest", op);
	return buf;
}

/* The VmFlags bits the kernel's VMAs have and the model's lack (*kernel)
 * and the reverse (*model), over the VMAs both sides have (the layouts
 * agree when VmFlags are compared). 0 if a or b is missing. */
static int vmflags_delta(const struct snapshot *a, const struct snapshot *b,
			 uint64_t *kernel, uint64_t *model)
{
	*kernel = *model = 0;
	if (!a || !b)
		return 0;
	for (uint32_t i = 0; i < a->n && i < b->n; i++) {
		*kernel |= b->v[i].vmflags & ~a->v[i].vmflags;
		*model |= a->v[i].vmflags & ~b->v[i].vmflags;
	}
	return 1;
}

/* " +nr +lo" for the bits of f (sign c); mnemonics, else "bitN". */
static size_t vmflags_bits_str(char *buf, size_t cap, char c, uint64_t f)
{
	size_t n = 0;

	for (unsigned b = 0; b < 64 && n < cap; b++) {
		int k;

		if (!(f & (1ull << b)))
			continue;
		k = vmflag_name(b) ? snprintf(buf + n, cap - n, " %c%s", c,
					      vmflag_name(b))
				   : snprintf(buf + n, cap - n, " %cbit%u", c, b);
		if (k < 0)
			break;
		n += (size_t)k;
	}
	return n;
}

static char *vmflags_signature(char *buf, size_t cap, const char *op,
			       const struct snapshot *a,
			       const struct snapshot *b)
{
	uint64_t kf, mf;
	size_t n;
	int k;

	if (!vmflags_delta(a, b, &kf, &mf) || !(kf | mf))
		return snprintf(buf, cap, "%s vmflags digest", op), buf;
	k = snprintf(buf, cap, "%s vmflags", op);
	n = k < 0 ? 0 : (size_t)k;
	if (n < cap)
		n += vmflags_bits_str(buf + n, cap - n, '+', kf);
	if (n < cap)
		vmflags_bits_str(buf + n, cap - n, '-', mf);
	return buf;
}

/* --- op classes -------------------------------------------------------- */

#define MAP_TYPE_MASK 0x0fu
#define MAP_DROPPABLE_BIT 0x08u
#define MAP_FIXED_NOREPLACE_BIT 0x100000u
#define PROT_SEM_BIT 0x8u
#define PROT_KNOWN (PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM_BIT | \
		    PROT_GROWSDOWN | PROT_GROWSUP)

static const char *mmap_type(uint32_t flags)
{
	switch (flags & MAP_TYPE_MASK) {
	case MAP_SHARED:
		return "shared";
	case MAP_PRIVATE:
		return "private";
	case MAP_SHARED | MAP_PRIVATE:
		return "validate";
	case MAP_DROPPABLE_BIT:
		return "droppable";
	}
	return "badtype";
}

size_t op_class_str(unsigned kind, uint32_t prot, uint32_t flags, char *buf,
		    size_t cap)
{
	int n = 0;

	if (kind == OP_MREMAP)
		n = snprintf(buf, cap, "(%s%s%s)",
			     flags & ~0x7u ? "badflags"
			     : flags & MREMAP_FIXED ? "fixed"
			     : flags & MREMAP_MAYMOVE ? "maymove"
						      : "inplace",
			     flags & 0x4u ? ",dontunmap" : "",
			     flags & MREMAP_FIXED && !(flags & MREMAP_MAYMOVE)
				     ? ",nomove" : "");
	else if (kind == OP_MMAP)
		n = snprintf(buf, cap, "(%s,%s%s)", mmap_type(flags),
			     flags & MAP_FIXED ? "fixed"
			     : flags & MAP_FIXED_NOREPLACE_BIT ? "noreplace"
							       : "nonfixed",
			     flags & MAP_ANONYMOUS ? "" : ",fd");
	else if (kind == OP_MADVISE)
		n = snprintf(buf, cap, "(%d)", (int)flags); /* the advice */
	else if (kind == OP_MLOCK && flags)
		n = snprintf(buf, cap, "(%s)",
			     flags == 1 ? "onfault" : "badflags");
	else if (kind == OP_MPROTECT && (prot & ~PROT_KNOWN))
		n = snprintf(buf, cap, "(badprot)");
	else if (kind == OP_MPROTECT && (prot & (PROT_GROWSDOWN | PROT_GROWSUP)))
		n = snprintf(buf, cap, "(%s)",
			     (prot & PROT_GROWSDOWN) && (prot & PROT_GROWSUP)
				     ? "growsdown,growsup"
			     : prot & PROT_GROWSDOWN ? "growsdown"
						     : "growsup");
	else if (cap)
		buf[0] = 0;
	return n < 0 ? 0 : (size_t)n;
}

char *signature_format(char *buf, size_t cap, enum div_field field,
		       const struct outcome *m, const struct outcome *k,
		       const struct div_context *c)
{
	char op[64], b1[32], b2[32];

	snprintf(op, sizeof(op), "%s", op_kind_name(c ? c->kind : OP__COUNT));
	if (c)
		op_class_str(c->kind, c->prot, c->flags, op + strlen(op),
			     sizeof(op) - strlen(op));
	if (cap == 0)
		return buf;
	switch (field) {
	case DIV_NONE:
		snprintf(buf, cap, "%s none", op);
		break;
	case DIV_SKIPPED:
		snprintf(buf, cap, "%s skipped model=%u kernel=%u", op,
			 m->skipped, k->skipped);
		break;
	case DIV_ERRNO:
		snprintf(buf, cap, "%s errno model=%s kernel=%s", op,
			 errno_name(m->err, b1, sizeof(b1)),
			 errno_name(k->err, b2, sizeof(b2)));
		break;
	case DIV_SIGNAL:
		snprintf(buf, cap, "%s signal model=%s kernel=%s", op,
			 signal_name(m->sig, b1, sizeof(b1)),
			 signal_name(k->sig, b2, sizeof(b2)));
		break;
	case DIV_RET: {
		/* an mremap that stays put returns its address: "hint" */
		int is_mmap = c && (c->kind == OP_MMAP || c->kind == OP_MREMAP);
		int is_pages = c && (c->kind == OP_TOUCH || c->kind == OP_READ);
		const char *x, *y;

		if (is_mmap) {
			x = mmap_ret_class(m->ret, c);
			y = mmap_ret_class(k->ret, c);
		} else if (is_pages) {
			x = pages_class(m->ret, c);
			y = pages_class(k->ret, c);
		} else {
			snprintf(b1, sizeof(b1), "%lld", (long long)m->ret);
			snprintf(b2, sizeof(b2), "%lld", (long long)k->ret);
			x = b1;
			y = b2;
		}
		if ((is_mmap || is_pages) && !strcmp(x, y))
			snprintf(buf, cap, "%s ret model=%s kernel=%s (kernel %s)",
				 op, x, y, k->ret < m->ret ? "lower" : "higher");
		else
			snprintf(buf, cap, "%s ret model=%s kernel=%s", op, x, y);
		break;
	}
	case DIV_DATA: {
		const char *x = data_class(m), *y = data_class(k);

		if (!strcmp(x, y))
			snprintf(buf, cap,
				 "%s data model=%s kernel=%s (other bytes)", op,
				 x, y);
		else
			snprintf(buf, cap, "%s data model=%s kernel=%s", op, x,
				 y);
		break;
	}
	case DIV_LAYOUT:
		layout_signature(buf, cap, op, c ? c->model_snap : NULL,
				 c ? c->kernel_snap : NULL);
		break;
	case DIV_VMFLAGS:
		vmflags_signature(buf, cap, op, c ? c->model_snap : NULL,
				  c ? c->kernel_snap : NULL);
		break;
	default:
		snprintf(buf, cap, "%s field?", op);
		break;
	}
	return buf;
}

/* --- subclasses for crash deduplication ------------------------------- */

static const char *which_side(int model_has, int kernel_has,
			      const char *model_only, const char *kernel_only,
			      const char *both)
{
	if (model_has && !kernel_has)
		return model_only;
	if (kernel_has && !model_has)
		return kernel_only;
	return both;
}

static const char *layout_attr(const char *sig)
{
	static const char *const attrs[] = { "vmas", "bounds", "prot",
					     "shared", "backing", "pgoff",
					     "object" };
	const char *p = sig ? strstr(sig, " layout ") : NULL;

	for (size_t i = 0; p && i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		size_t l = strlen(attrs[i]);

		if (!strncmp(p + 8, attrs[i], l) &&
		    (p[8 + l] == ' ' || !p[8 + l]))
			return attrs[i];
	}
	return "digest";
}

const char *div_subclass(enum div_field f, const struct outcome *m,
			 const struct outcome *k, const char *sig)
{
	switch (f) {
	case DIV_ERRNO:
		return which_side(m->err != 0, k->err != 0, "model_fails",
				  "kernel_fails", "both_fail");
	case DIV_SIGNAL:
		return which_side(m->sig != 0, k->sig != 0, "model_faults",
				  "kernel_faults", "both_fault");
	case DIV_RET:
		return k->ret < m->ret ? "kernel_lower" : "kernel_higher";
	case DIV_DATA:
		return which_side(!strcmp(data_class(m), "zeros"),
				  !strcmp(data_class(k), "zeros"),
				  "model_zeros", "kernel_zeros", "other_bytes");
	case DIV_LAYOUT:
		return layout_attr(sig);
	case DIV_SKIPPED:
		return m->skipped ? "model_skips" : "kernel_skips";
	case DIV_VMFLAGS: {
		const char *p = sig ? strstr(sig, " vmflags") : NULL;
		int plus = p && strstr(p, " +"), minus = p && strstr(p, " -");

		return plus && !minus ? "kernel_more"
		       : minus && !plus ? "model_more"
					: "mixed";
	}
	default:
		return "none";
	}
}
