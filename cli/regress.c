// SPDX-License-Identifier: GPL-2.0
/* vmadiff regress: add a fixed divergence to the regression corpus. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../engine/progfile.h"
#include "cli.h"

static const char regress_usage[] =
	"usage: vmadiff regress [OPTIONS] FILE --why TEXT\n"
	"\n"
	"Adds the program in FILE (text, e.g. what `vmadiff minimize' wrote,\n"
	"or a crash file) to the regression corpus as DIR/NAME.vma, with a\n"
	"header comment: what diverged (TEXT), the signature it had, the\n"
	"kernel function that explains it and where it was found. The program\n"
	"must pass now: an entry records a divergence that was fixed (in the\n"
	"model, or by a kernel fix), and `make test' replays the corpus.\n"
	"\n"
	"options:\n"
	"  --why TEXT     what diverged and why (required)\n"
	"  --function F   the kernel function that explains it, e.g.\n"
	"                 `vma_merge_new_range() (mm/vma.c)'\n"
	"  --signature S  the divergence's signature (default: the\n"
	"                 `# signature:' line of FILE, as minimize writes it)\n"
	"  --name NAME    file name without .vma (default: FILE's, less any\n"
	"                 .vma suffix)\n"
	"  --dir DIR      the corpus (default: corpus/regressions)\n"
	"  --force        overwrite an existing entry\n"
	ENGINE_OPTIONS_HELP
	"  -h, --help     this help\n";

struct regress_args {
	const char *file, *why, *function, *signature, *name, *dir;
	int force;
};

/* The `# signature: ...' line of a text file, or NULL. */
static const char *signature_in(const char *file, char *buf, size_t cap)
{
	size_t n;
	uint8_t *text = progfile_read(file, &n);
	const char *s = text ? strstr((char *)text, "# signature: ") : NULL;
	const char *e;

	if (!s) {
		free(text);
		return NULL;
	}
	s += 13;
	e = strchr(s, '\n');
	snprintf(buf, cap, "%.*s", (int)(e ? e - s : (long)strlen(s)), s);
	free(text);
	return buf;
}

static void default_name(const char *file, char *buf, size_t cap)
{
	const char *base = strrchr(file, '/');
	size_t l;

	snprintf(buf, cap, "%s", base ? base + 1 : file);
	l = strlen(buf);
	if (l > 4 && !strcmp(buf + l - 4, ".vma"))
		buf[l - 4] = 0;
}

/* Runs p: 0 if it passes, else 1 after saying why it cannot go in. */
static int passes_now(const struct regress_args *a, const struct prog *p,
		      const struct engine_opts *o, char *release, size_t cap)
{
	struct verdict *v = malloc(sizeof(*v));
	struct engine *e = start_engine(o);
	char sig[256];
	int rc = 1;

	if (!v)
		abort();
	if (!e)
		goto out;
	snprintf(release, cap, "%s", engine_facts(e)->release);
	if (engine_run(e, p, v) == VERDICT_AGREE) {
		rc = 0;
	} else if (v->kind == VERDICT_DIVERGE) {
		engine_report(e, NULL, p, v, sig, sizeof(sig));
		fprintf(stderr,
			"%s: %s still diverges (%s): a regression entry records "
			"a fixed divergence; fix the model (or see README: "
			"\"When the fuzzer finds something\") first\n",
			prog_name, a->file, sig);
	} else {
		fprintf(stderr, "%s: %s: %s\n", prog_name, a->file,
			v->infra_msg);
	}
out:
	engine_fini(e);
	free(v);
	return rc;
}

static int write_entry(const struct regress_args *a, const struct prog *p,
		       const char *sig, const char *release)
{
	char name[1024], path[4096], text[PROG_MAX_OPS * 320], day[16];
	time_t now = time(NULL);
	FILE *f;

	if (a->name)
		snprintf(name, sizeof(name), "%s", a->name);
	else
		default_name(a->file, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s.vma", a->dir, name);
	if (!a->force && access(path, F_OK) == 0) {
		fprintf(stderr, "%s: %s exists (--force to overwrite)\n",
			prog_name, path);
		return 1;
	}
	strftime(day, sizeof(day), "%Y-%m-%d", gmtime(&now));
	prog_print(p, text, sizeof(text));
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", prog_name, path,
			strerror(errno));
		return 1;
	}
	fprintf(f, "# Regression: %s\n# Diverged as: %s\n", a->why,
		sig ? sig : "(signature not recorded)");
	if (a->function)
		fprintf(f, "# Explained by: %s\n", a->function);
	fprintf(f, "# Added %s by `vmadiff regress`; passes on Linux %s.\n%s",
		day, release, text);
	if (fclose(f)) {
		fprintf(stderr, "%s: %s: %s\n", prog_name, path,
			strerror(errno));
		return 1;
	}
	printf("wrote %s (replay passes it)\n", path);
	return 0;
}

static int regress(const struct regress_args *a, const struct engine_opts *o)
{
	struct prog *p = malloc(sizeof(*p));
	char sigbuf[256], release[65];
	const char *sig = a->signature;
	int rc = 1;

	if (!p)
		abort();
	if (!load_or_complain(a->file, p) &&
	    !passes_now(a, p, o, release, sizeof(release))) {
		if (!sig)
			sig = signature_in(a->file, sigbuf, sizeof(sigbuf));
		rc = write_entry(a, p, sig, release);
	}
	free(p);
	return rc;
}

/* The field an option with a value sets, or NULL. */
static const char **value_option(struct regress_args *a, const char *s)
{
	const struct {
		const char *name;
		const char **field;
	} opts[] = {
		{ "--why", &a->why },	      { "--function", &a->function },
		{ "--signature", &a->signature }, { "--name", &a->name },
		{ "--dir", &a->dir },
	};

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (!strcmp(s, opts[i].name))
			return opts[i].field;
	return NULL;
}

int cmd_regress(int argc, char **argv)
{
	struct regress_args a = { .dir = "corpus/regressions" };
	struct engine_opts o;
	const char **slot;

	engine_options_default(&o);
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		int r = engine_option(&o, regress_usage, argc, argv, &i);

		if (r == 2)
			return 2;
		if (r)
			continue;
		slot = value_option(&a, s);
		if (is_help(s)) {
			fputs(regress_usage, stdout);
			return 0;
		} else if (slot && i + 1 < argc) {
			*slot = argv[++i];
		} else if (!strcmp(s, "--force")) {
			a.force = 1;
		} else if (s[0] == '-' && s[1]) {
			return usage_error(regress_usage, "bad option `%s'", s);
		} else if (a.file) {
			return usage_error(regress_usage, "extra argument `%s'",
					   s);
		} else {
			a.file = s;
		}
	}
	if (!a.file || !a.why || !*a.why)
		return usage_error(regress_usage, "%s",
				   a.file ? "no --why TEXT given"
					  : "no FILE given");
	if (engine_options_check(&o, regress_usage))
		return 2;
	return regress(&a, &o);
}
