// SPDX-License-Identifier: GPL-2.0
/* vmadiff triage: crash files grouped by signature (cli.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../engine/progfile.h"
#include "../oracle/json.h"
#include "../oracle/suppress.h"
#include "cli.h"

static const char triage_usage[] =
	"usage: vmadiff triage [OPTIONS] DIR|FILE...\n"
	"\n"
	"Replays every program (e.g. the crash-* files of a fuzzing run) and\n"
	"groups the divergent ones by signature: how many files each\n"
	"signature has and its smallest example (fewest ops, then fewest\n"
	"bytes), most frequent first; then the files that passed or could not\n"
	"be run. The smallest example is the one to minimize.\n"
	"\n"
	"options:\n"
	"  --json         one JSON object instead: {\"files\", \"passed\",\n"
	"                 \"errors\": [{\"file\", \"message\"}], \"signatures\":\n"
	"                 [{\"signature\", \"count\", \"suppressed\" (the reason\n"
	"                 or null), \"smallest\", \"smallest_ops\", \"files\"}]}\n"
	"  --suppressions=FILE, --no-suppressions\n"
	"                 as for replay: suppressed signatures are marked\n"
	ENGINE_OPTIONS_HELP
	"  -h, --help     this help\n"
	"\n"
	"Exit status 0 whatever the programs did; 2 for a usage or set-up\n"
	"error.\n";

struct bucket {
	char sig[256];
	const char *reason; /* suppressed, or NULL */
	struct strlist files;
	const char *smallest;
	unsigned smallest_ops;
	off_t smallest_size;
};

struct triage {
	struct engine *e;
	struct suppressions supp;
	struct bucket *b;
	size_t nb;
	unsigned nfiles, passed;
	struct strlist errors; /* "FILE\tMESSAGE" */
};

static off_t file_size(const char *f)
{
	struct stat st;

	return stat(f, &st) ? 0 : st.st_size;
}

static struct bucket *bucket_of(struct triage *t, const char *sig)
{
	const struct suppression *s;
	struct bucket *b;

	for (size_t i = 0; i < t->nb; i++)
		if (!strcmp(t->b[i].sig, sig))
			return &t->b[i];
	t->b = realloc(t->b, (t->nb + 1) * sizeof(*t->b));
	if (!t->b)
		abort();
	b = &t->b[t->nb++];
	memset(b, 0, sizeof(*b));
	snprintf(b->sig, sizeof(b->sig), "%s", sig);
	s = suppressions_match(&t->supp, sig);
	b->reason = s ? s->reason : NULL;
	return b;
}

static void add(struct triage *t, const char *sig, const char *file,
		unsigned nops)
{
	struct bucket *b = bucket_of(t, sig);
	off_t size = file_size(file);

	strlist_push(&b->files, file);
	if (!b->smallest || nops < b->smallest_ops ||
	    (nops == b->smallest_ops && size < b->smallest_size)) {
		b->smallest = b->files.v[b->files.n - 1];
		b->smallest_ops = nops;
		b->smallest_size = size;
	}
}

static void error(struct triage *t, const char *file, const char *msg)
{
	char line[4608];

	snprintf(line, sizeof(line), "%s\t%s", file, msg);
	strlist_push(&t->errors, line);
}

static void triage_file(struct triage *t, const char *f, struct prog *p,
			struct verdict *v)
{
	enum progfile_kind kind;
	char err[512], sig[256];
	int r = progfile_load(f, p, &kind, err, sizeof(err));

	t->nfiles++;
	if (r != PROGFILE_OK)
		error(t, f, err);
	else if (!prog_valid(p))
		error(t, f, "program is not valid");
	else if (engine_run(t->e, p, v) == VERDICT_AGREE)
		t->passed++;
	else if (v->kind == VERDICT_INFRA)
		error(t, f, v->infra_msg);
	else {
		engine_report(t->e, NULL, p, v, sig, sizeof(sig));
		add(t, sig, f, p->nops);
	}
}

static int by_count(const void *a, const void *b)
{
	const struct bucket *x = a, *y = b;

	if (x->files.n != y->files.n)
		return x->files.n < y->files.n ? 1 : -1;
	return strcmp(x->sig, y->sig);
}

