// SPDX-License-Identifier: GPL-2.0
/*
 * Splitting, merging and unmapping VMAs: the model's mm/vma.c.
 * The tree itself (insert, erase, lookups) lives in vma_tree.c.
 */
#include "internal.h"
#include "kver.h"

static uint64_t vma_pages(const struct vma *vma)
{
	return PHYS_PFN(vma->vm_end - vma->vm_start);
}

/* vma_is_fork_child(): faulted, and its anon_vma_chain is not singular. */
static bool vma_is_fork_child(const struct vma *vma)
{
	return vma && vma->anon_vma && vma->anon_fork_child;
}

/*
 * is_mergeable_vma(): flags equal except the ignored (sticky) ones, same
 * file. Mempolicy, uffd context and anon names are never set by the
 * modelled calls. Foreign VMAs never merge: the model must not change them.
 */
static bool is_mergeable_vma(const struct vma_merge_struct *vmg,
			     bool merge_next)
{
	const struct vma *vma = merge_next ? vmg->next : vmg->prev;

	if (vma->foreign)
		return false;
	if ((vma->vm_flags ^ vmg->flags) & ~VM_IGNORE_MERGE)
		return false;
	return vma->file == vmg->file;
}

/*
 * is_mergeable_anon_vma(): src is the modified VMA (NULL for a new range),
 * tgt the neighbour; the rules changed in 6.16
 * (kver_anon_merge_faulted_unfaulted).
 */
static bool is_mergeable_anon_vma(const struct model *m,
				  const struct vma_merge_struct *vmg,
				  bool merge_next)
{
	const struct vma *tgt = merge_next ? vmg->next : vmg->prev;
	uint32_t tgt_anon = tgt->anon_vma, src_anon = vmg->anon_vma;

	if (!kver_anon_merge_faulted_unfaulted(&m->cfg)) {
		/* A NULL side needed tgt's anon_vma_chain to be singular. */
		if ((!src_anon || !tgt_anon) && tgt_anon &&
		    !tgt->anon_fork_child)
			return true;
		return src_anon == tgt_anon;
	}
	/* Case 1: dup_anon_vma() from src into tgt. */
	if (!tgt_anon && src_anon)
		return !vma_is_fork_child(vmg->middle);
	/* Case 2: src simply uses tgt's anon_vma. */
	if (tgt_anon && !src_anon)
		return !vma_is_fork_child(tgt);
	/* Case 3: already shared (or both NULL). */
	return src_anon == tgt_anon;
}

/* can_vma_merge_before(): merge in front of next, pgoff continuous. */
static bool can_vma_merge_before(const struct model *m,
				 const struct vma_merge_struct *vmg)
{
	uint64_t pglen = PHYS_PFN(vmg->end - vmg->start);

	return is_mergeable_vma(vmg, true) &&
	       is_mergeable_anon_vma(m, vmg, true) &&
	       vmg->next->vm_pgoff == vmg->pgoff + pglen;
}

/* can_vma_merge_after(): merge behind prev, pgoff continuous. */
static bool can_vma_merge_after(const struct model *m,
				const struct vma_merge_struct *vmg)
{
	return is_mergeable_vma(vmg, false) &&
	       is_mergeable_anon_vma(m, vmg, false) &&
	       vmg->prev->vm_pgoff + vma_pages(vmg->prev) == vmg->pgoff;
}

static bool can_vma_merge_left(const struct model *m,
			       const struct vma_merge_struct *vmg)
{
	return vmg->prev && vmg->prev->vm_end == vmg->start &&
	       can_vma_merge_after(m, vmg);
}

/*
 * can_vma_merge_right(): when merging both sides, prev and next must also
 * be compatible with each other (one NULL anon_vma, or the same one).
 */
static bool can_vma_merge_right(const struct model *m,
				const struct vma_merge_struct *vmg,
				bool can_merge_left)
{
	const struct vma *next = vmg->next, *prev = vmg->prev;

	if (!next || vmg->end != next->vm_start ||
	    !can_vma_merge_before(m, vmg))
		return false;
	if (!can_merge_left)
		return true;
	return !prev->anon_vma || !next->anon_vma ||
	       prev->anon_vma == next->anon_vma;
}

