// SPDX-License-Identifier: GPL-2.0
/* vmadiff repro: a standalone C reproducer of a program (cli.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../oracle/repro.h"
#include "cli.h"

static const char repro_usage[] =
	"usage: vmadiff repro [OPTIONS] FILE -o REPRO.c\n"
	"\n"
	"Runs the program in FILE (text or a fuzzer input, e.g. a crash file)\n"
	"on the model and the kernel, then writes a C program that needs only\n"
	"libc and makes the same calls on the running kernel at the same\n"
	"addresses, printing each result next to what the model expected:\n"
	"\n"
	"  cc -o repro REPRO.c && ./repro\n"
	"\n"
	"It exits 1 when the kernel disagrees with the model, 0 when it agrees,\n"
	"2 when an op could not run in the reproducer's address space. Its\n"
	"header comment holds the program, the signature, the kernel version\n"
	"and what it compares: non-fixed placement and VMAs outside the window\n"
	"are compared loosely (the reproducer's own layout differs from the\n"
	"executor's), so a divergence only about those does not reproduce in\n"
	"C; the command says so when that is the case.\n"
	"\n"
	"options:\n"
	"  -o FILE        where to write the C file (`-': stdout; required)\n"
	ENGINE_OPTIONS_HELP
	"  -h, --help     this help\n";

/* The model's view of p: a divergence explained, or all of it run. */
struct model_view {
	struct verdict v;
	struct engine_explain x;
	struct outcome all[PROG_MAX_OPS];
	struct snapshot agreed_layout;
	struct range own[EXEC_MAX_FOREIGN];
};

static int fill_input(struct engine *e, const struct prog *p,
		      const struct engine_opts *o, struct model_view *mv,
		      struct repro_input *in)
{
	const struct exec_facts *f = engine_facts(e);
	enum verdict_kind k = engine_run(e, p, &mv->v);

	if (k == VERDICT_INFRA) {
		fprintf(stderr, "%s: %s\n", prog_name, mv->v.infra_msg);
		return -1;
	}
	memset(in, 0, sizeof(*in));
	in->prog = p;
	in->release = f->release;
	in->model_kver = engine_config(e)->kver;
	in->config_override = o->config_override;
	in->div_op = -1;
	in->kernel = mv->v.kernel;
	if (k == VERDICT_DIVERGE) {
		engine_explain(e, p, &mv->v, &mv->x);
		in->signature = mv->x.signature;
		in->div_op = mv->v.op;
		in->div_field = div_field_name(mv->v.field);
		in->model = mv->x.model_all;
		in->layout_op = (unsigned)mv->v.op;
		in->layout = &mv->x.model_after;
		in->kernel_layout = mv->x.have_after ? &mv->x.kernel_after
						     : NULL;
	} else {
		in->layout_op = p->nops ? p->nops - 1 : 0;
		engine_model_all(e, p, (int)in->layout_op, mv->all,
				 &mv->agreed_layout);
		in->model = mv->all;
		in->layout = &mv->agreed_layout;
	}
	in->nexec_own = f->nforeign < EXEC_MAX_FOREIGN ? f->nforeign
						       : EXEC_MAX_FOREIGN;
	for (unsigned i = 0; i < in->nexec_own; i++) {
		mv->own[i].start = f->foreign[i].start;
		mv->own[i].end = f->foreign[i].end;
	}
	in->exec_own = mv->own;
	return 0;
}

static int write_repro(const char *out, const struct repro_input *in)
{
	FILE *f = strcmp(out, "-") ? fopen(out, "w") : stdout;

	if (!f || repro_write(f, in) || (f != stdout && fclose(f))) {
		fprintf(stderr, "%s: %s: %s\n", prog_name, out,
			strerror(errno));
		return 1;
	}
	return 0;
}

static void say_what_to_expect(const char *out,
			       const struct repro_input *in)
{
	if (!in->signature)
		fprintf(stderr, "%s: the model and the kernel agree on this "
				"program: %s should exit 0\n",
			prog_name, out);
	else if (repro_can_show(in))
		fprintf(stderr, "%s: %s: divergence at op %d (%s); it should "
				"exit 1: cc -o repro %s && ./repro\n",
			prog_name, out, in->div_op, in->signature, out);
	else if (in->div_field && !strcmp(in->div_field, "vmflags"))
		fprintf(stderr,
			"%s: warning: %s is about smaps VmFlags, which the C "
			"reproducer does not compare: %s will exit 0; replay "
			"FILE with vmadiff instead\n",
			prog_name, in->signature, out);
	else
		fprintf(stderr,
			"%s: warning: %s is about where the kernel put a "
			"non-fixed mapping or about VMAs outside the window, "
			"which the C reproducer compares loosely: %s will "
			"likely exit 0; replay FILE with vmadiff instead\n",
			prog_name, in->signature, out);
}

int cmd_repro(int argc, char **argv)
{
	struct engine_opts o;
	struct model_view *mv = calloc(1, sizeof(*mv));
	struct prog *p = malloc(sizeof(*p));
	struct repro_input in;
	const char *file = NULL, *out = NULL;
	struct engine *e;
	int rc = 1;

	if (!mv || !p)
		abort();
	engine_options_default(&o);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int r = engine_option(&o, repro_usage, argc, argv, &i);

		if (r == 2)
			return 2;
		if (r)
			continue;
		if (is_help(a)) {
			fputs(repro_usage, stdout);
			return 0;
		} else if (!strcmp(a, "-o") && i + 1 < argc) {
			out = argv[++i];
		} else if (a[0] == '-' && a[1]) {
			return usage_error(repro_usage, "unknown option `%s'", a);
		} else if (file) {
			return usage_error(repro_usage, "extra argument `%s'", a);
		} else {
			file = a;
		}
	}
	if (!file || !out)
		return usage_error(repro_usage, "%s",
				   file ? "no -o REPRO.c given"
					: "no FILE given");
	if (engine_options_check(&o, repro_usage))
		return 2;
	if (load_or_complain(file, p))
		goto out;
	e = start_engine(&o);
	if (!e) {
		rc = 2;
		goto out;
	}
	engine_explain_init(&mv->x);
	snapshot_init(&mv->agreed_layout);
	if (!fill_input(e, p, &o, mv, &in)) {
		in.source = file;
		rc = write_repro(out, &in);
		if (!rc)
			say_what_to_expect(out, &in);
	}
	engine_explain_free(&mv->x);
	snapshot_free(&mv->agreed_layout);
	engine_fini(e);
out:
	free(mv);
	free(p);
	return rc;
}
