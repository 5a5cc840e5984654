// SPDX-License-Identifier: GPL-2.0
/* vmadiff replay: verdicts and reports, as text or JSON (cli.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/progfile.h"
#include "../oracle/json.h"
#include "../oracle/suppress.h"
#include "cli.h"

static const char replay_usage[] =
	"usage: vmadiff replay [OPTIONS] FILE|DIR...\n"
	"\n"
	"Runs each program on the model and on the kernel (through\n"
	"vmadiff-executor, found via $VMADIFF_EXECUTOR or beside this binary)\n"
	"and compares result, errno, fault signal, data read and layout after\n"
	"every op. Directories are walked recursively in sorted order (regular\n"
	"files; names starting with `.' are skipped).\n"
	"\n"
	"Prints per program:\n"
	"  PASS FILE\n"
	"  FAIL FILE: SIGNATURE       followed by the divergence report\n"
	"  SUPPRESSED FILE: SIGNATURE (REASON)\n"
	"                             a known divergence (corpus/suppressions)\n"
	"  ERROR FILE:LINE: MESSAGE   a text program that does not parse\n"
	"  ERROR FILE: MESSAGE        unreadable file, or the executor failed\n"
	"and at the end the failures again and `N passed, N failed' (errors\n"
	"count as failed), with `, N suppressed' if any were. Exit status 1 if\n"
	"anything failed; suppressed programs do not fail the run.\n"
	"\n"
	"options:\n" ENGINE_OPTIONS_HELP
	"  --json         one JSON object per program and line instead (the\n"
	"                 same facts as the report; README.md has the keys);\n"
	"                 the final count goes to stderr\n"
	"  --suppressions=FILE\n"
	"                 known divergences (default: $VMADIFF_SUPPRESSIONS,\n"
	"                 else corpus/suppressions found from this binary)\n"
	"  --no-suppressions\n"
	"                 report every divergence as a failure\n"
	"  -h, --help     this help\n";

struct replay {
	struct engine *e;
	int json;
	struct suppressions supp;
	struct verdict *v;
	struct prog *p;
	unsigned passed, failed, suppressed;
	struct strlist failures;
};

static void json_simple(const char *file, const char *verdict,
			const char *key, const char *val)
{
	struct json j;

	json_init(&j, stdout);
	json_open(&j, '{');
	json_key(&j, "file");
	json_str(&j, file);
	json_key(&j, "verdict");
	json_str(&j, verdict);
	json_key(&j, key);
	json_str(&j, val);
	json_close(&j, '}');
	putchar('\n');
}

/* "ERROR FILE: MESSAGE", or "ERROR FILE:LINE: MESSAGE" for a parse error
 * (msg is then "LINE: MESSAGE"). */
static void replay_error(struct replay *r, const char *file, int parse,
			 const char *msg)
{
	char line[4608];

	snprintf(line, sizeof(line), "ERROR %s%s%s", file, parse ? ":" : ": ",
		 msg);
	if (r->json)
		json_simple(file, "error", "message", msg);
	else
		printf("%s\n", line);
	strlist_push(&r->failures, line);
	r->failed++;
}

static void replay_pass(struct replay *r, const char *file)
{
	if (r->json)
		json_simple(file, "pass", "kernel", engine_facts(r->e)->release);
	else
		printf("PASS %s\n", file);
	r->passed++;
}

static void replay_diverge(struct replay *r, const char *file)
{
	struct engine_explain *x = malloc(sizeof(*x));
	const struct suppression *s;
	char line[4608];

	if (!x)
		abort();
	engine_explain_init(x);
	engine_explain(r->e, r->p, r->v, x);
	s = suppressions_match(&r->supp, x->signature);
	if (r->json) {
		engine_print_report_json(r->e, stdout, r->p, r->v, x, file,
					 s ? s->reason : NULL);
		putchar('\n');
	}
	if (s) {
		if (!r->json)
			printf("SUPPRESSED %s: %s (%s)\n", file, x->signature,
			       s->reason);
		r->suppressed++;
	} else {
		snprintf(line, sizeof(line), "FAIL %s: %s", file, x->signature);
		if (!r->json) {
			printf("%s\n", line);
			engine_print_report(r->e, stdout, r->p, r->v, x);
			putchar('\n');
		}
		strlist_push(&r->failures, line);
		r->failed++;
	}
	engine_explain_free(x);
	free(x);
}

