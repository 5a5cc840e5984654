// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests of engine/ through the real executor
 * ($VMADIFF_EXECUTOR, else build/vmadiff-executor beside build/tests/):
 * agreement, divergences provoked by a deliberately wrong model config
 * (op index, field, signature, report), and infrastructure errors (a
 * SIGKILLed worker) that must never be divergences. Also the loader that
 * tells text programs from fuzzer inputs.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../engine/engine.h"
#include "../engine/progfile.h"
#include "test.h"

#define W PROG_WINDOW_BASE
#define PAF (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

static char exec_path[4096];

/* --- building programs --------------------------------------------------- */

static struct prog *new_prog(void)
{
	struct prog *p = calloc(1, sizeof(*p));

	if (!p)
		abort();
	return p;
}

static struct prog_op *add(struct prog *p, unsigned kind, uint32_t page,
			   uint32_t pages)
{
	struct prog_op *op = &p->ops[p->nops++];

	memset(op, 0, sizeof(*op));
	op->kind = (uint8_t)kind;
	op->repeat = 1;
	op->addr.kind = ADDR_WINDOW;
	op->addr.page = page;
	op->len.pages = pages;
	return op;
}

static struct prog_op *add_mmap(struct prog *p, uint32_t page, uint32_t pages,
				uint32_t prot, uint32_t flags)
{
	struct prog_op *op = add(p, OP_MMAP, page, pages);

	op->prot = prot;
	op->flags = flags;
	return op;
}

/* mmap(NULL, ...): a raw address 0, placed by the kernel top-down. */
static struct prog_op *add_mmap_any(struct prog *p, uint32_t pages)
{
	struct prog_op *op = add_mmap(p, 0, pages, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS);

	op->addr.kind = ADDR_RAW;
	op->addr.raw = 0;
	return op;
}

/* --- engines --------------------------------------------------------------- */

static struct engine *start(void (*hook)(struct model_config *, void *),
			    void *arg, unsigned retries)
{
	struct engine_opts o;
	struct engine *e;
	char err[256];

	engine_opts_default(&o);
	o.executor_path = exec_path;
	o.config_hook = hook;
	o.config_arg = arg;
	o.infra_retries = retries;
	e = engine_init(&o, err, sizeof(err));
	if (!e)
		fprintf(stderr, "engine_init: %s\n", err);
	return e;
}

static void print_divergence(struct engine *e, const struct prog *p,
			     const struct verdict *v)
{
	if (v->kind == VERDICT_DIVERGE)
		engine_report(e, stderr, p, v, NULL, 0);
	else if (v->kind == VERDICT_INFRA)
		fprintf(stderr, "infra: %s\n", v->infra_msg);
}

/* --- tests ------------------------------------------------------------------- */

TEST(agreeing_program)
{
	struct engine *e = start(NULL, NULL, 1);
	struct prog *p = new_prog();
	struct verdict *v = malloc(sizeof(*v));

	CHECK(e != NULL);
	if (!e)
		goto out;
	add_mmap(p, 0, 4, PROT_READ | PROT_WRITE, PAF);
	add(p, OP_MPROTECT, 1, 1)->prot = PROT_READ;
	add(p, OP_TOUCH, 0, 1);
	add(p, OP_READ, 0, 4);
	add(p, OP_MUNMAP, 0, 4);
	CHECK(prog_valid(p));
	CHECK_EQ(engine_run(e, p, v), VERDICT_AGREE);
	if (v->kind != VERDICT_AGREE)
		print_divergence(e, p, v);
	CHECK_EQ(v->ncompared, 5);
	CHECK_EQ(v->kernel[0].ret, W);
	CHECK_EQ(v->kernel[3].ret, 4); /* pages read */
	/* Twice: the executor's in-place reset and model_reset agree. */
	CHECK_EQ(engine_run(e, p, v), VERDICT_AGREE);
	CHECK_EQ(engine_stats(e)->agree, 2);
	CHECK_EQ(engine_stats(e)->infra_errors, 0);
out:
	engine_fini(e);
	free(p);
	free(v);
}

