// SPDX-License-Identifier: GPL-2.0
/*
 * The executor against the real kernel: facts, op outcomes, snapshot modes,
 * reset in place, deaths, hangs and the foreign guard. Needs the executor
 * binary: $VMADIFF_EXECUTOR, else vmadiff-executor beside this binary.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "../harness/client.h"
#include "../model/model.h"
#include "test.h"

#define W PROG_WINDOW_BASE
#define PG PROG_PAGE_SIZE
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define RW (PROT_READ | PROT_WRITE)

static struct executor *ex;
static struct exec_shm *shm;

static struct prog_op *add(struct prog *p, int kind, uint32_t page,
			   uint32_t pages)
{
	struct prog_op *op = &p->ops[p->nops++];

	memset(op, 0, sizeof(*op));
	op->kind = kind;
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

static struct prog_op *add_raw(struct prog *p, int kind, uint64_t addr,
			       uint32_t pages)
{
	struct prog_op *op = add(p, kind, 0, pages);

	op->addr.kind = ADDR_RAW;
	op->addr.raw = addr;
	return op;
}

static enum exec_status run_on(struct executor *e, const struct prog *p,
			       int mode, int full_at, int vmflags)
{
	struct exec_shm *s = executor_shm(e);

	s->prog = *p;
	s->snap_mode = mode;
	s->full_at = full_at;
	s->with_vmflags = vmflags;
	return executor_run(e);
}

static enum exec_status run(const struct prog *p, int mode, int full_at)
{
	return run_on(ex, p, mode, full_at, 0);
}

/* Never kill(0) or kill(-1): they would take the test down too. */
static void kill_worker(pid_t w)
{
	CHECK(w > 1);
	if (w > 1)
		kill(w, SIGKILL);
}

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

/* A program that runs for seconds: a bulk touch of 64 MiB, 65536 times. */
static void long_prog(struct prog *p)
{
	struct prog_op *op;

	memset(p, 0, sizeof(*p));
	add_mmap(p, 0, 16384, RW, ANON | MAP_FIXED);
	op = add(p, OP_TOUCH, 0, 16384);
	op->repeat = PROG_MAX_REPEAT;
}

static void small_prog(struct prog *p)
{
	memset(p, 0, sizeof(*p));
	add_mmap(p, 0, 2, RW, ANON | MAP_FIXED);
	add(p, OP_TOUCH, 0, 2);
}

static void check_small_ok(void)
{
	struct prog p;

	small_prog(&p);
	CHECK_EQ(run(&p, EXEC_SNAP_QUERY, -1), EXEC_OK);
	CHECK_EQ(shm->nops_done, 2);
	CHECK_EQ(shm->out[0].ret, W);
	CHECK_EQ(shm->out[1].ret, 2);
	CHECK_EQ(shm->out[1].sig, 0);
}

TEST(facts_sane)
{
	const struct exec_facts *f = &shm->facts;
	int stack = 0;

	CHECK(f->release[0] != 0);
	CHECK(f->kver >= KVER(4, 0, 0));
	CHECK(f->task_size >= (1ull << 47) - PG);
	CHECK_EQ(f->mmap_base % PG, 0);
	CHECK(f->mmap_base > W + (PROG_WINDOW_PAGES * PG));
	CHECK(f->mmap_base <= f->task_size);
	CHECK(f->nforeign > 0 && f->nforeign <= EXEC_MAX_FOREIGN);
	CHECK(f->max_map_count > 1000);
	CHECK(f->stack_guard_gap >= PG);
	CHECK(f->rlimit_stack > 0);
	for (unsigned i = 0; i < f->nforeign; i++) {
		CHECK(f->foreign[i].start < f->foreign[i].end);
		CHECK(f->foreign[i].end <= f->task_size);
		if (i)
			CHECK(f->foreign[i - 1].end <= f->foreign[i].start);
		if (f->foreign[i].vmflags & VMF(VMF_GROWSDOWN))
			stack++;
	}
	CHECK_EQ(stack, 1);
	if (f->aslr_off)
		CHECK_EQ(f->mmap_base, 0x7ffff7fff000ull);
	if (f->kver >= KVER(6, 11, 0))
		CHECK(f->has_procmap_query);
	if (f->kver >= KVER(6, 10, 0))
		CHECK(f->has_mseal);
	CHECK_EQ(executor_generation(ex), 1);
	CHECK(executor_worker_pid(ex) > 1);
}

