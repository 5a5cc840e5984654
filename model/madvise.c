// SPDX-License-Identifier: GPL-2.0
/*
 * madvise(2): do_madvise(), madvise_walk_vmas(), madvise_vma_behavior(),
 * madvise_populate() and the guard regions, madvise_guard_install() and
 * madvise_guard_remove() (mm/madvise.c, 6.18).
 */
#include "internal.h"
#include "kver.h"

#ifndef MADV_FREE
#define MADV_FREE 8
#endif
#ifndef MADV_COLD
#define MADV_COLD 20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MADV_DONTNEED_LOCKED
#define MADV_DONTNEED_LOCKED 24
#endif
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#define MADV_GUARD_REMOVE 103
#endif

/* One advice over [start, end) of vma (struct madvise_behavior). */
struct madv {
	int behavior;
	struct vma *prev, *vma;
	uint64_t start, end;
};

/*
 * madvise_behavior_valid(), less the advices the model does not know
 * (COLLAPSE, HWPOISON, SOFT_OFFLINE: see model.h); the guard advices
 * exist from 6.13 (kver_guard_regions).
 * This kernel has CONFIG_KSM and CONFIG_TRANSPARENT_HUGEPAGE.
 */
static bool madvise_behavior_valid(const struct model *m, int behavior)
{
	switch (behavior) {
	case MADV_GUARD_INSTALL:
	case MADV_GUARD_REMOVE:
		return kver_guard_regions(&m->cfg);
	case MADV_DOFORK:
	case MADV_DONTFORK:
	case MADV_NORMAL:
	case MADV_SEQUENTIAL:
	case MADV_RANDOM:
	case MADV_REMOVE:
	case MADV_WILLNEED:
	case MADV_DONTNEED:
	case MADV_DONTNEED_LOCKED:
	case MADV_FREE:
	case MADV_COLD:
	case MADV_PAGEOUT:
	case MADV_POPULATE_READ:
	case MADV_POPULATE_WRITE:
	case MADV_MERGEABLE:
	case MADV_UNMERGEABLE:
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
	case MADV_DONTDUMP:
	case MADV_DODUMP:
	case MADV_WIPEONFORK:
	case MADV_KEEPONFORK:
		return true;
	default:
		return false;
	}
}

/*
 * is_discard(): the advices that throw data away (or hide it from a
 * child). GUARD_INSTALL zaps too: EPERM on a sealed read-only anonymous
 * VMA (measured on 6.18.44).
 */
static bool is_discard(int behavior)
{
	switch (behavior) {
	case MADV_GUARD_INSTALL:
	case MADV_FREE:
	case MADV_DONTNEED:
	case MADV_DONTNEED_LOCKED:
	case MADV_REMOVE:
	case MADV_DONTFORK:
	case MADV_WIPEONFORK:
		return true;
	default:
		return false;
	}
}

/*
 * can_madvise_modify(): a sealed VMA refuses discards only if it is
 * anonymous (no vm_file) and not writable.
 */
static bool can_madvise_modify(const struct madv *b)
{
	const struct vma *vma = b->vma;

	if (!vma_is_sealed(vma) || !is_discard(b->behavior))
		return true;
	return vma->file || (vma->vm_flags & VM_WRITE);
}

/*
 * madvise_dontneed_free(): PFNMAP, and LOCKED except for DONTNEED_LOCKED,
 * are refused; hugetlb takes only DONTNEED(_LOCKED) at a huge page aligned
 * start, its end rounded down. FREE works on anonymous memory only
 * (madvise_free_single_vma). DONTNEED zaps: private anonymous pages read
 * back zero, shared ones live on in their shmem object. FREE leaves the
 * data until reclaim (MADV_PAGEOUT here: no swap, no memory pressure)
 * discards the pages nothing dirtied since (page_store_lazyfree).
 */
