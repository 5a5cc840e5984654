/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The verdict of one differential run and the divergence signature.
 *
 * Comparison is per op: the outcome (struct outcome) first, then the digest
 * of the layout after the op. The first op where anything differs is the
 * divergence; `field` says what differed. A signature is a short stable
 * string that buckets duplicate findings: op kind, the class of its flags,
 * field, and the two values in abstract form
 * ("mmap(private,fixed) errno model=ENOMEM kernel=0").
 */
#ifndef VMADIFF_COMPARE_H
#define VMADIFF_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include "../harness/prog.h"
#include "snapshot.h"

enum verdict_kind {
	VERDICT_AGREE = 0,   /* every op agreed */
	VERDICT_DIVERGE = 1, /* a finding */
	VERDICT_INFRA = 2,   /* the kernel side failed (died, hung, gone):
				never a finding */
};

/* Which part of an op's result differed, in the order they are checked
 * (the first in this order that differs names the divergence). */
enum div_field {
	DIV_NONE = 0,
	DIV_SKIPPED, /* one side ran the op, the other skipped it */
	DIV_ERRNO,   /* errno (this also covers success vs failure) */
	DIV_SIGNAL,  /* a fault on one side only, or SIGSEGV vs SIGBUS */
	DIV_RET,     /* return value (address, pages accessed) */
	DIV_DATA,    /* bytes read */
	DIV_LAYOUT,  /* the address-space layout after the op */
	DIV_VMFLAGS, /* smaps VmFlags of a VMA (engine_opts.vmflags): checked
			once every op agreed, so never before the others */
	DIV__COUNT
};

struct verdict {
	enum verdict_kind kind;
	/* VERDICT_DIVERGE: the first divergent op and what differed. */
	int op;
	enum div_field field;
	/* Ops both sides ran and compared (up to and including `op`). */
	unsigned ncompared;
	/* VERDICT_INFRA: the executor status (enum exec_status) and what
	 * happened, e.g. "worker died (signal 9)". */
	int infra_status;
	char infra_msg[160];
	/* Per op outcomes and layout digests: kernel for every op the
	 * executor ran (kernel_nops), model up to `ncompared`. */
	unsigned kernel_nops;
	struct outcome model[PROG_MAX_OPS], kernel[PROG_MAX_OPS];
	uint64_t model_digest[PROG_MAX_OPS], kernel_digest[PROG_MAX_OPS];
};

const char *verdict_kind_name(enum verdict_kind k);
/* "skipped", "errno", "signal", "ret", "data", "layout", "vmflags"
 * ("none"). */
const char *div_field_name(enum div_field f);
/* "mmap", "munmap", ... ("op?" when out of range). */
const char *op_kind_name(unsigned kind);

/* The first differing field of two outcomes (not the layout), or DIV_NONE. */
enum div_field compare_outcome(const struct outcome *model,
			       const struct outcome *kernel);

/* Names for values in reports and signatures: "ENOMEM" (or "0" for 0,
 * "E123" when unknown); "SIGSEGV" ("0" for 0). */
const char *errno_name(int err, char *buf, size_t cap);
const char *signal_name(int sig, char *buf, size_t cap);

/* "rwx" / "r--" for PROT_* bits (only the low three bits). */
const char *prot_str(unsigned prot, char buf[4]);

/*
 * Everything a signature or report needs to know about the divergent op
 * beyond the outcomes: the resolved address and length of its last run and,
 * for a layout or VmFlags divergence, the two full layouts after it (may
 * be NULL if they could not be had: the signature then says "digest").
 */
struct div_context {
	unsigned kind;	      /* enum op_kind of the divergent op */
	uint32_t prot, flags; /* the op's prot and flags (for its class) */
	uint64_t req_addr;    /* resolved address of the op's first rep */
	uint64_t req_pages;   /* touch/read: pages asked for (per rep) */
	unsigned repeat;      /* the op's repeat count */
	const struct snapshot *model_snap, *kernel_snap;
};

/*
 * The class of an op's arguments that selects a kernel code path, written
 * after the op kind in signatures ("" when there is none):
 *   mmap:     "(TYPE,PLACEMENT[,fd])": TYPE private, shared, validate
 *             (MAP_SHARED_VALIDATE), droppable or badtype; PLACEMENT fixed,
 *             noreplace or nonfixed; fd when MAP_ANONYMOUS is missing;
 *   mprotect: "(growsdown)", "(growsup)", "(badprot)" for unknown bits;
 *   mremap:   "(MODE[,dontunmap][,nomove])": MODE fixed, maymove, inplace
 *             (neither), or badflags for unknown bits.
 * Only these: other flags (POPULATE, NORESERVE, ...) and addresses,
 * lengths and repeat counts are left out, so that one bug found by inputs
 * that differ in them stays one bucket and the minimiser can drop them.
 */
size_t op_class_str(unsigned kind, uint32_t prot, uint32_t flags, char *buf,
		    size_t cap);

/*
 * Formats the signature of a divergence into buf (always NUL terminated);
 * returns buf. Values are abstract so that one bug in different programs
 * gives one string:
 *   errno:  "mprotect errno model=ENOMEM kernel=0"
 *   signal: "touch signal model=0 kernel=SIGSEGV"
 *   ret:    "mmap(private,nonfixed) ret model=hint kernel=other" (mmap
 *           addresses are classed as hint/window/other, with
 *           "(kernel lower|higher)" when the classes agree; pages accessed
 *           as 0/some/all)
 *   data:   "read data model=zeros kernel=written"
 *   layout: "mprotect layout vmas model=more kernel=fewer", or the first
 *           differing attribute: bounds/prot/shared/pgoff/backing/object
 *   skipped:"munmap skipped model=1 kernel=0"
 *   vmflags:"mmap(private,fixed) vmflags +nr -ac": the smaps mnemonics
 *           the kernel's VMAs have and the model's lack (+), and the
 *           reverse (-), over all VMAs, in bit order; "vmflags digest"
 *           without both layouts
 * With ctx NULL the op kind is unknown ("op?") and there is no class.
 */
char *signature_format(char *buf, size_t cap, enum div_field field,
		       const struct outcome *model,
		       const struct outcome *kernel,
		       const struct div_context *ctx);

/*
 * A name from a small fixed set for the divergence's subclass, finer than
 * the field and coarser than the signature: what crash deduplication on
 * stack frames can tell apart (fuzz/vmadiff_fuzzer.c aborts from one
 * function per subclass). errno: model_fails, kernel_fails, both_fail;
 * signal: model_faults, kernel_faults, both_fault; ret: kernel_lower,
 * kernel_higher; data: model_zeros, kernel_zeros, other_bytes; layout: the
 * attribute named by the signature (vmas, bounds, prot, shared, backing,
 * pgoff, object, digest); skipped: model_skips, kernel_skips; vmflags:
 * kernel_more (only + in the signature), model_more (only -), mixed
 * (both, or no layouts).
 */
const char *div_subclass(enum div_field field, const struct outcome *model,
			 const struct outcome *kernel, const char *signature);

#endif