TEST(basic_outcomes)
{
	struct prog p = { 0 };
	uint8_t bytes[4] = { touch_byte(3 << 16, 0), 0, 0, 0 };
	struct prog_op *op;
	const struct snap_vma *v = shm->full;

	add_mmap(&p, 0, 4, RW, ANON | MAP_FIXED);  /* 0 */
	add(&p, OP_MPROTECT, 1, 1)->prot = PROT_READ; /* 1 */
	add(&p, OP_TOUCH, 0, 1);		     /* 2 */
	add(&p, OP_TOUCH, 0, 4);		     /* 3: faults on page 1 */
	add(&p, OP_READ, 0, 4);			     /* 4 */
	op = add(&p, OP_MPROTECT, 0, 1);	     /* 5: misaligned */
	op->addr.off = 1;
	add_mmap(&p, 8, 0, RW, ANON | MAP_FIXED);    /* 6: len 0 */
	add(&p, OP_MUNMAP, 0, 4);		     /* 7 */
	add(&p, OP_READ, 0, 1);			     /* 8 */

	CHECK_EQ(run(&p, EXEC_SNAP_QUERY, 1), EXEC_OK);
	CHECK_EQ(shm->nops_done, p.nops);
	CHECK_EQ(shm->out[0].ret, W);
	CHECK_EQ(shm->out[0].err, 0);
	CHECK_EQ(shm->out[1].ret, 0);
	CHECK_EQ(shm->out[2].ret, 1);
	CHECK_EQ(shm->out[2].sig, 0);
	CHECK_EQ(shm->out[3].ret, 1);
	CHECK_EQ(shm->out[3].sig, SIGSEGV);
	CHECK_EQ(shm->out[3].err, 0);
	CHECK_EQ(shm->out[4].ret, 4);
	CHECK_EQ(shm->out[4].sig, 0);
	CHECK_EQ(shm->out[4].data, XXH3_64bits(bytes, 4));
	CHECK_EQ(shm->out[5].ret, -1);
	CHECK_EQ(shm->out[5].err, EINVAL);
	CHECK_EQ(shm->out[6].ret, -1);
	CHECK_EQ(shm->out[6].err, EINVAL);
	CHECK_EQ(shm->out[7].ret, 0);
	CHECK_EQ(shm->out[8].ret, 0);
	CHECK_EQ(shm->out[8].sig, SIGSEGV);
	CHECK_EQ(shm->out[8].data, XXH3_64bits(NULL, 0));
	for (unsigned i = 0; i < p.nops; i++)
		CHECK_EQ(shm->out[i].skipped, 0);

	/* after op 1: rw | r | rw */
	CHECK_EQ(shm->full_n, 3);
	CHECK_EQ(v[0].start, W);
	CHECK_EQ(v[0].end, W + PG);
	CHECK_EQ(v[0].prot, RW);
	CHECK_EQ(v[1].end, W + 2 * PG);
	CHECK_EQ(v[1].prot, PROT_READ);
	CHECK_EQ(v[2].end, W + 4 * PG);
	CHECK_EQ(v[2].backing, SNAP_ANON);
	CHECK_EQ(v[2].shared, 0);
	CHECK(shm->digest[0] != shm->digest[1]);
	/* after the munmap the program has no VMA left */
	{
		struct snapshot empty = { 0 };

		CHECK_EQ(shm->digest[7], snapshot_digest(&empty, 0));
	}
}

/* Programs that exercise splits, merges, shared objects and placement. */
static void mixed_prog(struct prog *p, int which)
{
	struct prog_op *op;

	memset(p, 0, sizeof(*p));
	switch (which) {
	case 0:
		add_mmap(p, 0, 64, RW, ANON | MAP_FIXED);
		op = add(p, OP_MPROTECT, 0, 1);
		op->prot = PROT_READ;
		op->repeat = 32;
		op->stride = 2;
		add(p, OP_TOUCH, 0, 64);
		add(p, OP_MUNMAP, 10, 3);
		break;
	case 1:
		add_mmap(p, 0, 4, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED);
		add_mmap(p, 4, 4, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED);
		add_mmap(p, 8, 4, PROT_READ, ANON | MAP_FIXED);
		add(p, OP_MPROTECT, 1, 1)->prot = PROT_NONE;
		add(p, OP_TOUCH, 4, 4);
		add(p, OP_MUNMAP, 5, 1);
		break;
	case 2:
		add_raw(p, OP_MMAP, 0, 3)->prot = RW;
		p->ops[0].flags = ANON;
		add_raw(p, OP_MMAP, 0, 5)->prot = PROT_READ;
		p->ops[1].flags = ANON;
		op = add(p, OP_TOUCH, 0, 3);
		op->addr.kind = ADDR_REF;
		op->addr.ref = 0;
		op = add(p, OP_MPROTECT, 1, 1);
		op->addr.kind = ADDR_REF;
		op->addr.ref = 1;
		op->prot = RW;
		add_mmap(p, 100, 512, RW, ANON | MAP_FIXED);
		add(p, OP_TOUCH, 100, 512);
		break;
	}
}