TEST(empty_program_agrees)
{
	struct engine *e = start(NULL, NULL, 1);
	struct prog *p = new_prog();
	struct verdict *v = malloc(sizeof(*v));

	CHECK(e != NULL);
	if (e) {
		CHECK_EQ(engine_run(e, p, v), VERDICT_AGREE);
		CHECK_EQ(v->ncompared, 0);
	}
	engine_fini(e);
	free(p);
	free(v);
}

static void lower_mmap_base(struct model_config *c, void *arg)
{
	(void)arg;
	c->mmap_base -= 1ull << 30;
}

TEST(wrong_mmap_base_diverges_on_ret)
{
	struct engine *e = start(lower_mmap_base, NULL, 1);
	struct prog *p = new_prog();
	struct verdict *v = malloc(sizeof(*v));
	char sig[256] = "";

	CHECK(e != NULL);
	if (!e)
		goto out;
	add_mmap(p, 0, 2, PROT_READ | PROT_WRITE, PAF); /* agrees */
	add_mmap_any(p, 1);				 /* placed: differs */
	add(p, OP_MUNMAP, 0, 2);
	CHECK_EQ(engine_run(e, p, v), VERDICT_DIVERGE);
	CHECK_EQ(v->op, 1);
	CHECK_EQ(v->field, DIV_RET);
	/* Placed top-down below the lowered base: lower than the kernel's. */
	CHECK((uint64_t)v->model[1].ret < (uint64_t)v->kernel[1].ret);
	engine_report(e, NULL, p, v, sig, sizeof(sig));
	CHECK(!strcmp(sig, "mmap(private,nonfixed) ret model=other "
		      "kernel=other (kernel higher)"));
	if (strcmp(sig, "mmap(private,nonfixed) ret model=other "
		      "kernel=other (kernel higher)"))
		fprintf(stderr, "signature: %s\n", sig);
	CHECK_EQ(engine_stats(e)->diverge, 1);
out:
	engine_fini(e);
	free(p);
	free(v);
}

/* max_map_count just above what the executor itself uses: a split of the
 * program's one VMA into three goes over it on the model only. */
static void tiny_map_count(struct model_config *c, void *arg)
{
	c->max_map_count = *(unsigned *)arg + 2;
}

TEST(wrong_max_map_count_diverges_on_errno_with_report)
{
	unsigned nforeign;
	struct engine *e0 = start(NULL, NULL, 1), *e = NULL;
	struct prog *p = new_prog();
	struct verdict *v = malloc(sizeof(*v));
	char sig[256] = "", *rep = NULL;
	size_t replen = 0;
	FILE *f;

	CHECK(e0 != NULL);
	if (!e0)
		goto out;
	nforeign = engine_facts(e0)->nforeign;
	engine_fini(e0);
	e = start(tiny_map_count, &nforeign, 1);
	CHECK(e != NULL);
	if (!e)
		goto out;
	CHECK_EQ(engine_config(e)->max_map_count, nforeign + 2);

	add_mmap(p, 0, 16, PROT_READ | PROT_WRITE, PAF);
	add(p, OP_TOUCH, 0, 16);
	add(p, OP_MPROTECT, 4, 1)->prot = PROT_READ; /* two splits */
	add(p, OP_MUNMAP, 0, 16);
	CHECK_EQ(engine_run(e, p, v), VERDICT_DIVERGE);
	CHECK_EQ(v->op, 2);
	CHECK_EQ(v->field, DIV_ERRNO);
	CHECK_EQ(v->model[2].err, ENOMEM);
	CHECK_EQ(v->kernel[2].err, 0);

	f = open_memstream(&rep, &replen);
	CHECK(f != NULL);
	if (!f)
		goto out;
	engine_report(e, f, p, v, sig, sizeof(sig));
	fclose(f);
	CHECK(!strcmp(sig, "mprotect errno model=ENOMEM kernel=0"));
	CHECK(strstr(rep, ">>>") != NULL);
	CHECK(strstr(rep, sig) != NULL);
	CHECK(strstr(rep, "signature: mprotect errno model=ENOMEM kernel=0"));
	CHECK(strstr(rep, engine_facts(e)->release) != NULL);
	/* The layout diff: the kernel split the VMA, the model did not. */
	CHECK(strstr(rep, "layout after op 2") != NULL);
	CHECK(strstr(rep, "100000004000-100000005000 r-- p 0 anon") != NULL);
	CHECK(strstr(rep, "layout before op 2") != NULL);
	if (test_cur_failed)
		fprintf(stderr, "signature: %s\nreport:\n%s", sig, rep);
	/* The engine still works after the report's reruns. */
	p->nops = 1;
	CHECK_EQ(engine_run(e, p, v), VERDICT_AGREE);
out:
	free(rep);
	engine_fini(e);
	free(p);
	free(v);
}

