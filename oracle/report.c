// SPDX-License-Identifier: GPL-2.0
/* The text report of a divergence (report.h). */
#include "report.h"

#include <inttypes.h>
#include <string.h>

#include "json.h"

#define COL 50 /* width of the model column in side-by-side tables */

/* " ac sd" for the bits of f; "" for none. */
static void vmflags_str(uint64_t f, char *buf, size_t cap)
{
	size_t n = 0;

	buf[0] = 0;
	for (unsigned b = 0; b < 64 && n < cap; b++) {
		if (!(f & (1ull << b)))
			continue;
		if (vmflag_name(b))
			n += snprintf(buf + n, cap - n, " %s", vmflag_name(b));
		else
			n += snprintf(buf + n, cap - n, " bit%u", b);
	}
}

size_t report_vma_str(const struct snap_vma *v, char *buf, size_t cap)
{
	char p[4];
	int n;

	if (v->backing == SNAP_ANON)
		n = snprintf(buf, cap, "%" PRIx64 "-%" PRIx64 " %s %c %" PRIx64
			     " anon",
			     v->start, v->end, prot_str(v->prot, p),
			     v->shared ? 's' : 'p', v->pgoff);
	else
		n = snprintf(buf, cap, "%" PRIx64 "-%" PRIx64 " %s %c %" PRIx64
			     " %s/%u",
			     v->start, v->end, prot_str(v->prot, p),
			     v->shared ? 's' : 'p', v->pgoff,
			     v->backing == SNAP_SHMEM ? "shmem" :
			     v->backing == SNAP_MEMFD ? "memfd" : "backing?",
			     v->object);
	return n < 0 ? 0 : (size_t)n;
}

size_t report_outcome_str(unsigned kind, const struct outcome *o, char *buf,
			  size_t cap)
{
	char e[32];
	int n;

	if (o->skipped)
		n = snprintf(buf, cap, "skipped");
	else if (o->ret == -1)
		n = snprintf(buf, cap, "ret=-1 %s",
			     errno_name(o->err, e, sizeof(e)));
	else if (kind == OP_MMAP || kind == OP_MREMAP)
		n = snprintf(buf, cap, "ret=0x%" PRIx64 "%s%s",
			     (uint64_t)o->ret, o->err ? " err=" : "",
			     o->err ? errno_name(o->err, e, sizeof(e)) : "");
	else if (kind == OP_TOUCH || kind == OP_READ)
		n = snprintf(buf, cap, "ret=%" PRId64 "%s%s", o->ret,
			     o->sig ? " " : "",
			     o->sig ? signal_name(o->sig, e, sizeof(e)) : "");
	else
		n = snprintf(buf, cap, "ret=%" PRId64 "%s%s", o->ret,
			     o->err ? " err=" : "",
			     o->err ? errno_name(o->err, e, sizeof(e)) : "");
	if (n >= 0 && (size_t)n < cap && kind == OP_READ && !o->skipped &&
	    (o->data || o->ret > 0))
		n += snprintf(buf + n, cap - n, " data=%016" PRIx64, o->data);
	return n < 0 ? 0 : (size_t)n;
}

static int vma_same(const struct snap_vma *a, const struct snap_vma *b)
{
	return a->start == b->start && a->end == b->end &&
	       a->prot == b->prot && a->shared == b->shared &&
	       a->pgoff == b->pgoff && a->backing == b->backing &&
	       a->object == b->object;
}

static void side_line(FILE *f, int differ, const struct snap_vma *a,
		      const struct snap_vma *b)
{
	char la[96] = "", lb[96] = "";

	if (a)
		report_vma_str(a, la, sizeof(la));
	if (b)
		report_vma_str(b, lb, sizeof(lb));
	fprintf(f, "%s %-*s | %s\n", differ ? "!" : " ", COL, la, lb);
}

/* The `~` line under a VMA whose VmFlags differ (both collected); rd, wr
 * and ex are left out: the prot column shows them. */