TEST(query_equals_text)
{
	static struct snap_vma full[2][EXEC_MAX_SNAP];
	uint64_t dig[2][PROG_MAX_OPS];
	struct outcome out[2][PROG_MAX_OPS];
	uint32_t n[2];
	struct prog p;

	if (!shm->facts.has_procmap_query)
		return;
	for (int which = 0; which < 3; which++) {
		mixed_prog(&p, which);
		for (int at = 0; at <= (int)p.nops; at++) {
			for (int m = 0; m < 2; m++) {
				CHECK_EQ(run_on(ex, &p, m ? EXEC_SNAP_TEXT
							  : EXEC_SNAP_QUERY,
						at, 1),
					 EXEC_OK);
				n[m] = shm->full_n;
				memcpy(full[m], shm->full, n[m] * sizeof(*full[m]));
				memcpy(dig[m], shm->digest, sizeof(dig[m]));
				memcpy(out[m], shm->out, sizeof(out[m]));
			}
			CHECK_EQ(n[0], n[1]);
			CHECK(!memcmp(full[0], full[1], n[0] * sizeof(*full[0])));
			CHECK(!memcmp(dig[0], dig[1], p.nops * sizeof(uint64_t)));
			CHECK(!memcmp(out[0], out[1],
				      p.nops * sizeof(struct outcome)));
			if (at < (int)p.nops) {
				struct snapshot s = { n[0], n[0], full[0] };

				CHECK_EQ(snapshot_digest(&s, 0), dig[0][at]);
			}
			for (uint32_t i = 0; i < n[0]; i++)
				CHECK(full[0][i].vmflags & VMF(VMF_MAYREAD));
		}
	}
	/* which 1: the two shared mappings are objects 0 and 1 */
	mixed_prog(&p, 1);
	CHECK_EQ(run(&p, EXEC_SNAP_TEXT, 2), EXEC_OK);
	CHECK_EQ(shm->full_n, 3);
	CHECK_EQ(shm->full[0].backing, SNAP_SHMEM);
	CHECK_EQ(shm->full[0].object, 0);
	CHECK_EQ(shm->full[1].object, 1);
	CHECK_EQ(shm->full[1].shared, 1);
	CHECK_EQ(shm->full[2].backing, SNAP_ANON);
}

TEST(reset_equivalence)
{
	struct outcome out[PROG_MAX_OPS];
	uint64_t dig[PROG_MAX_OPS];
	unsigned gen;
	struct prog p, q;
	int rounds;

	mixed_prog(&p, 2);
	CHECK_EQ(run(&p, EXEC_SNAP_QUERY, -1), EXEC_OK);
	memcpy(out, shm->out, sizeof(out));
	memcpy(dig, shm->digest, sizeof(dig));
	CHECK(out[0].ret > (int64_t)W && out[0].ret < (int64_t)shm->facts.mmap_base);
	for (rounds = 0; rounds < 4; rounds++) {
		mixed_prog(&q, rounds % 3);
		CHECK_EQ(run(&q, EXEC_SNAP_TEXT, -1), EXEC_OK);
		if (rounds == 2) {
			/* a fresh worker must behave the same */
			gen = executor_generation(ex);
			kill_worker(executor_worker_pid(ex));
			usleep(20000);
			CHECK_EQ(run(&q, EXEC_SNAP_NONE, -1), EXEC_OK);
			CHECK_EQ(executor_generation(ex), gen + 1);
		}
		CHECK_EQ(run(&p, EXEC_SNAP_QUERY, -1), EXEC_OK);
		CHECK(!memcmp(out, shm->out, p.nops * sizeof(*out)));
		CHECK(!memcmp(dig, shm->digest, p.nops * sizeof(*dig)));
	}
}

TEST(worker_killed)
{
	struct prog p;
	unsigned gen = executor_generation(ex);
	pid_t w = executor_worker_pid(ex), killer;
	double t0;

	CHECK(w > 1);
	long_prog(&p);
	killer = fork();
	if (killer == 0) {
		usleep(200000);
		if (w > 1)
			kill(w, SIGKILL);
		_exit(0);
	}
	t0 = now_us();
	CHECK_EQ(run(&p, EXEC_SNAP_QUERY, -1), EXEC_DIED);
	CHECK(now_us() - t0 < 3e6);
	waitpid(killer, NULL, 0);
	CHECK_EQ(executor_generation(ex), gen + 1);
	CHECK(executor_worker_pid(ex) != w);
	check_small_ok();
}