static int madvise_dontneed_free(struct model *m, struct madv *b)
{
	struct vma *vma = b->vma;
	uint64_t end = b->end;

	if (vma->hpage_shift) {
		uint64_t hmask = (1ull << vma->hpage_shift) - 1;

		if (b->behavior == MADV_FREE || (b->start & hmask))
			return -EINVAL;
		end &= ~hmask;
	} else if (vma->vm_flags & (VM_PFNMAP | (b->behavior ==
				    MADV_DONTNEED_LOCKED ? 0 : VM_LOCKED))) {
		return -EINVAL;
	}
	if (b->start == end)
		return 0;
	if (b->behavior == MADV_FREE) {
		if (vma->file)
			return -EINVAL;
		page_store_lazyfree(&m->pages, PHYS_PFN(b->start),
				    PHYS_PFN(end - b->start));
		return 0;
	}
	/* a private file mapping's COW copies go: it reads the file again */
	if (!(vma->vm_flags & VM_MAYSHARE))
		page_store_drop(&m->pages, 0, PHYS_PFN(b->start),
				PHYS_PFN(end - b->start));
	return 0;
}

/*
 * madvise_remove(): punch a hole in the file (shmem_fallocate), so the
 * pages of a shared mapping read back zero. hugetlbfs holes are in whole
 * huge pages, and such pages never hold data in the model.
 */
static int madvise_remove(struct model *m, const struct madv *b)
{
	const struct vma *vma = b->vma;

	if (vma->vm_flags & VM_LOCKED)
		return -EINVAL;
	if (!vma->file)
		return -EINVAL;
	/* vma_is_shared_maywrite() */
	if ((vma->vm_flags & (VM_SHARED | VM_MAYWRITE)) !=
	    (VM_SHARED | VM_MAYWRITE))
		return -EACCES;
	shmem_punch_hole(m, vma->file,
			 vma->vm_pgoff + PHYS_PFN(b->start - vma->vm_start),
			 PHYS_PFN(b->end - b->start));
	return 0;
}

/*
 * is_valid_guard_vma(): page tables the core alone manages, so no
 * VM_SPECIAL or hugetlb VMA, and for an install no mlocked one (it would
 * have to zap locked pages). Before 6.15 (kver_guard_file_backed) only
 * anonymous VMAs that could be written (VM_MAYWRITE).
 */
static bool is_valid_guard_vma(const struct model *m, const struct vma *vma,
			       bool allow_locked)
{
	uint64_t disallowed = VM_SPECIAL | VM_HUGETLB;

	if (!allow_locked)
		disallowed |= VM_LOCKED;
	if (vma->vm_flags & disallowed)
		return false;
	if (kver_guard_file_backed(&m->cfg))
		return true;
	return !vma->file && (vma->vm_flags & VM_MAYWRITE);
}

/*
 * madvise_guard_install(): the whole VMA gets the sticky VM_MAYBE_GUARD
 * (no split: measured), if this kernel has the flag; an anonymous VMA
 * gets an anon_vma. Whatever is mapped in the range is zapped first
 * (private and COW pages are gone, a file's data stays in the file), then
 * every page holds a guard marker.
 */
static int madvise_guard_install(struct model *m, struct madv *b)
{
	struct vma *vma = b->vma;

	if (!is_valid_guard_vma(m, vma, false))
		return -EINVAL;
	if (m->cfg.has_maybe_guard)
		vma->vm_flags |= VM_MAYBE_GUARD;
	if (!vma->file)
		anon_vma_prepare(m, vma);
	page_store_drop(&m->pages, 0, PHYS_PFN(b->start),
			PHYS_PFN(b->end - b->start));
	guard_add(&m->guards, b->start, b->end);
	return 0;
}

/*
 * madvise_guard_remove(): clears the markers (allowed on mlocked VMAs);
 * VM_MAYBE_GUARD stays (sticky), the pages fault in afresh.
 */
static int madvise_guard_remove(struct model *m, const struct madv *b)
{
	if (!is_valid_guard_vma(m, b->vma, true))
		return -EINVAL;
	guard_clear(&m->guards, b->start, b->end);
	return 0;
}

/* vma_ksm_compatible(): KSM silently ignores shared and special VMAs. */
static bool vma_ksm_compatible(const struct vma *vma)
{
	return !(vma->vm_flags & (VM_SHARED | VM_MAYSHARE | VM_PFNMAP | VM_IO |
				  VM_DONTEXPAND | VM_HUGETLB | VM_MIXEDMAP |
				  VM_DROPPABLE));
}