static void vmflags_line(FILE *f, const struct snap_vma *x,
			 const struct snap_vma *y)
{
	uint64_t mask = ~(VMF(VMF_READ) | VMF(VMF_WRITE) | VMF(VMF_EXEC));
	uint64_t a = x->vmflags & mask, b = y->vmflags & mask;
	char mo[256], ko[256];

	if (!x->vmflags || !y->vmflags || a == b)
		return;
	vmflags_str(a & ~b, mo, sizeof(mo));
	vmflags_str(b & ~a, ko, sizeof(ko));
	fprintf(f, "~   VmFlags only in model:%s%s; only in kernel:%s%s\n", mo,
		*mo ? "" : " -", ko, *ko ? "" : " -");
}

/* A VmFlags divergence: the whole VmFlags of each VMA whose flags differ,
 * model | kernel (the `~` lines name only the difference). */
static void vmflags_side_by_side(FILE *f, int op, const struct snapshot *a,
				 const struct snapshot *b)
{
	char l[96], mo[256], ko[256];

	fprintf(f, "\nVmFlags after op %d where they differ:\n  %-*s | %s\n",
		op, COL, "model", "kernel");
	for (uint32_t i = 0; i < a->n && i < b->n; i++) {
		if (a->v[i].vmflags == b->v[i].vmflags)
			continue;
		report_vma_str(&b->v[i], l, sizeof(l));
		vmflags_str(a->v[i].vmflags, mo, sizeof(mo));
		vmflags_str(b->v[i].vmflags, ko, sizeof(ko));
		fprintf(f, "  %s\n  %-*s |%s\n", l, COL, *mo ? mo + 1 : "-",
			*ko ? ko : " -");
	}
}

unsigned report_layout_diff(FILE *f, const struct snapshot *a,
			    const struct snapshot *b)
{
	uint32_t i = 0, j = 0;
	unsigned ndiff = 0;

	fprintf(f, "  %-*s | %s\n", COL, "model", "kernel");
	while (i < a->n || j < b->n) {
		const struct snap_vma *x = i < a->n ? &a->v[i] : NULL;
		const struct snap_vma *y = j < b->n ? &b->v[j] : NULL;

		if (x && y && vma_same(x, y)) {
			side_line(f, 0, x, y);
			vmflags_line(f, x, y);
			i++, j++;
		} else if (x && y && x->start == y->start) {
			side_line(f, 1, x, y);
			vmflags_line(f, x, y);
			ndiff++;
			i++, j++;
		} else if (x && (!y || x->start < y->start)) {
			side_line(f, 1, x, NULL);
			ndiff++;
			i++;
		} else {
			side_line(f, 1, NULL, y);
			ndiff++;
			j++;
		}
	}
	if (a->n == 0 && b->n == 0)
		fprintf(f, "  %-*s | %s\n", COL, "(empty)", "(empty)");
	return ndiff;
}

/* Op i as canonical text without the newline. */
static void op_text(const struct prog *p, unsigned i, char *line, size_t cap)
{
	size_t n = prog_print_op(p, i, line, cap);

	if (n >= cap)
		n = cap - 1;
	while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
		line[--n] = 0;
}

/* The program; an rK address gets what it resolved to on the kernel side
 * (and on the model's, where that differs): rK alone says little. */
static void print_program(FILE *f, const struct report_input *r,
			  const struct outcome *mo, unsigned mn)
{
	const struct prog *p = r->prog;
	const struct verdict *v = r->v;
	char line[512];

	for (unsigned i = 0; i < p->nops; i++) {
		uint64_t ka, ma;

		op_text(p, i, line, sizeof(line));
		fprintf(f, "%s %2u  %s", (int)i == v->op ? ">>>" : "   ", i,
			line);
		if (i < v->kernel_nops && p->ops[i].addr.kind == ADDR_REF) {
			ka = prog_resolve_addr(p, i, 0, v->kernel);
			fprintf(f, "   # = 0x%" PRIx64, ka);
			ma = i < mn ? prog_resolve_addr(p, i, 0, mo) : ka;
			if (ma != ka)
				fprintf(f, " (model 0x%" PRIx64 ")", ma);
		}
		fputc('\n', f);
	}
}