/*
 * dup_anon_vma(): the expanding VMA inherits the shrinking/removed one's
 * anon_vma (and, through anon_vma_clone(), its chain shape).
 */
static void dup_anon_vma(struct vma *dst, const struct vma *src)
{
	if (src->anon_vma && !dst->anon_vma) {
		dst->anon_vma = src->anon_vma;
		dst->anon_fork_child = src->anon_fork_child;
	}
}

static void remove_vma(struct model *m, struct vma *vma)
{
	vma_tree_erase(&m->mm, vma);
	vma_free(vma);
}

static void vma_set_range(struct model *m, struct vma *vma, uint64_t start,
			  uint64_t end, uint64_t pgoff)
{
	vma->vm_start = start;
	vma->vm_end = end;
	vma->vm_pgoff = pgoff;
	vma_tree_adjust(&m->mm, vma);
}

/*
 * commit_merge() plus vmg_adjust_set_range(): removed VMAs leave the tree
 * and shrinking VMAs shrink before the target grows, so the tree never
 * holds overlapping ranges. Sticky flags are ORed into the target.
 */
static struct vma *commit_merge(struct model *m, struct vma_merge_struct *vmg)
{
	struct vma *target = vmg->target, *adjust = NULL;
	uint64_t sticky = vmg->flags & VM_IGNORE_MERGE;
	uint64_t adj_pgoff = 0;

	sticky |= target->vm_flags & VM_IGNORE_MERGE;
	if (vmg->remove_middle) {
		sticky |= vmg->middle->vm_flags & VM_IGNORE_MERGE;
		remove_vma(m, vmg->middle);
	}
	if (vmg->remove_next) {
		sticky |= vmg->next->vm_flags & VM_IGNORE_MERGE;
		remove_vma(m, vmg->next);
	}
	if (vmg->adjust_middle_start) {
		adjust = vmg->middle;
		adj_pgoff = adjust->vm_pgoff +
			    PHYS_PFN(vmg->end - adjust->vm_start);
		vma_set_range(m, adjust, vmg->end, adjust->vm_end, adj_pgoff);
	}
	if (vmg->adjust_next_start) {
		/* middle shrinks to [start, end) and next grows down to end */
		vma_set_range(m, vmg->middle, vmg->start, vmg->end, vmg->pgoff);
		adjust = vmg->next;
		adj_pgoff = adjust->vm_pgoff -
			    PHYS_PFN(adjust->vm_start - vmg->end);
		vma_set_range(m, adjust, vmg->end, adjust->vm_end, adj_pgoff);
	} else {
		vma_set_range(m, target, vmg->start, vmg->end, vmg->pgoff);
	}
	target->vm_flags |= sticky;
	return target;
}

/*
 * vma_merge_new_range(): a new range [start, end) with no anon_vma is
 * about to be mapped (the caller has unmapped whatever was there); expand
 * prev, next, or prev over next. Returns the expanded VMA or NULL.
 */
struct vma *vma_merge_new_range(struct model *m, struct vma_merge_struct *vmg)
{
	struct vma *prev = vmg->prev, *next = vmg->next;
	bool can_merge_left, can_merge_right;

	if ((vmg->flags & VM_SPECIAL) || (!prev && !next))
		return NULL;

	can_merge_left = can_vma_merge_left(m, vmg);
	can_merge_right = can_vma_merge_right(m, vmg, can_merge_left);

	if (can_merge_right) {
		vmg->end = next->vm_end;
		vmg->target = next;
	}
	if (can_merge_left) {
		vmg->start = prev->vm_start;
		vmg->target = prev;
		vmg->pgoff = prev->vm_pgoff;
	}
	if (!vmg->target)
		return NULL;

	/* vma_expand(): swallowing next hands its anon_vma to the target */
	if (next && vmg->target != next && vmg->end == next->vm_end) {
		vmg->remove_next = true;
		dup_anon_vma(vmg->target, next);
	}
	return commit_merge(m, vmg);
}