/*
 * madvise_update_vma(): apply new_flags to [start, end) through
 * vma_modify_flags(); b->vma becomes the VMA now covering it.
 */
static int madvise_update_vma(struct model *m, struct madv *b,
			      uint64_t new_flags)
{
	int err;

	if (new_flags == b->vma->vm_flags)
		return 0;
	err = vma_modify_flags(m, b->prev, &b->vma, b->start, b->end,
			       &new_flags);
	if (err)
		return err;
	b->vma->vm_flags = new_flags;
	return 0;
}

/* madvise_vma_behavior(): one advice on one VMA's part of the range. */
static int madvise_vma_behavior(struct model *m, struct madv *b)
{
	const struct vma *vma = b->vma;
	uint64_t new_flags = vma->vm_flags;
	int error;

	if (!can_madvise_modify(b))
		return -EPERM;

	switch (b->behavior) {
	case MADV_REMOVE:
		return madvise_remove(m, b);
	case MADV_WILLNEED:
		/* swap-in and readahead only: no visible effect */
		return 0;
	case MADV_COLD:
	case MADV_PAGEOUT:
		/* can_madv_lru_vma(); without swap only lazyfree and
		 * droppable private pages leave (page_store_pageout) */
		if (new_flags & (VM_LOCKED | VM_PFNMAP | VM_HUGETLB))
			return -EINVAL;
		if (b->behavior == MADV_PAGEOUT &&
		    !(b->vma->vm_flags & VM_MAYSHARE))
			page_store_pageout(&m->pages, PHYS_PFN(b->start),
					   PHYS_PFN(b->end - b->start),
					   b->vma->vm_flags & VM_DROPPABLE);
		return 0;
	case MADV_FREE:
	case MADV_DONTNEED:
	case MADV_DONTNEED_LOCKED:
		/* zap_details without ZAP_FLAG_DROP_MARKER: guards stay */
		return madvise_dontneed_free(m, b);
	case MADV_GUARD_INSTALL:
		return madvise_guard_install(m, b);
	case MADV_GUARD_REMOVE:
		return madvise_guard_remove(m, b);
	case MADV_NORMAL:
		new_flags &= ~(VM_RAND_READ | VM_SEQ_READ);
		break;
	case MADV_SEQUENTIAL:
		new_flags = (new_flags & ~VM_RAND_READ) | VM_SEQ_READ;
		break;
	case MADV_RANDOM:
		new_flags = (new_flags & ~VM_SEQ_READ) | VM_RAND_READ;
		break;
	case MADV_DONTFORK:
		new_flags |= VM_DONTCOPY;
		break;
	case MADV_DOFORK:
		if (new_flags & VM_IO)
			return -EINVAL;
		new_flags &= ~VM_DONTCOPY;
		break;
	case MADV_WIPEONFORK:
		if (vma->file || (new_flags & VM_SHARED))
			return -EINVAL;
		new_flags |= VM_WIPEONFORK;
		break;
	case MADV_KEEPONFORK:
		if (new_flags & VM_DROPPABLE)
			return -EINVAL;
		new_flags &= ~VM_WIPEONFORK;
		break;
	case MADV_DONTDUMP:
		new_flags |= VM_DONTDUMP;
		break;
	case MADV_DODUMP:
		if ((!vma->hpage_shift && (new_flags & VM_SPECIAL)) ||
		    (new_flags & VM_DROPPABLE))
			return -EINVAL;
		new_flags &= ~VM_DONTDUMP;
		break;
	case MADV_MERGEABLE:
		/* ksm_madvise() */
		if (vma_ksm_compatible(vma))
			new_flags |= VM_MERGEABLE;
		break;
	case MADV_UNMERGEABLE:
		new_flags &= ~VM_MERGEABLE;
		break;
	case MADV_HUGEPAGE:
		/* hugepage_madvise() */
		new_flags = (new_flags & ~VM_NOHUGEPAGE) | VM_HUGEPAGE;
		break;
	case MADV_NOHUGEPAGE:
		new_flags = (new_flags & ~VM_HUGEPAGE) | VM_NOHUGEPAGE;
		break;
	}

	error = madvise_update_vma(m, b, new_flags);
	/* a failed split (map_count) is reported as a transient shortage */
	return error == -ENOMEM ? -EAGAIN : error;
}