void report_print(FILE *f, const struct report_input *r)
{
	const struct verdict *v = r->v;
	const struct prog *p = r->prog;
	const struct outcome *mo = r->model_all ? r->model_all : v->model;
	unsigned mn = r->model_all ? r->model_nops : v->ncompared;
	unsigned n = p->nops;

	fprintf(f, "=== vmadiff divergence ===\n");
	fprintf(f, "kernel:    %s\n", r->release ? r->release : "?");
	fprintf(f, "model:     %u.%u.%u%s%s\n", (r->model_kver >> 16) & 0xff,
		(r->model_kver >> 8) & 0xff, r->model_kver & 0xff,
		r->snap_mode ? "   snapshots: " : "",
		r->snap_mode ? r->snap_mode : "");
	fprintf(f, "signature: %s\n", r->signature ? r->signature : "?");
	fprintf(f, "divergent: op %d (%s), field %s\n", v->op,
		(unsigned)v->op < n ? op_kind_name(p->ops[v->op].kind) : "?",
		div_field_name(v->field));
	if (r->notes && *r->notes)
		fprintf(f, "%s%s", r->notes,
			r->notes[strlen(r->notes) - 1] == '\n' ? "" : "\n");

	fprintf(f, "\nprogram:\n");
	print_program(f, r, mo, mn);

	fprintf(f, "\noutcomes:\n");
	fprintf(f, "         %-*s | %s\n", COL - 5, "model", "kernel");
	for (unsigned i = 0; i < n; i++) {
		char a[128] = "-", b[128] = "-";
		unsigned kind = p->ops[i].kind;
		int differ = 0;

		if (i < mn)
			report_outcome_str(kind, &mo[i], a, sizeof(a));
		if (i < v->kernel_nops)
			report_outcome_str(kind, &v->kernel[i], b, sizeof(b));
		if (i < mn && i < v->kernel_nops)
			differ = compare_outcome(&mo[i], &v->kernel[i]) !=
				 DIV_NONE;
		fprintf(f, "%s %2u %c %-*s | %s%s\n",
			(int)i == v->op ? ">>>" : "   ", i,
			differ ? '!' : ' ', COL - 5, a, b,
			(int)i != v->op		    ? ""
			: v->field == DIV_LAYOUT  ? "   (layouts differ)"
			: v->field == DIV_VMFLAGS ? "   (VmFlags differ)"
						  : "");
	}

	if (r->before) {
		char l[96];

		fprintf(f, "\nlayout before op %d (both sides agreed):\n", v->op);
		for (uint32_t i = 0; i < r->before->n; i++) {
			report_vma_str(&r->before->v[i], l, sizeof(l));
			fprintf(f, "  %s\n", l);
		}
		if (r->before->n == 0)
			fprintf(f, "  (empty)\n");
	}
	if (r->model_after && r->kernel_after) {
		fprintf(f, "\nlayout after op %d (! marks differences):\n",
			v->op);
		report_layout_diff(f, r->model_after, r->kernel_after);
		if (v->field == DIV_VMFLAGS)
			vmflags_side_by_side(f, v->op, r->model_after,
					     r->kernel_after);
	}
	fprintf(f, "\nsignature: %s\n", r->signature ? r->signature : "?");
}

/* --- JSON ------------------------------------------------------------------ */

static void json_outcome(struct json *j, const struct outcome *o)
{
	char b[32];

	json_open(j, '{');
	json_key(j, "skipped");
	json_bool(j, o->skipped != 0);
	json_key(j, "ret");
	json_int(j, o->ret);
	json_key(j, "errno");
	if (o->err)
		json_str(j, errno_name(o->err, b, sizeof(b)));
	else
		json_null(j);
	json_key(j, "signal");
	if (o->sig)
		json_str(j, signal_name(o->sig, b, sizeof(b)));
	else
		json_null(j);
	json_key(j, "data");
	if (o->data)
		json_strf(j, "%016" PRIx64, o->data);
	else
		json_null(j);
	json_close(j, '}');
}

static void json_vma(struct json *j, const struct snap_vma *v)
{
	static const char *const backing[] = { "anon", "shmem", "memfd" };
	char p[4];

	json_open(j, '{');
	json_key(j, "start");
	json_strf(j, "0x%" PRIx64, v->start);
	json_key(j, "end");
	json_strf(j, "0x%" PRIx64, v->end);
	json_key(j, "prot");
	json_str(j, prot_str(v->prot, p));
	json_key(j, "shared");
	json_bool(j, v->shared);
	json_key(j, "pgoff");
	json_int(j, (int64_t)v->pgoff);
	json_key(j, "backing");
	json_str(j, v->backing < 3 ? backing[v->backing] : "backing?");
	json_key(j, "object");
	json_int(j, v->object);
	json_key(j, "vmflags");
	json_open(j, '[');
	for (unsigned b = 0; b < 64; b++) {
		if (!(v->vmflags & (1ull << b)))
			continue;
		if (vmflag_name(b))
			json_str(j, vmflag_name(b));
		else
			json_strf(j, "bit%u", b);
	}
	json_close(j, ']');
	json_close(j, '}');
}

