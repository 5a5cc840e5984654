// SPDX-License-Identifier: GPL-2.0
/* mprotect(2): do_mprotect_pkey() and mprotect_fixup() (mm/mprotect.c). */
#include "internal.h"
#include "kver.h"

/*
 * mprotect_fixup(): new flags for [start, end) of vma. Adding write to a
 * VMA that never had it charges the range and sets VM_ACCOUNT; removing
 * write drops VM_ACCOUNT only from anonymous VMAs without an anon_vma
 * (kver_mprotect_unaccount: 6.7+; before that it was never dropped). Merges or splits via
 * vma_modify_flags(). *pprev becomes the VMA now covering the range.
 */
static int mprotect_fixup(struct model *m, struct vma *vma, struct vma **pprev,
			  uint64_t start, uint64_t end, uint64_t newflags)
{
	uint64_t oldflags = vma->vm_flags;
	uint64_t nrpages = PHYS_PFN(end - start);
	int err;

	/* a sealed VMA refuses even a no-op change */
	if (vma_is_sealed(vma))
		return -EPERM;
	if (newflags == oldflags) {
		*pprev = vma;
		return 0;
	}

	if (newflags & VM_WRITE) {
		if (!(oldflags & (VM_ACCOUNT | VM_WRITE | VM_HUGETLB |
				  VM_SHARED | VM_NORESERVE))) {
			if (!security_vm_enough_memory(m, nrpages))
				return -ENOMEM;
			newflags |= VM_ACCOUNT;
		}
	} else if ((oldflags & VM_ACCOUNT) && !vma->file && !vma->anon_vma &&
		   kver_mprotect_unaccount(&m->cfg)) {
		newflags &= ~VM_ACCOUNT;
	}

	err = vma_modify_flags(m, *pprev, &vma, start, end, &newflags);
	if (err)
		return err;
	*pprev = vma;
	vma->vm_flags = newflags;

	/* a locked private VMA becoming writable is prefaulted for write,
	 * [start, end) only: the VMA may have merged with neighbours */
	if ((oldflags & (VM_WRITE | VM_SHARED | VM_LOCKED)) == VM_LOCKED &&
	    (newflags & VM_WRITE))
		populate_vma_range(m, vma, start, end);
	return 0;
}

/*
 * do_mprotect_pkey() with pkey -1: validate, find the first VMA, then
 * change VMA by VMA in address order. Not atomic: a hole or an error
 * stops the walk with the earlier VMAs already changed.
 */
static int do_mprotect_pkey(struct model *m, uint64_t start, uint64_t len,
			    uint64_t prot)
{
	const uint64_t grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
	struct vma *vma, *prev, *next;
	uint64_t end, nstart, tmp;
	int error = 0;

	prot &= ~(uint64_t)(PROT_GROWSDOWN | PROT_GROWSUP);
	if (grows == (PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (!len)
		return 0;
	len = PAGE_ALIGN(len);
	end = start + len;
	if (end <= start)
		return -ENOMEM;
	/* arch_validate_prot() */
	if (prot & ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM))
		return -EINVAL;

	vma = vma_find(&m->mm, start);
	if (!vma || vma->vm_start >= end)
		return -ENOMEM;

	if (grows & PROT_GROWSDOWN) {
		start = vma->vm_start;
		if (!(vma->vm_flags & VM_GROWSDOWN))
			return -EINVAL;
	} else {
		if (vma->vm_start > start)
			return -ENOMEM;
		/* x86 has no VM_GROWSUP */
		if (grows & PROT_GROWSUP)
			return -EINVAL;
	}

	prev = start > vma->vm_start ? vma : vma_prev(vma);
	nstart = start;
	tmp = vma->vm_start;
	for (; vma && vma->vm_start < end; vma = next) {
		uint64_t newflags;

		if (vma->vm_start != tmp) {
			error = -ENOMEM;
			break;
		}
		newflags = calc_vm_prot_bits(prot) |
			   (vma->vm_flags & ~VM_ACCESS_FLAGS);
		/* newflags >> 4 shifts VM_MAY% in place of VM_% */
		if ((newflags & ~(newflags >> 4)) & VM_ACCESS_FLAGS) {
			error = -EACCES;
			break;
		}
		tmp = vma->vm_end < end ? vma->vm_end : end;
		error = mprotect_fixup(m, vma, &prev, nstart, tmp, newflags);
		if (error)
			break;
		/* the VMA now covering nstart may reach further (merge) */
		tmp = prev->vm_end;
		nstart = tmp;
		next = vma_next(prev);
	}
	if (!error && tmp < end)
		error = -ENOMEM;
	return error;
}

void model_mprotect(struct model *m, uint64_t addr, uint64_t len,
		    uint64_t prot, struct outcome *out)
{
	int err = do_mprotect_pkey(m, addr, len, prot);

	*out = (struct outcome){ 0 };
	if (err) {
		out->ret = -1;
		out->err = -err;
	}
}
