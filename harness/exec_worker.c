// SPDX-License-Identifier: GPL-2.0
/*
 * The worker: probes the facts once, then runs one program per go byte with
 * the op semantics of harness/prog.c, snapshots after every op, and resets
 * in place by unmapping every program VMA. Nothing here allocates after
 * start-up: static buffers and raw syscalls only.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xxhash.h>

#include "../model/model.h"
#include "exec_int.h"

/* Exit code for a snapshot that could not be taken: an executor failure,
 * reported as a death so that it can never look like a divergence. */
#define EXEC_EXIT_SNAPFAIL 66

static struct exec_shm *shm;
static struct exec_facts facts;
static struct prog prog; /* private copy of the request */
static struct range foreign[EXEC_MAX_FOREIGN];
static unsigned nforeign;
static int have_query, use_query;
static uint8_t read_bytes[PROG_WINDOW_PAGES];

static sigjmp_buf fault_jmp;
static volatile sig_atomic_t armed;
static volatile uint64_t fault_addr; /* the byte being accessed */

/*
 * Catches faults of the program's own accesses only: the fault must be on
 * the page being accessed (or a #GP, which reports address 0, for a
 * non-canonical one). Anything else is an executor bug: the default
 * action then kills the worker when the access is retried.
 */
static void on_fault(int sig, siginfo_t *si, void *uc)
{
	uint64_t a = (uint64_t)(uintptr_t)si->si_addr;
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	(void)uc;
	if (armed && si->si_code > 0 &&
	    ((a >> PROG_PAGE_SHIFT) == (fault_addr >> PROG_PAGE_SHIFT) ||
	     (si->si_code == SI_KERNEL && !a &&
	      fault_addr >= facts.task_size))) {
		armed = 0;
		siglongjmp(fault_jmp, sig);
	}
	sigaction(sig, &dfl, NULL);
}

/* Forget whatever the supervisor (and the client before it) installed. */
static void reset_signals(void)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigset_t none;

	for (int s = 1; s < NSIG; s++)
		sigaction(s, &sa, NULL); /* fails harmlessly for KILL, STOP */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* NODEFER: siglongjmp need not restore the mask (no syscall) */
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

static void send_msg(uint32_t kind, uint32_t arg)
{
	struct exec_msg m = { kind, arg };

	if (write(EXEC_FD_MSG, &m, sizeof(m)) != sizeof(m))
		_exit(EXEC_EXIT_GONE);
}

/* Writes touch_byte(seed, i) to (or reads) addr + i * 4096 for i < npages.
 * Returns the signal that stopped it (0: none); *done = pages accessed. */
static int access_pages(uint64_t addr, uint64_t npages, int write,
			uint32_t seed, uint64_t *done)
{
	static volatile uint64_t i; /* survives the siglongjmp */
	int sig;

	i = 0;
	sig = sigsetjmp(fault_jmp, 0);
	if (!sig) {
		armed = 1;
		for (; i < npages; i++) {
			volatile uint8_t *b = (volatile uint8_t *)(uintptr_t)(
				addr + i * PROG_PAGE_SIZE);

			fault_addr = (uint64_t)(uintptr_t)b;
			if (write)
				*b = touch_byte(seed, i);
			else
				read_bytes[i] = *b;
		}
		armed = 0;
	}
	*done = i;
	return sig;
}

/* One op, all its reps (semantics: harness/prog.c); out is shm->out. */
static void run_op(unsigned idx, struct outcome *out)
{
	const struct prog_op *op = &prog.ops[idx];
	int access = op->kind == OP_TOUCH || op->kind == OP_READ;
	uint64_t len = prog_len_bytes(&op->len);
	uint64_t npages = prog_touch_pages(&op->len);
	struct outcome o = { 0 };

	for (uint32_t rep = 0; rep < op->repeat; rep++) {
		uint64_t addr = prog_resolve_addr(&prog, idx, rep, out);
		uint64_t done;
		long r;

		memset(&o, 0, sizeof(o));
		if (prog_op_is_foreign(op, addr, foreign, nforeign)) {
			o.skipped = 1;
			break;
		}
		if (access) {
			o.sig = access_pages(addr, npages, op->kind == OP_TOUCH,
					     idx << 16 | rep, &done);
			o.ret = done;
			if (op->kind == OP_READ)
				o.data = XXH3_64bits(read_bytes, done);
			if (o.sig)
				break;
			continue;
		}
		if (op->kind == OP_MMAP)
			r = syscall(SYS_mmap, addr, len, (unsigned long)op->prot,
				    (unsigned long)op->flags, -1L,
				    (unsigned long)op->off);
		else if (op->kind == OP_MUNMAP)
			r = syscall(SYS_munmap, addr, len);
		else
			r = syscall(SYS_mprotect, addr, len,
				    (unsigned long)op->prot);
		o.ret = r;
		if (r == -1) {
			o.err = errno;
			break;
		}
	}
	out[idx] = o;
}

