// SPDX-License-Identifier: GPL-2.0
/*
 * The client side of the executor protocol (harness/client.h): spawns
 * vmadiff-executor, hands it programs through the shared block, and turns
 * deaths, hangs and a vanished executor into statuses. Runs inside the
 * fuzzer (ASan, libFuzzer): between fork and execve the child only makes
 * async-signal-safe calls, and it never returns into the fuzzer.
 */
#include "client.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EXEC_START_TIMEOUT_MS 10000
#define EXEC_DEFAULT_TIMEOUT_MS 10000

struct executor {
	pid_t pid; /* the supervisor */
	int shm_fd, go_fd, msg_fd;
	struct exec_shm *shm;
	unsigned timeout_ms;
	uint32_t seq;
	int64_t deadline; /* of the program under way */
	unsigned generation;
	int ready;  /* a READY came and no program ran since */
	int broken; /* restarting failed: every run is EXEC_BROKEN */
	char path[PATH_MAX];
};

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Next message before the deadline: 1 got one, 0 timed out, -1 the
 * executor is gone (EOF) or the pipe failed. */
static int next_msg(struct executor *e, struct exec_msg *m, int64_t deadline)
{
	struct pollfd p = { .fd = e->msg_fd, .events = POLLIN };
	size_t got = 0;

	for (;;) {
		int64_t left = deadline - now_ms();
		int r = poll(&p, 1, left <= 0 ? 0 : left > INT_MAX ? INT_MAX
							       : (int)left);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
		break;
	}
	/* writers send whole 8-byte messages (atomic on a pipe) */
	while (got < sizeof(*m)) {
		ssize_t r = read(e->msg_fd, (char *)m + got, sizeof(*m) - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += r;
	}
	return 1;
}

/* Waits for a worker's READY; deaths before it (start-up) and stale
 * DONEs are skipped. 0, or -1 on timeout or a gone executor. */
static int wait_ready(struct executor *e, unsigned ms)
{
	int64_t deadline = now_ms() + ms;
	struct exec_msg m;

	for (;;) {
		if (next_msg(e, &m, deadline) != 1)
			return -1;
		if (m.kind == EXEC_MSG_READY) {
			e->ready = 1;
			e->generation++;
			return 0;
		}
	}
}

/* Consumes messages that came after the last run (a late death). */
static int drain(struct executor *e)
{
	struct exec_msg m;
	int r;

	while ((r = next_msg(e, &m, 0)) == 1) {
		if (m.kind == EXEC_MSG_DIED)
			e->ready = 0;
		else if (m.kind == EXEC_MSG_READY && !e->ready) {
			e->ready = 1;
			e->generation++;
		}
	}
	return r;
}

/* In the child between fork and execve: async-signal-safe calls only. */
static _Noreturn void exec_child(const char *path, pid_t parent, int shm,
				 int go, int msg)
{
	static char *const argv[] = { "vmadiff-executor", NULL };
	/* no environment: a stable stack and nothing for a libc to act on */
	static char *const envp[] = { NULL };
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	int fds[3] = { shm, go, msg };
	sigset_t none;
	int null, pers;

	/* move the three above 3..5 first: any of them may sit there */
	for (int i = 0; i < 3; i++)
		if ((fds[i] = fcntl(fds[i], F_DUPFD, 10)) < 0)
			_exit(127);
	for (int i = 0; i < 3; i++)
		if (dup2(fds[i], EXEC_FD_SHM + i) < 0)
			_exit(127);
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
	}
	/* fd 2 stays: the executor's fatal messages go to our stderr */
	if (syscall(SYS_close_range, 6u, ~0u, 0u))
		for (int fd = 6; fd < 65536; fd++)
			close(fd);
	for (int s = 1; s < NSIG; s++)
		sigaction(s, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	pers = personality(0xffffffff);
	if (pers != -1)
		personality(pers | ADDR_NO_RANDOMIZE); /* may be refused */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	execve(path, argv, envp);
	_exit(127);
}

static void kill_worker(struct executor *e)
{
	pid_t w = e->shm->worker_pid;

	/* the pid comes from shared memory: never kill(0) or kill(-1) */
	if (w > 1 && w != e->pid && w != getpid())
		kill(w, SIGKILL);
}

/* Stops and reaps the executor. Closing the go socket lets an idle worker
 * exit and the supervisor reap it and follow; a busy one dies of
 * PDEATHSIG once the supervisor is killed (killing the worker by a pid
 * that may be stale could hit an unrelated process). */
static void stop_process(struct executor *e)
{
	if (e->go_fd >= 0)
		close(e->go_fd);
	if (e->msg_fd >= 0)
		close(e->msg_fd);
	e->go_fd = e->msg_fd = -1;
	e->ready = 0;
	if (e->pid <= 0)
		return;
	for (int ms = 0; ms < 100; ms++) {
		pid_t r = waitpid(e->pid, NULL, WNOHANG);

		if (r == e->pid || (r < 0 && errno != EINTR)) {
			e->pid = -1;
			return;
		}
		usleep(1000);
	}
	kill(e->pid, SIGKILL);
	while (waitpid(e->pid, NULL, 0) < 0 && errno == EINTR)
		;
	e->pid = -1;
}

static int spawn(struct executor *e, char *err, size_t errlen)
{
	int go[2], msg[2], st;
	pid_t pid, self = getpid();

	/* a socket for go: send(MSG_NOSIGNAL) reports a gone reader as
	 * EPIPE without touching the fuzzer's SIGPIPE disposition */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, go)) {
		snprintf(err, errlen, "socketpair: %s", strerror(errno));
		return -1;
	}
	if (pipe2(msg, O_CLOEXEC)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		close(go[0]);
		close(go[1]);
		return -1;
	}
	e->shm->worker_pid = 0;
	pid = fork();
	if (pid == 0)
		exec_child(e->path, self, e->shm_fd, go[1], msg[1]);
	close(go[1]);
	close(msg[1]);
	e->go_fd = go[0];
	e->msg_fd = msg[0];
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		stop_process(e);
		return -1;
	}
	e->pid = pid;
	if (!wait_ready(e, EXEC_START_TIMEOUT_MS))
		return 0;

	kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	e->pid = -1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		snprintf(err, errlen, "cannot execute %s", e->path);
	else if (WIFEXITED(st))
		snprintf(err, errlen, "%s exited with status %d at start-up",
			 e->path, WEXITSTATUS(st));
	else
		snprintf(err, errlen, "%s not ready within %d ms", e->path,
			 EXEC_START_TIMEOUT_MS);
	stop_process(e);
	return -1;
}