static void replay_file(struct replay *r, const char *f)
{
	enum progfile_kind kind;
	char err[512];
	int rc = progfile_load(f, r->p, &kind, err, sizeof(err));

	if (rc == PROGFILE_EIO)
		replay_error(r, f, 0, err);
	else if (rc == PROGFILE_EPARSE)
		replay_error(r, f, 1, err);
	else if (!prog_valid(r->p))
		replay_error(r, f, 0, "program is not valid");
	else if (engine_run(r->e, r->p, r->v) == VERDICT_AGREE)
		replay_pass(r, f);
	else if (r->v->kind == VERDICT_DIVERGE)
		replay_diverge(r, f);
	else
		replay_error(r, f, 0, r->v->infra_msg);
}

static void replay_summary(struct replay *r)
{
	FILE *out = r->json ? stderr : stdout;

	if (r->failures.n && !r->json) {
		printf("\nfailures:\n");
		for (size_t k = 0; k < r->failures.n; k++)
			printf("  %s\n", r->failures.v[k]);
	}
	fprintf(out, "%u passed, %u failed", r->passed, r->failed);
	if (r->suppressed)
		fprintf(out, ", %u suppressed", r->suppressed);
	fprintf(out, "\n");
}

/* Expands the arguments into files; an unreadable directory is an error. */
static void collect(struct replay *r, int argc, char **argv,
		    struct strlist *files)
{
	for (int i = 0; i < argc; i++) {
		if (!is_dir(argv[i]))
			strlist_push(files, argv[i]);
		else if (walk_dir(argv[i], 1, files))
			replay_error(r, argv[i], 0, strerror(errno));
	}
}

int cmd_replay(int argc, char **argv)
{
	struct replay r = { 0 };
	struct engine_opts o;
	struct strlist files = { 0 };
	const char *supp = NULL;
	int i, rc, no_supp = 0;

	engine_options_default(&o);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (is_help(a)) {
			fputs(replay_usage, stdout);
			return 0;
		}
		rc = engine_option(&o, replay_usage, argc, argv, &i);
		if (rc == 2)
			return 2;
		if (rc || suppression_option(&supp, &no_supp, a))
			continue;
		if (!strcmp(a, "--json")) {
			r.json = 1;
		} else if (!strcmp(a, "--")) {
			i++;
			break;
		} else if (a[0] == '-' && a[1]) {
			return usage_error(replay_usage, "unknown option `%s'", a);
		} else {
			break;
		}
	}
	if (i >= argc)
		return usage_error(replay_usage, "%s", "no FILE or DIR given");
	if (engine_options_check(&o, replay_usage) ||
	    load_suppressions(&r.supp, supp, no_supp))
		return 2;
	r.e = start_engine(&o);
	if (!r.e)
		return 2;
	/* line-buffered: verdicts appear as they come, even through a pipe */
	setvbuf(stdout, NULL, _IOLBF, 0);
	r.v = malloc(sizeof(*r.v));
	r.p = malloc(sizeof(*r.p));
	if (!r.v || !r.p)
		abort();
	collect(&r, argc - i, argv + i, &files);
	for (size_t k = 0; k < files.n; k++)
		replay_file(&r, files.v[k]);
	engine_fini(r.e);
	replay_summary(&r);
	strlist_free(&files);
	strlist_free(&r.failures);
	suppressions_free(&r.supp);
	free(r.v);
	free(r.p);
	return r.failed ? 1 : 0;
}
