// SPDX-License-Identifier: GPL-2.0
/*
 * The worker: probes the facts once, then runs one program per go byte with
 * the op semantics of harness/prog.c, snapshots after every op, and resets
 * in place by unmapping every program VMA. Nothing here allocates after
 * start-up: static buffers and raw syscalls only.
 */
#include <errno.h>
#include <linux/capability.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xxhash.h>

#include "../model/model.h"
#include "exec_int.h"

/* Exit code for a snapshot that could not be taken: an executor failure,
 * reported as a death so that it can never look like a divergence. */
#define EXEC_EXIT_SNAPFAIL 66
#define SYS_mseal_ 462 /* 6.10; glibc 2.36 lacks SYS_mseal */

static struct exec_shm *shm;
static struct exec_facts facts;
static struct prog prog; /* private copy of the request */
static struct range foreign[EXEC_MAX_FOREIGN];
static unsigned nforeign;
static int have_query, use_query;
static uint8_t read_bytes[PROG_WINDOW_PAGES];

/* OP_FORK: how many forks deep this process is (the program's last child
 * exits after its last op), and whether this one handed the rest of the
 * program to a child (then its address space is mid-program). */
static unsigned fork_depth;
static int forked;

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

/*
 * The pages an op's calls may have changed (their union over the reps),
 * for snap_update(); empty when lo >= hi. access: the op only touched or
 * read pages, which changes the layout only where no VMA was (a fault
 * that grows a GROWSDOWN VMA).
 */
struct window {
	uint64_t lo, hi;
	int access;
};

static void window_add(struct window *w, uint64_t addr, uint64_t len)
{
	uint64_t lo = addr & ~(PROG_PAGE_SIZE - 1), hi = addr + len;

	/* the calls round len up to pages; a range that wraps fails */
	hi = hi < addr || hi > UINT64_MAX - PROG_PAGE_SIZE
		     ? UINT64_MAX
		     : (hi + PROG_PAGE_SIZE - 1) & ~(PROG_PAGE_SIZE - 1);
	if (w->lo >= w->hi) {
		w->lo = lo;
		w->hi = hi;
		return;
	}
	w->lo = lo < w->lo ? lo : w->lo;
	w->hi = hi > w->hi ? hi : w->hi;
}

/* window_add of [addr, addr + len) widened to multiples of align. */
static void window_add_aligned(struct window *w, uint64_t addr, uint64_t len,
			       uint64_t align)
{
	uint64_t lo = addr & ~(align - 1), end = addr + len;

	end = end < addr || end > UINT64_MAX - align
		      ? UINT64_MAX
		      : (end + align - 1) & ~(align - 1);
	window_add(w, lo, end - lo);
}

/* setrlimit(RLIMIT_MEMLOCK, {len, len}): raising the hard limit takes
 * CAP_SYS_RESOURCE (EPERM without). */
static long memlock_limit(uint64_t len)
{
	struct rlimit r = { len, len };

	return setrlimit(RLIMIT_MEMLOCK, &r);
}

/* Takes CAP_IPC_LOCK out of the effective, permitted and inheritable sets,
 * keeping every other capability (capset(2), version 3: two u32 words). */
static long drop_ipc_lock(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	struct __user_cap_data_struct *w = &d[CAP_TO_INDEX(CAP_IPC_LOCK)];

	if (syscall(SYS_capget, &h, d))
		return -1;
	w->effective &= ~CAP_TO_MASK(CAP_IPC_LOCK);
	w->permitted &= ~CAP_TO_MASK(CAP_IPC_LOCK);
	w->inheritable &= ~CAP_TO_MASK(CAP_IPC_LOCK);
	return syscall(SYS_capset, &h, d);
}

/*
 * Waits for a child that runs (the rest of) the program. Its failure is
 * the worker's: the worker exits with the child's status, so the client
 * sees the usual death; a hung child dies of PDEATHSIG when the watchdog
 * kills the worker.
 */
static void wait_child(pid_t c)
{
	int st;

	while (waitpid(c, &st, 0) < 0)
		if (errno != EINTR)
			_exit(EXEC_EXIT_SNAPFAIL);
	if (WIFSIGNALED(st))
		_exit(128 + WTERMSIG(st));
	if (WEXITSTATUS(st))
		_exit(WEXITSTATUS(st));
}

/* In a new child: dies with its parent, and snapshots its own layout
 * (the inherited fds to /proc/self/maps show the parent's). */
static void child_init(pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1); /* the parent is gone: nobody reads our results */
	if (snap_open())
		_exit(EXEC_EXIT_SNAPFAIL);
}