/* The executor is gone: one restart; EXEC_DIED if it worked. */
static enum exec_status restart(struct executor *e)
{
	char err[256];

	stop_process(e);
	if (!spawn(e, err, sizeof(err)))
		return EXEC_DIED;
	fprintf(stderr, "vmadiff: executor restart failed: %s\n", err);
	e->broken = 1;
	return EXEC_BROKEN;
}

static int find_executor(const char *path, char *out, size_t len)
{
	const char *env = getenv("VMADIFF_EXECUTOR");
	char self[PATH_MAX];
	ssize_t n;
	char *slash;

	if (path || (env && *env))
		return snprintf(out, len, "%s", path ? path : env) >= (int)len;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return -1;
	self[n] = 0;
	slash = strrchr(self, '/');
	if (slash)
		*slash = 0;
	return snprintf(out, len, "%s/vmadiff-executor", self) >= (int)len;
}

struct executor *executor_start(const char *path, unsigned timeout_ms,
				char *err, size_t errlen)
{
	struct executor *e = calloc(1, sizeof(*e));

	if (!e) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	e->pid = -1;
	e->go_fd = e->msg_fd = -1;
	e->timeout_ms = timeout_ms ? timeout_ms : EXEC_DEFAULT_TIMEOUT_MS;
	if (find_executor(path, e->path, sizeof(e->path))) {
		snprintf(err, errlen, "cannot locate vmadiff-executor");
		free(e);
		return NULL;
	}
	if (access(e->path, X_OK)) {
		snprintf(err, errlen,
			 "%s: %s (pass a path or set VMADIFF_EXECUTOR)",
			 e->path, strerror(errno));
		free(e);
		return NULL;
	}
	e->shm_fd = memfd_create("vmadiff-shm", MFD_CLOEXEC);
	if (e->shm_fd < 0 || ftruncate(e->shm_fd, sizeof(*e->shm))) {
		snprintf(err, errlen, "shared block: %s", strerror(errno));
		goto fail;
	}
	e->shm = mmap(NULL, sizeof(*e->shm), PROT_READ | PROT_WRITE,
		      MAP_SHARED, e->shm_fd, 0);
	if (e->shm == MAP_FAILED) {
		e->shm = NULL;
		snprintf(err, errlen, "mmap shared block: %s",
			 strerror(errno));
		goto fail;
	}
	e->shm->magic = EXEC_MAGIC;
	e->shm->version = EXEC_VERSION;
	e->shm->size = sizeof(*e->shm);
	e->shm->full_at = -1;
	if (!spawn(e, err, errlen))
		return e;
fail:
	if (e->shm)
		munmap(e->shm, sizeof(*e->shm));
	if (e->shm_fd >= 0)
		close(e->shm_fd);
	free(e);
	return NULL;
}

