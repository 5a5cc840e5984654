// SPDX-License-Identifier: GPL-2.0
/* Engine and suppression options shared by the commands (cli.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../oracle/suppress.h"
#include "cli.h"

void engine_options_default(struct engine_opts *o)
{
	engine_opts_default(o);
	o->config_override = getenv("VMADIFF_MODEL_CONFIG");
}

int engine_option(struct engine_opts *o, const char *usage, int argc,
		  char **argv, int *i)
{
	const char *a = argv[*i];

	if (!strcmp(a, "--snap=query"))
		o->snap_mode = EXEC_SNAP_QUERY;
	else if (!strcmp(a, "--snap=text"))
		o->snap_mode = EXEC_SNAP_TEXT;
	else if (!strncmp(a, "--snap", 6))
		return usage_error(usage,
				   "bad snapshot mode `%s' (query or text)", a);
	else if (!strncmp(a, "--model-config=", 15))
		o->config_override = a + 15;
	else if (!strncmp(a, "--kernel-version=", 17))
		o->kernel_version = a + 17;
	else if (!strcmp(a, "--kernel-version") && *i + 1 < argc)
		o->kernel_version = argv[++*i];
	else if (!strcmp(a, "--vmflags"))
		o->vmflags = 1;
	else if (!strcmp(a, "--no-vmflags"))
		o->vmflags = 0;
	else
		return 0;
	return 1;
}

int engine_options_check(const struct engine_opts *o, const char *usage)
{
	struct model_config c;
	char err[512], spec[64];

	model_config_default(&c);
	if (o->config_override &&
	    engine_config_override(&c, o->config_override, err, sizeof(err)))
		return usage_error(usage, "model config: %s", err);
	if (o->kernel_version && *o->kernel_version) {
		snprintf(spec, sizeof(spec), "kver=%s", o->kernel_version);
		if (engine_config_override(&c, spec, err, sizeof(err)))
			return usage_error(usage, "--kernel-version: %s", err);
	}
	return 0;
}

struct engine *start_engine(const struct engine_opts *o)
{
	char err[512];
	struct engine *e = engine_init(o, err, sizeof(err));

	if (!e)
		fprintf(stderr, "%s: cannot start the executor: %s\n",
			prog_name, err);
	return e;
}

int suppression_option(const char **path, int *none, const char *a)
{
	if (!strncmp(a, "--suppressions=", 15))
		*path = a + 15;
	else if (!strcmp(a, "--no-suppressions"))
		*none = 1;
	else
		return 0;
	return 1;
}

int load_suppressions(struct suppressions *s, const char *path, int none)
{
	char buf[4096], err[512];

	s->v = NULL;
	s->n = 0;
	if (none)
		return 0;
	if (!path)
		path = suppressions_default_path(buf, sizeof(buf));
	if (path && suppressions_load(s, path, err, sizeof(err))) {
		fprintf(stderr, "%s: suppressions: %s\n", prog_name, err);
		return 2;
	}
	return 0;
}