/* OVERCOMMIT_NEVER makes do_mmap() ignore MAP_NORESERVE: the model then
 * gives a NORESERVE mapping VM_ACCOUNT (ac) where this kernel (overcommit
 * 0) gives VM_NORESERVE (nr): only VmFlags differ, not maps. */
static void overcommit_never(struct model_config *c, void *arg)
{
	(void)arg;
	c->overcommit_memory = 2;
}

/* The NORESERVE mmap is op 2 of 5: the first op whose VmFlags differ. */
static struct prog *noreserve_prog(int noreserve)
{
	struct prog *p = new_prog();

	add_mmap(p, 0, 4, PROT_READ | PROT_WRITE, PAF);
	add(p, OP_TOUCH, 0, 1);
	add_mmap(p, 8, 2, PROT_READ | PROT_WRITE,
		 PAF | (noreserve ? MAP_NORESERVE : 0));
	add(p, OP_TOUCH, 8, 1);
	add(p, OP_READ, 0, 4);
	return p;
}

TEST(wrong_overcommit_diverges_on_vmflags)
{
	struct engine *e = start(overcommit_never, NULL, 1);
	struct prog *p = noreserve_prog(1), *q = noreserve_prog(0);
	struct verdict *v = malloc(sizeof(*v));
	static const char want[] = "mmap(private,fixed) vmflags +nr -ac";
	char sig[256] = "", *rep = NULL;
	size_t replen = 0;
	FILE *f;

	CHECK(e != NULL);
	if (!e)
		goto out;
	/* Without NORESERVE both sides account it: agrees with VmFlags. */
	CHECK_EQ(engine_run(e, q, v), VERDICT_AGREE);
	if (v->kind != VERDICT_AGREE)
		print_divergence(e, q, v);
	CHECK_EQ(engine_run(e, p, v), VERDICT_DIVERGE);
	CHECK_EQ(v->op, 2); /* found by reruns, not the end (op 4) */
	CHECK_EQ(v->field, DIV_VMFLAGS);
	CHECK_EQ(engine_stats(e)->vmflags_unconfirmed, 0);
	f = open_memstream(&rep, &replen);
	CHECK(f != NULL);
	if (!f)
		goto out;
	engine_report(e, f, p, v, sig, sizeof(sig));
	fclose(f);
	CHECK(!strcmp(sig, want));
	CHECK(strstr(rep, "divergent: op 2 (mmap), field vmflags") != NULL);
	CHECK(strstr(rep, "~   VmFlags only in model: ac; only in kernel: nr"));
	CHECK(strstr(rep, "VmFlags after op 2 where they differ:") != NULL);
	CHECK(strstr(rep, "warning") == NULL); /* the rerun reproduced it */
	if (test_cur_failed)
		fprintf(stderr, "signature: %s\nreport:\n%s", sig, rep);
out:
	free(rep);
	engine_fini(e);
	free(p);
	free(q);
	free(v);
}

