// SPDX-License-Identifier: GPL-2.0
/* mlock(2), mlock2(2), munlock(2): do_mlock() and friends (mm/mlock.c). */
#include <string.h>

#include "internal.h"

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 0x01
#endif

/* vma_supports_mlock(): special, droppable and hugetlb VMAs are skipped. */
static bool vma_supports_mlock(const struct vma *vma)
{
	return !(vma->vm_flags & (VM_SPECIAL | VM_DROPPABLE)) &&
	       !vma->hpage_shift;
}

/*
 * mlock_fixup(): newflags for [start, end) of vma, split or merged by
 * vma_modify_flags(); mm->locked_vm follows. *prev becomes the VMA now
 * covering the range (vma itself when nothing changes).
 */
static int mlock_fixup(struct model *m, struct vma *vma, struct vma **prev,
		       uint64_t start, uint64_t end, uint64_t newflags)
{
	uint64_t oldflags = vma->vm_flags, nr_pages = PHYS_PFN(end - start);
	int err;

	if (newflags == oldflags || !vma_supports_mlock(vma)) {
		*prev = vma;
		return 0;
	}
	err = vma_modify_flags(m, *prev, &vma, start, end, &newflags);
	if (err)
		return err;
	if (!(newflags & VM_LOCKED))
		m->locked_vm -= nr_pages;
	else if (!(oldflags & VM_LOCKED))
		m->locked_vm += nr_pages;
	vma->vm_flags = newflags;
	*prev = vma;
	return 0;
}

/*
 * apply_vma_lock_flags(): start must be in a VMA, and the walk stops with
 * ENOMEM at the first hole, the VMAs before it already changed.
 */
static int apply_vma_lock_flags(struct model *m, uint64_t start, uint64_t len,
				uint64_t flags)
{
	uint64_t end = start + len, nstart, tmp;
	struct vma *vma, *prev, *next;

	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	vma = vma_lookup(&m->mm, start);
	if (!vma)
		return -ENOMEM;
	prev = start > vma->vm_start ? vma : vma_prev(vma);

	nstart = start;
	tmp = vma->vm_start;
	for (; vma && vma->vm_start < end; vma = next) {
		int err;

		if (vma->vm_start != tmp)
			return -ENOMEM;
		tmp = vma->vm_end < end ? vma->vm_end : end;
		err = mlock_fixup(m, vma, &prev, nstart, tmp,
				  (vma->vm_flags & ~VM_LOCKED_MASK) | flags);
		if (err)
			return err;
		/* the VMA now covering nstart may reach further (merge) */
		tmp = prev->vm_end;
		nstart = tmp;
		next = vma_next(prev);
	}
	return tmp < end ? -ENOMEM : 0;
}

/* count_mm_mlocked_page_nr(): locked pages already in [start, start+len). */
static uint64_t count_mm_mlocked_page_nr(const struct model *m, uint64_t start,
					 uint64_t len)
{
	uint64_t end = UINT64_MAX - len < start ? UINT64_MAX : start + len;
	uint64_t count = 0;
	struct vma *vma;

	for (vma = vma_find(&m->mm, start); vma && vma->vm_start < end;
	     vma = vma_next(vma)) {
		if (!(vma->vm_flags & VM_LOCKED))
			continue;
		if (start > vma->vm_start)
			count -= start - vma->vm_start;
		if (end < vma->vm_end) {
			count += end - vma->vm_start;
			break;
		}
		count += vma->vm_end - vma->vm_start;
	}
	return PHYS_PFN(count);
}

/*
 * populate_vma_page_range() (mm/gup.c) over [start, end) of vma:
 * LOCKONFAULT VMAs are left alone; an inaccessible VMA gets no FOLL_FORCE
 * and fails check_vma_flags() (EFAULT), as does a fault that ends in
 * SIGBUS (hugetlb without huge pages, shmem past i_size) or SIGSEGV (a
 * guard marker, which __get_user_pages() reaches page by page). Write
 * faults on private writable memory instantiate an anon_vma (unless the
 * first page is a marker) and COW copies of a file's pages.
 */
