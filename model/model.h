/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The executable model of the Linux VMA layer. Pure C: no syscalls, no
 * global state; every rule cites the kernel function it mirrors.
 * The API is syscall-shaped (addresses and lengths already resolved), so
 * model/ never sees the program type (harness/prog.h).
 */
#ifndef VMADIFF_MODEL_H
#define VMADIFF_MODEL_H

#include <stdint.h>

#include "../oracle/snapshot.h"

#define KVER(a, b, c) (((a) << 16) | ((b) << 8) | (c))

enum thp_mode { THP_NEVER, THP_MADVISE, THP_ALWAYS };

/*
 * Everything the model needs to know about the kernel it predicts. Filled at
 * start-up from the running kernel (harness probes it; engine/ converts),
 * or by tests by hand.
 */
struct model_config {
	uint32_t kver;		 /* KVER(6, 18, 44) */
	uint64_t page_size;	 /* 4096 */
	uint64_t task_size;	 /* 0x7ffffffff000 with 4-level paging */
	uint64_t mmap_base;	 /* top of the top-down window (probed) */
	uint64_t mmap_legacy_base; /* bottom-up fallback start */
	uint64_t mmap_min_addr;	 /* /proc/sys/vm/mmap_min_addr */
	uint64_t max_map_count;	 /* /proc/sys/vm/max_map_count */
	uint64_t stack_guard_gap; /* bytes; 256 pages by default */
	uint64_t rlimit_stack;	 /* RLIMIT_STACK cur, bytes */
	uint64_t rlimit_memlock; /* RLIMIT_MEMLOCK cur, bytes */
	uint64_t rlimit_memlock_max; /* RLIMIT_MEMLOCK max, bytes */
	uint64_t rlimit_as;	 /* RLIMIT_AS cur, bytes (UINT64_MAX: none) */
	int overcommit_memory;	 /* vm.overcommit_memory */
	enum thp_mode thp;	 /* /sys/kernel/mm/transparent_hugepage/enabled */
	uint8_t cap_ipc_lock;	 /* CAP_IPC_LOCK effective */
	uint8_t cap_sys_rawio;	 /* CAP_SYS_RAWIO effective (mmap_min_addr) */
	uint8_t cap_sys_resource; /* CAP_SYS_RESOURCE effective (setrlimit) */
	/* probed: smaps prints `sd` on a new VMA (CONFIG_MEM_SOFT_DIRTY) */
	uint8_t has_soft_dirty;
	uint8_t has_maybe_guard; /* probed: smaps prints `gu` (VM_MAYBE_GUARD) */
	uint8_t has_mseal;	 /* probed: mseal(2) exists */
	/* CONFIG_LSM_MMAP_MIN_ADDR (65536 here; 0 without CONFIG_SECURITY):
	 * hints and searches use max(mmap_min_addr, this) (security/min_addr.c) */
	uint64_t lsm_mmap_min_addr;
	/* totalram_pages() + total_swap_pages, i.e. (MemTotal + SwapTotal)
	 * in pages: the OVERCOMMIT_GUESS limit of a single request
	 * (__vm_enough_memory, mm/util.c) */
	uint64_t totalram_pages;
};

/* Fills cfg with this machine's facts as documented (6.18, x86-64, 4-level
 * paging, no ASLR); tests start from it and override fields. */
void model_config_default(struct model_config *cfg);

struct model;

/*
 * foreign: the executor's own VMAs (sorted). They occupy address space and
 * count towards max_map_count, but the model never changes them.
 * Returns NULL on allocation failure.
 */
struct model *model_create(const struct model_config *cfg,
			   const struct snap_vma *foreign, unsigned nforeign);
void model_destroy(struct model *m);
/* Back to the state right after model_create (what the executor's in-place
 * reset does to the worker). */
void model_reset(struct model *m);

/* The calls. Each fills *out exactly as the kernel side would (see struct
 * outcome); arguments are the raw syscall arguments. */