TEST(worker_hangs)
{
	char err[256];
	struct executor *e = executor_start(NULL, 300, err, sizeof(err));
	struct exec_shm *s;
	struct prog p;
	double t0;

	CHECK(e != NULL);
	if (!e)
		return;
	s = executor_shm(e);
	long_prog(&p);
	t0 = now_us();
	CHECK_EQ(run_on(e, &p, EXEC_SNAP_QUERY, -1, 0), EXEC_TIMEOUT);
	CHECK(now_us() - t0 < 2e6);
	CHECK_EQ(executor_generation(e), 2);
	small_prog(&p);
	CHECK_EQ(run_on(e, &p, EXEC_SNAP_QUERY, -1, 0), EXEC_OK);
	CHECK_EQ(s->out[0].ret, W);
	CHECK_EQ(s->out[1].ret, 2);
	executor_stop(e);
}

TEST(faults_are_outcomes)
{
	static const uint64_t bad[] = {
		0x800000000000ull,	/* non-canonical: #GP, si_addr 0 */
		0x1000000000000000ull,	/* non-canonical */
		0xffff800000000000ull,	/* kernel half */
		0xffffffffff600000ull,	/* [vsyscall], execute-only */
	};
	unsigned gen = executor_generation(ex);
	struct prog p = { 0 };

	add(&p, OP_TOUCH, 5, 3); /* nothing mapped in the window */
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		add_raw(&p, OP_TOUCH, bad[i], 2);
		add_raw(&p, OP_READ, bad[i], 1);
	}
	add_mmap(&p, 0, 2, PROT_NONE, ANON | MAP_FIXED);
	add(&p, OP_READ, 0, 2);
	CHECK_EQ(run(&p, EXEC_SNAP_QUERY, -1), EXEC_OK);
	CHECK_EQ(shm->nops_done, p.nops);
	for (unsigned i = 0; i < p.nops; i++) {
		if (p.ops[i].kind == OP_MMAP)
			continue;
		CHECK_EQ(shm->out[i].ret, 0);
		CHECK_EQ(shm->out[i].sig, SIGSEGV);
		CHECK_EQ(shm->out[i].skipped, 0);
	}
	CHECK_EQ(executor_generation(ex), gen);
}

TEST(foreign_guard)
{
	const struct exec_facts *f = &shm->facts;
	uint64_t stack = 0, below;
	unsigned gen = executor_generation(ex);
	struct prog p = { 0 };
	struct prog_op *op;

	for (unsigned i = 0; i < f->nforeign; i++)
		if (f->foreign[i].vmflags & VMF(VMF_GROWSDOWN))
			stack = f->foreign[i].start;
	CHECK(stack != 0);
	below = stack - PG; /* the neighbouring page counts as foreign */
	add_raw(&p, OP_MUNMAP, stack, 1);
	add_raw(&p, OP_MPROTECT, stack, 1)->prot = PROT_NONE;
	op = add_raw(&p, OP_MMAP, below, 1);
	op->prot = RW;
	op->flags = ANON | MAP_FIXED;
	add_raw(&p, OP_TOUCH, stack, 1);
	add_raw(&p, OP_READ, f->foreign[0].start, 1);
	/* a bulk op is skipped at the first foreign rep */
	op = add(&p, OP_MUNMAP, 0, 1);
	op->addr.kind = ADDR_RAW;
	op->addr.raw = below - 4 * PG;
	op->repeat = 8;
	op->stride = 1;
	/* MAP_FIXED at 0 binds the address: as root it would map page 0 up,
	 * here over the executor's text at 4 MiB */
	op = add_raw(&p, OP_MMAP, 0, 2048);
	op->prot = RW;
	op->flags = ANON | MAP_FIXED;
	add_raw(&p, OP_MMAP, 0, 1)->prot = RW; /* the kernel picks: no guard */
	p.ops[p.nops - 1].flags = ANON;
	CHECK_EQ(run(&p, EXEC_SNAP_QUERY, -1), EXEC_OK);
	for (unsigned i = 0; i < p.nops - 1; i++) {
		CHECK_EQ(shm->out[i].skipped, 1);
		CHECK_EQ(shm->out[i].ret, 0);
	}
	CHECK_EQ(shm->out[p.nops - 1].skipped, 0);
	CHECK(shm->out[p.nops - 1].ret > 0);
	CHECK_EQ(executor_generation(ex), gen);
	/* a small MAP_FIXED at 0 stays clear of the binary: it runs */
	memset(&p, 0, sizeof(p));
	op = add_raw(&p, OP_MMAP, 0, 16);
	op->prot = RW;
	op->flags = ANON | MAP_FIXED;
	CHECK_EQ(run(&p, EXEC_SNAP_QUERY, -1), EXEC_OK);
	CHECK_EQ(shm->out[0].skipped, 0);
	CHECK_EQ(executor_generation(ex), gen);
	check_small_ok();
}