/*
 * The merge mmap_region() tries for a new range: vma_merge_new_range()
 * from 6.12 (kver_merge_new_prev_first). Before, it checked next first
 * (no anon_vma), then prev against next's anon_vma if next could merge,
 * and vma_expand()ed the last one taken: prev (over next) or next alone.
 */
struct vma *vma_merge_mmap_range(struct model *m, struct vma_merge_struct *vmg)
{
	struct vma *prev = vmg->prev, *next = vmg->next;
	bool merge_next;

	if (kver_merge_new_prev_first(&m->cfg))
		return vma_merge_new_range(m, vmg);
	if ((vmg->flags & VM_SPECIAL) || (!prev && !next))
		return NULL;

	merge_next = next && vmg->end == next->vm_start &&
		     can_vma_merge_before(m, vmg);
	if (merge_next) {
		vmg->anon_vma = next->anon_vma;
		vmg->target = next;
	}
	if (can_vma_merge_left(m, vmg)) {
		vmg->target = prev;
		vmg->start = prev->vm_start;
		vmg->pgoff = prev->vm_pgoff;
		if (merge_next) {
			vmg->remove_next = true;
			dup_anon_vma(prev, next);
		}
	}
	if (!vmg->target)
		return NULL;
	if (merge_next)
		vmg->end = next->vm_end;
	return commit_merge(m, vmg);
}

/*
 * vma_merge_existing_range(): [start, end) of middle gets new flags; merge
 * it into prev and/or next if it touches middle's start and/or end.
 * No VMA here has a vm_ops->close, so can_merge_remove_vma() always holds.
 */
static struct vma *vma_merge_existing_range(struct model *m,
					    struct vma_merge_struct *vmg)
{
	struct vma *middle = vmg->middle, *prev = vmg->prev, *next;
	uint64_t start = vmg->start, end = vmg->end;
	bool left_side = start == middle->vm_start;
	bool right_side = end == middle->vm_end;
	bool merge_left = false, merge_right = false, merge_both;

	if ((vmg->flags & VM_SPECIAL) || (!left_side && !right_side))
		return NULL;

	if (left_side)
		merge_left = can_vma_merge_left(m, vmg);
	if (right_side) {
		next = vmg->next = vma_next(middle);
		merge_right = can_vma_merge_right(m, vmg, merge_left);
	} else {
		next = NULL;
	}
	if (!merge_left && !merge_right)
		return NULL;

	merge_both = merge_left && merge_right;
	vmg->remove_middle = left_side && right_side;
	vmg->remove_next = merge_both;

	if (merge_right)
		vmg->target = next;
	if (merge_left)
		vmg->target = prev;

	if (merge_both) {
		vmg->start = prev->vm_start;
		vmg->end = next->vm_end;
		vmg->pgoff = prev->vm_pgoff;
		dup_anon_vma(prev, next->anon_vma ? next : middle);
	} else if (merge_left) {
		vmg->start = prev->vm_start;
		vmg->pgoff = prev->vm_pgoff;
		if (!vmg->remove_middle)
			vmg->adjust_middle_start = true;
		dup_anon_vma(prev, middle);
	} else {
		uint64_t pglen = PHYS_PFN(vmg->end - vmg->start);

		if (vmg->remove_middle) {
			vmg->end = next->vm_end;
			vmg->pgoff = next->vm_pgoff - pglen;
		} else {
			vmg->adjust_next_start = true;
			vmg->start = middle->vm_start;
			vmg->end = start;
			vmg->pgoff = middle->vm_pgoff;
		}
		dup_anon_vma(next, middle);
	}
	return commit_merge(m, vmg);
}

/*
 * __split_vma(): hugetlb's vm_ops->may_split refuses an address that is
 * not huge page aligned (hugetlb_vm_op_split). The new VMA is a full copy
 * (anon_vma_clone() keeps the anon_vma and its chain shape); the upper
 * half's pgoff moves by the page delta. With new_below the new VMA is
 * the lower half.
 */