/*
 * OP_FORK: the child runs the rest of the program (its outcome: ret 0)
 * and exits; the parent waits for it. Returns 1 in the parent once the
 * child is done, 0 where the program goes on: the child, or the caller
 * when fork() failed (ret -1, err errno).
 */
static int fork_op(struct outcome *o)
{
	pid_t parent = getpid(), c;

	memset(o, 0, sizeof(*o));
	c = fork();
	if (c < 0) {
		o->ret = -1;
		o->err = errno;
		return 0;
	}
	if (c == 0) {
		child_init(parent);
		fork_depth++;
		return 0;
	}
	wait_child(c);
	forked = 1;
	return 1;
}

/* One op, all its reps (semantics: harness/prog.c); out is shm->out. */
static void run_op(unsigned idx, struct outcome *out, struct window *w)
{
	const struct prog_op *op = &prog.ops[idx];
	int access = op->kind == OP_TOUCH || op->kind == OP_READ;
	int whole = op->kind == OP_MLOCKALL || op->kind == OP_MUNLOCKALL;
	int rangeless = whole || op->kind == OP_MEMLOCK_LIMIT ||
			op->kind == OP_DROP_IPC_LOCK;
	int placed = op->kind == OP_MMAP &&
		     !(op->flags & (MAP_FIXED | MAP_FIXED_NOREPLACE));
	uint64_t len = prog_len_bytes(&op->len);
	uint64_t len2 = prog_len_bytes(&op->len2);
	uint64_t npages = prog_touch_pages(&op->len);
	uint64_t align = op->kind == OP_MMAP ? prog_mmap_align(op) : PROG_PAGE_SIZE;
	struct outcome o = { 0 };

	w->lo = w->hi = 0;
	w->access = access;
	/* (un)locking every VMA may merge program VMAs anywhere */
	if (whole)
		w->hi = facts.task_size;
	for (uint32_t rep = 0; rep < op->repeat; rep++) {
		uint64_t addr = prog_resolve_addr(&prog, idx, rep, out);
		uint64_t addr2 = prog_resolve_addr2(&prog, idx, rep, out);
		uint64_t done;
		long r;

		memset(&o, 0, sizeof(o));
		if (prog_op_is_foreign(op, addr, addr2, foreign, nforeign)) {
			o.skipped = 1;
			break;
		}
		if (access) {
			window_add(w, addr, npages * PROG_PAGE_SIZE);
			o.sig = access_pages(addr, npages, op->kind == OP_TOUCH,
					     idx << 16 | rep, &done);
			o.ret = done;
			if (op->kind == OP_READ)
				o.data = XXH3_64bits(read_bytes, done);
			if (o.sig)
				break;
			continue;
		}
		/* where the kernel places a mapping, only the result counts */
		if (!placed && !rangeless)
			window_add_aligned(w, addr, len, align);
		/* mremap: growth in place, and the unmapped fixed target */
		if (op->kind == OP_MREMAP)
			window_add(w, addr,
				   prog_mremap_span(addr, len > len2 ? len : len2));
		if (op->kind == OP_MREMAP && (op->flags & MREMAP_FIXED))
			window_add(w, addr2, prog_mremap_span(addr2, len2));
		if (op->kind == OP_MMAP)
			r = syscall(SYS_mmap, addr, len, (unsigned long)op->prot,
				    (unsigned long)op->flags,
				    op->fd ? PROG_FILE_FD_BASE + op->fd - 1L : -1L,
				    (unsigned long)op->off);
		else if (op->kind == OP_MREMAP)
			r = syscall(SYS_mremap, addr, len, len2,
				    (unsigned long)op->flags, addr2);
		else if (op->kind == OP_MUNMAP)
			r = syscall(SYS_munmap, addr, len);
		else if (op->kind == OP_MADVISE)
			r = syscall(SYS_madvise, addr, len, (long)(int)op->flags);
		else if (op->kind == OP_MLOCK)
			r = syscall(SYS_mlock2, addr, len, (long)(int)op->flags);
		else if (op->kind == OP_MUNLOCK)
			r = syscall(SYS_munlock, addr, len);
		else if (op->kind == OP_MSEAL)
			r = syscall(SYS_mseal_, addr, len,
				    (unsigned long)op->flags);
		else if (op->kind == OP_MPROTECT)
			r = syscall(SYS_mprotect, addr, len,
				    (unsigned long)op->prot);
		else if (op->kind == OP_MLOCKALL)
			r = syscall(SYS_mlockall, (unsigned long)op->flags);
		else if (op->kind == OP_MUNLOCKALL)
			r = syscall(SYS_munlockall);
		else if (op->kind == OP_MEMLOCK_LIMIT)
			r = memlock_limit(len);
		else if (op->kind == OP_DROP_IPC_LOCK)
			r = drop_ipc_lock();
		else
			r = -1, errno = ENOSYS;
		/* def_flags, rlimits, capabilities and locked foreign VMAs
		 * stay with the process, even after a failure: only a new
		 * worker is clean */
		if (rangeless)
			shm->reforked = 1;
		o.ret = r;
		if (r == -1) {
			o.err = errno;
			break;
		}
		/* sealed VMAs never unmap: only a new worker is clean */
		if (op->kind == OP_MSEAL)
			shm->reforked = 1;
		if (op->kind == OP_MMAP)
			window_add_aligned(w, (uint64_t)r, len, align);
		else if (op->kind == OP_MREMAP)
			window_add(w, (uint64_t)r, prog_mremap_span(r, len2));
	}
	out[idx] = o;
}

