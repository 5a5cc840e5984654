/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The normalised address-space state and per-op outcome that both sides of
 * vmadiff produce: the model (model/) and the kernel executor (harness/).
 * This header is the only thing model/ may include from outside itself.
 */
#ifndef VMADIFF_SNAPSHOT_H
#define VMADIFF_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

/* What backs a VMA, in a form both sides can name. */
enum snap_backing {
	SNAP_ANON = 0,	/* private anonymous (maps: inode 0, no name)      */
	SNAP_SHMEM = 1, /* MAP_SHARED|MAP_ANONYMOUS: "/dev/zero (deleted)"  */
	SNAP_MEMFD = 2, /* a memfd the program declared (later issues)      */
};

/* smaps VmFlags bit numbers (include/linux/mm.h, x86-64, 6.18). */
enum {
	VMF_READ = 0, VMF_WRITE = 1, VMF_EXEC = 2, VMF_SHARED = 3,
	VMF_MAYREAD = 4, VMF_MAYWRITE = 5, VMF_MAYEXEC = 6, VMF_MAYSHARE = 7,
	VMF_GROWSDOWN = 8, VMF_PFNMAP = 10, VMF_MAYBE_GUARD = 11,
	VMF_LOCKED = 13, VMF_IO = 14, VMF_SEQ_READ = 15, VMF_RAND_READ = 16,
	VMF_DONTCOPY = 17, VMF_DONTEXPAND = 18, VMF_LOCKONFAULT = 19,
	VMF_ACCOUNT = 20, VMF_NORESERVE = 21, VMF_HUGETLB = 22,
	VMF_WIPEONFORK = 25, VMF_DONTDUMP = 26, VMF_SOFTDIRTY = 27,
	VMF_MIXEDMAP = 28,
	VMF_HUGEPAGE = 29, VMF_NOHUGEPAGE = 30, VMF_MERGEABLE = 31,
	VMF_DROPPABLE = 40, VMF_SEALED = 42,
};
#define VMF(bit) (1ull << (bit))

/*
 * One VMA as /proc/self/maps (or PROCMAP_QUERY) shows it, normalised:
 * - prot: PROT_READ|PROT_WRITE|PROT_EXEC bits as printed in maps;
 * - shared: VM_MAYSHARE ('s' in maps);
 * - pgoff: the maps offset >> page shift, i.e. 0 for private anonymous
 *   memory (show_map_vma prints the offset only for file-backed VMAs);
 * - object: for SHMEM/MEMFD, a canonical ordinal of the backing object:
 *   objects are numbered 0,1,.. in order of first appearance by address,
 *   so both sides agree without knowing inode numbers; 0 for ANON;
 * - vmflags: smaps VmFlags bits (VMF_*), 0 when not collected.
 * Foreign VMAs (the executor's own) are never part of a snapshot.
 */
struct snap_vma {
	uint64_t start, end;
	uint64_t pgoff;
	uint64_t vmflags;
	uint8_t prot;
	uint8_t shared;
	uint8_t backing;
	uint8_t object;
	uint32_t pad; /* zero: the struct is hashed as bytes */
};

struct snapshot {
	uint32_t n, cap;
	struct snap_vma *v; /* sorted by start, non-overlapping */
};

/* A half-open address range [start, end). */
struct range {
	uint64_t start, end;
};

/*
 * The outcome of one op on either side.
 * - ret: the syscall's return value (an address for mmap), or for
 *   touch/read the number of pages accessed before a fault (all if none);
 * - err: errno when the call failed (ret == -1), else 0;
 * - sig: SIGSEGV/SIGBUS if a touch/read faulted, else 0;
 * - data: for read, the xxh3-64 of the bytes read (one per page, in
 *   order, up to the fault); 0 otherwise;
 * - skipped: the op's range touches a foreign VMA (or its neighbouring
 *   page), so neither side ran it (see prog_op_is_foreign()).
 */
struct outcome {
	int64_t ret;
	int32_t err;
	int32_t sig;
	uint64_t data;
	uint32_t skipped;
	uint32_t pad;
};

void snapshot_init(struct snapshot *s);
void snapshot_free(struct snapshot *s);
void snapshot_clear(struct snapshot *s);
/* Appends one VMA (growing the array); entries must come in address order. */
void snapshot_push(struct snapshot *s, const struct snap_vma *v);
/* Renumbers SHMEM/MEMFD objects by first appearance (see struct snap_vma). */
void snapshot_canonicalise_objects(struct snapshot *s, const uint64_t *obj_ids);
/* xxh3-64 of the VMA array (vmflags included only if with_vmflags). */
uint64_t snapshot_digest(const struct snapshot *s, int with_vmflags);
/* The smaps VmFlags mnemonic of bit b ("ac"), or NULL if it has none;
 * and the bit of a two-letter mnemonic, or -1. */
const char *vmflag_name(unsigned b);
int vmflag_bit(const char *mn);
int snapshot_equal(const struct snapshot *a, const struct snapshot *b, int with_vmflags);

#endif
