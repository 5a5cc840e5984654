// SPDX-License-Identifier: GPL-2.0
/*
 * vmadiff: the command line.
 *   vmadiff replay [OPTIONS] FILE|DIR...            (replay.c)
 *   vmadiff show FILE
 *   vmadiff encode FILE -o OUT | vmadiff encode DIR -o OUTDIR
 *   vmadiff repro FILE -o REPRO.c                   (repro.c)
 *   vmadiff minimize FILE -o OUT                    (minimize.c)
 *   vmadiff triage DIR...                           (triage.c)
 *   vmadiff regress FILE --why TEXT                 (regress.c)
 *   vmadiff vm ...                                  (vm.c)
 * Each command takes -h/--help. Exit status: 0 success, 1 a failed or bad
 * program, 2 usage or set-up error.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../engine/engine.h"
#include "../engine/progfile.h"
#include "../harness/prog.h"
#include "bench.h"
#include "cli.h"
#include "rediscover.h"
#include "vm.h"

const char *prog_name = "vmadiff";

static const char top_usage[] =
	"usage: vmadiff COMMAND [OPTIONS] [ARGS]\n"
	"\n"
	"A differential fuzzer for the Linux VMA layer: programs of mm calls\n"
	"run against an executable model and the running kernel.\n"
	"\n"
	"commands:\n"
	"  replay [--snap=query|text] [--model-config=SPEC]\n"
	"         [--kernel-version=X.Y] [--json] FILE|DIR...\n"
	"                  run programs on the model and the kernel; one verdict\n"
	"                  line per program (PASS/FAIL/SUPPRESSED/ERROR), a\n"
	"                  report for each failure, then `N passed, N failed'\n"
	"  show FILE       print a program (text or binary) as canonical text\n"
	"  encode FILE -o OUT\n"
	"  encode DIR -o OUTDIR\n"
	"                  write programs as fuzzer input bytes (seeds for\n"
	"                  libFuzzer); a directory is converted file by file\n"
	"  repro FILE -o REPRO.c\n"
	"                  write a standalone C reproducer (libc only) that\n"
	"                  makes the calls and checks the model's expectations\n"
	"  minimize FILE -o OUT [--signature keep|any|PATTERN]\n"
	"                  shrink a divergent program while its signature stays\n"
	"  triage [--json] DIR|FILE...\n"
	"                  group crash files by signature: counts, smallest each\n"
	"  regress FILE --why TEXT\n"
	"                  add a fixed divergence to corpus/regressions\n"
	"  vm --kernel IMAGE [OPTIONS] replay FILE|DIR... | fuzz --seconds N DIR...\n"
	"                  replay or fuzz inside qemu booted from IMAGE\n"
	"  rediscover [--seconds N]  time the fuzzer finding 6.16/6.17 changes\n"
	"  bench [--json] [--seconds N] [CORPUS] | bench --model-scale\n"
	"                  programs/s: bare, full, isolation-first, model only\n"
	"\n"
	"Run `vmadiff COMMAND --help' for a command's options.\n"
	"Files: text programs (.vma, docs/FORMAT.md) or fuzzer inputs (bytes),\n"
	"told apart by content.\n";

static const char show_usage[] =
	"usage: vmadiff show FILE\n"
	"\n"
	"Prints the program in FILE (text or a binary fuzzer input) as\n"
	"canonical text (docs/FORMAT.md).\n"
	"\n"
	"options:\n"
	"  -h, --help     this help\n";

static const char encode_usage[] =
	"usage: vmadiff encode FILE -o OUT\n"
	"       vmadiff encode DIR -o OUTDIR\n"
	"\n"
	"Writes programs as the bytes the fuzzer consumes (prog_encode), e.g.\n"
	"to turn the text seeds of corpus/seeds into a libFuzzer corpus.\n"
	"With a directory, every file in it (not recursive; names starting\n"
	"with `.' skipped) is written to OUTDIR under its name without a\n"
	"`.vma' suffix; OUTDIR is created if needed.\n"
	"\n"
	"options:\n"
	"  -o OUT         output file or directory (required)\n"
	"  -h, --help     this help\n";

int usage_error(const char *usage, const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", prog_name);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage);
	return 2;
}

int is_help(const char *a)
{
	return !strcmp(a, "-h") || !strcmp(a, "--help");
}

/* --- file lists ---------------------------------------------------------- */

void strlist_push(struct strlist *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v)
			abort();
	}
	l->v[l->n] = strdup(s);
	if (!l->v[l->n])
		abort();
	l->n++;
}

void strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int skip_name(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

int walk_dir(const char *dir, int recurse, struct strlist *out)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, skip_name, alphasort);

	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		char path[4096];
		struct stat st;

		snprintf(path, sizeof(path), "%s%s%s", dir,
			 dir[strlen(dir) - 1] == '/' ? "" : "/",
			 ents[i]->d_name);
		if (stat(path, &st) == 0) {
			if (S_ISREG(st.st_mode))
				strlist_push(out, path);
			else if (S_ISDIR(st.st_mode) && recurse)
				walk_dir(path, recurse, out);
		}
		free(ents[i]);
	}
	free(ents);
	return 0;
}