/* A full snapshot: PROCMAP_QUERY costs an ioctl per VMA, the maps text
 * a line per VMA plus a read: past SNAP_TEXT_MIN program VMAs (counted
 * at the last snapshot) the text is cheaper. */
#define SNAP_TEXT_MIN 16
static uint32_t last_n;

static const struct snapshot *take(void)
{
	const struct snapshot *s;

	if (snap_take(use_query && last_n < SNAP_TEXT_MIN, &s))
		_exit(EXEC_EXIT_SNAPFAIL);
	last_n = s->n;
	return s;
}

/* The snapshot after an op that changed at most w (incremental mode):
 * none is needed when it changed nothing (skipped, or a failed mmap the
 * kernel was to place) or only accessed pages inside known VMAs. A window
 * with more VMAs than half the layout costs more than a full snapshot. */
static const struct snapshot *update(const struct snapshot *s,
				     const struct window *w)
{
	int r;

	if (w->lo >= w->hi || (w->access && snap_covers(w->lo, w->hi)))
		return s;
	r = snap_update(w->lo, w->hi, last_n / 2 + SNAP_TEXT_MIN, &s);
	if (r < 0)
		_exit(EXEC_EXIT_SNAPFAIL);
	if (r)
		return take();
	last_n = s->n;
	return s;
}

/* vmflags are 0 in these snapshots: the one-shot hash of the array is the
 * same value as snapshot_digest(s, 0), which hashes VMA by VMA. */
static uint64_t digest(const struct snapshot *s)
{
	return snapshot_digest(s, 1);
}

static void copy_full(const struct snapshot *s, int with_vmflags)
{
	memcpy(shm->full, s->v, s->n * sizeof(*s->v));
	shm->full_n = s->n;
	if (with_vmflags && snap_vmflags(shm->full, s->n))
		_exit(EXEC_EXIT_SNAPFAIL);
}

/* Can the program lock memory (mm->locked_vm) without making the worker
 * one that is replaced anyway (mlockall and the limit ops)? */
static int locks_memory(const struct prog *p, unsigned nops)
{
	for (unsigned i = 0; i < nops; i++)
		if (p->ops[i].kind == OP_MLOCK ||
		    (p->ops[i].kind == OP_MMAP && (p->ops[i].flags & MAP_LOCKED)))
			return 1;
	return 0;
}

/* VmLck (kB) of a fresh worker, before any program. */
static uint64_t locked_kb0;

/* Unmaps every program VMA, one call per stretch between foreign VMAs
 * (the holes in a stretch unmap harmlessly). A VMA that will not go, or
 * a tainted foreign one, needs a fresh worker. */
static void reset(const struct snapshot *s)
{
	unsigned f = 0;

	for (uint32_t i = 0; i < s->n;) {
		uint64_t start = s->v[i].start, end = s->v[i].end, limit;

		while (f < nforeign && foreign[f].end <= start)
			f++;
		limit = f < nforeign ? foreign[f].start : UINT64_MAX;
		while (++i < s->n && s->v[i].start < limit)
			end = s->v[i].end;
		if (syscall(SYS_munmap, start, end - start))
			shm->reforked = 1;
	}
	if (snap_tainted)
		shm->reforked = 1;
	/* mm->locked_vm can outlive the locked VMAs (6.16+ leaks a moved
	 * range's pages on a DONTUNMAP move, dontunmap_complete() in
	 * mm/mremap.c), and the model starts every program from none */
	if (locks_memory(&prog, prog.nops) && probe_locked_kb() != locked_kb0)
		shm->reforked = 1;
}

/*
 * Creates the program's files, then runs the ops with a snapshot after
 * each; returns the last one (NULL without snapshots; with inc, the empty
 * one without ops). inc: after a reset the program has no VMAs, and each
 * op's snapshot re-reads only the range the op could change. After a
 * fork op only the last child reaches the end (and exits there); its
 * parents return NULL with forked set.
 */
