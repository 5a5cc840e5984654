/* SPDX-License-Identifier: GPL-2.0 */
/* The client side of the executor protocol (harness/exec_proto.h). */
#ifndef VMADIFF_CLIENT_H
#define VMADIFF_CLIENT_H

#include <stddef.h>
#include <sys/types.h>

#include "exec_proto.h"

enum exec_status {
	EXEC_OK = 0,
	EXEC_DIED = 1,	  /* worker died mid-program; a new one is ready */
	EXEC_TIMEOUT = 2, /* worker hung; killed; a new one is ready */
	EXEC_BROKEN = 3,  /* the executor itself is gone and could not restart */
};

struct executor;

/*
 * Starts vmadiff-executor: path NULL means $VMADIFF_EXECUTOR, else
 * "vmadiff-executor" beside /proc/self/exe. timeout_ms: per-program
 * watchdog. Returns NULL with a message in err on failure.
 */
struct executor *executor_start(const char *path, unsigned timeout_ms,
				char *err, size_t errlen);
void executor_stop(struct executor *e);

/* The shared block: write the request fields, then executor_run(). */
struct exec_shm *executor_shm(struct executor *e);
/* Runs shm->prog; blocks until DONE, death or timeout. */
enum exec_status executor_run(struct executor *e);
/*
 * executor_run in two halves, so that the caller can work (run the model)
 * while the worker runs the program: begin sends the go byte and returns
 * EXEC_OK, or the status of a failure to start (then there is nothing to
 * wait for); wait blocks until DONE, death or timeout. The shared block
 * belongs to the worker in between.
 */
enum exec_status executor_begin(struct executor *e);
enum exec_status executor_wait(struct executor *e);
/* Number of workers started so far (1 after executor_start). */
unsigned executor_generation(const struct executor *e);
pid_t executor_worker_pid(const struct executor *e);

#endif