void executor_stop(struct executor *e)
{
	if (!e)
		return;
	stop_process(e);
	munmap(e->shm, sizeof(*e->shm));
	close(e->shm_fd);
	free(e);
}

struct exec_shm *executor_shm(struct executor *e)
{
	return e->shm;
}

enum exec_status executor_begin(struct executor *e)
{
	if (e->broken)
		return EXEC_BROKEN;
	if (drain(e) < 0)
		return restart(e);
	if (!e->ready && wait_ready(e, EXEC_START_TIMEOUT_MS))
		return restart(e);
	e->shm->seq = ++e->seq;
	if (send(e->go_fd, "g", 1, MSG_NOSIGNAL) != 1)
		return restart(e);
	e->ready = 0;
	e->deadline = now_ms() + e->timeout_ms;
	return EXEC_OK;
}

enum exec_status executor_wait(struct executor *e)
{
	struct exec_msg m;

	for (;;) {
		int r = next_msg(e, &m, e->deadline);

		if (r < 0)
			return restart(e);
		if (r == 0) {
			kill_worker(e);
			if (wait_ready(e, EXEC_START_TIMEOUT_MS) &&
			    restart(e) == EXEC_BROKEN)
				return EXEC_BROKEN;
			return EXEC_TIMEOUT;
		}
		if (m.kind == EXEC_MSG_DONE && m.arg == e->seq) {
			/* a replacement worker is coming: let it write its
			 * facts before the caller looks at them */
			if (!e->shm->reforked)
				e->ready = 1;
			else if (wait_ready(e, EXEC_START_TIMEOUT_MS))
				restart(e); /* the results stay valid */
			return EXEC_OK;
		}
		if (m.kind == EXEC_MSG_DIED) {
			if (wait_ready(e, EXEC_START_TIMEOUT_MS))
				return restart(e);
			return EXEC_DIED;
		}
		/* a stale DONE or READY: keep waiting */
	}
}

enum exec_status executor_run(struct executor *e)
{
	enum exec_status st = executor_begin(e);

	return st == EXEC_OK ? executor_wait(e) : st;
}

unsigned executor_generation(const struct executor *e)
{
	return e->generation;
}

pid_t executor_worker_pid(const struct executor *e)
{
	return e->shm->worker_pid;
}
