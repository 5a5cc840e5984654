/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The differential driver: runs a program on the kernel (through the
 * executor, one round trip per program) and on the model (in-process, op by
 * op with exactly the executor's op semantics), compares after every op and
 * returns a verdict. On a divergence, engine_explain() reruns the program on
 * both sides for full layouts and builds the signature and the report.
 *
 * One engine per process: it owns one executor and one model.
 */
#ifndef VMADIFF_ENGINE_H
#define VMADIFF_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "../harness/exec_proto.h"
#include "../harness/prog.h"
#include "../model/model.h"
#include "../oracle/compare.h"
#include "../oracle/snapshot.h"

struct engine_opts {
	/* NULL: $VMADIFF_EXECUTOR, else vmadiff-executor beside the binary */
	const char *executor_path;
	unsigned timeout_ms;		/* per program; 0: 10000 */
	enum exec_snap_mode snap_mode;	/* QUERY falls back to TEXT if the
					   kernel lacks PROCMAP_QUERY */
	unsigned infra_retries;		/* reruns after an infra error (1) */
	/* Run each program in a fresh fork of the worker instead of
	 * resetting it in place: vmadiff bench's isolation-first mode. */
	int isolate;
	/* "A.B[.C]": the kernel version the model targets (its kver), or
	 * NULL for the running kernel's; engine_opts_default() takes
	 * $VMADIFF_KERNEL_VERSION. Applied before config_override. */
	const char *kernel_version;
	/* Overrides of the model config derived from the executor's facts
	 * (engine_config_override syntax), or NULL. */
	const char *config_override;
	/* Compare smaps VmFlags too (DIV_VMFLAGS): the kernel's after the
	 * last op with the model's; where they differ, reruns find the first
	 * op after which they do. It costs a full snapshot after every op
	 * (the per-op incremental ones need full_at < 0) and an smaps read
	 * per program. engine_opts_default(): on unless $VMADIFF_VMFLAGS is
	 * 0. Without snapshots (EXEC_SNAP_NONE) it does nothing. */
	int vmflags;
	/* Called on the model config derived from the executor's facts,
	 * after config_override and before the model is created (tests). */
	void (*config_hook)(struct model_config *cfg, void *arg);
	void *config_arg;
};

struct engine_stats {
	uint64_t runs;		/* engine_run calls */
	uint64_t agree, diverge, infra; /* verdicts */
	uint64_t infra_errors;	/* executor runs that failed (incl. retried) */
	uint64_t restarts;	/* executor restarts after EXEC_BROKEN */
	uint64_t model_rebuilds; /* a new worker had other facts */
	/* runs whose per-op snapshots (re-reading only what each op could
	 * change) missed a change: found by the worker's full check at the
	 * end, or a layout divergence gone in a run with full snapshots */
	uint64_t rechecks;
	/* VmFlags differences at the end of a run that no rerun showed
	 * again (flaky kernel side): not findings */
	uint64_t vmflags_unconfirmed;
};

struct engine;

void engine_opts_default(struct engine_opts *o);

/*
 * Applies "KEY=VALUE[,KEY=VALUE...]" to a model config: a deliberately
 * different model (testing the oracle, or predicting another kernel).
 * KEY: kver (A.B.C), task_size, mmap_base, mmap_legacy_base,
 * mmap_min_addr, max_map_count, stack_guard_gap, rlimit_stack,
 * rlimit_memlock, overcommit_memory, thp (never|madvise|always or 0-2),
 * cap_ipc_lock, cap_sys_rawio, has_maybe_guard, has_mseal,
 * lsm_mmap_min_addr, totalram_pages. A number is
 * decimal or 0x-hex; a leading + or - makes it relative to the current
 * value ("mmap_base=-0x40000000"). Returns 0, or -1 with a message.
 */
int engine_config_override(struct model_config *c, const char *spec,
			   char *err, size_t errlen);
/* Starts the executor and builds the model; NULL with a message on error. */
struct engine *engine_init(const struct engine_opts *o, char *err,
			   size_t errlen);
void engine_fini(struct engine *e);

/*
 * Runs p on both sides and fills *v. Returns v->kind. Infrastructure
 * errors (EXEC_DIED/TIMEOUT/BROKEN) are retried opts.infra_retries times,
 * then returned as VERDICT_INFRA (never VERDICT_DIVERGE). Allocation-free
 * once warm. p must be valid (prog_valid; decode's output always is).
 */
enum verdict_kind engine_run(struct engine *e, const struct prog *p,
			     struct verdict *v);

/* The model side of engine_run alone (vmadiff bench's model-only mode):
 * the outcome and layout digest of every op of p into v->model and
 * v->model_digest, then the model is reset. */
void engine_run_model(struct engine *e, const struct prog *p,
		      struct verdict *v);

/* What engine_explain() found out about a divergence. */
struct engine_explain {
	char signature[256];
	/* The model's outcomes for every op (not just up to the divergence). */
	unsigned model_nops;
	struct outcome model_all[PROG_MAX_OPS];
	/* Full layouts: before the divergent op (kernel's) and after it on
	 * each side, the latter with smaps VmFlags (for the report, and the
	 * signature of a DIV_VMFLAGS divergence); have_* say whether they
	 * could be had. */
	int have_before, have_after;
	struct snapshot before, model_after, kernel_after;
	/* The kernel rerun reproduced the outcomes and digests up to and
	 * including the divergent op, and for DIV_VMFLAGS a VmFlags
	 * difference after it (0: flaky kernel side, see notes). */
	int reproduced;
	char notes[512];
};

void engine_explain_init(struct engine_explain *x);
void engine_explain_free(struct engine_explain *x);
/* For v->kind == VERDICT_DIVERGE: reruns p for full snapshots (kernel with
 * full_at, the model) and fills x, signature included. Returns 0, or -1
 * if v is not a divergence. */
int engine_explain(struct engine *e, const struct prog *p,
		   const struct verdict *v, struct engine_explain *x);
/* Prints the text report (oracle/report.h) of an explained divergence. */
void engine_print_report(struct engine *e, FILE *f, const struct prog *p,
			 const struct verdict *v,
			 const struct engine_explain *x);
/* The same as one line of JSON (report_print_json): file names the program;
 * reason is non-NULL for a suppressed divergence. */
void engine_print_report_json(struct engine *e, FILE *f, const struct prog *p,
			      const struct verdict *v,
			      const struct engine_explain *x, const char *file,
			      const char *reason);
/* explain + print in one; the signature is copied to sig if non-NULL. */
void engine_report(struct engine *e, FILE *f, const struct prog *p,
		   const struct verdict *v, char *sig, size_t siglen);

/* The op semantics the executor applies, on the model: runs op idx of p
 * (all its reps) and stores its outcome in outs[idx]. Exposed for tests. */
void engine_model_op(struct engine *e, const struct prog *p, unsigned idx,
		     struct outcome *outs);
/* The same on any model, with the executor's foreign ranges given: the
 * structure-aware mutator (fuzz/mutator.c) runs program prefixes on a
 * model of its own with it. */
void model_prog_op(struct model *m, const struct range *foreign,
		   unsigned nforeign, const struct prog *p, unsigned idx,
		   struct outcome *outs);

/* Runs all of p on the model alone: every op's outcome into outs and the
 * layout after op snap_at (if it is one) into snap. For reproducers. */
void engine_model_all(struct engine *e, const struct prog *p, int snap_at,
		      struct outcome *outs, struct snapshot *snap);

const struct exec_facts *engine_facts(const struct engine *e);
const struct model_config *engine_config(const struct engine *e);
const struct engine_stats *engine_stats(const struct engine *e);
/* Notes about how the config was derived (e.g. ASLR on). */
const char *engine_notes(const struct engine *e);
/* "query" / "text" / "none": the snapshot mode in effect. */
const char *engine_snap_mode_name(const struct engine *e);
pid_t engine_worker_pid(const struct engine *e);

#endif
