// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: bytes -> program (prog_decode, total) -> model vs
 * kernel (engine_run). A divergence prints the report to stderr and aborts
 * from a call site specific to its class, so that ClusterFuzz's crash state
 * (the top three frames) separates classes: the frames are
 *   in_<op kind> <- <field>_<subclass> <- diverge_<field>
 * (subclass: div_subclass() in oracle/compare.h, e.g. errno_model_fails,
 * layout_bounds, vmflags_kernel_more). Nothing in them depends on addresses or values, so one
 * divergence class always gives the same three frames.
 * A divergence whose signature is suppressed (oracle/suppress.h; the file
 * is $VMADIFF_SUPPRESSIONS, else vmadiff.suppressions beside this binary,
 * else ../corpus/suppressions from it) is logged and is no crash, so that
 * a long run goes on finding new ones.
 * Infrastructure errors (the executor's worker died, hung or vanished) are
 * logged and are not crashes. Always returns 0.
 *
 * The executor: $VMADIFF_EXECUTOR, else vmadiff-executor beside this
 * binary. $VMADIFF_SNAP=text selects /proc/self/maps parsing;
 * $VMADIFF_MODEL_CONFIG overrides the model config (engine.h);
 * $VMADIFF_VMFLAGS=0 turns off the smaps VmFlags comparison after each
 * program (on by default: engine_opts.vmflags).
 *
 * The executor starts once per fuzzing process: in LLVMFuzzerInitialize
 * normally, but on the first input where the process that initialises is
 * not the one that runs inputs: under afl-fuzz (the forkserver forks after
 * initialisation: the executor must be the child's, not the parent's) and
 * in libFuzzer's -fork/-jobs/-workers parents (which run no input).
 *
 * LLVMFuzzerCustomMutator/CrossOver: the structure-aware mutator
 * (mutator.h), unless built with -DVMADIFF_PLAIN_MUTATOR (the baseline
 * that mutates bytes only, for measurements).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/engine.h"
#include "../harness/prog.h"
#include "../oracle/compare.h"
#include "../oracle/suppress.h"
#include "mutator.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct engine *eng;
static struct prog prog;
static struct verdict verdict;
static struct engine_explain explain;
static struct suppressions supp;

/* Distinct bodies so that no compiler or linker folds them together.
 * A trap (SIGILL) rather than abort(): the faulting pc is in in_<op>, so a
 * sanitizer's report starts at the frames that name the class and its
 * dedup token (ASAN_OPTIONS=handle_sigill=1:dedup_token_length=3) tells
 * classes apart, which keeps libFuzzer's -minimize_crash=1 on one
 * divergence; abort() would put raise/abort frames first. */
static volatile int abort_site;

#define ABORT_SITE(id)               \
	do {                         \
		abort_site = (id);   \
		__builtin_trap();    \
	} while (0)

__attribute__((noinline)) static void in_mmap(void) { ABORT_SITE(1); }
__attribute__((noinline)) static void in_munmap(void) { ABORT_SITE(2); }
__attribute__((noinline)) static void in_mprotect(void) { ABORT_SITE(3); }
__attribute__((noinline)) static void in_touch(void) { ABORT_SITE(4); }
__attribute__((noinline)) static void in_read(void) { ABORT_SITE(5); }
__attribute__((noinline)) static void in_op_unknown(void) { ABORT_SITE(6); }
__attribute__((noinline)) static void in_mremap(void) { ABORT_SITE(7); }
__attribute__((noinline)) static void in_madvise(void) { ABORT_SITE(8); }
__attribute__((noinline)) static void in_mlock(void) { ABORT_SITE(9); }
__attribute__((noinline)) static void in_munlock(void) { ABORT_SITE(50); }
__attribute__((noinline)) static void in_mseal(void) { ABORT_SITE(51); }
__attribute__((noinline)) static void in_mlockall(void) { ABORT_SITE(52); }
__attribute__((noinline)) static void in_munlockall(void) { ABORT_SITE(53); }
__attribute__((noinline)) static void in_fork(void) { ABORT_SITE(54); }

/* The op kind as the top frame (a macro, not a function, so that no
 * shared frame sits between in_<op> and diverge_<field>). */
#define ABORT_IN_OP(kind)                  \
	do {                               \
		switch (kind) {            \
		case OP_MMAP:              \
			in_mmap();         \
			break;             \
		case OP_MUNMAP:            \
			in_munmap();       \
			break;             \
		case OP_MPROTECT:          \
			in_mprotect();     \
			break;             \
		case OP_TOUCH:             \
			in_touch();        \
			break;             \
		case OP_READ:              \
			in_read();         \
			break;             \
		case OP_MREMAP:            \
			in_mremap();       \
			break;             \
		case OP_MADVISE:           \
			in_madvise();      \
			break;             \
		case OP_MLOCK:             \
			in_mlock();        \
			break;             \
		case OP_MUNLOCK:           \
			in_munlock();      \
			break;             \
		case OP_MSEAL:             \
			in_mseal();        \
			break;             \
		case OP_MLOCKALL:          \
			in_mlockall();     \
			break;             \
		case OP_MUNLOCKALL:        \
			in_munlockall();   \
			break;             \
		case OP_FORK:              \
			in_fork();         \
			break;             \
		default:                   \
			in_op_unknown();   \
			break;             \
		}                          \
	} while (0)

/* One function per subclass (div_subclass()), the frame below in_<op>.
 * The volatile stores around the call keep it from being a tail call, so
 * these frames stay on the stack. */
#define SUBCLASS_FN(name, id)                                          \
	__attribute__((noinline)) static void name(unsigned kind)      \
	{                                                              \
		abort_site = (id);                                     \
		ABORT_IN_OP(kind);                                     \
		abort_site = -(id);                                    \
	}
SUBCLASS_FN(errno_model_fails, 20)
SUBCLASS_FN(errno_kernel_fails, 21)
SUBCLASS_FN(errno_both_fail, 22)
SUBCLASS_FN(signal_model_faults, 23)
SUBCLASS_FN(signal_kernel_faults, 24)
SUBCLASS_FN(signal_both_fault, 25)
SUBCLASS_FN(ret_kernel_lower, 26)
SUBCLASS_FN(ret_kernel_higher, 27)
SUBCLASS_FN(data_model_zeros, 28)
SUBCLASS_FN(data_kernel_zeros, 29)
SUBCLASS_FN(data_other_bytes, 30)
SUBCLASS_FN(layout_vmas, 31)
SUBCLASS_FN(layout_bounds, 32)
SUBCLASS_FN(layout_prot, 33)
SUBCLASS_FN(layout_shared, 34)
SUBCLASS_FN(layout_backing, 35)
SUBCLASS_FN(layout_pgoff, 36)
SUBCLASS_FN(layout_object, 37)
SUBCLASS_FN(layout_digest, 38)
SUBCLASS_FN(skipped_model_skips, 39)
SUBCLASS_FN(skipped_kernel_skips, 40)
SUBCLASS_FN(subclass_unknown, 41)
SUBCLASS_FN(vmflags_kernel_more, 42)
SUBCLASS_FN(vmflags_model_more, 43)
SUBCLASS_FN(vmflags_mixed, 44)

typedef void (*subclass_fn)(unsigned kind);

static const struct {
	enum div_field field;
	const char *name;
	subclass_fn fn;
} subclasses[] = {
	{ DIV_ERRNO, "model_fails", errno_model_fails },
	{ DIV_ERRNO, "kernel_fails", errno_kernel_fails },
	{ DIV_ERRNO, "both_fail", errno_both_fail },
	{ DIV_SIGNAL, "model_faults", signal_model_faults },
	{ DIV_SIGNAL, "kernel_faults", signal_kernel_faults },
	{ DIV_SIGNAL, "both_fault", signal_both_fault },
	{ DIV_RET, "kernel_lower", ret_kernel_lower },
	{ DIV_RET, "kernel_higher", ret_kernel_higher },
	{ DIV_DATA, "model_zeros", data_model_zeros },
	{ DIV_DATA, "kernel_zeros", data_kernel_zeros },
	{ DIV_DATA, "other_bytes", data_other_bytes },
	{ DIV_LAYOUT, "vmas", layout_vmas },
	{ DIV_LAYOUT, "bounds", layout_bounds },
	{ DIV_LAYOUT, "prot", layout_prot },
	{ DIV_LAYOUT, "shared", layout_shared },
	{ DIV_LAYOUT, "backing", layout_backing },
	{ DIV_LAYOUT, "pgoff", layout_pgoff },
	{ DIV_LAYOUT, "object", layout_object },
	{ DIV_LAYOUT, "digest", layout_digest },
	{ DIV_SKIPPED, "model_skips", skipped_model_skips },
	{ DIV_SKIPPED, "kernel_skips", skipped_kernel_skips },
	{ DIV_VMFLAGS, "kernel_more", vmflags_kernel_more },
	{ DIV_VMFLAGS, "model_more", vmflags_model_more },
	{ DIV_VMFLAGS, "mixed", vmflags_mixed },
};

static subclass_fn subclass_of(enum div_field f, const char *name)
{
	for (size_t i = 0; i < sizeof(subclasses) / sizeof(*subclasses); i++)
		if (subclasses[i].field == f && !strcmp(subclasses[i].name, name))
			return subclasses[i].fn;
	return subclass_unknown;
}

/* One function per field: the third frame. */
#define DIVERGE_FN(name, id)                                               \
	__attribute__((noinline)) static void name(unsigned kind,          \
						   subclass_fn sub)        \
	{                                                                  \
		abort_site = (id);                                         \
		sub(kind);                                                 \
		abort_site = -(id);                                        \
	}
DIVERGE_FN(diverge_ret, 10)
DIVERGE_FN(diverge_errno, 11)
DIVERGE_FN(diverge_signal, 12)
DIVERGE_FN(diverge_data, 13)
DIVERGE_FN(diverge_layout, 14)
DIVERGE_FN(diverge_skipped, 15)
DIVERGE_FN(diverge_vmflags, 16)

/* A suppressed divergence: logged (the first few, then every 1000th). */
static void note_suppressed(const struct suppression *s)
{
	static uint64_t n;

	if (++n <= 10 || n % 1000 == 0)
		fprintf(stderr,
			"vmadiff_fuzzer: suppressed divergence #%llu (not a "
			"finding): %s (%s)\n",
			(unsigned long long)n, explain.signature, s->reason);
}

__attribute__((noinline)) static void report_divergence(void)
{
	unsigned kind = prog.ops[verdict.op].kind;
	const struct suppression *s;
	subclass_fn sub;

	engine_explain(eng, &prog, &verdict, &explain);
	s = suppressions_match(&supp, explain.signature);
	if (s) {
		note_suppressed(s);
		return;
	}
	fprintf(stderr, "\n");
	engine_print_report(eng, stderr, &prog, &verdict, &explain);
	fprintf(stderr, "==vmadiff== DIVERGENCE: %s\n", explain.signature);
	fflush(stderr);
	sub = subclass_of(verdict.field,
			  div_subclass(verdict.field, &verdict.model[verdict.op],
				       &verdict.kernel[verdict.op],
				       explain.signature));
	switch (verdict.field) {
	case DIV_RET:
		diverge_ret(kind, sub);
		break;
	case DIV_ERRNO:
		diverge_errno(kind, sub);
		break;
	case DIV_SIGNAL:
		diverge_signal(kind, sub);
		break;
	case DIV_DATA:
		diverge_data(kind, sub);
		break;
	case DIV_LAYOUT:
		diverge_layout(kind, sub);
		break;
	case DIV_VMFLAGS:
		diverge_vmflags(kind, sub);
		break;
	default:
		diverge_skipped(kind, sub);
		break;
	}
	abort_site = 99;
}

/* The suppressions file, if any; a broken one stops the run. */
static void load_suppressions(void)
{
	char path[4096], err[512];

	if (suppressions_default_path(path, sizeof(path)) &&
	    suppressions_load(&supp, path, err, sizeof(err))) {
		fprintf(stderr, "vmadiff_fuzzer: suppressions: %s\n", err);
		exit(1);
	}
	if (supp.n)
		fprintf(stderr, "vmadiff_fuzzer: %zu suppressions from %s\n",
			supp.n, path);
}

/* Says once what this kernel lacks and how the run makes up for it. */
static void print_banner(void)
{
	const struct exec_facts *f = engine_facts(eng);

	fprintf(stderr,
		"vmadiff_fuzzer: kernel %s, %u foreign VMAs, mmap_base 0x%llx,"
		" snapshots %s%s\n",
		f->release, f->nforeign, (unsigned long long)f->mmap_base,
		engine_snap_mode_name(eng), f->aslr_off ? "" : ", ASLR on");
	if (!f->has_procmap_query)
		fprintf(stderr, "vmadiff_fuzzer: no PROCMAP_QUERY (before "
				"6.11): layouts are read from "
				"/proc/self/maps\n");
	if (!f->has_mseal)
		fprintf(stderr, "vmadiff_fuzzer: no mseal(2) (before 6.10): "
				"the model is told so\n");
	if (!f->cap_ipc_lock || !f->cap_sys_rawio)
		fprintf(stderr,
			"vmadiff_fuzzer: unprivileged (CAP_IPC_LOCK %d, "
			"CAP_SYS_RAWIO %d): the model is told so\n",
			f->cap_ipc_lock, f->cap_sys_rawio);
	fputs(engine_notes(eng), stderr);
}

static void start_engine(void)
{
	struct engine_opts o;
	const char *snap = getenv("VMADIFF_SNAP");
	char err[256];

	engine_opts_default(&o);
	o.timeout_ms = 5000;
	/* an infrastructure error is no finding either way: retrying a hung
	 * program would only spend another 5 s on it */
	o.infra_retries = 0;
	o.config_override = getenv("VMADIFF_MODEL_CONFIG");
	if (snap && !strcmp(snap, "text"))
		o.snap_mode = EXEC_SNAP_TEXT;
	eng = engine_init(&o, err, sizeof(err));
	if (!eng) {
		fprintf(stderr, "vmadiff_fuzzer: cannot start the executor: %s\n"
				"vmadiff_fuzzer: set VMADIFF_EXECUTOR or put "
				"vmadiff-executor beside this binary\n",
			err);
		exit(1);
	}
	print_banner();
	if (!o.vmflags)
		fprintf(stderr, "vmadiff_fuzzer: VmFlags are not compared "
				"(VMADIFF_VMFLAGS=0)\n");
	engine_explain_init(&explain);
	load_suppressions();
}

/* Does this process hand inputs to another one (see the top)? */
static int runs_elsewhere(int argc, char **argv)
{
	static const char *const spawners[] = { "-fork=", "-jobs=",
						"-workers=" };

	if (getenv("__AFL_SHM_ID"))
		return 1;
	for (int i = 1; i < argc; i++)
		for (size_t k = 0; k < sizeof(spawners) / sizeof(*spawners);
		     k++)
			if (!strncmp(argv[i], spawners[k], strlen(spawners[k])))
				return 1;
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (!runs_elsewhere(*argc, *argv))
		start_engine();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum verdict_kind k;

	if (!eng)
		start_engine();
	prog_decode(data, size, &prog);
	k = engine_run(eng, &prog, &verdict);
	if (k == VERDICT_DIVERGE) {
		report_divergence();
	} else if (k == VERDICT_INFRA) {
		uint64_t n = engine_stats(eng)->infra;

		/* Not a finding; log the first few, then every 1000th. */
		if (n <= 10 || n % 1000 == 0)
			fprintf(stderr,
				"vmadiff_fuzzer: infrastructure error #%llu "
				"(not a finding): %s\n",
				(unsigned long long)n, verdict.infra_msg);
	}
	return 0;
}

#ifndef VMADIFF_PLAIN_MUTATOR
/* Weak: some engines' drivers (and our standalone one) lack it; the
 * mutator then makes structural edits only. */
__attribute__((weak)) size_t LLVMFuzzerMutate(uint8_t *data, size_t size,
					      size_t max);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max,
			       unsigned seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *a, size_t na,
				 const uint8_t *b, size_t nb, uint8_t *out,
				 size_t max, unsigned seed);

static struct mutator *mu;

/* The mutator's model predicts the kernel the engine found. */
static struct mutator *get_mutator(void)
{
	if (mu)
		return mu;
	if (!eng)
		start_engine();
	mu = mutator_new(engine_config(eng), engine_facts(eng)->foreign,
			 engine_facts(eng)->nforeign, LLVMFuzzerMutate);
	if (!mu)
		abort(); /* out of memory */
	return mu;
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max,
			       unsigned seed)
{
	return mutator_mutate(get_mutator(), data, size, max, seed);
}

/* libFuzzer calls this for half of all mutations once it is defined; two
 * in three of those mutate a alone instead, as that does better. */
size_t LLVMFuzzerCustomCrossOver(const uint8_t *a, size_t na,
				 const uint8_t *b, size_t nb, uint8_t *out,
				 size_t max, unsigned seed)
{
	size_t n = na < max ? na : max;

	if (!(seed % 3))
		return mutator_crossover(get_mutator(), a, na, b, nb, out, max,
					 seed);
	memcpy(out, a, n);
	return mutator_mutate(get_mutator(), out, n, max, seed);
}
#endif
