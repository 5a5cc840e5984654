/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the vmadiff commands share: usage errors, file lists, loading
 * programs, the engine options every command that runs programs takes, and
 * the commands themselves (one file each beside vmadiff.c).
 */
#ifndef VMADIFF_CLI_H
#define VMADIFF_CLI_H

#include <stddef.h>

#include "../engine/engine.h"
#include "../harness/prog.h"

extern const char *prog_name;

/* Prints "vmadiff: MESSAGE" and the usage to stderr; returns 2. */
int usage_error(const char *usage, const char *fmt, const char *arg);
int is_help(const char *a);

struct strlist {
	char **v;
	size_t n, cap;
};

void strlist_push(struct strlist *l, const char *s);
void strlist_free(struct strlist *l);
/* Appends the regular files under dir, sorted, recursing if asked. */
int walk_dir(const char *dir, int recurse, struct strlist *out);
int is_dir(const char *path);
/* Loads a program; -1 after printing why not. */
int load_or_complain(const char *f, struct prog *p);

/*
 * The engine options of replay, triage, minimize, repro and regress:
 * --snap=query|text, --model-config=SPEC, --kernel-version=X.Y[.Z],
 * --vmflags/--no-vmflags (default: on unless $VMADIFF_VMFLAGS=0).
 * engine_option() returns 1 if argv[*i] was one (advancing *i past a
 * separate value), 0 if not, and 2 after a usage error.
 * engine_options_check() validates them: 0, or 2 after a usage error.
 */
#define ENGINE_OPTIONS_HELP                                                  \
	"  --snap=query|text\n"                                              \
	"                 read layouts with PROCMAP_QUERY (default) or by\n"  \
	"                 parsing /proc/self/maps\n"                          \
	"  --model-config=KEY=VALUE[,KEY=VALUE...]\n"                        \
	"                 change the model's config (default:\n"             \
	"                 $VMADIFF_MODEL_CONFIG); README.md lists the keys\n" \
	"  --kernel-version=X.Y[.Z]\n"                                       \
	"                 the kernel version the model targets\n"            \
	"  --no-vmflags   do not compare smaps VmFlags after the last op\n"  \
	"                 (compared by default unless $VMADIFF_VMFLAGS=0;\n" \
	"                 --vmflags turns them back on)\n"

void engine_options_default(struct engine_opts *o);
int engine_option(struct engine_opts *o, const char *usage, int argc,
		  char **argv, int *i);
int engine_options_check(const struct engine_opts *o, const char *usage);
/* engine_init() or a message; NULL then. */
struct engine *start_engine(const struct engine_opts *o);

/* Suppressions for replay and triage: --suppressions=FILE,
 * --no-suppressions, else the default file (oracle/suppress.h). */
struct suppressions;
int suppression_option(const char **path, int *none, const char *a);
/* Loads them; 0, or 2 after printing why not. */
int load_suppressions(struct suppressions *s, const char *path, int none);

int cmd_replay(int argc, char **argv);
int cmd_repro(int argc, char **argv);
int cmd_minimize(int argc, char **argv);
int cmd_triage(int argc, char **argv);
int cmd_regress(int argc, char **argv);

#endif
