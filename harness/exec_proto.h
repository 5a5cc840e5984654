/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The protocol between the client (in the fuzzer or CLI process) and
 * vmadiff-executor. One shared-memory block carries the program in and the
 * per-op outcomes and digests out; a pipe carries one go byte per program
 * and one message per program back: no per-op round trips.
 *
 * Processes: client --fork+exec--> executor (supervisor) --fork--> worker.
 * fd 3: the shared memory (a memfd made by the client), fd 4: go pipe
 * (client -> worker), fd 5: message pipe (worker and supervisor -> client).
 */
#ifndef VMADIFF_EXEC_PROTO_H
#define VMADIFF_EXEC_PROTO_H

#include <stdint.h>

#include "prog.h"

#define EXEC_MAGIC 0x766d6164u /* "vmad" */
#define EXEC_VERSION 5u
#define EXEC_MAX_FOREIGN 64
#define EXEC_MAX_SNAP 70000u /* > max_map_count */
#define EXEC_FD_SHM 3
#define EXEC_FD_GO 4
#define EXEC_FD_MSG 5

enum exec_snap_mode {
	EXEC_SNAP_QUERY = 0, /* PROCMAP_QUERY ioctl (6.11+) */
	EXEC_SNAP_TEXT = 1,  /* parse /proc/self/maps */
	EXEC_SNAP_NONE = 2,  /* bare replay: no snapshots (vmadiff bench) */
};

/* What the worker learnt about the kernel and its own layout at start. */
struct exec_facts {
	char release[65];	 /* uname -r */
	uint8_t has_procmap_query;
	uint8_t has_mseal;
	uint8_t has_maybe_guard; /* smaps prints `gu` */
	uint8_t cap_ipc_lock, cap_sys_rawio, aslr_off, cap_sys_resource;
	uint8_t has_soft_dirty;	 /* smaps prints `sd` on a new VMA */
	uint8_t pad3[7];
	uint32_t kver;		 /* KVER() of the release */
	uint64_t task_size;
	uint64_t mmap_base;	 /* end of the block the first top-down mmap hits */
	uint64_t mmap_min_addr, max_map_count, stack_guard_gap;
	uint64_t rlimit_stack, rlimit_memlock, rlimit_memlock_max, rlimit_as;
	int32_t overcommit_memory;
	int32_t thp;		 /* enum thp_mode values: 0 never, 1 madvise, 2 always */
	uint32_t nforeign;
	uint32_t pad2;
	struct snap_vma foreign[EXEC_MAX_FOREIGN];
};

/* Messages on fd 5, 8 bytes each (atomic pipe writes). */
enum exec_msg_kind {
	EXEC_MSG_READY = 1, /* a new worker is up; facts are valid */
	EXEC_MSG_DONE = 2,  /* program `seq` finished; results are valid */
	EXEC_MSG_DIED = 3,  /* the worker died; arg = wait status */
};
struct exec_msg {
	uint32_t kind;
	uint32_t arg; /* DONE: seq; DIED: wait status */
};

struct exec_shm {
	uint32_t magic, version;
	int32_t worker_pid; /* written by each worker at start */
	uint32_t size;	    /* sizeof(struct exec_shm): catches a client and an
			       executor built from different trees */
	struct exec_facts facts;

	/* request, written by the client before the go byte */
	uint32_t seq;
	uint32_t snap_mode;  /* enum exec_snap_mode */
	int32_t full_at;     /* op index whose full snapshot is wanted, or -1;
				 nops means: the state before op 0 */
	uint32_t with_vmflags; /* read smaps VmFlags into full snapshots */
	uint32_t isolate;    /* run the program in a fresh fork of the worker
				(vmadiff bench's isolation-first mode) */
	uint32_t pad_req;
	struct prog prog;

	/* response, valid after DONE(seq) */
	uint32_t nops_done;
	uint32_t reforked;   /* the worker will be replaced (irreversible) */
	uint32_t rechecked;  /* the per-op snapshots, which re-read only
				what each op could change, missed a change:
				the results are from a rerun with full ones */
	uint32_t pad_resp;
	struct outcome out[PROG_MAX_OPS];
	uint64_t digest[PROG_MAX_OPS]; /* snapshot_digest after each op */
	uint32_t full_n;
	uint32_t pad3;
	struct snap_vma full[EXEC_MAX_SNAP];
};

#endif
