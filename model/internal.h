/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Model-private state and the helpers the model's files share: struct
 * model (the kernel's mm_struct plus what the model needs to know about
 * the machine), VM_* masks, the page store and the merge state.
 * Only the model's own .c files include this.
 */
#ifndef VMADIFF_MODEL_INTERNAL_H
#define VMADIFF_MODEL_INTERNAL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>

#include "vma.h"

#ifndef PROT_SEM
#define PROT_SEM 0x8
#endif
#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE 0x08
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif
#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#define MAP_HUGE_MASK 0x3f
#endif

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ull << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PAGE_ALIGN(x) (((x) + PAGE_SIZE - 1) & PAGE_MASK)
#define PHYS_PFN(x) ((x) >> PAGE_SHIFT)

/* include/linux/mm.h names for the VMF_* bits of oracle/snapshot.h. */
#define VM_READ VMF(VMF_READ)
#define VM_WRITE VMF(VMF_WRITE)
#define VM_EXEC VMF(VMF_EXEC)
#define VM_SHARED VMF(VMF_SHARED)
#define VM_MAYREAD VMF(VMF_MAYREAD)
#define VM_MAYWRITE VMF(VMF_MAYWRITE)
#define VM_MAYEXEC VMF(VMF_MAYEXEC)
#define VM_MAYSHARE VMF(VMF_MAYSHARE)
#define VM_GROWSDOWN VMF(VMF_GROWSDOWN)
#define VM_PFNMAP VMF(VMF_PFNMAP)
#define VM_MAYBE_GUARD VMF(VMF_MAYBE_GUARD)
#define VM_LOCKED VMF(VMF_LOCKED)
#define VM_IO VMF(VMF_IO)
#define VM_DONTEXPAND VMF(VMF_DONTEXPAND)
#define VM_LOCKONFAULT VMF(VMF_LOCKONFAULT)
#define VM_ACCOUNT VMF(VMF_ACCOUNT)
#define VM_NORESERVE VMF(VMF_NORESERVE)
#define VM_HUGETLB VMF(VMF_HUGETLB)
#define VM_SYNC VMF(23)
#define VM_WIPEONFORK VMF(VMF_WIPEONFORK)
#define VM_DONTDUMP VMF(VMF_DONTDUMP)
#define VM_MIXEDMAP VMF(VMF_MIXEDMAP)
#define VM_NOHUGEPAGE VMF(VMF_NOHUGEPAGE)
#define VM_DROPPABLE VMF(VMF_DROPPABLE)
#define VM_SEQ_READ VMF(VMF_SEQ_READ)
#define VM_RAND_READ VMF(VMF_RAND_READ)
#define VM_DONTCOPY VMF(VMF_DONTCOPY)
#define VM_HUGEPAGE VMF(VMF_HUGEPAGE)
#define VM_MERGEABLE VMF(VMF_MERGEABLE)
#define VM_SEALED VMF(VMF_SEALED)
#define VM_LOCKED_MASK (VM_LOCKED | VM_LOCKONFAULT)

#define VM_ACCESS_FLAGS (VM_READ | VM_WRITE | VM_EXEC)
#define VM_SPECIAL (VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP)
/* VM_STICKY: this 6.18.44 build carries the 6.19 VM_MAYBE_GUARD, which
 * is ignored for merging and ORed into the merged VMA (mm/vma.c). */
#define VM_IGNORE_MERGE VM_MAYBE_GUARD

/* vma_is_sealed() (mm/vma.h): munmap, MAP_FIXED, mprotect and mremap
 * refuse a sealed VMA with EPERM. */
static inline bool vma_is_sealed(const struct vma *vma)
{
	return vma->vm_flags & VM_SEALED;
}

/* An error travels in a pointer or address like the kernel's ERR_PTR. */
#define ERR_ADDR(e) ((uint64_t)(int64_t)(e))
#define ADDR_ERR(a) ((int)(int64_t)(a))

/*
 * Page contents written by touch: a few bytes per page, keyed by
 * (object, page index). Private anonymous memory uses object 0 and the
 * virtual page number; shared memory uses its shmem object and the page
 * offset in it, so every VMA of that object sees the same bytes.
 */
