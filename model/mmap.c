// SPDX-License-Identifier: GPL-2.0
/*
 * mmap(2) and munmap(2) for anonymous memory and memfds: x86 sys_mmap ->
 * ksys_mmap_pgoff -> vm_mmap_pgoff -> do_mmap -> mmap_region, and
 * __vm_munmap -> do_vmi_munmap (mm/mmap.c, mm/vma.c, mm/util.c).
 */
#include "internal.h"
#include "kver.h"

/*
 * PGOFF_LOFFT_MAX (fs/hugetlbfs/inode.c): pgoffs whose byte offset would
 * overflow a loff_t.
 */
#define PGOFF_LOFFT_MAX (PAGE_MASK << (64 - (2 * PAGE_SHIFT) - 1))

#ifndef MAP_UNINITIALIZED
#define MAP_UNINITIALIZED 0x4000000
#endif

#ifndef MAP_ABOVE4G
#define MAP_ABOVE4G 0x80
#endif
#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21u << MAP_HUGE_SHIFT)
#define MAP_HUGE_1GB (30u << MAP_HUGE_SHIFT)
#endif

/*
 * LEGACY_MAP_MASK (include/linux/mman.h): what MAP_SHARED_VALIDATE accepts
 * on a file without FOP_MMAP_SYNC; MAP_ABOVE4G only since it exists
 * (kver_map_above4g).
 */
#define LEGACY_MAP_MASK                                                       \
	(MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE | \
	 MAP_EXECUTABLE | MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED |   \
	 MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK |           \
	 MAP_HUGETLB | MAP_32BIT | MAP_ABOVE4G | MAP_HUGE_2MB | MAP_HUGE_1GB)

/* round_hint_to_min(): a nonzero hint below mmap_min_addr is raised. */
static uint64_t round_hint_to_min(const struct model *m, uint64_t hint)
{
	hint &= PAGE_MASK;
	if (hint && hint < kernel_mmap_min_addr(m))
		return PAGE_ALIGN(kernel_mmap_min_addr(m));
	return hint;
}

/*
 * The hugetlbfs file ksys_mmap_pgoff() sets up for MAP_HUGETLB: a new
 * object (its own inode) and the huge page size of its hstate.
 */
struct hugetlb_file {
	uint32_t id;
	uint8_t shift;
};

/* hstate_sizelog(): 0 is the default (2M) size; 1G pages also exist. */
static uint8_t hstate_sizelog(unsigned log)
{
	if (!log || log == 21)
		return 21;
	if (log == 30)
		return 30;
	return 0;
}

/* calc_vm_flag_bits(): MAP_STACK means VM_NOHUGEPAGE on THP kernels. */
static uint64_t calc_vm_flag_bits(const struct model *m, uint64_t flags)
{
	return (flags & MAP_GROWSDOWN ? VM_GROWSDOWN : 0) |
	       (flags & MAP_LOCKED ? VM_LOCKED : 0) |
	       (flags & MAP_SYNC ? VM_SYNC : 0) |
	       ((flags & MAP_STACK) && kver_map_stack_nohugepage(&m->cfg) ?
			VM_NOHUGEPAGE : 0);
}

/* can_do_mlock() (mm/mlock.c). */
static bool can_do_mlock(const struct model *m)
{
	return m->cfg.rlimit_memlock || m->cfg.cap_ipc_lock;
}

/*
 * __get_unmapped_area() for MAP_FIXED: no placement, only the size and
 * alignment checks of arch_get_unmapped_area_topdown() (or, for hugetlb,
 * hugetlb_get_unmapped_area()), which return the address as it is: one
 * in the last 4095 bytes reads as an error code (IS_ERR_VALUE), so
 * mmap(-1, ...) fails with EPERM. Then the common tail: the range must fit
 * under TASK_SIZE, be page aligned and pass cap_mmap_addr(), which
 * compares with dac_mmap_min_addr (the sysctl).
 */
static uint64_t get_unmapped_area_fixed(const struct model *m, uint64_t addr,
					uint64_t len, uint64_t hsize)
{
	uint64_t task_size = m->cfg.task_size;

	if (len > task_size)
		return ERR_ADDR(-ENOMEM);
	if (hsize && ((len | addr) & (hsize - 1)))
		return ERR_ADDR(-EINVAL);
	if (IS_ERR_ADDR(addr))
		return addr;
	if (addr > task_size - len)
		return ERR_ADDR(-ENOMEM);
	if (addr & ~PAGE_MASK)
		return ERR_ADDR(-EINVAL);
	if (addr < m->cfg.mmap_min_addr && !m->cfg.cap_sys_rawio)
		return ERR_ADDR(-EPERM);
	return addr;
}

