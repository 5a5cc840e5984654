// SPDX-License-Identifier: GPL-2.0
/* The text report of a divergence (report.h). */
#include "report.h"

#include <inttypes.h>
#include <string.h>


#define COL 50 /* width of the model column in side-by-side tables */

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
	else if (kind == OP_MMAP)
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
			i++, j++;
		} else if (x && y && x->start == y->start) {
			side_line(f, 1, x, y);
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

static void print_program(FILE *f, const struct prog *p, int mark)
{
	char line[512];

	for (unsigned i = 0; i < p->nops; i++) {
		size_t n = prog_print_op(p, i, line, sizeof(line));

		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
			line[--n] = 0;
		fprintf(f, "%s %2u  %s\n", (int)i == mark ? ">>>" : "   ", i,
			line);
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
	print_program(f, p, v->op);

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
			(int)i == v->op && v->field == DIV_LAYOUT
				? "   (layouts differ)"
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
	}
	fprintf(f, "\nsignature: %s\n", r->signature ? r->signature : "?");
}
