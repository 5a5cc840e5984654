/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals of vmadiff-executor (exec_main.c, exec_worker.c, exec_snap.c,
 * exec_probe.c). Nothing here may allocate once the worker is up: every
 * heap or stdio buffer would be a new VMA in the address space under test.
 */
#ifndef VMADIFF_EXEC_INT_H
#define VMADIFF_EXEC_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "exec_proto.h"

/* Worker exit codes the supervisor acts on; any other death is reported. */
#define EXEC_EXIT_REFORK 64 /* after an irreversible program: replace me */
#define EXEC_EXIT_GONE 65   /* the client closed the go channel */

/* A VMA as the kernel reports it, before normalisation. */
struct kvma {
	uint64_t start, end, offset, inode;
	uint32_t dev_major, dev_minor;
	uint8_t prot;	  /* PROT_READ|PROT_WRITE|PROT_EXEC */
	uint8_t shared;	  /* VM_MAYSHARE */
	const char *name; /* text mode only: NUL-terminated, "" if none */
};

/* exec_snap.c */
/* Opens /proc/self/{maps,smaps} (closing the ones open before): must run
 * in the process whose layout is snapshot, again after a fork. */
int snap_open(void);
int snap_has_query(void);
/* Every VMA below task_size, in address order, from the maps text. */
int snap_each_text(void (*fn)(const struct kvma *k, void *arg), void *arg);
/* Sets the foreign ranges snapshots exclude (facts->foreign). */
void snap_set_foreign(const struct exec_facts *f);
/*
 * The program's VMAs now: every VMA not overlapping a foreign range,
 * objects canonicalised, vmflags 0. use_query selects PROCMAP_QUERY over
 * the maps text. Returns a static snapshot; 0 on success, -1 if the
 * snapshot could not be taken.
 */
int snap_take(int use_query, const struct snapshot **s);
/* Forgets the snapshot's VMAs (the program's are all gone: a reset) and
 * returns the empty snapshot. */
const struct snapshot *snap_clear(void);
/* Whether the last snapshot's VMAs cover all of [lo, hi). */
int snap_covers(uint64_t lo, uint64_t hi);
/*
 * Brings the last snapshot up to date after calls that changed at most
 * the pages [lo, hi) (PROCMAP_QUERY only): re-reads the VMAs there and
 * next to it, at most max of them. 0 on success; 1 if a full snapshot is
 * needed instead (too many VMAs, a foreign VMA changed); -1 if the ioctl
 * failed.
 */
#define SNAP_UPDATE_MAX 4096u
int snap_update(uint64_t lo, uint64_t hi, uint32_t max,
		const struct snapshot **s);
/* Fills vmflags of v[0..n) (sorted) from smaps VmFlags. */
int snap_vmflags(struct snap_vma *v, uint32_t n);
/* Set when a snapshot found a foreign VMA changed (a program VMA merged
 * into it) or more VMAs than fit: the worker must be replaced. */
extern int snap_tainted;

/* exec_files.c */
/* Creates the memfds of a valid program at PROG_FILE_FD_BASE + k (struct
 * prog_file) and closes the other file fds; -1 on failure. */
int files_open(const struct prog *p);
/* Closes every program file fd. */
void files_close(void);
/* Whether a VMA's file (maps dev and inode) is one of the memfds the
 * last files_open() created. */
int files_is_memfd(uint32_t major, uint32_t minor, uint64_t ino);

/* exec_probe.c */
void probe_facts(struct exec_facts *f);
/* VmLck of /proc/self/status in kB: the worker's mm->locked_vm. */
uint64_t probe_locked_kb(void);

/* exec_worker.c */
_Noreturn void worker_main(struct exec_shm *shm, pid_t supervisor);

#endif
