// SPDX-License-Identifier: GPL-2.0
/*
 * Where an anonymous mapping goes: __get_unmapped_area (mm/mmap.c) and
 * what it reaches on x86-64 with the default top-down layout (MMF_TOPDOWN):
 * thp_get_unmapped_area_vmflags (mm/huge_memory.c),
 * arch_get_unmapped_area_topdown and its bottom-up fallback
 * arch_get_unmapped_area (arch/x86/kernel/sys_x86_64.c), and
 * unmapped_area_topdown / unmapped_area (mm/vma.c) over the VMA tree.
 * Read against 6.18; every expected address in tests/test_unmapped_area.c
 * was measured on the 6.18.44 kernel of this machine.
 */
#include <errno.h>
#include <sys/mman.h>

#include "vma.h"

#ifndef MAP_32BIT
#define MAP_32BIT 0x40
#endif
#ifndef MAP_ABOVE4G
#define MAP_ABOVE4G 0x80
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define ERR_ADDR(e) ((uint64_t)-(int64_t)(e))
#define SZ_4G (1ull << 32)
/* HPAGE_PMD_SIZE with 4 KiB pages. */
#define PMD_SIZE (1ull << 21)

/* arch/x86/include/asm/page_64_types.h: (1UL << 47) - PAGE_SIZE. */
static uint64_t default_map_window(const struct model_config *cfg)
{
	return (1ull << 47) - cfg->page_size;
}

static uint64_t page_mask(const struct model_config *cfg)
{
	return ~(cfg->page_size - 1);
}

static uint64_t page_align(const struct model_config *cfg, uint64_t addr)
{
	return (addr + cfg->page_size - 1) & page_mask(cfg);
}

/*
 * The kernel's mmap_min_addr: update_mmap_min_addr() (security/min_addr.c)
 * takes the larger of the sysctl (dac_mmap_min_addr) and
 * CONFIG_LSM_MMAP_MIN_ADDR. Measured: a hint of 0x1000 lands at 0x10000
 * here although the sysctl says 4096.
 */
static uint64_t mmap_min_addr(const struct model_config *cfg)
{
	return cfg->mmap_min_addr > cfg->lsm_mmap_min_addr ?
		       cfg->mmap_min_addr : cfg->lsm_mmap_min_addr;
}

/*
 * vm_start_gap() (include/linux/mm.h): nothing may end above this below
 * v. stack_guard_start_gap() is stack_guard_gap for VM_GROWSDOWN; the
 * VM_SHADOW_STACK page does not apply (no shadow stacks in the model).
 */
static uint64_t vm_start_gap(const struct model_config *cfg,
			     const struct vma *v)
{
	uint64_t start = v->vm_start;

	if (!(v->vm_flags & VMF(VMF_GROWSDOWN)))
		return start;
	start -= cfg->stack_guard_gap;
	return start > v->vm_start ? 0 : start;
}

/* round_hint_to_min() (mm/mmap.c), applied by do_mmap to non-fixed hints. */
static uint64_t round_hint_to_min(const struct model_config *cfg,
				  uint64_t hint)
{
	hint &= page_mask(cfg);
	if (hint && hint < mmap_min_addr(cfg))
		return page_align(cfg, mmap_min_addr(cfg));
	return hint;
}

/* mmap_address_hint_valid() (arch/x86/mm/mmap.c). */
static int mmap_address_hint_valid(const struct model_config *cfg,
				   uint64_t addr, uint64_t len)
{
	if (cfg->task_size - len < addr)
		return 0;
	return (addr > default_map_window(cfg)) ==
	       (addr + len > default_map_window(cfg));
}

/*
 * unmapped_area_topdown() (mm/vma.c) for anonymous memory: align_mask and
 * start_gap are 0. The highest fitting gap (mas_empty_area_rev); if the
 * VMA above it is VM_GROWSDOWN and its guard gap reaches into the gap,
 * search again below the guard gap. The other branch (vm_end_gap() of
 * the VMA below) needs VM_GROWSUP, which x86 does not have.
 */
static uint64_t unmapped_area_topdown(const struct vma_tree *t,
				      const struct model_config *cfg,
				      uint64_t length, uint64_t low_limit,
				      uint64_t high_limit)
{
	const struct vma *next;
	uint64_t gap_end;

	if (low_limit < mmap_min_addr(cfg))
		low_limit = mmap_min_addr(cfg);
	for (;;) {
		gap_end = vma_gap_rev(t, low_limit, high_limit, length);
		if (!gap_end)
			return ERR_ADDR(ENOMEM);
		next = vma_find(t, gap_end - 1);
		if (!next || !(next->vm_flags & VMF(VMF_GROWSDOWN)) ||
		    vm_start_gap(cfg, next) >= gap_end)
			return gap_end - length;
		high_limit = vm_start_gap(cfg, next);
	}
}