/*
 * madvise_walk_vmas(): apply to every VMA in [start, end); a hole is
 * remembered as ENOMEM and skipped, a per-VMA error stops the walk with
 * the earlier VMAs already changed.
 */
static int madvise_walk_vmas(struct model *m, struct madv *b, uint64_t last_end)
{
	int unmapped_error = 0, error;
	struct vma *vma = vma_find(&m->mm, b->start);
	struct vma *prev = vma && b->start > vma->vm_start ? vma :
			   vma ? vma_prev(vma) : NULL;

	for (;;) {
		if (!vma)
			return -ENOMEM;
		if (b->start < vma->vm_start) {
			unmapped_error = -ENOMEM;
			b->start = vma->vm_start;
			if (b->start >= last_end)
				break;
		}
		b->end = vma->vm_end < last_end ? vma->vm_end : last_end;
		b->prev = prev;
		b->vma = vma;
		error = madvise_vma_behavior(m, b);
		if (error)
			return error;
		vma = prev = b->vma;
		if (b->end < vma->vm_end)
			b->end = vma->vm_end;
		if (b->end >= last_end)
			break;
		vma = vma_find(&m->mm, vma->vm_end);
		b->start = b->end;
	}
	return unmapped_error;
}

/*
 * madvise_populate() -> faultin_page_range() -> __get_user_pages() with
 * FOLL_MADV_POPULATE and without FOLL_FORCE: a hole is ENOMEM, an access
 * the VMA forbids (check_vma_flags) EINVAL, a fault ending in SIGBUS
 * (hugetlb without huge pages, shmem past i_size) or SIGSEGV (a guard
 * marker) EFAULT. Write faults on private memory instantiate anonymous
 * pages: an anon_vma, unless the first page faulted is a guard.
 */
static int madvise_populate(struct model *m, uint64_t start, uint64_t end,
			    bool write)
{
	while (start < end) {
		struct vma *vma = vma_lookup(&m->mm, start);
		uint64_t vend;
		int err;

		if (!vma)
			return -ENOMEM;
		if ((vma->vm_flags & (VM_IO | VM_PFNMAP)) ||
		    !(vma->vm_flags & (write ? VM_WRITE : VM_READ)))
			return -EINVAL;
		vend = vma->vm_end < end ? vma->vm_end : end;
		if (vma->hpage_shift)
			return -EFAULT;
		err = faultin_vma_range(m, vma, start, vend,
					write && !(vma->vm_flags & VM_SHARED));
		if (err)
			return err;
		start = vend;
	}
	return 0;
}

/* do_madvise(): validate, then walk (or populate). */
static int do_madvise(struct model *m, uint64_t start, uint64_t len_in,
		      int behavior)
{
	struct madv b = { .behavior = behavior, .start = start };
	uint64_t len;

	if (!madvise_behavior_valid(m, behavior))
		return -EINVAL;
	/* check_input_range() */
	if (start & ~PAGE_MASK)
		return -EINVAL;
	len = PAGE_ALIGN(len_in);
	if (len_in && !len)
		return -EINVAL;
	if (start + len < start)
		return -EINVAL;
	if (!len_in)
		return 0;

	if (behavior == MADV_POPULATE_READ || behavior == MADV_POPULATE_WRITE)
		return madvise_populate(m, start, start + len,
					behavior == MADV_POPULATE_WRITE);
	return madvise_walk_vmas(m, &b, start + len);
}

void model_madvise(struct model *m, uint64_t addr, uint64_t len,
		   uint64_t advice, struct outcome *out)
{
	/* the advice is an int argument */
	int err = do_madvise(m, addr, len, (int)advice);

	*out = (struct outcome){ 0 };
	if (err) {
		out->ret = -1;
		out->err = -err;
	}
}
