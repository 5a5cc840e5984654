/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The text report of a divergence: kernel release, the program with the
 * divergent op marked `>>>`, model vs kernel outcome per op, a side-by-side
 * layout diff at the divergent op and the signature. engine/ gathers the
 * inputs (it reruns the program for full snapshots); this file only prints.
 */
#ifndef VMADIFF_REPORT_H
#define VMADIFF_REPORT_H

#include <stdio.h>

#include "../harness/prog.h"
#include "compare.h"
#include "snapshot.h"

struct report_input {
	const struct prog *prog;
	const struct verdict *v;	/* VERDICT_DIVERGE */
	const char *signature;
	const char *release;		/* kernel side's uname -r */
	uint32_t model_kver;		/* KVER() the model predicted */
	const char *snap_mode;		/* "query", "text" */
	const char *notes;		/* extra lines (may be NULL) */
	/* Model outcomes of every op (a full rerun of the model; the
	 * verdict's stop at the divergence). NULL: use v->model. */
	const struct outcome *model_all;
	unsigned model_nops;
	/* Layouts: before the divergent op (both sides agreed there; the
	 * kernel's), and after it on each side. Any may be NULL. */
	const struct snapshot *before;
	const struct snapshot *model_after, *kernel_after;
	/* The kernel rerun reproduced the first run (engine_explain). */
	int reproduced;
};

void report_print(FILE *f, const struct report_input *r);
/*
 * The same as one JSON object on one line (no newline at the end):
 * {"file", "verdict": "fail"|"suppressed", "reason" (suppressed only),
 *  "signature", "subclass", "kernel", "model_kver", "snapshots", "notes",
 *  "divergent_op", "field", "reproduced", "program" (canonical text),
 *  "ops": [{"index", "text", "addr", "model", "kernel", "differ"}],
 *  "layout_before", "layout_after": {"model", "kernel"}}.
 * An outcome is {"skipped", "ret", "errno", "signal", "data"} (errno and
 * signal as names or null, data as 16 hex digits or null); a VMA is
 * {"start", "end" (hex strings), "prot", "shared", "pgoff", "backing",
 *  "object", "vmflags" (smaps mnemonics, [] when not collected)}.
 */
void report_print_json(FILE *f, const struct report_input *r,
		       const char *file, const char *reason);


/* "start-end prot s/p pgoff backing/object", e.g.
 * "100000000000-100000004000 rw- p 0 anon" or "... rw- s 0 shmem/1". */
size_t report_vma_str(const struct snap_vma *v, char *buf, size_t cap);
/* One op's outcome, e.g. "ret=0 ", "ret=-1 ENOMEM", "ret=3 SIGSEGV",
 * "ret=4 data=0x1234...", "skipped"; mmap returns print in hex. */
size_t report_outcome_str(unsigned kind, const struct outcome *o, char *buf,
			  size_t cap);
/* Side-by-side layout, model | kernel, differing lines marked with `!`;
 * returns the number of differing lines. Where both sides carry VmFlags
 * and they differ for a VMA, a line marked `~` below it names the flags
 * only one side has (not counted: a difference there is a DIV_VMFLAGS
 * verdict, not a layout one). */
unsigned report_layout_diff(FILE *f, const struct snapshot *model,
			    const struct snapshot *kernel);

#endif