TEST(invalid_program)
{
	struct prog p = { 0 };

	add(&p, OP_TOUCH, 0, 1)->repeat = 0;
	CHECK_EQ(run(&p, EXEC_SNAP_QUERY, -1), EXEC_OK);
	CHECK_EQ(shm->nops_done, 0);
	check_small_ok();
}

/* A bulk op up to max_map_count: tens of thousands of VMAs in one snapshot
 * (text read in many chunks), then the reset must clear them all. */
TEST(map_count_limit)
{
	static struct snap_vma full[EXEC_MAX_SNAP];
	struct prog p = { 0 };
	struct prog_op *op;
	uint64_t dig;
	uint32_t n;

	if (!shm->facts.has_procmap_query ||
	    shm->facts.max_map_count > EXEC_MAX_SNAP - 100)
		return;
	add_mmap(&p, 0, PROG_WINDOW_PAGES, RW, ANON | MAP_FIXED | MAP_NORESERVE);
	op = add(&p, OP_MPROTECT, 0, 1);
	op->prot = PROT_READ;
	op->repeat = PROG_MAX_REPEAT;
	op->stride = 2;
	CHECK_EQ(run(&p, EXEC_SNAP_QUERY, 1), EXEC_OK);
	CHECK_EQ(shm->out[1].ret, -1);
	CHECK_EQ(shm->out[1].err, ENOMEM);
	n = shm->full_n;
	CHECK(n + shm->facts.nforeign >= shm->facts.max_map_count - 1);
	memcpy(full, shm->full, n * sizeof(*full));
	dig = shm->digest[1];
	CHECK_EQ(run(&p, EXEC_SNAP_TEXT, 1), EXEC_OK);
	CHECK_EQ(shm->full_n, n);
	CHECK(!memcmp(full, shm->full, n * sizeof(*full)));
	CHECK_EQ(shm->digest[1], dig);
	check_small_ok();
}

static pid_t supervisor_of(pid_t worker)
{
	char path[64], buf[4096];
	FILE *f;
	pid_t ppid = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)worker);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(buf, sizeof(buf), f))
		if (sscanf(buf, "PPid: %d", &ppid) == 1)
			break;
	fclose(f);
	return ppid;
}

/* The executor itself dies: the client restarts it once. */
TEST(executor_restart)
{
	pid_t w = executor_worker_pid(ex), sup = supervisor_of(w);
	unsigned gen = executor_generation(ex);
	struct prog p;

	CHECK(sup > 1 && sup != getpid());
	if (sup <= 1 || sup == getpid())
		return;
	kill(sup, SIGKILL);
	usleep(20000);
	small_prog(&p);
	CHECK_EQ(run(&p, EXEC_SNAP_QUERY, -1), EXEC_DIED);
	CHECK_EQ(executor_generation(ex), gen + 1);
	CHECK(supervisor_of(executor_worker_pid(ex)) != sup);
	check_small_ok();
}

TEST(start_errors)
{
	char err[256] = "";

	CHECK(!executor_start("/nonexistent/vmadiff-executor", 1000, err,
			      sizeof(err)));
	CHECK(strstr(err, "/nonexistent/vmadiff-executor") != NULL);
	err[0] = 0;
	CHECK(!executor_start("/bin/true", 1000, err, sizeof(err)));
	CHECK(strstr(err, "exited with status 0") != NULL);
}

int main(void)
{
	char err[256];

	ex = executor_start(NULL, 20000, err, sizeof(err));
	if (!ex) {
		fprintf(stderr, "test_executor: %s\n", err);
		return 1;
	}
	shm = executor_shm(ex);
	RUN(facts_sane);
	RUN(basic_outcomes);
	RUN(query_equals_text);
	RUN(reset_equivalence);
	RUN(worker_killed);
	RUN(worker_hangs);
	RUN(faults_are_outcomes);
	RUN(foreign_guard);
	RUN(invalid_program);
	RUN(map_count_limit);
	RUN(executor_restart);
	RUN(start_errors);
	executor_stop(ex);
	return test_summary();
}