struct page_data {
	struct page_data *next; /* hash chain */
	uint32_t obj;
	uint16_t n, cap;
	/* object 0 only: MADV_FREE made the folio lazyfree and nothing has
	 * dirtied it since (reclaim discards it); cow_shared: still the
	 * folio a parent maps too (fork), which FREE and PAGEOUT skip */
	uint8_t lazyfree, cow_shared;
	uint64_t idx;
	struct page_byte {
		uint16_t off;
		uint8_t val;
	} *bytes;
};

struct page_store {
	struct page_data **bucket;
	uint64_t nbuckets; /* power of two */
	uint64_t count;
};

/* Guard markers: sorted, disjoint, coalesced address ranges (memory.c). */
struct guard_set {
	struct range *r;
	uint32_t n, cap;
};

/*
 * A memfd the program declared (model_memfd): shmem object obj (0: not
 * declared), held at fd, i_size size bytes, opened O_RDONLY when ro;
 * fill: page i starts with memfd_byte(k, i) until written or punched.
 */
#define MODEL_MAX_MEMFDS 8
struct memfd_file {
	uint32_t obj;
	int fd;
	uint64_t size;
	uint8_t ro, fill;
};

/* The kernel's mm_struct, reduced to what the modelled syscalls read. */
struct model {
	struct model_config cfg;
	struct vma_tree mm;
	struct snap_vma *foreign; /* the executor's VMAs, for model_reset */
	unsigned nforeign;
	uint32_t last_anon_vma; /* anon_vma identities handed out */
	uint32_t last_file;	/* file objects (shmem, hugetlbfs) so far */
	uint32_t file_cap;	/* entries of file_pages */
	uint64_t *file_pages;	/* shmem objects' sizes (i_size), by id */
	uint64_t locked_vm;	/* pages, mm->locked_vm */
	/* mm->def_flags: VM_LOCKED (| VM_LOCKONFAULT) after MCL_FUTURE */
	uint64_t def_flags;
	/* RLIMIT_MEMLOCK's hard limit (bytes); cfg.rlimit_memlock and
	 * cfg.cap_ipc_lock follow the program, cfg0 keeps them for reset */
	uint64_t rlimit_memlock_max;
	struct model_config cfg0;
	struct page_store pages;
	struct memfd_file memfd[MODEL_MAX_MEMFDS]; /* by program file k */
	struct guard_set guards; /* PTE_MARKER_GUARD entries, by address */
};

/*
 * struct vma_merge_struct (mm/vma.h), for the model's two merge kinds:
 * a new range (mmap) and an existing range whose flags change.
 */
struct vma_merge_struct {
	struct vma *prev, *middle, *next, *target;
	uint64_t start, end, pgoff, flags;
	uint32_t file;
	uint32_t anon_vma;
	bool adjust_middle_start, adjust_next_start;
	bool remove_middle, remove_next;
};

/*
 * struct vma_munmap_struct (mm/vma.h): the VMAs an unmap (or a MAP_FIXED
 * mmap) removes, gathered and edge-split first; pages are counts.
 */
struct vma_munmap_struct {
	uint64_t start, end;
	struct vma *first; /* the first VMA in [start, end), after splits */
	unsigned vma_count;
	uint64_t nr_pages, nr_accounted, locked_vm;
};

/* calc_vm_prot_bits(): unknown bits, PROT_SEM and the GROWS bits vanish. */
static inline uint64_t calc_vm_prot_bits(uint64_t prot)
{
	return (prot & PROT_READ ? VM_READ : 0) |
	       (prot & PROT_WRITE ? VM_WRITE : 0) |
	       (prot & PROT_EXEC ? VM_EXEC : 0);
}

/*
 * The kernel's mmap_min_addr: max(dac_mmap_min_addr, the LSM minimum),
 * update_mmap_min_addr() (security/min_addr.c). cap_mmap_addr() alone
 * uses the sysctl value (cfg.mmap_min_addr).
 */
static inline uint64_t kernel_mmap_min_addr(const struct model *m)
{
	uint64_t lsm = m->cfg.lsm_mmap_min_addr;

	return m->cfg.mmap_min_addr > lsm ? m->cfg.mmap_min_addr : lsm;
}

