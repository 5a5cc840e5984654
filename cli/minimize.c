// SPDX-License-Identifier: GPL-2.0
/* vmadiff minimize: shrink a divergent program (cli.h, engine/minimize.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/minimize.h"
#include "cli.h"

static const char minimize_usage[] =
	"usage: vmadiff minimize [OPTIONS] FILE -o OUT\n"
	"\n"
	"Shrinks the divergent program in FILE (text or a fuzzer input, e.g. a\n"
	"crash file) while the same divergence persists: drops ops (renumbering\n"
	"rK references), cuts repeat counts, strides and lengths, moves\n"
	"addresses to low window pages, writes raw and rK addresses that land\n"
	"in the window as W+n, clears prot and flag bits. Deterministic.\n"
	"Prints each step kept; writes the result to OUT as text, with the\n"
	"signature in a header comment.\n"
	"\n"
	"options:\n"
	"  -o OUT         the output file (`-': stdout; required)\n"
	"  --signature keep|any|PATTERN\n"
	"                 what must persist: the same signature (keep, the\n"
	"                 default), any divergence, or a signature matching\n"
	"                 PATTERN (`*' and `?' wildcards)\n"
	"  --max-runs N   stop after N candidate runs (default 5000)\n"
	ENGINE_OPTIONS_HELP
	"  -h, --help     this help\n"
	"\n"
	"Exit status: 0 done, 1 the program does not diverge (as wanted),\n"
	"2 usage or set-up error.\n";

static int write_result(const char *out, const char *file,
			const struct prog *p, const struct minimize_result *r,
			struct engine *e, const struct engine_opts *o)
{
	FILE *f = strcmp(out, "-") ? fopen(out, "w") : stdout;
	char text[PROG_MAX_OPS * 320];
	uint32_t kver = engine_config(e)->kver;

	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", prog_name, out,
			strerror(errno));
		return 1;
	}
	prog_print(p, text, sizeof(text));
	fprintf(f, "# Minimized by `vmadiff minimize` from %s (%u ops -> %u).\n"
		   "# signature: %s\n# kernel: %s; model: Linux %u.%u.%u",
		file, r->nops_before, p->nops, r->signature,
		engine_facts(e)->release, (kver >> 16) & 0xff,
		(kver >> 8) & 0xff, kver & 0xff);
	if (o->config_override && *o->config_override)
		fprintf(f, "; model config: %s", o->config_override);
	fprintf(f, "\n%s", text);
	if (f != stdout && fclose(f)) {
		fprintf(stderr, "%s: %s: %s\n", prog_name, out,
			strerror(errno));
		return 1;
	}
	return 0;
}

static int minimize_file(const char *file, const char *out,
			 const struct engine_opts *o,
			 const struct minimize_opts *mo)
{
	struct prog *p = malloc(sizeof(*p));
	struct minimize_result r;
	struct engine *e = NULL;
	char err[512];
	int rc = 1;

	if (!p)
		abort();
	if (load_or_complain(file, p))
		goto out;
	e = start_engine(o);
	if (!e) {
		rc = 2;
		goto out;
	}
	if (engine_minimize(e, p, mo, &r, err, sizeof(err))) {
		fprintf(stderr, "%s: %s: %s\n", prog_name, file, err);
		goto out;
	}
	printf("minimize: %u ops -> %u in %u runs (%u steps kept)%s\n"
	       "minimize: signature: %s\n",
	       r.nops_before, p->nops, r.runs, r.steps,
	       r.budget_exhausted ? "; run budget used up" : "", r.signature);
	rc = write_result(out, file, p, &r, e, o);
	if (!rc && strcmp(out, "-"))
		printf("minimize: wrote %s\n", out);
out:
	engine_fini(e);
	free(p);
	return rc;
}

int cmd_minimize(int argc, char **argv)
{
	struct engine_opts o;
	struct minimize_opts mo = { .want = "keep" };
	const char *file = NULL, *out = NULL;

	engine_options_default(&o);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int r = engine_option(&o, minimize_usage, argc, argv, &i);

		if (r == 2)
			return 2;
		if (r)
			continue;
		if (is_help(a)) {
			fputs(minimize_usage, stdout);
			return 0;
		} else if (!strcmp(a, "-o") && i + 1 < argc) {
			out = argv[++i];
		} else if (!strcmp(a, "--signature") && i + 1 < argc) {
			mo.want = argv[++i];
		} else if (!strncmp(a, "--signature=", 12)) {
			mo.want = a + 12;
		} else if (!strncmp(a, "--max-runs=", 11)) {
			mo.max_runs = (unsigned)strtoul(a + 11, NULL, 0);
		} else if (a[0] == '-' && a[1]) {
			return usage_error(minimize_usage, "unknown option `%s'",
					   a);
		} else if (file) {
			return usage_error(minimize_usage, "extra argument `%s'",
					   a);
		} else {
			file = a;
		}
	}
	if (!file || !out)
		return usage_error(minimize_usage, "%s",
				   file ? "no -o OUT given" : "no FILE given");
	if (!*mo.want)
		return usage_error(minimize_usage, "%s", "empty --signature");
	if (engine_options_check(&o, minimize_usage))
		return 2;
	mo.progress = stdout;
	return minimize_file(file, out, &o, &mo);
}