static void print_table(const struct triage *t)
{
	unsigned ndiv = 0, nsupp = 0;

	printf("%5s  %s\n", "FILES", "SIGNATURE / smallest example");
	for (size_t i = 0; i < t->nb; i++) {
		const struct bucket *b = &t->b[i];

		printf("%5zu  %s\n       smallest: %s (%u op%s)\n", b->files.n,
		       b->sig, b->smallest, b->smallest_ops,
		       b->smallest_ops == 1 ? "" : "s");
		if (b->reason)
			printf("       suppressed: %s\n", b->reason);
		ndiv += (unsigned)b->files.n;
		nsupp += b->reason ? 1 : 0;
	}
	for (size_t i = 0; i < t->errors.n; i++) {
		const char *tab = strchr(t->errors.v[i], '\t');

		printf("ERROR %.*s: %s\n", (int)(tab - t->errors.v[i]),
		       t->errors.v[i], tab + 1);
	}
	printf("%u files: %u divergent in %zu signature%s (%u suppressed), "
	       "%u passed, %zu errors\n",
	       t->nfiles, ndiv, t->nb, t->nb == 1 ? "" : "s", nsupp,
	       t->passed, t->errors.n);
}

static void json_bucket(struct json *j, const struct bucket *b)
{
	json_open(j, '{');
	json_key(j, "signature");
	json_str(j, b->sig);
	json_key(j, "count");
	json_int(j, (int64_t)b->files.n);
	json_key(j, "suppressed");
	if (b->reason)
		json_str(j, b->reason);
	else
		json_null(j);
	json_key(j, "smallest");
	json_str(j, b->smallest);
	json_key(j, "smallest_ops");
	json_int(j, b->smallest_ops);
	json_key(j, "files");
	json_open(j, '[');
	for (size_t k = 0; k < b->files.n; k++)
		json_str(j, b->files.v[k]);
	json_close(j, ']');
	json_close(j, '}');
}

static void print_json(const struct triage *t)
{
	struct json j;

	json_init(&j, stdout);
	json_open(&j, '{');
	json_key(&j, "files");
	json_int(&j, t->nfiles);
	json_key(&j, "passed");
	json_int(&j, t->passed);
	json_key(&j, "errors");
	json_open(&j, '[');
	for (size_t i = 0; i < t->errors.n; i++) {
		char *tab = strchr(t->errors.v[i], '\t');

		*tab = 0;
		json_open(&j, '{');
		json_key(&j, "file");
		json_str(&j, t->errors.v[i]);
		json_key(&j, "message");
		json_str(&j, tab + 1);
		json_close(&j, '}');
		*tab = '\t';
	}
	json_close(&j, ']');
	json_key(&j, "signatures");
	json_open(&j, '[');
	for (size_t i = 0; i < t->nb; i++)
		json_bucket(&j, &t->b[i]);
	json_close(&j, ']');
	json_close(&j, '}');
	putchar('\n');
}

static void run_all(struct triage *t, const struct strlist *files)
{
	struct prog *p = malloc(sizeof(*p));
	struct verdict *v = malloc(sizeof(*v));

	if (!p || !v)
		abort();
	for (size_t k = 0; k < files->n; k++)
		triage_file(t, files->v[k], p, v);
	free(p);
	free(v);
}

static void triage_free(struct triage *t)
{
	for (size_t i = 0; i < t->nb; i++)
		strlist_free(&t->b[i].files);
	free(t->b);
	strlist_free(&t->errors);
	suppressions_free(&t->supp);
}

int cmd_triage(int argc, char **argv)
{
	struct triage t = { 0 };
	struct engine_opts o;
	struct strlist files = { 0 };
	const char *supp = NULL;
	int json = 0, no_supp = 0, nargs = 0, i, r;

	engine_options_default(&o);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (is_help(a)) {
			fputs(triage_usage, stdout);
			return 0;
		}
		r = engine_option(&o, triage_usage, argc, argv, &i);
		if (r == 2)
			return 2;
		if (r || suppression_option(&supp, &no_supp, a))
			continue;
		if (!strcmp(a, "--json")) {
			json = 1;
		} else if (a[0] == '-' && a[1]) {
			return usage_error(triage_usage, "unknown option `%s'", a);
		} else if (!is_dir(a)) {
			strlist_push(&files, a);
			nargs++;
		} else if (walk_dir(a, 1, &files)) {
			fprintf(stderr, "%s: %s: %s\n", prog_name, a,
				strerror(errno));
			return 2;
		} else {
			nargs++;
		}
	}
	if (!nargs)
		return usage_error(triage_usage, "%s", "no DIR or FILE given");
	if (engine_options_check(&o, triage_usage) ||
	    load_suppressions(&t.supp, supp, no_supp))
		return 2;
	t.e = start_engine(&o);
	if (!t.e)
		return 2;
	run_all(&t, &files);
	engine_fini(t.e);
	qsort(t.b, t.nb, sizeof(*t.b), by_count);
	if (json)
		print_json(&t);
	else
		print_table(&t);
	triage_free(&t);
	strlist_free(&files);
	return 0;
}