int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* --- show ------------------------------------------------------------------ */

int load_or_complain(const char *f, struct prog *p)
{
	enum progfile_kind kind;
	char err[512];
	int r = progfile_load(f, p, &kind, err, sizeof(err));

	if (r == PROGFILE_EIO) {
		fprintf(stderr, "%s: %s: %s\n", prog_name, f, err);
		return -1;
	}
	if (r == PROGFILE_EPARSE) {
		fprintf(stderr, "%s: %s:%s\n", prog_name, f, err);
		return -1;
	}
	return 0;
}

static int cmd_show(int argc, char **argv)
{
	const char *file = NULL;
	struct prog *p;
	size_t n, cap = 1 << 16;
	char *text;

	for (int i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			fputs(show_usage, stdout);
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return usage_error(show_usage, "unknown option `%s'",
					   argv[i]);
		} else if (file) {
			return usage_error(show_usage, "extra argument `%s'",
					   argv[i]);
		} else {
			file = argv[i];
		}
	}
	if (!file)
		return usage_error(show_usage, "%s", "no FILE given");
	p = malloc(sizeof(*p));
	if (!p)
		abort();
	if (load_or_complain(file, p)) {
		free(p);
		return 1;
	}
	for (;;) {
		text = malloc(cap);
		if (!text)
			abort();
		n = prog_print(p, text, cap);
		if (n < cap)
			break;
		free(text);
		cap = n + 1;
	}
	fwrite(text, 1, n, stdout);
	free(text);
	free(p);
	return 0;
}

/* --- encode ---------------------------------------------------------------- */

static int encode_one(const char *in, const char *out)
{
	struct prog *p = malloc(sizeof(*p));
	size_t cap = 1 << 16, n;
	uint8_t *buf;
	FILE *f;
	int rc = 0;

	if (!p)
		abort();
	if (load_or_complain(in, p)) {
		free(p);
		return 1;
	}
	for (;;) {
		buf = malloc(cap);
		if (!buf)
			abort();
		n = prog_encode(p, buf, cap);
		if (n <= cap)
			break;
		free(buf);
		cap = n;
	}
	f = fopen(out, "wb");
	if (!f || fwrite(buf, 1, n, f) != n || fclose(f)) {
		fprintf(stderr, "%s: %s: %s\n", prog_name, out,
			strerror(errno));
		rc = 1;
	}
	free(buf);
	free(p);
	return rc;
}

static int cmd_encode(int argc, char **argv)
{
	const char *in = NULL, *out = NULL;
	struct strlist files = {0};
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (is_help(a)) {
			fputs(encode_usage, stdout);
			return 0;
		} else if (!strcmp(a, "-o")) {
			if (++i >= argc)
				return usage_error(encode_usage, "%s",
						   "-o needs an argument");
			out = argv[i];
		} else if (!strncmp(a, "-o", 2)) {
			out = a + 2;
		} else if (!strncmp(a, "--output=", 9)) {
			out = a + 9;
		} else if (a[0] == '-' && a[1]) {
			return usage_error(encode_usage, "unknown option `%s'",
					   a);
		} else if (in) {
			return usage_error(encode_usage, "extra argument `%s'",
					   a);
		} else {
			in = a;
		}
	}
	if (!in)
		return usage_error(encode_usage, "%s", "no FILE or DIR given");
	if (!out || !*out)
		return usage_error(encode_usage, "%s", "no -o OUT given");
	if (!is_dir(in))
		return encode_one(in, out);

	if (mkdir(out, 0777) && errno != EEXIST) {
		fprintf(stderr, "%s: %s: %s\n", prog_name, out, strerror(errno));
		return 1;
	}
	if (walk_dir(in, 0, &files)) {
		fprintf(stderr, "%s: %s: %s\n", prog_name, in, strerror(errno));
		return 1;
	}
	for (size_t k = 0; k < files.n; k++) {
		const char *base = strrchr(files.v[k], '/');
		char name[1024], path[4096];
		size_t l;

		base = base ? base + 1 : files.v[k];
		snprintf(name, sizeof(name), "%s", base);
		l = strlen(name);
		if (l > 4 && !strcmp(name + l - 4, ".vma"))
			name[l - 4] = 0;
		snprintf(path, sizeof(path), "%s/%s", out, name);
		if (encode_one(files.v[k], path))
			rc = 1;
	}
	strlist_free(&files);
	return rc;
}

/* --- main ------------------------------------------------------------------ */

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "replay", cmd_replay },
	{ "show", cmd_show },
	{ "encode", cmd_encode },
	{ "repro", cmd_repro },
	{ "minimize", cmd_minimize },
	{ "triage", cmd_triage },
	{ "regress", cmd_regress },
	{ "vm", cmd_vm },
	{ "rediscover", cmd_rediscover },
	{ "bench", cmd_bench },
	{ "vm-init", cmd_vm_init },
};

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(top_usage, stderr);
		return 2;
	}
	if (is_help(argv[1]) || !strcmp(argv[1], "help")) {
		fputs(top_usage, stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	return usage_error(top_usage, "unknown command `%s'", argv[1]);
}