static int populate_range(struct model *m, struct vma *vma, uint64_t start,
			  uint64_t end)
{
	if (vma->vm_flags & VM_LOCKONFAULT)
		return 0;
	if (!(vma->vm_flags & VM_ACCESS_FLAGS) || vma->hpage_shift)
		return -EFAULT;
	return faultin_vma_range(m, vma, start, end,
				 (vma->vm_flags & (VM_WRITE | VM_SHARED)) ==
					 VM_WRITE);
}

/* __mm_populate() for mlock: the first error ends the walk. */
static int mm_populate(struct model *m, uint64_t start, uint64_t end)
{
	struct vma *vma;

	/* nothing to fault for a zero length */
	if (start >= end)
		return 0;
	for (vma = vma_find(&m->mm, start); vma && vma->vm_start < end;
	     vma = vma_next(vma)) {
		uint64_t vstart = vma->vm_start > start ? vma->vm_start : start;
		uint64_t vend = vma->vm_end < end ? vma->vm_end : end;
		int err;

		if (vma->vm_flags & (VM_IO | VM_PFNMAP))
			continue;
		err = populate_range(m, vma, vstart, vend);
		if (err)
			return err;
	}
	return 0;
}

/* can_do_mlock(): a nonzero RLIMIT_MEMLOCK (bytes) or CAP_IPC_LOCK. */
static bool can_do_mlock(const struct model *m)
{
	return m->cfg.rlimit_memlock || m->cfg.cap_ipc_lock;
}

/* do_mlock(): start rounds down and len up, never EINVAL for alignment. */
static int do_mlock(struct model *m, uint64_t start, uint64_t len,
		    uint64_t flags)
{
	uint64_t lock_limit = PHYS_PFN(m->cfg.rlimit_memlock), locked;
	int error;

	if (!can_do_mlock(m))
		return -EPERM;
	len = PAGE_ALIGN(len + (start & ~PAGE_MASK));
	start &= PAGE_MASK;

	locked = PHYS_PFN(len) + m->locked_vm;
	if (locked > lock_limit && !m->cfg.cap_ipc_lock)
		locked -= count_mm_mlocked_page_nr(m, start, len);
	if (locked > lock_limit && !m->cfg.cap_ipc_lock)
		return -ENOMEM;
	error = apply_vma_lock_flags(m, start, len, flags);
	if (error)
		return error;
	error = mm_populate(m, start, start + len);
	/* __mlock_posix_error_return() */
	if (error == -EFAULT)
		return -ENOMEM;
	return error;
}

static void set_outcome(struct outcome *out, int err)
{
	*out = (struct outcome){ 0 };
	if (err) {
		out->ret = -1;
		out->err = -err;
	}
}

void model_mlock2(struct model *m, uint64_t addr, uint64_t len,
		  uint64_t flags, struct outcome *out)
{
	int err;

	/* flags is an int argument */
	if ((uint32_t)flags & ~MLOCK_ONFAULT)
		err = -EINVAL;
	else
		err = do_mlock(m, addr, len, VM_LOCKED |
			       (flags & MLOCK_ONFAULT ? VM_LOCKONFAULT : 0));
	set_outcome(out, err);
}

/* munlock(): the same rounding, no limit checks, no populate. */
void model_munlock(struct model *m, uint64_t addr, uint64_t len,
		   struct outcome *out)
{
	len = PAGE_ALIGN(len + (addr & ~PAGE_MASK));
	set_outcome(out, apply_vma_lock_flags(m, addr & PAGE_MASK, len, 0));
}

#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif

/* mlock_fixup() of a whole foreign VMA, without merging. */
static void mlock_foreign(struct model *m, struct vma *vma, uint64_t newflags)
{
	uint64_t nr_pages = PHYS_PFN(vma->vm_end - vma->vm_start);

	if (newflags == vma->vm_flags || !vma_supports_mlock(vma))
		return;
	if (!(newflags & VM_LOCKED))
		m->locked_vm -= nr_pages;
	else if (!(vma->vm_flags & VM_LOCKED))
		m->locked_vm += nr_pages;
	vma->vm_flags = newflags;
}

/*
 * apply_mlockall_flags(): def_flags first (MCL_FUTURE), then every VMA
 * gets the new lock bits through mlock_fixup(), which splits nothing but
 * may merge a VMA into its prev; errors are ignored. Foreign VMAs are
 * locked in place (they count for locked_vm) and never merged.
 */
