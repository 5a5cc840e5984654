/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Model-internal: the VMA record and the VMA tree (the model's maple tree).
 * Only the model's own .c files include this.
 */
#ifndef VMADIFF_MODEL_VMA_H
#define VMADIFF_MODEL_VMA_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

/* Tree linkage, owned by vma_tree.c. */
struct vma_node {
	struct vma *parent, *left, *right;
	uint32_t prio;	       /* or height/colour: vma_tree.c's choice */
	uint64_t sub_min;      /* min vm_start in the subtree */
	uint64_t sub_max;      /* max vm_end in the subtree */
	uint64_t sub_gap;      /* largest gap between VMAs inside the subtree */
	uint64_t sub_pages;    /* pages of the subtree's VMAs */
};

/*
 * What the kernel's split and merge logic reads from a vm_area_struct.
 * flags use the VMF_* bit numbers of oracle/snapshot.h (the kernel's VM_*).
 */
struct vma {
	uint64_t vm_start, vm_end; /* page aligned, half open */
	uint64_t vm_pgoff;	   /* pages; see vma-semantics.md §1 */
	uint64_t vm_flags;	   /* VMF() bits */
	uint32_t file;		   /* 0: no vm_file; else backing object id */
	uint8_t backing;	   /* enum snap_backing (file != 0) */
	uint8_t foreign;	   /* the executor's: never modified */
	uint8_t anon_fork_child;   /* anon_vma inherited via fork (later) */
	uint8_t pad;
	uint32_t anon_vma;	   /* 0: NULL (unfaulted); else identity */
	uint8_t hpage_shift;	   /* hugetlb: huge page shift (21, 30); else 0 */
	struct vma_node node;
};

struct vma_tree {
	struct vma *root;
	uint64_t count;
};

void vma_tree_init(struct vma_tree *t);
/* Frees every VMA (they must come from vma_alloc). */
void vma_tree_destroy(struct vma_tree *t);

struct vma *vma_alloc(void); /* zeroed; NULL on failure */
void vma_free(struct vma *v);

/* Inserts v (its range must not overlap any VMA in the tree). */
void vma_tree_insert(struct vma_tree *t, struct vma *v);
/* Unlinks v (does not free it). */
void vma_tree_erase(struct vma_tree *t, struct vma *v);
/* After changing v's vm_start/vm_end in place (without crossing a
 * neighbour), refreshes the augmented data on the path to the root. */
void vma_tree_adjust(struct vma_tree *t, struct vma *v);

/* mm->total_vm: the pages of every VMA in the tree. */
uint64_t vma_tree_pages(const struct vma_tree *t);

/* find_vma(): the first VMA with vm_end > addr, or NULL. */
struct vma *vma_find(const struct vma_tree *t, uint64_t addr);
/* The VMA containing addr, or NULL (vma_lookup()). */
struct vma *vma_lookup(const struct vma_tree *t, uint64_t addr);
struct vma *vma_first(const struct vma_tree *t);
struct vma *vma_next(const struct vma *v);
struct vma *vma_prev(const struct vma *v);

/*
 * Gap searches over the free space, clipped to [lo, hi), in O(log n):
 * the kernel's mas_empty_area_rev / mas_empty_area as used by
 * unmapped_area_topdown / unmapped_area (mm/vma.c).
 * rev: the highest free range of at least len bytes; returns its end
 * (clipped to hi) or 0 if none. fwd: the lowest; returns its start or 0.
 */
uint64_t vma_gap_rev(const struct vma_tree *t, uint64_t lo, uint64_t hi,
		     uint64_t len);
uint64_t vma_gap_fwd(const struct vma_tree *t, uint64_t lo, uint64_t hi,
		     uint64_t len);

/*
 * __get_unmapped_area (mm/mmap.c) for the mappings the model supports:
 * anonymous (private or shared, is_shmem) with an optional hint `addr`
 * (no MAP_FIXED: the caller handles fixed addresses). Returns the address,
 * or a negative errno cast to uint64_t (check with IS_ERR_ADDR).
 * Implemented in unmapped_area.c.
 */
#define IS_ERR_ADDR(a) ((uint64_t)(a) >= (uint64_t)-4095)
uint64_t get_unmapped_area(const struct vma_tree *t,
			   const struct model_config *cfg, uint64_t addr,
			   uint64_t len, uint64_t pgoff, uint64_t map_flags,
			   int is_shmem);
/* The kernel's own get_unmapped_area(), which mremap() calls: a hint is
 * taken as it is (round_hint_to_min() is do_mmap()'s). */
uint64_t __get_unmapped_area(const struct vma_tree *t,
			     const struct model_config *cfg, uint64_t addr,
			     uint64_t len, uint64_t pgoff, uint64_t flags,
			     int is_shmem);
/* The same for a non-fixed MAP_HUGETLB request of huge page size hsize. */
uint64_t hugetlb_get_unmapped_area(const struct vma_tree *t,
				   const struct model_config *cfg,
				   uint64_t addr, uint64_t len, uint64_t pgoff,
				   uint64_t flags, uint64_t hsize);

#endif