static const struct snapshot *take(void)
{
	const struct snapshot *s;

	if (snap_take(use_query, &s))
		_exit(EXEC_EXIT_SNAPFAIL);
	return s;
}

static void copy_full(const struct snapshot *s, int with_vmflags)
{
	memcpy(shm->full, s->v, s->n * sizeof(*s->v));
	shm->full_n = s->n;
	if (with_vmflags && snap_vmflags(shm->full, s->n))
		_exit(EXEC_EXIT_SNAPFAIL);
}

/* Unmaps every program VMA (runs of adjacent ones in one call). A VMA
 * that will not go, or a tainted foreign one, needs a fresh worker. */
static void reset(const struct snapshot *s)
{
	for (uint32_t i = 0; i < s->n;) {
		uint64_t start = s->v[i].start, end = s->v[i].end;

		while (++i < s->n && s->v[i].start == end)
			end = s->v[i].end;
		if (syscall(SYS_munmap, start, end - start))
			shm->reforked = 1;
	}
	if (snap_tainted)
		shm->reforked = 1;
}

/* Runs the ops with a snapshot after each; returns the last one (NULL
 * without snapshots). */
static const struct snapshot *run_ops(unsigned nops, int snaps, int full_at,
				      int vmflags)
{
	const struct snapshot *s = NULL;

	if (snaps && full_at == (int)nops)
		copy_full(take(), vmflags);
	for (unsigned i = 0; i < nops; i++) {
		run_op(i, shm->out);
		if (!snaps)
			continue;
		s = take();
		shm->digest[i] = snapshot_digest(s, 0);
		if (full_at == (int)i)
			copy_full(s, vmflags);
	}
	return s;
}

/*
 * The isolation-first design vmadiff bench compares against: the program
 * runs in a fork of the worker that exits afterwards, so there is nothing
 * to reset. The child's fds to /proc/self/{maps,smaps} would show the
 * worker's mm: it opens its own. A child that fails takes the worker with
 * it, with the child's status, so the client sees the usual death.
 */
static void run_isolated(unsigned nops, int snaps, int full_at, int vmflags)
{
	pid_t c = fork();
	int st;

	if (c == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (snap_open())
			_exit(EXEC_EXIT_SNAPFAIL);
		run_ops(nops, snaps, full_at, vmflags);
		_exit(0);
	}
	if (c < 0)
		_exit(EXEC_EXIT_REFORK);
	while (waitpid(c, &st, 0) < 0)
		if (errno != EINTR)
			_exit(EXEC_EXIT_SNAPFAIL);
	if (WIFSIGNALED(st))
		_exit(128 + WTERMSIG(st));
	if (WEXITSTATUS(st))
		_exit(WEXITSTATUS(st));
}

static void run_prog(void)
{
	const struct snapshot *s;
	int snaps, full_at, vmflags;
	unsigned nops;

	memcpy(&prog, &shm->prog, sizeof(prog));
	snaps = shm->snap_mode != EXEC_SNAP_NONE;
	/* QUERY falls back to TEXT on kernels without PROCMAP_QUERY */
	use_query = have_query && shm->snap_mode != EXEC_SNAP_TEXT;
	full_at = shm->full_at;
	vmflags = shm->with_vmflags;
	shm->nops_done = 0;
	shm->reforked = 0;
	shm->full_n = 0;
	nops = prog_valid(&prog) ? prog.nops : 0;

	if (shm->isolate) {
		run_isolated(nops, snaps, full_at, vmflags);
		shm->nops_done = nops;
		return;
	}
	s = run_ops(nops, snaps, full_at, vmflags);
	shm->nops_done = nops;
	reset(s ? s : take());
}

_Noreturn void worker_main(struct exec_shm *sh, pid_t supervisor)
{
	shm = sh;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != supervisor)
		_exit(EXEC_EXIT_GONE);
	reset_signals();
	if (snap_open())
		_exit(EXEC_EXIT_SNAPFAIL);
	probe_facts(&facts);
	have_query = facts.has_procmap_query;
	snap_set_foreign(&facts);
	nforeign = facts.nforeign;
	for (unsigned i = 0; i < nforeign; i++) {
		foreign[i].start = facts.foreign[i].start;
		foreign[i].end = facts.foreign[i].end;
	}
	memcpy(&shm->facts, &facts, sizeof(facts));
	shm->worker_pid = getpid();
	send_msg(EXEC_MSG_READY, 0);

	for (;;) {
		char go;
		ssize_t r = read(EXEC_FD_GO, &go, 1);
		uint32_t seq;

		if (r < 0 && errno == EINTR)
			continue;
		if (r != 1)
			_exit(EXEC_EXIT_GONE);
		seq = shm->seq;
		run_prog();
		send_msg(EXEC_MSG_DONE, seq);
		if (shm->reforked)
			_exit(EXEC_EXIT_REFORK);
	}
}