TEST(vmflags_off_ignores_them)
{
	struct engine_opts o;
	struct engine *e;
	struct prog *p = noreserve_prog(1);
	struct verdict *v = malloc(sizeof(*v));
	char err[256];

	engine_opts_default(&o);
	CHECK_EQ(o.vmflags, 1); /* the default ($VMADIFF_VMFLAGS unset) */
	o.executor_path = exec_path;
	o.config_hook = overcommit_never;
	o.vmflags = 0;
	e = engine_init(&o, err, sizeof(err));
	CHECK(e != NULL);
	if (e) {
		CHECK_EQ(engine_run(e, p, v), VERDICT_AGREE);
		engine_fini(e);
	}
	free(p);
	free(v);
}

/* A program that keeps the worker busy for a second or so: bulk mmaps of
 * thousands of one-page VMAs, and munmaps of them. */
static struct prog *slow_prog(void)
{
	struct prog *p = new_prog();

	while (p->nops + 2 <= PROG_MAX_OPS) {
		struct prog_op *op = add_mmap(p, 0, 1, PROT_READ | PROT_WRITE,
					      PAF);

		op->repeat = 8000;
		op->stride = 2;
		add(p, OP_MUNMAP, 0, 16000);
	}
	return p;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* Kills pid with SIGKILL after delay_ms, from a child process. */
static pid_t kill_later(pid_t pid, unsigned delay_ms)
{
	pid_t k = fork();

	if (k == 0) {
		usleep(delay_ms * 1000);
		kill(pid, SIGKILL);
		_exit(0);
	}
	return k;
}

TEST(killed_worker_is_infra_not_divergence)
{
	struct engine *e = start(NULL, NULL, 0); /* no retry */
	struct prog *slow = slow_prog(), *p = new_prog();
	struct verdict *v = malloc(sizeof(*v));
	pid_t worker, killer;
	double t0;

	CHECK(e != NULL);
	if (!e)
		goto out;
	worker = engine_worker_pid(e);
	CHECK(worker > 0);
	t0 = now();
	killer = kill_later(worker, 100);
	CHECK_EQ(engine_run(e, slow, v), VERDICT_INFRA);
	waitpid(killer, NULL, 0);
	if (v->kind != VERDICT_INFRA) {
		fprintf(stderr, "slow program took %.3f s (too fast to kill?)\n",
			now() - t0);
		print_divergence(e, slow, v);
	}
	CHECK(v->kind != VERDICT_DIVERGE);
	CHECK(v->infra_msg[0] != 0);
	CHECK_EQ(engine_stats(e)->infra, 1);
	CHECK_EQ(engine_stats(e)->diverge, 0);
	/* A new worker took over: the next program runs normally. */
	CHECK(engine_worker_pid(e) != worker);
	add_mmap(p, 0, 4, PROT_READ | PROT_WRITE, PAF);
	add(p, OP_MUNMAP, 0, 4);
	CHECK_EQ(engine_run(e, p, v), VERDICT_AGREE);
out:
	engine_fini(e);
	free(slow);
	free(p);
	free(v);
}

TEST(killed_worker_is_retried_once)
{
	struct engine *e = start(NULL, NULL, 1);
	struct prog *slow = slow_prog();
	struct verdict *v = malloc(sizeof(*v));
	pid_t killer;

	CHECK(e != NULL);
	if (!e)
		goto out;
	killer = kill_later(engine_worker_pid(e), 100);
	engine_run(e, slow, v);
	waitpid(killer, NULL, 0);
	/* The rerun on a fresh worker decides the verdict. */
	CHECK(v->kind != VERDICT_INFRA);
	CHECK_EQ(engine_stats(e)->infra_errors, 1);
	CHECK_EQ(engine_stats(e)->infra, 0);
	if (v->kind == VERDICT_DIVERGE)
		fprintf(stderr, "note: the slow program diverges (model)\n");
out:
	engine_fini(e);
	free(slow);
	free(v);
}

TEST(hung_worker_is_infra_not_divergence)
{
	struct engine_opts o;
	struct engine *e;
	struct prog *slow = slow_prog(), *p = new_prog();
	struct verdict *v = malloc(sizeof(*v));
	char err[256];

	engine_opts_default(&o);
	o.executor_path = exec_path;
	o.timeout_ms = 100; /* the slow program needs most of a second */
	o.infra_retries = 1;
	e = engine_init(&o, err, sizeof(err));
	CHECK(e != NULL);
	if (!e)
		goto out;
	CHECK_EQ(engine_run(e, slow, v), VERDICT_INFRA);
	CHECK(strstr(v->infra_msg, "timed out") != NULL);
	CHECK(strstr(v->infra_msg, "2 tries") != NULL);
	CHECK_EQ(engine_stats(e)->infra_errors, 2);
	CHECK_EQ(engine_stats(e)->diverge, 0);
	add_mmap(p, 0, 4, PROT_READ | PROT_WRITE, PAF);
	add(p, OP_MUNMAP, 0, 4);
	CHECK_EQ(engine_run(e, p, v), VERDICT_AGREE);
out:
	engine_fini(e);
	free(slow);
	free(p);
	free(v);
}

static pid_t parent_of(pid_t pid)
{
	char path[64];
	int ppid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	/* pid (comm) state ppid: comm has no spaces here */
	if (fscanf(f, "%*d %*s %*c %d", &ppid) != 1)
		ppid = -1;
	fclose(f);
	return ppid;
}

TEST(killed_executor_is_recovered)
{
	struct engine *e = start(NULL, NULL, 1);
	struct prog *p = new_prog();
	struct verdict *v = malloc(sizeof(*v));
	pid_t worker, super;

	CHECK(e != NULL);
	if (!e)
		goto out;
	add_mmap(p, 0, 4, PROT_READ | PROT_WRITE, PAF);
	add(p, OP_MUNMAP, 0, 4);
	worker = engine_worker_pid(e);
	super = parent_of(worker);
	CHECK(super > 1 && super != getpid());
	if (super > 1 && super != getpid()) {
		kill(super, SIGKILL);
		usleep(20000);
	}
	/* Between programs: the next run notices, restarts, reruns. */
	CHECK(engine_run(e, p, v) != VERDICT_DIVERGE);
	CHECK_EQ(v->kind, VERDICT_AGREE);
	CHECK(engine_worker_pid(e) != worker);
	CHECK_EQ(engine_run(e, p, v), VERDICT_AGREE);
out:
	engine_fini(e);
	free(p);
	free(v);
}

TEST(bad_executor_path_fails_cleanly)
{
	struct engine_opts o;
	char err[256] = "";
	struct engine *e;

	engine_opts_default(&o);
	o.executor_path = "/nonexistent/vmadiff-executor";
	e = engine_init(&o, err, sizeof(err));
	CHECK(e == NULL);
	CHECK(err[0] != 0);
	engine_fini(e);
}

TEST(progfile_tells_text_from_bytes)
{
	struct prog *p = new_prog(), *q = new_prog();
	enum progfile_kind kind = PROGFILE_BINARY;
	char err[256] = "", text[4096];
	uint8_t bytes[4096];
	size_t n;
	static const char bad[] = "this is not a program at all\n";
	static const uint8_t junk[] = { 0x00, 0xff, 0x13, 0x80, 0x01, 0x02 };

	add_mmap(p, 0, 4, PROT_READ | PROT_WRITE, PAF);
	add(p, OP_TOUCH, 1, 2);
	add(p, OP_MUNMAP, 0, 4);

	/* Canonical text parses as text. */
	n = prog_print(p, text, sizeof(text));
	CHECK(n < sizeof(text));
	CHECK_EQ(progfile_from_bytes((const uint8_t *)text, n, q, &kind, err,
				     sizeof(err)),
		 PROGFILE_OK);
	CHECK_EQ(kind, PROGFILE_TEXT);
	CHECK_EQ(q->nops, 3);

	/* Its encoding decodes as bytes to the same program. */
	n = prog_encode(p, bytes, sizeof(bytes));
	CHECK(n > 0 && n <= sizeof(bytes));
	if (n > 0 && n <= sizeof(bytes)) {
		int r = progfile_from_bytes(bytes, n, q, &kind, err,
					    sizeof(err));

		if (r == PROGFILE_OK && kind == PROGFILE_BINARY) {
			CHECK_EQ(q->nops, 3);
			CHECK_EQ(q->ops[1].kind, OP_TOUCH);
		} else {
			/* A printable encoding would be a text error. */
			fprintf(stderr, "encoding read as text: %s\n", err);
			CHECK(0);
		}
	}

	/* Printable garbage is a text file with an error (with a line). */
	CHECK_EQ(progfile_from_bytes((const uint8_t *)bad, sizeof(bad) - 1, q,
				     &kind, err, sizeof(err)),
		 PROGFILE_EPARSE);
	CHECK(err[0] >= '0' && err[0] <= '9');
	/* Binary garbage is a fuzzer input. */
	CHECK_EQ(progfile_from_bytes(junk, sizeof(junk), q, &kind, err,
				     sizeof(err)),
		 PROGFILE_OK);
	CHECK_EQ(kind, PROGFILE_BINARY);
	CHECK(prog_valid(q));
	/* High bytes that are not UTF-8 are not text (a libFuzzer crash). */
	CHECK_EQ(progfile_from_bytes((const uint8_t *)"\n\xf5.\xf8", 4, q,
				     &kind, err, sizeof(err)),
		 PROGFILE_OK);
	CHECK_EQ(kind, PROGFILE_BINARY);
	/* A comment with UTF-8 is still text. */
	CHECK_EQ(progfile_from_bytes((const uint8_t *)"# caf\xc3\xa9\n", 8, q,
				     &kind, err, sizeof(err)),
		 PROGFILE_OK);
	CHECK_EQ(kind, PROGFILE_TEXT);
	CHECK_EQ(q->nops, 0);
	/* Whitespace only: bytes; empty: an empty text program. */
	CHECK_EQ(progfile_from_bytes((const uint8_t *)"\n", 1, q, &kind, err,
				     sizeof(err)),
		 PROGFILE_OK);
	CHECK_EQ(kind, PROGFILE_BINARY);
	CHECK_EQ(progfile_from_bytes((const uint8_t *)"", 0, q, &kind, err,
				     sizeof(err)),
		 PROGFILE_OK);
	CHECK_EQ(kind, PROGFILE_TEXT);
	CHECK_EQ(q->nops, 0);
	/* A missing file is an I/O error with strerror's text. */
	CHECK_EQ(progfile_load("/nonexistent/x.vma", q, &kind, err,
			       sizeof(err)),
		 PROGFILE_EIO);
	CHECK(strstr(err, "No such file") != NULL);
	free(p);
	free(q);
}

int main(void)
{
	const char *env = getenv("VMADIFF_EXECUTOR");

	unsetenv("VMADIFF_VMFLAGS"); /* the tests expect the default: on */

	if (env && *env) {
		snprintf(exec_path, sizeof(exec_path), "%s", env);
	} else {
		/* build/tests/test_engine -> build/vmadiff-executor */
		ssize_t n = readlink("/proc/self/exe", exec_path,
				     sizeof(exec_path) - 40);
		char *slash;

		exec_path[n > 0 ? n : 0] = 0;
		slash = strrchr(exec_path, '/');
		if (slash)
			strcpy(slash, "/../vmadiff-executor");
	}
	RUN(progfile_tells_text_from_bytes);
	RUN(bad_executor_path_fails_cleanly);
	RUN(empty_program_agrees);
	RUN(agreeing_program);
	RUN(wrong_mmap_base_diverges_on_ret);
	RUN(wrong_max_map_count_diverges_on_errno_with_report);
	RUN(wrong_overcommit_diverges_on_vmflags);
	RUN(vmflags_off_ignores_them);
	RUN(killed_worker_is_infra_not_divergence);
	RUN(killed_worker_is_retried_once);
	RUN(killed_executor_is_recovered);
	RUN(hung_worker_is_infra_not_divergence);
	return test_summary();
}