static int __split_vma(struct model *m, struct vma *vma, uint64_t addr,
		       int new_below)
{
	struct vma *new;
	struct vma_node node;

	if (vma->hpage_shift && (addr & ((1ull << vma->hpage_shift) - 1)))
		return -EINVAL;
	new = vm_area_alloc();
	node = new->node;
	*new = *vma;
	new->node = node;
	if (new_below) {
		new->vm_end = addr;
		vma_set_range(m, vma, addr, vma->vm_end,
			      vma->vm_pgoff + PHYS_PFN(addr - vma->vm_start));
	} else {
		new->vm_start = addr;
		new->vm_pgoff += PHYS_PFN(addr - vma->vm_start);
		vma_set_range(m, vma, vma->vm_start, addr, vma->vm_pgoff);
	}
	vma_tree_insert(&m->mm, new);
	return 0;
}

/* split_vma(): the checked variant refuses at the map_count limit. */
static int split_vma(struct model *m, struct vma *vma, uint64_t addr,
		     int new_below)
{
	if (model_map_count(m) >= m->cfg.max_map_count)
		return -ENOMEM;
	return __split_vma(m, vma, addr, new_below);
}

/*
 * vma_modify() via vma_modify_flags(): merge if possible, else split off
 * the parts outside [start, end). A failed second split leaves the first
 * in place. On success *vmap is the VMA now covering [start, end) and, if
 * it merged, *vm_flags picks up the target's sticky flags.
 */
int vma_modify_flags(struct model *m, struct vma *prev, struct vma **vmap,
		     uint64_t start, uint64_t end, uint64_t *vm_flags)
{
	struct vma *vma = *vmap, *merged;
	struct vma_merge_struct vmg = {
		.prev = prev,
		.middle = vma,
		.start = start,
		.end = end,
		.flags = *vm_flags,
		.pgoff = vma->vm_pgoff + PHYS_PFN(start - vma->vm_start),
		.file = vma->file,
		.anon_vma = vma->anon_vma,
	};
	int err;

	merged = vma_merge_existing_range(m, &vmg);
	if (merged) {
		*vm_flags = merged->vm_flags;
		*vmap = merged;
		return 0;
	}
	if (vma->vm_start < start) {
		err = split_vma(m, vma, start, 1);
		if (err)
			return err;
	}
	if (vma->vm_end > end) {
		err = split_vma(m, vma, end, 0);
		if (err)
			return err;
	}
	return 0;
}

/*
 * anon_vma_compatible() / reusable_anon_vma(): a neighbour's anon_vma may
 * be shared if the two could merge apart from R/W/X and the neighbour's
 * anon_vma is not inherited from a fork.
 */
static bool anon_vma_compatible(const struct vma *a, const struct vma *b)
{
	return a->vm_end == b->vm_start && !a->foreign && !b->foreign &&
	       a->file == b->file &&
	       !((a->vm_flags ^ b->vm_flags) &
		 ~(VM_ACCESS_FLAGS | VM_IGNORE_MERGE)) &&
	       b->vm_pgoff == a->vm_pgoff + PHYS_PFN(b->vm_start - a->vm_start);
}

static uint32_t reusable_anon_vma(const struct vma *old, const struct vma *a,
				  const struct vma *b)
{
	if (anon_vma_compatible(a, b) && old->anon_vma && !old->anon_fork_child)
		return old->anon_vma;
	return 0;
}

/* find_mergeable_anon_vma(): try next first, then prev. */
uint32_t find_mergeable_anon_vma(struct model *m, struct vma *vma)
{
	struct vma *next = vma_lookup(&m->mm, vma->vm_end);
	struct vma *prev = vma_prev(vma);
	uint32_t anon_vma = 0;

	if (next)
		anon_vma = reusable_anon_vma(next, vma, next);
	if (!anon_vma && prev)
		anon_vma = reusable_anon_vma(prev, prev, vma);
	return anon_vma;
}

/*
 * vms_gather_munmap_vmas(): split the first VMA if it starts below start
 * (refusing a 3-way split at the map_count limit: the unchecked
 * __split_vma() is used for the edges) and the last if it ends past end,
 * then count what will go; a sealed VMA is EPERM. The VMAs stay in the
 * tree until vms_complete_munmap_vmas(); on a failure (here or later) the
 * splits already made remain.
 */