void model_mmap(struct model *m, uint64_t addr, uint64_t len, uint64_t prot,
		uint64_t flags, int fd, uint64_t off, struct outcome *out);
void model_munmap(struct model *m, uint64_t addr, uint64_t len,
		  struct outcome *out);
void model_mprotect(struct model *m, uint64_t addr, uint64_t len,
		    uint64_t prot, struct outcome *out);
/* mremap(addr, old_len, new_len, flags, new_addr): ret is the address. */
void model_mremap(struct model *m, uint64_t addr, uint64_t old_len,
		  uint64_t new_len, uint64_t flags, uint64_t new_addr,
		  struct outcome *out);
/* madvise(addr, len, advice): every advice but MADV_COLLAPSE,
 * MADV_HWPOISON and MADV_SOFT_OFFLINE, which the model does not know (it
 * calls them invalid: programs never contain them). */
void model_madvise(struct model *m, uint64_t addr, uint64_t len,
		   uint64_t advice, struct outcome *out);
/* mlock2(addr, len, flags); mlock() is mlock2() with flags 0. */
void model_mlock2(struct model *m, uint64_t addr, uint64_t len,
		  uint64_t flags, struct outcome *out);
void model_munlock(struct model *m, uint64_t addr, uint64_t len,
		   struct outcome *out);
/* mseal(addr, len, flags): ENOSYS before 6.10 (kver_mseal). */
void model_mseal(struct model *m, uint64_t addr, uint64_t len, uint64_t flags,
		 struct outcome *out);
/* touch writes touch_byte(seed, i) at addr + i*page for i < npages;
 * read reads the byte at each of those addresses (see struct outcome). */
void model_touch(struct model *m, uint64_t addr, uint64_t npages,
		 uint32_t seed, struct outcome *out);
void model_read(struct model *m, uint64_t addr, uint64_t npages,
		struct outcome *out);

/*
 * memfd k of the program (struct prog_file in harness/prog.h): a shmem
 * file of size bytes, held at fd, opened read-write or (ro) read-only;
 * filled: page i starts with memfd_byte(k, i). Declared before the first
 * call; model_reset closes them. An fd the model was not given is closed
 * (EBADF).
 */
void model_memfd(struct model *m, unsigned k, int fd, uint64_t size, int ro,
		 int fill);
/* mlockall(flags), munlockall() (mm/mlock.c). */
void model_mlockall(struct model *m, uint64_t flags, struct outcome *out);
void model_munlockall(struct model *m, struct outcome *out);
/* setrlimit(RLIMIT_MEMLOCK, {bytes, bytes}) and dropping CAP_IPC_LOCK:
 * the program's privileges for the mlock family and MAP_LOCKED. */
void model_memlock_limit(struct model *m, uint64_t bytes, struct outcome *out);
void model_drop_ipc_lock(struct model *m, struct outcome *out);
/* fork(): the model becomes the child's mm (dup_mmap, kernel/fork.c);
 * ret 0. */
void model_fork(struct model *m, struct outcome *out);

/* The program's VMAs (foreign ones excluded), canonicalised. */
void model_snapshot(const struct model *m, struct snapshot *out,
		    int with_vmflags);
/* Number of VMAs, foreign ones included (the kernel's mm->map_count). */
uint64_t model_map_count(const struct model *m);

/* The byte a touch writes to its i-th page: never 0, so a page that reads
 * back 0 was never written (or was zapped). Shared by both sides. */
static inline uint8_t touch_byte(uint32_t seed, uint64_t i)
{
	return (uint8_t)((seed * 37u + i) % 255u + 1u);
}

/* The byte at the start of page i of a filled memfd k (struct prog_file):
 * never 0. Shared by both sides. */
static inline uint8_t memfd_byte(unsigned k, uint64_t i)
{
	return (uint8_t)((0x5bu + k * 61u + i * 7u) % 255u + 1u);
}

#endif
