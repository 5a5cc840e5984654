// SPDX-License-Identifier: GPL-2.0
/*
 * mremap(2): do_mremap() and its helpers in mm/mremap.c (6.18), on top of
 * copy_vma() / vma_merge_extend() (mm/vma.c, here model/vma.c). Older
 * behaviour is gated by cfg.kver where it differs visibly.
 *
 * What the model leaves out because no modelled mapping reaches it:
 * userfaultfd, KSM, vm_ops->mremap and ->may_split (hugetlb addresses are
 * already huge page aligned when a split could happen), VM_PFNMAP and
 * VM_IO mappings, and may_expand_vm() (RLIMIT_AS and RLIMIT_DATA are
 * unlimited).
 */
#include "internal.h"
#include "kver.h"

/* include/uapi/linux/mman.h (glibc 2.36 lacks MREMAP_DONTUNMAP) */
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

/* VM_LOCKED_MASK (include/linux/mm.h) */
#define VM_LOCKED_MASK (VM_LOCKED | VM_LOCKONFAULT)

/* enum mremap_type (mm/mremap.c) */
enum mremap_type {
	MREMAP_INVALID,
	MREMAP_NO_RESIZE, /* old_len == new_len: nothing to do unless moved */
	MREMAP_SHRINK,	  /* old_len > new_len */
	MREMAP_EXPAND,	  /* old_len < new_len */
};

/* struct vma_remap_struct (mm/mremap.c), without the uffd state. */
struct vma_remap_struct {
	uint64_t addr, old_len, new_len, flags, new_addr;
	struct vma *vma;
	uint64_t delta;		     /* |old_len - new_len| */
	enum mremap_type remap_type;
	bool populate_expand;	     /* mlocked and expanded: populate */
};

/* vrm_set_delta() */
static void vrm_set_delta(struct vma_remap_struct *vrm)
{
	vrm->delta = vrm->old_len > vrm->new_len ? vrm->old_len - vrm->new_len
						 : vrm->new_len - vrm->old_len;
}

/* vrm_remap_type() */
static enum mremap_type vrm_remap_type(const struct vma_remap_struct *vrm)
{
	if (!vrm->delta)
		return MREMAP_NO_RESIZE;
	if (vrm->old_len > vrm->new_len)
		return MREMAP_SHRINK;
	return MREMAP_EXPAND;
}

/* vrm_overlaps(): do [addr, old_len) and [new_addr, new_len) overlap? */
static bool vrm_overlaps(const struct vma_remap_struct *vrm)
{
	return vrm->addr + vrm->old_len > vrm->new_addr &&
	       vrm->new_addr + vrm->new_len > vrm->addr;
}

/* vrm_implies_new_addr(): FIXED, or DONTUNMAP (which always moves). */
static bool vrm_implies_new_addr(const struct vma_remap_struct *vrm)
{
	return vrm->flags & (MREMAP_FIXED | MREMAP_DONTUNMAP);
}

/* vrm_will_map_new(): expanding or moving maps new address space. */
static bool vrm_will_map_new(const struct vma_remap_struct *vrm)
{
	return vrm->remap_type == MREMAP_EXPAND || vrm_implies_new_addr(vrm);
}

/* vrm_move_only(): a MREMAP_FIXED move that keeps the size. */
static bool vrm_move_only(const struct vma_remap_struct *vrm)
{
	return (vrm->flags & MREMAP_FIXED) && vrm->old_len == vrm->new_len;
}

/*
 * MREMAP_DONTUNMAP may not resize: from 6.17 in pages, before on the
 * lengths as given.
 */
static bool dontunmap_resizes(const struct model *m,
			      const struct vma_remap_struct *vrm,
			      uint64_t old_len_in, uint64_t new_len_in)
{
	if (!(vrm->flags & MREMAP_DONTUNMAP))
		return false;
	if (kver_mremap_aligned_params(&m->cfg))
		return vrm->old_len != vrm->new_len;
	return old_len_in != new_len_in;
}

/*
 * check_mremap_params(), run on the page aligned lengths (do_mremap()
 * aligns them first); old_len_in and new_len_in are the lengths as given,
 * which DONTUNMAP compared before 6.17. The map count margin: move_vma()
 * must stay 4 maps below the limit, and both the source and the
 * destination may be split in three before that.
 */