/*
 * unmapped_area() (mm/vma.c): the lowest fitting gap; one that ends too
 * close below a VM_GROWSDOWN VMA restarts the search above that VMA.
 */
static uint64_t unmapped_area(const struct vma_tree *t,
			      const struct model_config *cfg, uint64_t length,
			      uint64_t low_limit, uint64_t high_limit)
{
	const struct vma *next;
	uint64_t gap;

	if (low_limit < mmap_min_addr(cfg))
		low_limit = mmap_min_addr(cfg);
	for (;;) {
		gap = vma_gap_fwd(t, low_limit, high_limit, length);
		if (!gap)
			return ERR_ADDR(ENOMEM);
		next = vma_find(t, gap);
		if (!next || !(next->vm_flags & VMF(VMF_GROWSDOWN)) ||
		    vm_start_gap(cfg, next) >= gap + length - 1)
			return gap;
		low_limit = next->vm_end;
	}
}

/*
 * arch_get_unmapped_area() (arch/x86/kernel/sys_x86_64.c), reached only
 * from the top-down function (MAP_FIXED has returned already), with
 * find_start_end(): MAP_32BIT searches [1 GiB, 2 GiB) (its PF_RANDOMIZE
 * shift of the start is not modelled), everything else
 * [mmap_legacy_base, task_size_64bit()).
 */
static uint64_t arch_get_unmapped_area(const struct vma_tree *t,
				       const struct model_config *cfg,
				       uint64_t addr, uint64_t len,
				       uint64_t flags)
{
	const struct vma *vma;
	uint64_t begin, end;

	if (flags & MAP_32BIT) {
		begin = 0x40000000;
		end = 0x80000000;
	} else {
		begin = cfg->mmap_legacy_base;
		end = addr > default_map_window(cfg) ? cfg->task_size :
						       default_map_window(cfg);
	}
	if (len > end)
		return ERR_ADDR(ENOMEM);
	if (addr) {
		addr = page_align(cfg, addr);
		vma = vma_find(t, addr);
		if (end - len >= addr &&
		    (!vma || addr + len <= vm_start_gap(cfg, vma)))
			return addr;
	}
	return unmapped_area(t, cfg, len, begin, end);
}

/*
 * arch_get_unmapped_area_topdown() (arch/x86/kernel/sys_x86_64.c): a
 * usable hint is taken as is, otherwise the hint is ignored entirely;
 * the search runs in [PAGE_SIZE (4 GiB for MAP_ABOVE4G), mmap_base) and
 * falls back to bottom-up (which ignores MAP_ABOVE4G) when nothing fits.
 */
static uint64_t arch_get_unmapped_area_topdown(const struct vma_tree *t,
					       const struct model_config *cfg,
					       uint64_t addr0, uint64_t len,
					       uint64_t flags)
{
	uint64_t addr = addr0, low_limit, high_limit, ret;
	const struct vma *vma;

	if (len > cfg->task_size)
		return ERR_ADDR(ENOMEM);
	if (flags & MAP_FIXED)
		return addr;
	if (flags & MAP_32BIT)
		return arch_get_unmapped_area(t, cfg, addr0, len, flags);
	if (addr) {
		addr &= page_mask(cfg);
		if (mmap_address_hint_valid(cfg, addr, len)) {
			vma = vma_find(t, addr);
			if (!vma || addr + len <= vm_start_gap(cfg, vma))
				return addr;
		}
	}
	low_limit = flags & MAP_ABOVE4G ? SZ_4G : cfg->page_size;
	high_limit = cfg->mmap_base;
	/* A hint above the 47-bit window opens the 5-level space. */
	if (addr > default_map_window(cfg))
		high_limit += cfg->task_size - default_map_window(cfg);
	ret = unmapped_area_topdown(t, cfg, len, low_limit, high_limit);
	if (!IS_ERR_ADDR(ret))
		return ret;
	return arch_get_unmapped_area(t, cfg, addr0, len, flags);
}