int vms_gather_munmap_vmas(struct model *m, struct vma_munmap_struct *vms,
			   struct vma *vma)
{
	struct vma *next;
	int err;

	if (vms->start > vma->vm_start) {
		if (vms->end < vma->vm_end &&
		    model_map_count(m) >= m->cfg.max_map_count)
			return -ENOMEM;
		/* no split for a VMA that cannot go anyway */
		if (vma_is_sealed(vma))
			return -EPERM;
		err = __split_vma(m, vma, vms->start, 1);
		if (err)
			return err;
	}
	vms->first = vma;
	for (next = vma; next && next->vm_start < vms->end;
	     next = vma_next(next)) {
		if (vma_is_sealed(next))
			return -EPERM;
		if (next->vm_end > vms->end) {
			err = __split_vma(m, next, vms->end, 0);
			if (err)
				return err;
		}
		vms->vma_count++;
		vms->nr_pages += vma_pages(next);
		if (next->vm_flags & VM_LOCKED)
			vms->locked_vm += vma_pages(next);
		if (next->vm_flags & VM_ACCOUNT)
			vms->nr_accounted += vma_pages(next);
	}
	return 0;
}

/*
 * vms_complete_munmap_vmas(): the gathered VMAs leave the tree; private
 * anonymous pages go with them (shared pages belong to their object).
 * Private pages only exist under private VMAs, so dropping those of the
 * whole range is the same as dropping them VMA by VMA.
 */
void vms_complete_munmap_vmas(struct model *m, struct vma_munmap_struct *vms)
{
	struct vma *vma = vms->first, *next;
	unsigned i;

	for (i = 0; i < vms->vma_count; i++, vma = next) {
		next = vma_next(vma);
		remove_vma(m, vma);
	}
	page_store_drop(&m->pages, 0, PHYS_PFN(vms->start),
			PHYS_PFN(vms->end - vms->start));
	/* unmap_vmas() zaps with ZAP_FLAG_DROP_MARKER: guards go too */
	guard_clear(&m->guards, vms->start, vms->end);
	m->locked_vm -= vms->locked_vm;
}

/*
 * do_vmi_munmap(): unaligned start or a range beyond TASK_SIZE is EINVAL,
 * so is a zero length; nothing mapped in the range is success.
 */
int do_vmi_munmap(struct model *m, uint64_t start, uint64_t len)
{
	struct vma_munmap_struct vms = { .start = start };
	uint64_t task_size = m->cfg.task_size;
	struct vma *vma;
	int err;

	if ((start & ~PAGE_MASK) || start > task_size || len > task_size - start)
		return -EINVAL;
	vms.end = start + PAGE_ALIGN(len);
	if (vms.end == start)
		return -EINVAL;

	vma = vma_find(&m->mm, start);
	if (!vma || vma->vm_start >= vms.end)
		return 0;

	err = vms_gather_munmap_vmas(m, &vms, vma);
	if (err)
		return err;
	vms_complete_munmap_vmas(m, &vms);
	return 0;
}

/*
 * security_vm_enough_memory_mm() -> __vm_enough_memory(): with
 * OVERCOMMIT_GUESS a single request larger than RAM + swap fails;
 * OVERCOMMIT_ALWAYS never fails. OVERCOMMIT_NEVER depends on the whole
 * system's commitments, which the model cannot know: it is let through.
 */
bool security_vm_enough_memory(const struct model *m, uint64_t pages)
{
	if (m->cfg.overcommit_memory == 0)
		return pages <= m->cfg.totalram_pages;
	return true;
}

/*
 * may_expand_vm() (mm/mmap.c): RLIMIT_AS bounds mm->total_vm, every VMA's
 * pages, the executor's too. RLIMIT_DATA is not modelled: it is unlimited
 * (the executor never lowers it).
 */
bool may_expand_vm(const struct model *m, uint64_t npages)
{
	return vma_tree_pages(&m->mm) + npages <= PHYS_PFN(m->cfg.rlimit_as);
}