static void json_layout(struct json *j, const char *key,
			const struct snapshot *s)
{
	json_key(j, key);
	if (!s) {
		json_null(j);
		return;
	}
	json_open(j, '[');
	for (uint32_t i = 0; i < s->n; i++)
		json_vma(j, &s->v[i]);
	json_close(j, ']');
}

static void json_ops(struct json *j, const struct report_input *r,
		     const struct outcome *mo, unsigned mn)
{
	const struct prog *p = r->prog;
	const struct verdict *v = r->v;
	char line[512];

	json_key(j, "ops");
	json_open(j, '[');
	for (unsigned i = 0; i < p->nops; i++) {
		json_open(j, '{');
		json_key(j, "index");
		json_int(j, i);
		json_key(j, "text");
		op_text(p, i, line, sizeof(line));
		json_str(j, line);
		json_key(j, "addr");
		json_strf(j, "0x%" PRIx64,
			  prog_resolve_addr(p, i, 0, v->kernel));
		json_key(j, "model");
		if (i < mn)
			json_outcome(j, &mo[i]);
		else
			json_null(j);
		json_key(j, "kernel");
		if (i < v->kernel_nops)
			json_outcome(j, &v->kernel[i]);
		else
			json_null(j);
		json_key(j, "differ");
		json_bool(j, i < mn && i < v->kernel_nops &&
				     compare_outcome(&mo[i], &v->kernel[i]) !=
					     DIV_NONE);
		json_close(j, '}');
	}
	json_close(j, ']');
}

static void json_program_text(struct json *j, const struct prog *p)
{
	char buf[PROG_MAX_OPS * 320];

	prog_print(p, buf, sizeof(buf));
	json_key(j, "program");
	json_str(j, buf);
}

void report_print_json(FILE *f, const struct report_input *r,
		       const char *file, const char *reason)
{
	const struct verdict *v = r->v;
	const struct outcome *mo = r->model_all ? r->model_all : v->model;
	unsigned mn = r->model_all ? r->model_nops : v->ncompared;
	struct json j;

	json_init(&j, f);
	json_open(&j, '{');
	json_key(&j, "file");
	json_str(&j, file);
	json_key(&j, "verdict");
	json_str(&j, reason ? "suppressed" : "fail");
	if (reason) {
		json_key(&j, "reason");
		json_str(&j, reason);
	}
	json_key(&j, "signature");
	json_str(&j, r->signature);
	json_key(&j, "subclass");
	json_str(&j, (unsigned)v->op < r->prog->nops
			     ? div_subclass(v->field, &mo[v->op],
					    &v->kernel[v->op], r->signature)
			     : "none");
	json_key(&j, "kernel");
	json_str(&j, r->release);
	json_key(&j, "model_kver");
	json_strf(&j, "%u.%u.%u", (r->model_kver >> 16) & 0xff,
		  (r->model_kver >> 8) & 0xff, r->model_kver & 0xff);
	json_key(&j, "snapshots");
	json_str(&j, r->snap_mode);
	json_key(&j, "notes");
	json_str(&j, r->notes);
	json_key(&j, "divergent_op");
	json_int(&j, v->op);
	json_key(&j, "field");
	json_str(&j, div_field_name(v->field));
	json_key(&j, "reproduced");
	json_bool(&j, r->reproduced);
	json_program_text(&j, r->prog);
	json_ops(&j, r, mo, mn);
	json_layout(&j, "layout_before", r->before);
	json_key(&j, "layout_after");
	json_open(&j, '{');
	json_layout(&j, "model", r->model_after);
	json_layout(&j, "kernel", r->kernel_after);
	json_close(&j, '}');
	json_close(&j, '}');
}