static const struct snapshot *run_ops(unsigned nops, int snaps, int inc,
				      int full_at, int vmflags)
{
	const struct snapshot *s = NULL;

	if (files_open(&prog))
		_exit(EXEC_EXIT_SNAPFAIL);
	if (inc) {
		s = snap_clear();
		last_n = 0;
	}
	if (snaps && full_at == (int)nops)
		copy_full(take(), vmflags);
	for (unsigned i = 0; i < nops; i++) {
		struct window w;

		if (prog.ops[i].kind != OP_FORK) {
			run_op(i, shm->out, &w);
		} else if (fork_op(&shm->out[i])) {
			return NULL;
		} else {
			/* the child lacks DONTFORK VMAs: the window is all */
			w.lo = 0;
			w.hi = facts.task_size;
			w.access = 0;
		}
		if (!snaps)
			continue;
		s = inc ? update(s, &w) : take();
		shm->digest[i] = digest(s);
		if (full_at == (int)i)
			copy_full(s, vmflags);
	}
	if (fork_depth)
		_exit(0);
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
	pid_t parent = getpid(), c = fork();

	if (c == 0) {
		child_init(parent);
		run_ops(nops, snaps, 0, full_at, vmflags);
		_exit(0);
	}
	if (c < 0)
		_exit(EXEC_EXIT_SNAPFAIL);
	wait_child(c);
}

static int has_fork(const struct prog *p, unsigned nops)
{
	for (unsigned i = 0; i < nops; i++)
		if (p->ops[i].kind == OP_FORK)
			return 1;
	return 0;
}

static void run_prog(void)
{
	const struct snapshot *s, *all;
	int snaps, inc, full_at, vmflags;
	unsigned nops;
	uint64_t want;

	memcpy(&prog, &shm->prog, sizeof(prog));
	snaps = shm->snap_mode != EXEC_SNAP_NONE;
	/* QUERY falls back to TEXT on kernels without PROCMAP_QUERY */
	use_query = have_query && shm->snap_mode != EXEC_SNAP_TEXT;
	full_at = shm->full_at;
	vmflags = shm->with_vmflags;
	shm->nops_done = 0;
	shm->reforked = 0;
	shm->rechecked = 0;
	shm->full_n = 0;
	/* an invalid program runs as the empty one: no ops, no files */
	if (!prog_valid(&prog))
		prog.nops = prog.nfiles = 0;
	nops = prog.nops;
	forked = 0;

	if (shm->isolate) {
		run_isolated(nops, snaps, full_at, vmflags);
		shm->nops_done = nops;
		return;
	}
	/*
	 * Incremental snapshots unless a full one is wanted (a report), or
	 * the program forks: the final check below would see the parent,
	 * while the results are the last child's. The end-of-program VmFlags
	 * check (full_at = the last op) keeps them: the copy it takes is the
	 * last incremental snapshot, which the final check below confirms
	 * (and on a mismatch the rerun takes full snapshots throughout).
	 */
	inc = snaps && use_query &&
	      (full_at < 0 || (vmflags && full_at == (int)nops - 1)) &&
	      !has_fork(&prog, nops);
	s = run_ops(nops, snaps, inc, full_at, vmflags);
	shm->nops_done = nops;
	if (forked) {
		/* the parent's address space is mid-program */
		shm->reforked = 1;
		return;
	}
	if (!inc) {
		reset(s ? s : take());
		return;
	}
	/*
	 * Each op's snapshot re-read only what the op could change; a full
	 * one now must match the last. If it does not, something changed
	 * outside an op's range: the program runs again, from a reset, with
	 * full snapshots, and those are the results.
	 */
	want = digest(s);
	all = take();
	if (digest(all) == want) {
		reset(all);
		return;
	}
	reset(all);
	shm->rechecked = 1;
	s = run_ops(nops, snaps, 0, full_at, vmflags);
	reset(s ? s : take());
}

_Noreturn void worker_main(struct exec_shm *sh, pid_t supervisor)
{
	shm = sh;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != supervisor)
		_exit(EXEC_EXIT_GONE);
	reset_signals();
	setrlimit(RLIMIT_AS, &(struct rlimit){ PROG_RLIMIT_AS, PROG_RLIMIT_AS });
	if (snap_open())
		_exit(EXEC_EXIT_SNAPFAIL);
	probe_facts(&facts);
	locked_kb0 = probe_locked_kb();
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
		files_close();
		send_msg(EXEC_MSG_DONE, seq);
		if (shm->reforked)
			_exit(EXEC_EXIT_REFORK);
	}
}
