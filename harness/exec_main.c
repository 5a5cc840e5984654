// SPDX-License-Identifier: GPL-2.0
/*
 * vmadiff-executor: the supervisor. Maps the shared block (fd 3), forks a
 * worker (exec_worker.c) and replaces it whenever it dies (reported to the
 * client as EXEC_MSG_DIED) or leaves after an irreversible program (not
 * reported: the new worker's READY is all the client waits for). Workers
 * are forks of this process, so every one starts from the same layout.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec_int.h"

/* Workers that die before READY this many times in a row: give up. */
#define EXEC_MAX_EARLY_DEATHS 3

static _Noreturn void fatal(const char *msg)
{
	struct iovec iov[] = {
		{ "vmadiff-executor: ", 18 },
		{ (void *)msg, strlen(msg) },
		{ "\n", 1 },
	};
	ssize_t r = writev(2, iov, 3);

	(void)r; /* exiting anyway */
	_exit(1);
}

int main(void)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };
	struct exec_shm *shm;
	unsigned early = 0;
	pid_t self;

	/* the client set PDEATHSIG before execve; it may have died since */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		return 1;
	/* a gone client shows up as EPIPE, not as a signal */
	sigaction(SIGPIPE, &ign, NULL);
	/* a killed worker's fork op children die of PDEATHSIG right after
	 * it: as their subreaper this process reaps them (pid 1 may not) */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE, MAP_SHARED,
		   EXEC_FD_SHM, 0);
	if (shm == MAP_FAILED)
		fatal("cannot map the shared block (fd 3)");
	if (shm->magic != EXEC_MAGIC || shm->version != EXEC_VERSION ||
	    shm->size != sizeof(*shm))
		fatal("protocol mismatch: rebuild the client and the executor");
	self = getpid();

	for (;;) {
		struct exec_msg m = { EXEC_MSG_DIED, 0 };
		pid_t w = fork(), r;
		char go;
		int st;

		if (w < 0)
			fatal("fork failed");
		if (w == 0)
			worker_main(shm, self);
		while ((r = waitpid(-1, &st, 0)) != w)
			if (r < 0 && errno != EINTR)
				fatal("waitpid failed");
		if (WIFEXITED(st) && WEXITSTATUS(st) == EXEC_EXIT_GONE)
			return 0;
		if (shm->worker_pid != w) {
			if (++early == EXEC_MAX_EARLY_DEATHS)
				fatal("workers keep dying at start-up");
		} else {
			early = 0;
		}
		if (WIFEXITED(st) && WEXITSTATUS(st) == EXEC_EXIT_REFORK)
			continue;
		/* a go byte sent to the dead worker must not start the next
		 * one on a request the client is about to rewrite */
		while (recv(EXEC_FD_GO, &go, 1, MSG_DONTWAIT) == 1)
			;
		m.arg = (uint32_t)st;
		if (write(EXEC_FD_MSG, &m, sizeof(m)) != sizeof(m))
			return 0;
	}
}