/* accountable_mapping(): private writable, not NORESERVE, not hugetlb. */
static bool accountable_mapping(const struct hugetlb_file *hf,
				uint64_t vm_flags)
{
	if (hf)
		return false;
	return (vm_flags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) == VM_WRITE;
}

/*
 * hugetlbfs_file_mmap(): the pgoff must be huge page aligned and its byte
 * offset must not overflow; with no huge pages reserved on this machine
 * only a VM_NORESERVE mapping gets past hugetlb_reserve_pages().
 */
static int hugetlbfs_file_mmap(uint64_t pgoff, uint64_t len, uint64_t hsize,
			       uint64_t vm_flags)
{
	if (pgoff & PGOFF_LOFFT_MAX)
		return -EINVAL;
	if (pgoff & (PHYS_PFN(hsize) - 1))
		return -EINVAL;
	if (len + (pgoff << PAGE_SHIFT) < len)
		return -EINVAL;
	if (!(vm_flags & VM_NORESERVE))
		return -ENOMEM;
	return 0;
}

/* count_vma_pages_range() (mm/mmap.c before 6.12): pages of the VMAs
 * overlapping [addr, end), counted inside the range. */
static uint64_t count_vma_pages_range(const struct model *m, uint64_t addr,
				      uint64_t end)
{
	uint64_t n = 0;

	for (struct vma *v = vma_find(&m->mm, addr); v && v->vm_start < end;
	     v = vma_next(v))
		n += PHYS_PFN((v->vm_end < end ? v->vm_end : end) -
			      (v->vm_start > addr ? v->vm_start : addr));
	return n;
}

/*
 * __mmap_region(): gather (and edge-split) whatever [addr, addr + len)
 * overlaps, account, then merge with prev/next or insert a new VMA, and
 * only then unmap the gathered VMAs. A failure before the PTEs of the
 * overlap are cleared leaves it mapped (splits stay); a failure after
 * that (vms_abort_munmap_vmas) leaves a hole. Before 6.12
 * (kver_mmap_fixed_gathers) mmap_region() unmapped the overlap first,
 * turning any failure of that into ENOMEM, and charged the whole length.
 */
static uint64_t __mmap_region(struct model *m, uint64_t addr, uint64_t len,
			      uint64_t vm_flags, uint64_t pgoff,
			      const struct hugetlb_file *hf,
			      const struct memfd_file *file)
{
	struct vma_munmap_struct vms = { .start = addr, .end = addr + len };
	struct vma_merge_struct vmg = {
		.start = addr,
		.end = addr + len,
		.pgoff = pgoff,
		.file = hf ? hf->id : file ? file->obj : 0,
	};
	struct vma *vma = vma_find(&m->mm, addr);
	uint64_t pglen = PHYS_PFN(len);
	int err;

	if (!kver_mmap_fixed_gathers(&m->cfg)) {
		/* counting the pages MAP_FIXED will replace (the old
		 * count_vma_pages_range()) before unmapping them */
		if (!may_expand_vm(m, pglen - count_vma_pages_range(m, addr,
								    vms.end)))
			return ERR_ADDR(-ENOMEM);
		if (do_vmi_munmap(m, addr, len))
			return ERR_ADDR(-ENOMEM);
	} else {
		if (vma && vma->vm_start < vms.end) {
			err = vms_gather_munmap_vmas(m, &vms, vma);
			if (err)
				return ERR_ADDR(err);
		}
		/* __mmap_setup(): the gathered pages are replaced */
		if (!may_expand_vm(m, pglen - vms.nr_pages))
			return ERR_ADDR(-ENOMEM);
	}

	if (accountable_mapping(hf, vm_flags)) {
		uint64_t charged = pglen - vms.nr_accounted;

		if (charged && !security_vm_enough_memory(m, charged))
			return ERR_ADDR(-ENOMEM);
		vm_flags |= VM_ACCOUNT;
	}

	/* vms_clean_up_area(): from here on a failure leaves a hole. */
	err = 0;
	if (hf)
		err = hugetlbfs_file_mmap(pgoff, len, 1ull << hf->shift,
					  vm_flags);
	else if (!file && (vm_flags & VM_SHARED) &&
		 !(vm_flags & VM_NORESERVE) &&
		 !security_vm_enough_memory(m, pglen))
		err = -ENOMEM; /* shmem_zero_setup() -> shmem_acct_size() */
	if (vms.vma_count)
		vms_complete_munmap_vmas(m, &vms);
	if (err)
		return ERR_ADDR(err);

	vmg.flags = vm_flags;
	vmg.prev = addr ? vma_lookup(&m->mm, addr - 1) : NULL;
	vmg.next = vma_lookup(&m->mm, vmg.end);
	vma = vma_merge_mmap_range(m, &vmg);
	if (!vma) {
		vma = vm_area_alloc();
		vma->vm_start = addr;
		vma->vm_end = addr + len;
		vma->vm_pgoff = pgoff;
		vma->vm_flags = vm_flags;
		if (hf) {
			/* hugetlbfs_file_mmap() */
			vma->vm_flags |= VM_HUGETLB | VM_DONTEXPAND;
			vma->file = hf->id;
			vma->hpage_shift = hf->shift;
		} else if (file) {
			/* shmem_mmap_prepare() changes no flags */
			vma->file = file->obj;
		} else if (vm_flags & VM_SHARED) {
			/* shmem_zero_setup(): a new object every time */
			vma->file = shmem_zero_setup(m, pglen);
		}
		if (vma->file)
			vma->backing = file ? SNAP_MEMFD : SNAP_SHMEM;
		vma_tree_insert(&m->mm, vma);
	}

	/* __mmap_complete(): hugetlb and droppable VMAs cannot be mlocked
	 * (vma_supports_mlock); VM_LOCKED may come from def_flags */
	if (vma->vm_flags & VM_LOCKED) {
		if (hf || (vma->vm_flags & VM_DROPPABLE))
			vma->vm_flags &= ~(VM_LOCKED | VM_LOCKONFAULT);
		else
			m->locked_vm += pglen;
	}
	return addr;
}

