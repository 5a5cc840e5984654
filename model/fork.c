// SPDX-License-Identifier: GPL-2.0
/*
 * fork(): the model becomes the child's mm, as dup_mmap() (mm/mmap.c,
 * kernel/fork.c before 6.16) with anon_vma_fork() (mm/rmap.c) and
 * mm_init() (kernel/fork.c) build it. The rlimits and capabilities the
 * child inherits are the parent's, so cfg stays as it is.
 */
#include <string.h>

#include "internal.h"

/*
 * The VM_ACCOUNT charge of every copied VMA comes first (the kernel
 * charges VMA by VMA and throws the half-built child away on failure, so
 * the parent, which the model still is, is unchanged).
 */
static bool dup_mmap_charge_ok(const struct model *m)
{
	struct vma *vma;

	for (vma = vma_first(&m->mm); vma; vma = vma_next(vma)) {
		uint64_t pages = PHYS_PFN(vma->vm_end - vma->vm_start);

		if ((vma->vm_flags & (VM_ACCOUNT | VM_DONTCOPY)) ==
			    VM_ACCOUNT &&
		    !security_vm_enough_memory(m, pages))
			return false;
	}
	return true;
}

/*
 * A copied VMA: no mlock (VM_LOCKED_MASK cleared); VM_WIPEONFORK starts
 * empty, without an anon_vma and without page tables (copy_page_range()
 * is skipped, so guard markers go too); any other faulted VMA gets an
 * anon_vma of its own chained to the parent's (anon_vma_fork(): the
 * parent's is still in use, so none is reused), which makes it a fork
 * child for merges (vma_had_uncowed_parents(), mm/vma.c). Private pages
 * read as in the parent (COW), shared ones stay shared.
 */
static void dup_vma(struct model *m, struct vma *vma)
{
	uint64_t start = vma->vm_start, end = vma->vm_end;

	vma->vm_flags &= ~VM_LOCKED_MASK;
	if (vma->vm_flags & VM_WIPEONFORK) {
		vma->anon_vma = 0;
		vma->anon_fork_child = 0;
		page_store_drop(&m->pages, 0, PHYS_PFN(start),
				PHYS_PFN(end - start));
		guard_clear(&m->guards, start, end);
	} else if (vma->anon_vma) {
		vma->anon_vma = ++m->last_anon_vma;
		vma->anon_fork_child = 1;
	}
}

/* dup_mmap(): VM_DONTCOPY VMAs are left out of the child (a hole). */
void model_fork(struct model *m, struct outcome *out)
{
	struct vma *vma, *next;

	*out = (struct outcome){ 0 };
	if (!dup_mmap_charge_ok(m)) {
		out->ret = -1;
		out->err = ENOMEM;
		return;
	}
	for (vma = vma_first(&m->mm); vma; vma = next) {
		uint64_t start = vma->vm_start, end = vma->vm_end;

		next = vma_next(vma);
		if (!(vma->vm_flags & VM_DONTCOPY)) {
			dup_vma(m, vma);
			continue;
		}
		vma_tree_erase(&m->mm, vma);
		vma_free(vma);
		/* the child has no page tables there: private pages and
		 * guard markers are gone (shared objects keep theirs) */
		page_store_drop(&m->pages, 0, PHYS_PFN(start),
				PHYS_PFN(end - start));
		guard_clear(&m->guards, start, end);
	}
	page_store_fork(&m->pages);
	/* mm_init(): locked_vm starts at 0, def_flags keeps only
	 * VM_INIT_DEF_MASK (VM_NOHUGEPAGE), so no MCL_FUTURE */
	m->locked_vm = 0;
	m->def_flags = 0;
}