/*
 * __thp_get_unmapped_area() (mm/huge_memory.c) with off = 0 (pgoff is
 * zero for anonymous memory) and len a nonzero multiple of PMD_SIZE, so
 * its offset checks pass and len + PMD_SIZE cannot overflow. Search for
 * len + 2 MiB, then place the mapping at the first 2 MiB boundary inside
 * the result; an already aligned result moves up by 2 MiB because the
 * layout is top-down (MMF_TOPDOWN), even when the bottom-up fallback
 * found it. 0: the padded search failed.
 */
static uint64_t __thp_get_unmapped_area(const struct vma_tree *t,
					const struct model_config *cfg,
					uint64_t addr, uint64_t len,
					uint64_t flags)
{
	uint64_t ret, off_sub;

	ret = arch_get_unmapped_area_topdown(t, cfg, addr, len + PMD_SIZE,
					     flags);
	if (IS_ERR_ADDR(ret))
		return 0;
	/* Only MAP_FIXED at 0 gets here: a search never returns 0. */
	if (ret == addr)
		return addr;
	off_sub = (0 - ret) & (PMD_SIZE - 1);
	if (!off_sub)
		return ret + PMD_SIZE;
	return ret + off_sub;
}

/* thp_get_unmapped_area_vmflags() (mm/huge_memory.c). */
static uint64_t thp_get_unmapped_area_vmflags(const struct vma_tree *t,
					      const struct model_config *cfg,
					      uint64_t addr, uint64_t len,
					      uint64_t flags)
{
	uint64_t ret = __thp_get_unmapped_area(t, cfg, addr, len, flags);

	if (ret)
		return ret;
	return arch_get_unmapped_area_topdown(t, cfg, addr, len, flags);
}

/*
 * security_mmap_addr(): only the capability hook, cap_mmap_addr()
 * (security/commoncap.c), is active here; it checks the sysctl value
 * (dac_mmap_min_addr), not the LSM minimum.
 */
static uint64_t security_mmap_addr(const struct model_config *cfg,
				   uint64_t addr)
{
	if (addr < cfg->mmap_min_addr && !cfg->cap_sys_rawio)
		return ERR_ADDR(EPERM);
	return addr;
}

/*
 * __get_unmapped_area() (mm/mmap.c) for anonymous memory (no file):
 * pgoff is treated as zero. Shared anonymous memory goes through
 * shmem_get_unmapped_area() (mm/shmem.c), which adds alignment only with
 * shmem THP enabled (shmem_enabled, per-size shmem orders): not described
 * by model_config and off on this machine, so it is the plain search.
 * Private anonymous memory without a hint and with len a multiple of
 * 2 MiB is THP aligned (6.13+ rule), MAP_STACK and MAP_GROWSDOWN
 * included. The final checks fire only for MAP_FIXED: a hint or a search
 * result always lies in [mmap_min_addr, TASK_SIZE - len] and is aligned.
 */
static uint64_t __get_unmapped_area(const struct vma_tree *t,
				    const struct model_config *cfg,
				    uint64_t addr, uint64_t len,
				    uint64_t flags, int is_shmem)
{
	if (len > cfg->task_size)
		return ERR_ADDR(ENOMEM);
	if (!is_shmem && !addr && !(len & (PMD_SIZE - 1)))
		addr = thp_get_unmapped_area_vmflags(t, cfg, addr, len, flags);
	else
		addr = arch_get_unmapped_area_topdown(t, cfg, addr, len, flags);
	if (IS_ERR_ADDR(addr))
		return addr;
	if (addr > cfg->task_size - len)
		return ERR_ADDR(ENOMEM);
	if (addr & ~page_mask(cfg))
		return ERR_ADDR(EINVAL);
	return security_mmap_addr(cfg, addr);
}

/*
 * The do_mmap() steps before __get_unmapped_area(): MAP_FIXED_NOREPLACE
 * implies MAP_FIXED, and a non-fixed hint goes through round_hint_to_min().
 * Both are idempotent, so callers that already did them (or mremap, whose
 * hint is 0 or fixed) get the same result. len must be page aligned and
 * nonzero (do_mmap() checks that first).
 */
uint64_t get_unmapped_area(const struct vma_tree *t,
			   const struct model_config *cfg, uint64_t addr,
			   uint64_t len, uint64_t pgoff, uint64_t map_flags,
			   int is_shmem)
{
	(void)pgoff; /* zero for anonymous memory, see __get_unmapped_area */
	if (map_flags & MAP_FIXED_NOREPLACE)
		map_flags |= MAP_FIXED;
	if (!(map_flags & MAP_FIXED))
		addr = round_hint_to_min(cfg, addr);
	return __get_unmapped_area(t, cfg, addr, len, map_flags, is_shmem);
}