/*
 * do_mmap() for anonymous memory and memfds (a hugetlb mapping goes
 * through the file branch with the hugetlbfs file ksys_mmap_pgoff()
 * made). Returns the address or an error; *populate says whether to
 * prefault.
 */
static uint64_t do_mmap(struct model *m, uint64_t addr, uint64_t len,
			uint64_t prot, uint64_t flags, uint64_t pgoff,
			const struct hugetlb_file *hf,
			const struct memfd_file *file, bool *populate)
{
	uint64_t hsize = hf ? 1ull << hf->shift : 0;
	uint64_t vm_flags;

	if (!len)
		return ERR_ADDR(-EINVAL);
	if (flags & MAP_FIXED_NOREPLACE)
		flags |= MAP_FIXED;
	if (!(flags & MAP_FIXED))
		addr = round_hint_to_min(m, addr);

	len = PAGE_ALIGN(len);
	if (!len)
		return ERR_ADDR(-ENOMEM);
	if (pgoff + PHYS_PFN(len) < pgoff)
		return ERR_ADDR(-EOVERFLOW);
	if (model_map_count(m) > m->cfg.max_map_count)
		return ERR_ADDR(-ENOMEM);

	/* mm->def_flags: mlockall(MCL_FUTURE) locks (and so populates) */
	vm_flags = calc_vm_prot_bits(prot) | calc_vm_flag_bits(m, flags) |
		   m->def_flags | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;

	if (flags & MAP_FIXED)
		addr = get_unmapped_area_fixed(m, addr, len, hsize);
	else if (hf)
		addr = hugetlb_get_unmapped_area(&m->mm, &m->cfg, addr, len,
						 pgoff, flags, hsize);
	else	/* a memfd's f_op: shmem_get_unmapped_area() */
		addr = get_unmapped_area(&m->mm, &m->cfg, addr, len, pgoff,
					 flags, file || (flags & MAP_SHARED));
	if (IS_ERR_ADDR(addr))
		return addr;

	if (flags & MAP_FIXED_NOREPLACE) {
		struct vma *vma = vma_find(&m->mm, addr);

		if (vma && vma->vm_start < addr + len)
			return ERR_ADDR(-EEXIST);
	}
	if ((flags & MAP_LOCKED) && !can_do_mlock(m))
		return ERR_ADDR(-EPERM);
	if (!mlock_future_ok(m, vm_flags, len))
		return ERR_ADDR(-EAGAIN);

	if (hf || file) {
		uint64_t legacy = LEGACY_MAP_MASK;

		if (!kver_map_above4g(&m->cfg))
			legacy &= ~(uint64_t)MAP_ABOVE4G;
		/* file_mmap_ok(): a regular file's MAX_LFS_FILESIZE */
		if (pgoff > PHYS_PFN(INT64_MAX - len))
			return ERR_ADDR(-EOVERFLOW);
		switch (flags & MAP_TYPE) {
		case MAP_SHARED:
			flags &= legacy;
			/* fallthrough */
		case MAP_SHARED_VALIDATE:
			if (flags & ~legacy)
				return ERR_ADDR(-EOPNOTSUPP);
			/* no FMODE_WRITE: no writing, now or by mprotect */
			if (file && file->ro && (prot & PROT_WRITE))
				return ERR_ADDR(-EACCES);
			vm_flags |= VM_SHARED | VM_MAYSHARE;
			if (file && file->ro)
				vm_flags &= ~(VM_MAYWRITE | VM_SHARED);
			/* fallthrough */
		case MAP_PRIVATE:
			if (vm_flags & VM_GROWSDOWN)
				return ERR_ADDR(-EINVAL);
			break;
		default:
			return ERR_ADDR(-EINVAL);
		}
	} else {
		switch (flags & MAP_TYPE) {
		case MAP_SHARED:
			if (vm_flags & VM_GROWSDOWN)
				return ERR_ADDR(-EINVAL);
			pgoff = 0;
			vm_flags |= VM_SHARED | VM_MAYSHARE;
			break;
		case MAP_DROPPABLE:
			/* an unknown type before 6.11 */
			if (!kver_map_droppable(&m->cfg))
				return ERR_ADDR(-EINVAL);
			/* (MAP_HUGETLB took the file branch above) */
			if (flags & MAP_LOCKED)
				return ERR_ADDR(-EINVAL);
			if (vm_flags & VM_GROWSDOWN)
				return ERR_ADDR(-EINVAL);
			vm_flags |= VM_DROPPABLE | VM_NORESERVE |
				    VM_WIPEONFORK | VM_DONTDUMP;
			/* fallthrough */
		case MAP_PRIVATE:
			pgoff = PHYS_PFN(addr);
			break;
		default:
			return ERR_ADDR(-EINVAL);
		}
	}

	if (flags & MAP_NORESERVE) {
		/* honoured unless OVERCOMMIT_NEVER; hugetlb always */
		if (m->cfg.overcommit_memory != 2 || hf)
			vm_flags |= VM_NORESERVE;
	}

	addr = __mmap_region(m, addr, len, vm_flags, pgoff, hf, file);
	*populate = !IS_ERR_ADDR(addr) &&
		    ((vm_flags & VM_LOCKED) ||
		     (flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE);
	return addr;
}

/*
 * mm_populate() -> __mm_populate(): prefault each VMA of the range; only
 * the write faults of private writable VMAs change VMA state.
 */
static void mm_populate(struct model *m, uint64_t start, uint64_t len)
{
	uint64_t end = start + len;
	struct vma *vma;

	for (vma = vma_find(&m->mm, start); vma && vma->vm_start < end;
	     vma = vma_next(vma))
		populate_vma_range(m, vma,
				   vma->vm_start > start ? vma->vm_start : start,
				   vma->vm_end < end ? vma->vm_end : end);
}

void model_mmap(struct model *m, uint64_t addr, uint64_t len, uint64_t prot,
		uint64_t flags, int fd, uint64_t off, struct outcome *out)
{
	struct hugetlb_file hugetlb, *hf = NULL;
	const struct memfd_file *file = NULL;
	bool populate = false;
	uint64_t ret;

	*out = (struct outcome){ 0 };
	/* sys_mmap (arch/x86/kernel/sys_x86_64.c) */
	if (off & ~PAGE_MASK) {
		ret = ERR_ADDR(-EINVAL);
		goto out;
	}
	/* ksys_mmap_pgoff(): a memfd is not is_file_hugepages() */
	if (!(flags & MAP_ANONYMOUS)) {
		file = memfd_fget(m, fd);
		ret = ERR_ADDR(file ? -EINVAL : -EBADF);
		if (!file || (flags & MAP_HUGETLB))
			goto out;
	} else if (flags & MAP_HUGETLB) {
		uint64_t hmask;

		hugetlb.shift = hstate_sizelog((flags >> MAP_HUGE_SHIFT) &
					       MAP_HUGE_MASK);
		if (!hugetlb.shift) {
			ret = ERR_ADDR(-EINVAL);
			goto out;
		}
		hmask = (1ull << hugetlb.shift) - 1;
		len = (len + hmask) & ~hmask;
		/* hugetlb_file_setup(): a new file */
		hugetlb.id = ++m->last_file;
		hf = &hugetlb;
	}
	ret = do_mmap(m, addr, len, prot, flags, PHYS_PFN(off), hf, file,
		      &populate);
	if (populate)
		mm_populate(m, ret, PAGE_ALIGN(len));
out:
	if (IS_ERR_ADDR(ret)) {
		out->ret = -1;
		out->err = -ADDR_ERR(ret);
	} else {
		out->ret = (int64_t)ret;
	}
}

void model_munmap(struct model *m, uint64_t addr, uint64_t len,
		  struct outcome *out)
{
	int err = do_vmi_munmap(m, addr, len);

	*out = (struct outcome){ 0 };
	if (err) {
		out->ret = -1;
		out->err = -err;
	}
}
