// SPDX-License-Identifier: GPL-2.0
/* mseal(2): do_mseal() and mseal_apply() (mm/mseal.c, 6.18). */
#include "internal.h"
#include "kver.h"

/* range_contains_unmapped(): any hole in [start, end). */
static bool range_contains_unmapped(const struct model *m, uint64_t start,
				    uint64_t end)
{
	uint64_t prev_end = start;
	struct vma *vma;

	for (vma = vma_find(&m->mm, start); vma && vma->vm_start < end;
	     vma = vma_next(vma)) {
		if (vma->vm_start > prev_end)
			return true;
		prev_end = vma->vm_end;
	}
	return prev_end < end;
}

/*
 * mseal_apply(): seal VMA by VMA through vma_modify_flags() (splits and
 * merges like any flag change); already sealed VMAs are left alone. A
 * failed split (map_count) leaves the earlier VMAs sealed.
 */
static int mseal_apply(struct model *m, uint64_t start, uint64_t end)
{
	struct vma *vma = vma_lookup(&m->mm, start), *prev;
	uint64_t curr_start = start;

	prev = start > vma->vm_start ? vma : vma_prev(vma);
	for (; vma && vma->vm_start < end; vma = vma_next(vma)) {
		if (!vma_is_sealed(vma)) {
			uint64_t curr_end = vma->vm_end < end ? vma->vm_end :
								 end;
			uint64_t vm_flags = vma->vm_flags | VM_SEALED;
			int err = vma_modify_flags(m, prev, &vma, curr_start,
						   curr_end, &vm_flags);

			if (err)
				return err;
			vma->vm_flags |= VM_SEALED;
		}
		prev = vma;
		/* a merge may reach past curr_end: the walk meets the
		 * merged, sealed VMA again and goes on from its end */
		curr_start = vma->vm_end < end ? vma->vm_end : end;
	}
	return 0;
}

/*
 * do_mseal(): flags must be 0 and start aligned; len rounds up; a hole
 * anywhere is ENOMEM before anything is sealed. There is no unseal, and
 * no syscall before 6.10.
 */
static int do_mseal(struct model *m, uint64_t start, uint64_t len_in,
		    uint64_t flags)
{
	uint64_t len, end;

	if (!kver_mseal(&m->cfg))
		return -ENOSYS;
	if (flags)
		return -EINVAL;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	len = PAGE_ALIGN(len_in);
	if (len_in && !len)
		return -EINVAL;
	end = start + len;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	if (range_contains_unmapped(m, start, end))
		return -ENOMEM;
	return mseal_apply(m, start, end);
}

void model_mseal(struct model *m, uint64_t addr, uint64_t len, uint64_t flags,
		 struct outcome *out)
{
	int err = do_mseal(m, addr, len, flags);

	*out = (struct outcome){ 0 };
	if (err) {
		out->ret = -1;
		out->err = -err;
	}
}