/* mlock_future_ok() (mm/mmap.c). */
bool mlock_future_ok(const struct model *m, uint64_t flags, uint64_t bytes)
{
	if (!(flags & VM_LOCKED) || m->cfg.cap_ipc_lock)
		return true;
	return PHYS_PFN(bytes) + m->locked_vm <=
	       PHYS_PFN(m->cfg.rlimit_memlock);
}

/*
 * vma_merge_copied_range(): vma_merge_new_range() for the range an
 * mremap() copies vmg->middle to; middle then only names the copied-from
 * VMA. A merged target that has no anon_vma takes the copied VMA's
 * (vma_expand(), from 6.18.8), as it was before the merge: the merge may
 * have removed the copied VMA itself (it was next).
 */
static struct vma *vma_merge_copied_range(struct model *m,
					  struct vma_merge_struct *vmg)
{
	struct vma copied_from = *vmg->middle, *vma;

	vmg->middle = NULL;
	vma = vma_merge_new_range(m, vmg);
	if (vma && kver_mremap_merge_dups_anon_vma(&m->cfg))
		dup_anon_vma(vma, &copied_from);
	return vma;
}

/*
 * copy_vma(): place a copy of *vmap over [addr, addr + len) (which is
 * free), merged with its new neighbours if possible. An unfaulted
 * anonymous VMA takes the pgoff of its new address, so it merges there
 * like a new mapping; a faulted one keeps its pgoff (that of its birth
 * address), which only lines up where it came from. If the source merged
 * into the copy (an unfaulted VMA moved next to itself), *vmap becomes
 * the merged VMA. merge_self false: a copy placed against its source
 * merges with nothing (mremap()'s caller knows when).
 */
struct vma *copy_vma(struct model *m, struct vma **vmap, uint64_t addr,
		     uint64_t len, uint64_t pgoff, bool merge_self)
{
	struct vma *vma = *vmap, *new_vma;
	uint64_t vma_start = vma->vm_start;
	struct vma_merge_struct vmg = {
		.middle = vma,
		.start = addr,
		.end = addr + len,
		.flags = vma->vm_flags,
		.file = vma->file,
		.anon_vma = vma->anon_vma,
	};
	struct vma_node node;

	if (!vma->file && !vma->anon_vma)
		pgoff = PHYS_PFN(addr);
	vmg.pgoff = pgoff;
	vmg.prev = addr ? vma_lookup(&m->mm, addr - 1) : NULL;
	vmg.next = vma_lookup(&m->mm, addr + len);
	if (!merge_self && (vmg.prev == vma || vmg.next == vma))
		vmg.prev = vmg.next = NULL;
	new_vma = vma_merge_copied_range(m, &vmg);
	if (new_vma) {
		if (vma_start >= new_vma->vm_start &&
		    vma_start < new_vma->vm_end)
			*vmap = new_vma;
		return new_vma;
	}
	/* vm_area_dup(): anon_vma_clone() keeps the anon_vma and its chain */
	new_vma = vm_area_alloc();
	node = new_vma->node;
	*new_vma = *vma;
	new_vma->node = node;
	new_vma->vm_start = addr;
	new_vma->vm_end = addr + len;
	new_vma->vm_pgoff = pgoff;
	vma_tree_insert(&m->mm, new_vma);
	return new_vma;
}

/*
 * vma_merge_extend(): grow vma by delta in place, as a new range right
 * after it that merges into it (and into the next VMA too, if that is
 * compatible). NULL for a VM_SPECIAL VMA.
 */
struct vma *vma_merge_extend(struct model *m, struct vma *vma, uint64_t delta)
{
	struct vma_merge_struct vmg = {
		.prev = vma,
		.start = vma->vm_end,
		.end = vma->vm_end + delta,
		.pgoff = vma->vm_pgoff + vma_pages(vma),
		.flags = vma->vm_flags,
		.file = vma->file,
		.anon_vma = vma->anon_vma,
	};

	vmg.next = vma_lookup(&m->mm, vmg.end);
	return vma_merge_new_range(m, &vmg);
}
