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
 * __mm_populate() with populate_vma_page_range() (mm/gup.c), errors not
 * ignored: LOCKONFAULT VMAs are left alone; an inaccessible VMA gets no
 * FOLL_FORCE and fails check_vma_flags() (EFAULT), as does a fault that
 * ends in SIGBUS (hugetlb without huge pages, shmem past i_size). Write
 * faults on private writable memory instantiate an anon_vma.
 */
static int mm_populate(struct model *m, uint64_t start, uint64_t end)
{
	struct vma *vma;

	/* nothing to fault for a zero length */
	if (start >= end)
		return 0;
	for (vma = vma_find(&m->mm, start); vma && vma->vm_start < end;
	     vma = vma_next(vma)) {
		uint64_t vend = vma->vm_end < end ? vma->vm_end : end;

		if (vma->vm_flags & (VM_IO | VM_PFNMAP))
			continue;
		if (vma->vm_flags & VM_LOCKONFAULT)
			continue;
		if (!(vma->vm_flags & VM_ACCESS_FLAGS) || vma->hpage_shift)
			return -EFAULT;
		if ((vma->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE)
			anon_vma_prepare(m, vma);
		if (vma->file && vma->vm_pgoff + PHYS_PFN(vend - vma->vm_start) >
					 m->file_pages[vma->file])
			return -EFAULT;
	}
	return 0;
}

/* do_mlock(): start rounds down and len up, never EINVAL for alignment. */
static int do_mlock(struct model *m, uint64_t start, uint64_t len,
		    uint64_t flags)
{
	uint64_t lock_limit = PHYS_PFN(m->cfg.rlimit_memlock), locked;
	int error;

	/* can_do_mlock() */
	if (!m->cfg.rlimit_memlock && !m->cfg.cap_ipc_lock)
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

static void model_enosys(struct outcome *out)
{
	memset(out, 0, sizeof(*out));
	out->ret = -1;
	out->err = ENOSYS;
}

void model_mlockall(struct model *m, uint64_t flags, struct outcome *out)
{
	(void)m, (void)flags;
	model_enosys(out);
}

void model_munlockall(struct model *m, struct outcome *out)
{
	(void)m;
	model_enosys(out);
}

void model_memlock_limit(struct model *m, uint64_t bytes, struct outcome *out)
{
	(void)m, (void)bytes;
	model_enosys(out);
}

void model_drop_ipc_lock(struct model *m, struct outcome *out)
{
	(void)m;
	model_enosys(out);
}