static void apply_mlockall_flags(struct model *m, uint64_t flags)
{
	struct vma *vma, *prev = NULL;
	uint64_t to_add = 0;

	m->def_flags &= ~VM_LOCKED_MASK;
	if (flags & MCL_FUTURE) {
		m->def_flags |= VM_LOCKED |
				(flags & MCL_ONFAULT ? VM_LOCKONFAULT : 0);
		if (!(flags & MCL_CURRENT))
			return;
	}
	if (flags & MCL_CURRENT)
		to_add = VM_LOCKED | (flags & MCL_ONFAULT ? VM_LOCKONFAULT : 0);

	/* a merge may take the next VMA too: go on after prev */
	for (vma = vma_first(&m->mm); vma; vma = vma_next(prev)) {
		uint64_t newflags = (vma->vm_flags & ~VM_LOCKED_MASK) | to_add;

		if (vma->foreign) {
			mlock_foreign(m, vma, newflags);
			prev = vma;
			continue;
		}
		if (mlock_fixup(m, vma, &prev, vma->vm_start, vma->vm_end,
				newflags))
			prev = vma;
	}
}

/*
 * mm_populate(0, TASK_SIZE) after mlockall(MCL_CURRENT): every VMA, locked
 * or not, errors ignored (a PROT_NONE or hugetlb VMA simply fails). The
 * executor's own VMAs are left as they are.
 */
static void mlockall_populate(struct model *m)
{
	struct vma *vma;

	for (vma = vma_first(&m->mm); vma; vma = vma_next(vma))
		if (!vma->foreign && !(vma->vm_flags & (VM_IO | VM_PFNMAP)))
			populate_range(m, vma, vma->vm_start, vma->vm_end);
}

/* mm->total_vm: the pages of every VMA, the executor's included. */
static uint64_t total_vm(const struct model *m)
{
	uint64_t pages = 0;
	struct vma *vma;

	for (vma = vma_first(&m->mm); vma; vma = vma_next(vma))
		pages += PHYS_PFN(vma->vm_end - vma->vm_start);
	return pages;
}

/* sys_mlockall(): MCL_CURRENT needs all of total_vm under the limit. */
void model_mlockall(struct model *m, uint64_t flags, struct outcome *out)
{
	uint32_t f = (uint32_t)flags; /* an int argument */
	int err = 0;

	if (!f || (f & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) ||
	    f == MCL_ONFAULT)
		err = -EINVAL;
	else if (!can_do_mlock(m))
		err = -EPERM;
	else if ((f & MCL_CURRENT) && !m->cfg.cap_ipc_lock &&
		 total_vm(m) > PHYS_PFN(m->cfg.rlimit_memlock))
		err = -ENOMEM;
	if (!err) {
		apply_mlockall_flags(m, f);
		if (f & MCL_CURRENT)
			mlockall_populate(m);
	}
	set_outcome(out, err);
}

/* sys_munlockall(): no checks; def_flags and every VMA lose the lock. */
void model_munlockall(struct model *m, struct outcome *out)
{
	apply_mlockall_flags(m, 0);
	set_outcome(out, 0);
}

/*
 * setrlimit(RLIMIT_MEMLOCK, {bytes, bytes}) -> do_prlimit(): raising the
 * hard limit needs CAP_SYS_RESOURCE, which this machine's root lacks
 * (CapEff 0x1fffeffffff, measured), so there a limit once lowered stays
 * down.
 */
void model_memlock_limit(struct model *m, uint64_t bytes, struct outcome *out)
{
	if (bytes > m->rlimit_memlock_max && !m->cfg.cap_sys_resource) {
		set_outcome(out, -EPERM);
		return;
	}
	m->cfg.rlimit_memlock = bytes;
	m->rlimit_memlock_max = bytes;
	set_outcome(out, 0);
}

/* capset() without CAP_IPC_LOCK: capable(CAP_IPC_LOCK) fails from now on. */
void model_drop_ipc_lock(struct model *m, struct outcome *out)
{
	m->cfg.cap_ipc_lock = 0;
	set_outcome(out, 0);
}