/* vma.c */
struct vma *vma_merge_new_range(struct model *m, struct vma_merge_struct *vmg);
struct vma *vma_merge_mmap_range(struct model *m, struct vma_merge_struct *vmg);
int vma_modify_flags(struct model *m, struct vma *prev, struct vma **vmap,
		     uint64_t start, uint64_t end, uint64_t *vm_flags);
uint32_t find_mergeable_anon_vma(struct model *m, struct vma *vma);
int vms_gather_munmap_vmas(struct model *m, struct vma_munmap_struct *vms,
			   struct vma *vma);
void vms_complete_munmap_vmas(struct model *m, struct vma_munmap_struct *vms);
int do_vmi_munmap(struct model *m, uint64_t start, uint64_t len);
bool security_vm_enough_memory(const struct model *m, uint64_t pages);
bool mlock_future_ok(const struct model *m, uint64_t flags, uint64_t bytes);
bool may_expand_vm(const struct model *m, uint64_t npages);
struct vma *copy_vma(struct model *m, struct vma **vmap, uint64_t addr,
		     uint64_t len, uint64_t pgoff, bool merge_self);
struct vma *vma_merge_extend(struct model *m, struct vma *vma, uint64_t delta);

/* memory.c */
void page_store_init(struct page_store *ps);
void page_store_destroy(struct page_store *ps);
/* Drops the pages [first, first + n) of obj. */
/* MADV_FREE, MADV_PAGEOUT and fork on the private pages [first, first+n)
 * (object 0, by page number): see memory.c. */
void page_store_lazyfree(struct page_store *ps, uint64_t first, uint64_t n);
void page_store_pageout(struct page_store *ps, uint64_t first, uint64_t n,
			bool droppable);
void page_store_fork(struct page_store *ps);
void page_store_drop(struct page_store *ps, uint32_t obj, uint64_t first,
		     uint64_t n);
/* Moves the private pages [from, from + n) to [to, to + n). */
void page_store_move(struct page_store *ps, uint64_t from, uint64_t to,
		     uint64_t n);
/* Guard markers over [start, end): set, drop, the first one (or end),
 * and mremap()'s move of those of [from, from + len) to `to`. */
void guard_add(struct guard_set *gs, uint64_t start, uint64_t end);
void guard_clear(struct guard_set *gs, uint64_t start, uint64_t end);
uint64_t guard_find(const struct guard_set *gs, uint64_t start, uint64_t end);
void guard_move(struct guard_set *gs, uint64_t from, uint64_t to,
		uint64_t len);
void guard_set_destroy(struct guard_set *gs);
/* shmem_zero_setup(): a new shmem object of the given size; its id. */
uint32_t shmem_zero_setup(struct model *m, uint64_t pages);
/* __anon_vma_prepare() (mm/rmap.c): give vma an anon_vma. */
void anon_vma_prepare(struct model *m, struct vma *vma);
/* __get_user_pages() faulting [start, end) of vma in (memory.c): 0 or
 * -EFAULT. */
int faultin_vma_range(struct model *m, struct vma *vma, uint64_t start,
		      uint64_t end, bool write);
/* populate_vma_page_range() (mm/gup.c) over [start, end) of vma. */
void populate_vma_range(struct model *m, struct vma *vma, uint64_t start,
			uint64_t end);
/* GUP write faults (FOLL_WRITE) on [start, end) of a private file VMA:
 * private copies of the file's pages, up to the first page past i_size. */
void cow_fault_range(struct model *m, struct vma *vma, uint64_t start,
		     uint64_t end);
/* shmem_fallocate(FALLOC_FL_PUNCH_HOLE) on pages [first, first + n). */
void shmem_punch_hole(struct model *m, uint32_t obj, uint64_t first,
		      uint64_t n);

/* shmem.c */
/* fget(): the declared memfd open at fd, or NULL (EBADF). */
const struct memfd_file *memfd_fget(const struct model *m, int fd);
/* The declared memfd whose shmem object is obj, or NULL. */
const struct memfd_file *memfd_of_obj(const struct model *m, uint32_t obj);

/* model.c: vma_alloc() that aborts when out of memory */
struct vma *vm_area_alloc(void);

#endif
