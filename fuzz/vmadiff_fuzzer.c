// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: bytes -> program (prog_decode, total) -> model vs
 * kernel (engine_run). A divergence prints the report to stderr and aborts
 * from a call site specific to its class, so that ClusterFuzz's crash state
 * (the top three frames) separates classes: the frames are
 *   in_<op kind> <- diverge_<field> <- report_divergence.
 * Infrastructure errors (the executor's worker died, hung or vanished) are
 * logged and are not crashes. Always returns 0.
 *
 * The executor: $VMADIFF_EXECUTOR, else vmadiff-executor beside this
 * binary. $VMADIFF_SNAP=text selects /proc/self/maps parsing;
 * $VMADIFF_MODEL_CONFIG overrides the model config (engine.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/engine.h"
#include "../harness/prog.h"
#include "../oracle/compare.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct engine *eng;
static struct prog prog;
static struct verdict verdict;

/* Distinct bodies so that no compiler or linker folds them together. */
static volatile int abort_site;

#define ABORT_SITE(id)             \
	do {                       \
		abort_site = (id); \
		abort();           \
	} while (0)

__attribute__((noinline)) static void in_mmap(void) { ABORT_SITE(1); }
__attribute__((noinline)) static void in_munmap(void) { ABORT_SITE(2); }
__attribute__((noinline)) static void in_mprotect(void) { ABORT_SITE(3); }
__attribute__((noinline)) static void in_touch(void) { ABORT_SITE(4); }
__attribute__((noinline)) static void in_read(void) { ABORT_SITE(5); }
__attribute__((noinline)) static void in_op_unknown(void) { ABORT_SITE(6); }

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
		default:                   \
			in_op_unknown();   \
			break;             \
		}                          \
	} while (0)

/* One function per divergence class. The volatile store before the call
 * keeps the calls from being tail calls, so these frames stay on the
 * stack. */
#define DIVERGE_FN(name, id)                                           \
	__attribute__((noinline)) static void name(unsigned kind)      \
	{                                                              \
		abort_site = (id);                                     \
		ABORT_IN_OP(kind);                                     \
		abort_site = -(id);                                    \
	}
DIVERGE_FN(diverge_ret, 10)
DIVERGE_FN(diverge_errno, 11)
DIVERGE_FN(diverge_signal, 12)
DIVERGE_FN(diverge_data, 13)
DIVERGE_FN(diverge_layout, 14)
DIVERGE_FN(diverge_skipped, 15)

__attribute__((noinline)) static void report_divergence(void)
{
	unsigned kind = prog.ops[verdict.op].kind;
	char sig[256];

	fprintf(stderr, "\n");
	engine_report(eng, stderr, &prog, &verdict, sig, sizeof(sig));
	fprintf(stderr, "==vmadiff== DIVERGENCE: %s\n", sig);
	fflush(stderr);
	switch (verdict.field) {
	case DIV_RET:
		diverge_ret(kind);
		break;
	case DIV_ERRNO:
		diverge_errno(kind);
		break;
	case DIV_SIGNAL:
		diverge_signal(kind);
		break;
	case DIV_DATA:
		diverge_data(kind);
		break;
	case DIV_LAYOUT:
		diverge_layout(kind);
		break;
	default:
		diverge_skipped(kind);
		break;
	}
	abort_site = 99;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct engine_opts o;
	const char *snap = getenv("VMADIFF_SNAP");
	const struct exec_facts *f;
	char err[256];

	(void)argc;
	(void)argv;
	engine_opts_default(&o);
	o.timeout_ms = 5000;
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
	f = engine_facts(eng);
	fprintf(stderr,
		"vmadiff_fuzzer: kernel %s, %u foreign VMAs, mmap_base 0x%llx,"
		" snapshots %s%s\n",
		f->release, f->nforeign, (unsigned long long)f->mmap_base,
		engine_snap_mode_name(eng), f->aslr_off ? "" : ", ASLR on");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum verdict_kind k;

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
