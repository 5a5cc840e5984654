/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The standalone C reproducer of a program: a file that needs only libc
 * (`cc repro.c`), performs the program's calls on the running kernel at the
 * same addresses with the executor's op semantics (harness/prog.c), prints
 * each result next to the model's expectation and exits 0 if the kernel
 * agreed with the model, 1 if it disagreed, 2 if an op could not be run
 * (it would have touched the reproducer's own memory).
 *
 * What it compares, and why not more, is written into the file's header:
 * non-fixed placement depends on the process's own layout, so addresses
 * the kernel chose are compared by class and only the window's layout is
 * compared.
 */
#ifndef VMADIFF_REPRO_H
#define VMADIFF_REPRO_H

#include <stdio.h>

#include "../harness/prog.h"
#include "snapshot.h"

struct repro_input {
	const struct prog *prog;
	const char *source;	     /* the program's file name */
	const char *signature;	     /* NULL if both sides agreed */
	int div_op;		     /* the divergent op, or -1 */
	const char *div_field;	     /* "errno", ... (div_op >= 0) */
	const char *release;	     /* uname -r where vmadiff ran */
	uint32_t model_kver;	     /* KVER() the model predicted */
	const char *config_override; /* --model-config, or NULL */
	/* The model's outcome of every op, and the executor's (it tells
	 * which ops the executor skipped, near its own memory). */
	const struct outcome *model, *kernel;
	/* The model's layout (program VMAs) after op layout_op (the divergent
	 * op, else the last). */
	unsigned layout_op;
	const struct snapshot *layout;
	/* The kernel's layout there as vmadiff saw it, or NULL. */
	const struct snapshot *kernel_layout;
	/* The executor's own ranges: which rep of an op it skipped. */
	const struct range *exec_own;
	unsigned nexec_own;
};

/* Writes the C file; returns 0, or -1 if writing failed. */
int repro_write(FILE *f, const struct repro_input *r);

/* Whether the reproducer can show this divergence: not if it is only about
 * where the kernel placed a non-fixed mapping, or about the layout outside
 * the window (both are compared loosely, see the file's header). */
int repro_can_show(const struct repro_input *r);

#endif