static int check_mremap_params(const struct model *m,
			       const struct vma_remap_struct *vrm,
			       uint64_t old_len_in, uint64_t new_len_in)
{
	uint64_t task_size = m->cfg.task_size;

	if (vrm->flags & ~(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP))
		return -EINVAL;
	if (vrm->addr & ~PAGE_MASK)
		return -EINVAL;
	if (!vrm->new_len)
		return -EINVAL;
	if (vrm->new_len > task_size)
		return -EINVAL;
	if (!vrm_implies_new_addr(vrm))
		return 0;
	if (vrm->new_addr > task_size - vrm->new_len)
		return -EINVAL;
	if (vrm->new_addr & ~PAGE_MASK)
		return -EINVAL;
	if (!(vrm->flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if (dontunmap_resizes(m, vrm, old_len_in, new_len_in))
		return -EINVAL;
	if (vrm_overlaps(vrm))
		return -EINVAL;
	if (model_map_count(m) + 2 >= m->cfg.max_map_count - 3)
		return -ENOMEM;
	return 0;
}

/*
 * align_hugetlb(): lengths round up to the huge page size, both
 * addresses (new_addr even when it is not used) must be aligned to it,
 * and a hugetlb mapping cannot grow.
 */
static bool align_hugetlb(struct vma_remap_struct *vrm)
{
	uint64_t hmask = (1ull << vrm->vma->hpage_shift) - 1;

	vrm->old_len = (vrm->old_len + hmask) & ~hmask;
	vrm->new_len = (vrm->new_len + hmask) & ~hmask;
	if ((vrm->addr & hmask) || (vrm->new_addr & hmask))
		return false;
	return vrm->new_len <= vrm->old_len;
}

/*
 * check_prep_vma(): the source VMA's checks, before anything changes.
 * A sealed source is EPERM, even for a resize to the same size (mseal()
 * exists from 6.10; no VMA is sealed before). A shrink may unmap beyond
 * the VMA; what stays (new_len) must not.
 * The pgoff overflow check cannot fire (private pgoffs are addresses,
 * shared ones start at 0, hugetlb ones are bounded by
 * hugetlbfs_file_mmap()), nor can the VM_DONTEXPAND refusal of a growth
 * (only hugetlb has VM_DONTEXPAND, and align_hugetlb() refuses growth).
 *
 * In two halves, because before 6.17 (kver_mremap_early_checks()) they
 * ran apart: the first right after vma_lookup() in do_mremap(), the
 * second (vma_to_resize()) only after mremap_to() had unmapped the
 * destination and the shrunk tail.
 *
 * First half: the source must exist, unsealed, and a hugetlb one aligned.
 */
static int check_prep_vma_source(struct vma_remap_struct *vrm)
{
	struct vma *vma = vrm->vma;

	if (!vma)
		return -EFAULT;
	if (vma_is_sealed(vma))
		return -EPERM;
	if (vma->hpage_shift && !align_hugetlb(vrm))
		return -EINVAL;
	vrm_set_delta(vrm);
	vrm->remap_type = vrm_remap_type(vrm);
	if (!vrm_implies_new_addr(vrm))
		vrm->new_addr = vrm->addr;
	return 0;
}

/*
 * Second half (vma_to_resize() before 6.17): only for an operation that
 * maps new address space.
 */
static int check_prep_vma_resize(const struct model *m,
				 struct vma_remap_struct *vrm)
{
	struct vma *vma = vrm->vma;
	uint64_t old_len, new_len;

	if (!vrm_will_map_new(vrm))
		return 0;

	old_len = vrm->old_len;
	new_len = vrm->new_len;
	/* duplicating a private mapping makes no sense */
	if (!old_len && !(vma->vm_flags & (VM_SHARED | VM_MAYSHARE)))
		return -EINVAL;
	if ((vrm->flags & MREMAP_DONTUNMAP) &&
	    (vma->vm_flags & (VM_DONTEXPAND | VM_PFNMAP)))
		return -EINVAL;
	if (vrm->remap_type == MREMAP_SHRINK)
		old_len = new_len;
	if (old_len > vma->vm_end - vrm->addr)
		return -EFAULT;
	if (new_len == old_len)
		return 0;
	if (vma->vm_flags & VM_LOCKED)
		vrm->populate_expand = true;
	if (!mlock_future_ok(m, vma->vm_flags & VM_LOCKED, vrm->delta))
		return -EAGAIN;
	if (!may_expand_vm(m, PHYS_PFN(vrm->delta)))
		return -ENOMEM;
	return 0;
}

static int check_prep_vma(const struct model *m, struct vma_remap_struct *vrm)
{
	int err = check_prep_vma_source(vrm);

	return err ? err : check_prep_vma_resize(m, vrm);
}

/*
 * vrm_set_new_addr(): MREMAP_FIXED is a MAP_FIXED request, DONTUNMAP
 * alone gives a hint, anything else lets the kernel choose (addr 0: THP
 * alignment applies to private anonymous memory). A hugetlb VMA only
 * gets here with MREMAP_FIXED (it cannot grow and DONTUNMAP refuses
 * VM_DONTEXPAND), where hugetlb_get_unmapped_area() takes the already
 * aligned address as it is.
 */
static int vrm_set_new_addr(struct model *m, struct vma_remap_struct *vrm)
{
	struct vma *vma = vrm->vma;
	uint64_t map_flags = 0, res;
	uint64_t pgoff = vma->vm_pgoff + PHYS_PFN(vrm->addr - vma->vm_start);
	uint64_t new_addr = vrm_implies_new_addr(vrm) ? vrm->new_addr : 0;

	if (vrm->flags & MREMAP_FIXED)
		map_flags |= MAP_FIXED;
	if (vma->vm_flags & VM_MAYSHARE)
		map_flags |= MAP_SHARED;
	res = __get_unmapped_area(&m->mm, &m->cfg, new_addr, vrm->new_len,
				  pgoff, map_flags, vma->file != 0);
	if (IS_ERR_ADDR(res))
		return ADDR_ERR(res);
	vrm->new_addr = res;
	return 0;
}

/*
 * vrm_calc_charge(): an accounted VMA charges the growth, or the whole
 * new length when the source stays (DONTUNMAP).
 */
static bool vrm_calc_charge(const struct model *m,
			    const struct vma_remap_struct *vrm)
{
	uint64_t charged;

	if (!(vrm->vma->vm_flags & VM_ACCOUNT))
		return true;
	if (vrm->flags & MREMAP_DONTUNMAP)
		charged = PHYS_PFN(vrm->new_len);
	else
		charged = PHYS_PFN(vrm->delta);
	return security_vm_enough_memory(m, charged);
}

/* vrm_stat_account(): mlocked memory grows by bytes. */
static void vrm_stat_account(struct model *m,
			     const struct vma_remap_struct *vrm, uint64_t bytes)
{
	if (vrm->vma->vm_flags & VM_LOCKED)
		m->locked_vm += PHYS_PFN(bytes);
}

/*
 * prep_move_vma(): refuse early rather than fail in the munmap that
 * completes the move, which may split one VMA into three.
 */
static int prep_move_vma(const struct model *m)
{
	if (model_map_count(m) >= m->cfg.max_map_count - 3)
		return -ENOMEM;
	return 0;
}

/*
 * copy_vma_and_data(): the VMA copy (merged at the destination if it
 * can be) and move_page_tables(): private pages move with it, shared
 * ones stay in their object. vrm->vma follows the source if it merged
 * into the copy. A DONTUNMAP copy placed against its own source merged
 * with it only from 6.12? (kver.h).
 */
static struct vma *copy_vma_and_data(struct model *m,
				     struct vma_remap_struct *vrm)
{
	struct vma *vma = vrm->vma, *new_vma;
	uint64_t new_pgoff = vma->vm_pgoff +
			     PHYS_PFN(vrm->addr - vma->vm_start);
	bool merge_self = !(vrm->flags & MREMAP_DONTUNMAP) ||
			  kver_mremap_dontunmap_self_merge(&m->cfg);

	new_vma = copy_vma(m, &vma, vrm->new_addr, vrm->new_len, new_pgoff,
			   merge_self);
	vrm->vma = vma;
	page_store_move(&m->pages, PHYS_PFN(vrm->addr),
			PHYS_PFN(vrm->new_addr), PHYS_PFN(vrm->old_len));
	/* guard markers are PTEs: they move whatever backs the VMA */
	guard_move(&m->guards, vrm->addr, vrm->new_addr, vrm->old_len);
	return new_vma;
}

/*
 * dontunmap_complete(): the source stays mapped, emptied: it cannot be
 * mlocked any more, and if all of it moved its anon_vma goes
 * (unlink_anon_vmas()). VM_ACCOUNT was cleared too from 6.15 until
 * "mm/mremap: correctly account old mapping after MREMAP_DONTUNMAP
 * remap" (6.18).
 */
static void dontunmap_complete(struct model *m, struct vma_remap_struct *vrm,
			       struct vma *new_vma)
{
	struct vma *vma = vrm->vma;
	uint64_t clear = VM_LOCKED_MASK;

	if (kver_mremap_dontunmap_unaccounts(&m->cfg))
		clear |= VM_ACCOUNT;
	vma->vm_flags &= ~clear;
	if (new_vma != vma && vrm->addr == vma->vm_start &&
	    vrm->addr + vrm->old_len == vma->vm_end) {
		vma->anon_vma = 0;
		vma->anon_fork_child = 0;
	}
}

/*
 * unmap_source_vma(): the charge was taken up front, so VM_ACCOUNT is
 * hidden while the source range is unmapped and put back on what is
 * left of the VMA on either side. A failed unmap (old_len 0, a
 * duplicate) leaves the source as it is, VM_ACCOUNT still cleared.
 */
static void unmap_source_vma(struct model *m, struct vma_remap_struct *vrm)
{
	struct vma *vma = vrm->vma;
	uint64_t addr = vrm->addr, end = addr + vrm->old_len;
	uint64_t vm_start = vma->vm_start, vm_end = vma->vm_end;
	bool accountable_move = (vma->vm_flags & VM_ACCOUNT) &&
				!(vrm->flags & MREMAP_DONTUNMAP);

	if (accountable_move)
		vma->vm_flags &= ~VM_ACCOUNT;
	vrm->vma = NULL;
	if (do_vmi_munmap(m, addr, vrm->old_len) || !accountable_move)
		return;
	if (vm_start < addr)
		vma_lookup(&m->mm, addr - 1)->vm_flags |= VM_ACCOUNT;
	if (vm_end > end)
		vma_lookup(&m->mm, end)->vm_flags |= VM_ACCOUNT;
}

/* move_vma(): returns the new address or an error. */
static uint64_t move_vma(struct model *m, struct vma_remap_struct *vrm)
{
	struct vma *new_vma;
	int err;

	err = prep_move_vma(m);
	if (err)
		return ERR_ADDR(err);
	if (!vrm_calc_charge(m, vrm))
		return ERR_ADDR(-ENOMEM);
	new_vma = copy_vma_and_data(m, vrm);
	/*
	 * A DONTUNMAP move of a locked VMA charges the new range to
	 * locked_vm while dontunmap_complete() unlocks the source without
	 * uncharging it: the kernel leaks old_len pages of locked_vm each
	 * time (a kernel bug, measured on 6.18.44 as VmLck; the model
	 * agrees so that what follows is compared). Before the rework the
	 * DONTUNMAP path returned before charging.
	 */
	if (!(vrm->flags & MREMAP_DONTUNMAP) ||
	    kver_mremap_dontunmap_leaks_locked_vm(&m->cfg))
		vrm_stat_account(m, vrm, vrm->new_len);
	if (vrm->flags & MREMAP_DONTUNMAP)
		dontunmap_complete(m, vrm, new_vma);
	else
		unmap_source_vma(m, vrm);
	return vrm->new_addr;
}

/*
 * shrink_vma(): unmap [addr + new_len, addr + old_len), which may reach
 * past the VMA into holes and other VMAs. Unless it was the last step,
 * look the (possibly split) source up again.
 */
static int shrink_vma(struct model *m, struct vma_remap_struct *vrm,
		      bool last)
{
	int err = do_vmi_munmap(m, vrm->addr + vrm->new_len, vrm->delta);

	vrm->vma = NULL;
	if (err || last)
		return err;
	vrm->vma = vma_lookup(&m->mm, vrm->addr);
	return vrm->vma ? 0 : -EFAULT;
}

/*
 * The end of mremap_to() in every version: MREMAP_DONTUNMAP keeps the
 * source, so it expands the address space by old_len (may_expand_vm());
 * then the destination is placed and the VMA moved.
 */
static uint64_t mremap_to_move(struct model *m, struct vma_remap_struct *vrm)
{
	int err;

	if ((vrm->flags & MREMAP_DONTUNMAP) &&
	    !may_expand_vm(m, PHYS_PFN(vrm->old_len)))
		return ERR_ADDR(-ENOMEM);
	err = vrm_set_new_addr(m, vrm);
	if (err)
		return ERR_ADDR(err);
	return move_vma(m, vrm);
}

/*
 * mremap_to(): a move to a new address. MREMAP_FIXED unmaps the
 * destination first (which may split the source VMA: look it up again);
 * a shrink is done in place before the move.
 */
static uint64_t mremap_to(struct model *m, struct vma_remap_struct *vrm)
{
	int err;

	if (vrm->flags & MREMAP_FIXED) {
		err = do_vmi_munmap(m, vrm->new_addr, vrm->new_len);
		if (err)
			return ERR_ADDR(err);
		vrm->vma = vma_lookup(&m->mm, vrm->addr);
		if (!vrm->vma)
			return ERR_ADDR(-EFAULT);
	}
	if (vrm->remap_type == MREMAP_SHRINK) {
		err = shrink_vma(m, vrm, false);
		if (err)
			return ERR_ADDR(err);
		vrm->old_len = vrm->new_len;
	}
	return mremap_to_move(m, vrm);
}

/*
 * vma_expandable(): the delta after the VMA must be free and the grown
 * VMA must pass get_unmapped_area() as a MAP_FIXED request (within
 * TASK_SIZE, above mmap_min_addr). No stack guard gap is kept.
 */
static bool vma_expandable(struct model *m, const struct vma *vma,
			   uint64_t delta)
{
	uint64_t end = vma->vm_end + delta;
	const struct vma *next;

	if (end < vma->vm_end)
		return false;
	next = vma_find(&m->mm, vma->vm_end);
	if (next && next->vm_start < end)
		return false;
	return !IS_ERR_ADDR(__get_unmapped_area(&m->mm, &m->cfg, vma->vm_start,
						end - vma->vm_start, 0,
						MAP_FIXED, 0));
}

/* vrm_can_expand_in_place(): the range must end where the VMA ends. */
static bool vrm_can_expand_in_place(struct model *m,
				    const struct vma_remap_struct *vrm)
{
	if (vrm->vma->vm_end - vrm->addr != vrm->old_len)
		return false;
	return vma_expandable(m, vrm->vma, vrm->delta);
}

/*
 * expand_vma_in_place(): charge the growth, then vma_merge_extend(),
 * which also merges the next VMA if it is compatible. It cannot fail
 * for a modelled VMA (VM_SPECIAL ones never get here).
 */
static int expand_vma_in_place(struct model *m, struct vma_remap_struct *vrm)
{
	if (!vrm_calc_charge(m, vrm))
		return -ENOMEM;
	vrm->vma = vma_merge_extend(m, vrm->vma, vrm->delta);
	vrm_stat_account(m, vrm, vrm->delta);
	return 0;
}

/* expand_vma(): in place if possible, else move (MREMAP_MAYMOVE). */
static uint64_t expand_vma(struct model *m, struct vma_remap_struct *vrm)
{
	int err;

	if (vrm_can_expand_in_place(m, vrm)) {
		err = expand_vma_in_place(m, vrm);
		return err ? ERR_ADDR(err) : vrm->addr;
	}
	if (!(vrm->flags & MREMAP_MAYMOVE))
		return ERR_ADDR(-ENOMEM);
	err = vrm_set_new_addr(m, vrm);
	if (err)
		return ERR_ADDR(err);
	return move_vma(m, vrm);
}

/* mremap_at(): resize where the mapping is, moving only to grow. */
static uint64_t mremap_at(struct model *m, struct vma_remap_struct *vrm)
{
	int err;

	switch (vrm->remap_type) {
	case MREMAP_NO_RESIZE:
		return vrm->addr;
	case MREMAP_SHRINK:
		err = shrink_vma(m, vrm, true);
		return err ? ERR_ADDR(err) : vrm->addr;
	default:
		return expand_vma(m, vrm);
	}
}

/*
 * remap_move() (6.17+): a MREMAP_FIXED move that keeps the size may span
 * several VMAs. Each VMA (the parts inside [addr, addr + old_len)) moves
 * on its own, keeping the gaps between them; a gap at the start, or no
 * VMA at all, is EFAULT; a failure leaves the VMAs before it moved. The
 * walk goes on from the old end of the VMA just moved, as the kernel's
 * paused iterator does (for_each_vma_range()): once that is past the
 * range it stops, even if a merge grew a VMA back over the range.
 */
static uint64_t remap_move(struct model *m, struct vma_remap_struct *vrm)
{
	uint64_t start = vrm->addr, end = vrm->addr + vrm->old_len;
	uint64_t target_addr = vrm->new_addr, last_end = 0, pos = start;
	uint64_t res = ERR_ADDR(-EFAULT), res_vma;
	bool seen_vma = false;
	struct vma *vma;

	while (pos < end && (vma = vma_find(&m->mm, pos)) &&
	       vma->vm_start < end) {
		uint64_t addr = vma->vm_start > start ? vma->vm_start : start;
		uint64_t len = (end < vma->vm_end ? end : vma->vm_end) - addr;
		uint64_t offset = seen_vma ? vma->vm_start - last_end : 0;
		int err;

		if (!seen_vma && start < vma->vm_start)
			return ERR_ADDR(-EFAULT);
		last_end = pos = vma->vm_end;
		vrm->vma = vma;
		vrm->addr = addr;
		vrm->new_addr = target_addr + offset;
		vrm->old_len = vrm->new_len = len;
		err = check_prep_vma(m, vrm);
		res_vma = err ? ERR_ADDR(err) : mremap_to(m, vrm);
		if (IS_ERR_ADDR(res_vma))
			return res_vma;
		if (!seen_vma)
			res = res_vma;
		seen_vma = true;
		target_addr = res_vma + vrm->new_len;
	}
	return res;
}

/*
 * mremap_to() before 6.17 (kver_mremap_early_checks()): the destination
 * is checked only now, after the source was found, and the source's
 * resize checks (vma_to_resize()) come after the MREMAP_FIXED
 * destination and the shrunk tail are unmapped, which a failure leaves
 * unmapped. The source is looked up again there (EFAULT if the unmaps
 * took it, which the overlap check rules out).
 */
static uint64_t mremap_to_old(struct model *m, struct vma_remap_struct *vrm)
{
	uint64_t task_size = m->cfg.task_size;
	int err;

	if (vrm->new_addr & ~PAGE_MASK)
		return ERR_ADDR(-EINVAL);
	if (vrm->new_len > task_size ||
	    vrm->new_addr > task_size - vrm->new_len)
		return ERR_ADDR(-EINVAL);
	if (vrm_overlaps(vrm))
		return ERR_ADDR(-EINVAL);
	if (model_map_count(m) + 2 >= m->cfg.max_map_count - 3)
		return ERR_ADDR(-ENOMEM);
	vrm->vma = NULL;
	if (vrm->flags & MREMAP_FIXED) {
		err = do_vmi_munmap(m, vrm->new_addr, vrm->new_len);
		if (err)
			return ERR_ADDR(err);
	}
	if (vrm->remap_type == MREMAP_SHRINK) {
		err = do_vmi_munmap(m, vrm->addr + vrm->new_len, vrm->delta);
		if (err)
			return ERR_ADDR(err);
		vrm->old_len = vrm->new_len;
	}
	vrm->vma = vma_lookup(&m->mm, vrm->addr);
	if (!vrm->vma)
		return ERR_ADDR(-EFAULT);
	err = check_prep_vma_resize(m, vrm);
	if (err)
		return ERR_ADDR(err);
	return mremap_to_move(m, vrm);
}

/*
 * do_mremap() before 6.17 (SYSCALL_DEFINE5(mremap) in 6.1): the flags,
 * addr and new_len == 0, then the source (EFAULT before any destination
 * check); a move goes on in mremap_to_old(), a resize in place checks
 * the source's resize and has no TASK_SIZE check of its own.
 */
static uint64_t do_mremap_old(struct model *m, struct vma_remap_struct *vrm,
			      uint64_t old_len_in, uint64_t new_len_in)
{
	int err;

	if (vrm->flags & ~(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP))
		return ERR_ADDR(-EINVAL);
	if ((vrm->flags & MREMAP_FIXED) && !(vrm->flags & MREMAP_MAYMOVE))
		return ERR_ADDR(-EINVAL);
	if ((vrm->flags & MREMAP_DONTUNMAP) &&
	    (!(vrm->flags & MREMAP_MAYMOVE) ||
	     dontunmap_resizes(m, vrm, old_len_in, new_len_in)))
		return ERR_ADDR(-EINVAL);
	if (vrm->addr & ~PAGE_MASK)
		return ERR_ADDR(-EINVAL);
	if (!vrm->new_len)
		return ERR_ADDR(-EINVAL);
	vrm->vma = vma_lookup(&m->mm, vrm->addr);
	err = check_prep_vma_source(vrm);
	if (err)
		return ERR_ADDR(err);
	if (vrm_implies_new_addr(vrm))
		return mremap_to_old(m, vrm);
	err = check_prep_vma_resize(m, vrm);
	if (err)
		return ERR_ADDR(err);
	return mremap_at(m, vrm);
}

/* mm_populate() of the grown part of an mlocked mapping, [new_addr +
 * old_len, + delta): one VMA, which may have merged with its neighbours. */
static void populate_expand(struct model *m,
			    const struct vma_remap_struct *vrm)
{
	uint64_t start = vrm->new_addr + vrm->old_len;
	struct vma *vma = vma_lookup(&m->mm, start);

	if (vma)
		populate_vma_range(m, vma, start, start + vrm->delta);
}

/*
 * do_mremap(). Before 6.17 ("mm/mremap: permit mremap() move of multiple
 * VMAs") a same-size MREMAP_FIXED move was limited to one VMA like any
 * other mremap: crossing its end is EFAULT in check_prep_vma(). Before
 * 6.17 the checks also ran in another order: do_mremap_old().
 */
static uint64_t do_mremap(struct model *m, struct vma_remap_struct *vrm)
{
	uint64_t old_len_in = vrm->old_len, new_len_in = vrm->new_len, res;
	int err;

	vrm->old_len = PAGE_ALIGN(vrm->old_len);
	vrm->new_len = PAGE_ALIGN(vrm->new_len);
	if (!kver_mremap_early_checks(&m->cfg)) {
		res = do_mremap_old(m, vrm, old_len_in, new_len_in);
		goto out;
	}
	err = check_mremap_params(m, vrm, old_len_in, new_len_in);
	if (err)
		return ERR_ADDR(err);

	if (vrm_move_only(vrm) && kver_mremap_multi_vma(&m->cfg)) {
		res = remap_move(m, vrm);
	} else {
		vrm->vma = vma_lookup(&m->mm, vrm->addr);
		err = check_prep_vma(m, vrm);
		if (err)
			return ERR_ADDR(err);
		res = vrm_implies_new_addr(vrm) ? mremap_to(m, vrm)
						: mremap_at(m, vrm);
	}
out:
	if (!IS_ERR_ADDR(res) && vrm->populate_expand)
		populate_expand(m, vrm);
	return res;
}

void model_mremap(struct model *m, uint64_t addr, uint64_t old_len,
		  uint64_t new_len, uint64_t flags, uint64_t new_addr,
		  struct outcome *out)
{
	struct vma_remap_struct vrm = {
		.addr = addr,
		.old_len = old_len,
		.new_len = new_len,
		.flags = flags,
		.new_addr = new_addr,
	};
	uint64_t res = do_mremap(m, &vrm);

	*out = (struct outcome){ 0 };
	if (IS_ERR_ADDR(res)) {
		out->ret = -1;
		out->err = -ADDR_ERR(res);
	} else {
		out->ret = (int64_t)res;
	}
}
