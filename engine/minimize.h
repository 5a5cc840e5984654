/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Structure-aware minimisation of a divergent program: shrink it while the
 * divergence persists, judged by its signature. Deterministic: the same
 * program, kernel and model give the same result.
 *
 * Passes, repeated until none changes anything (or the run budget ends):
 *  - cut the ops after the divergent one;
 *  - drop ops, in chunks of halving size (references rK to later ops are
 *    renumbered; one to a dropped op becomes the window address it
 *    resolved to, or W+n);
 *  - per op: reduce the repeat count and stride, shrink the length, move
 *    the address to a smaller window page, turn raw and rK addresses that
 *    land in the window into W+n, drop byte offsets and the mmap offset,
 *    clear prot and flag bits one at a time (but MAP_FIXED);
 *  - shift every window address down by a common number of pages.
 */
#ifndef VMADIFF_MINIMIZE_H
#define VMADIFF_MINIMIZE_H

#include <stdio.h>

#include "engine.h"

struct minimize_opts {
	/* What must persist: NULL or "keep": the program's own signature;
	 * "any": any divergence; else a glob pattern (`*`, `?`) that the
	 * signature must match. */
	const char *want;
	FILE *progress;	   /* one line per accepted step; NULL: quiet */
	unsigned max_runs; /* candidate runs; 0: 5000 */
};

struct minimize_result {
	char signature[256]; /* the minimised program's */
	char original[256];  /* the input's */
	unsigned runs;	     /* candidates run */
	unsigned steps;	     /* candidates kept */
	unsigned nops_before;
	int budget_exhausted;
};

/* Minimises p in place. Returns 0, or -1 with a message if p does not
 * diverge as wanted to begin with (p is then unchanged). */
int engine_minimize(struct engine *e, struct prog *p,
		    const struct minimize_opts *o, struct minimize_result *r,
		    char *err, size_t errlen);

#endif
