// SPDX-License-Identifier: GPL-2.0
/*
 * Where an anonymous mapping goes: __get_unmapped_area (mm/mmap.c) and
 * what it reaches on x86-64 with the default top-down layout (MMF_TOPDOWN):
 * thp_get_unmapped_area_vmflags (mm/huge_memory.c),
 * arch_get_unmapped_area_topdown and its bottom-up fallback
 * arch_get_unmapped_area (arch/x86/kernel/sys_x86_64.c), and
 * unmapped_area_topdown / unmapped_area (mm/vma.c) over the VMA tree.
 * Read against 6.18, with the older rules behind kver.h gates; every
 * expected address in tests/test_unmapped_area.c was measured on the
 * 6.18.44 kernel of this machine, those in tests/test_kver.c on 6.1 too.
 */
#include <errno.h>
#include <sys/mman.h>

#include "kver.h"
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
	low_limit = (flags & MAP_ABOVE4G) && kver_map_above4g(cfg) ? SZ_4G :
								      cfg->page_size;
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
 * __thp_get_unmapped_area() (mm/huge_memory.c), size PMD_SIZE: off is the
 * file offset the alignment follows (0 for anonymous memory from 6.8 on;
 * kernel loff_t arithmetic, hence the signed compares). The range must
 * hold one aligned PMD; search for len + 2 MiB, then place the mapping
 * at the first boundary (mod off) inside the result. A hint that the
 * padded search took is kept. From 6.8 an already aligned result moves
 * up by 2 MiB because the layout is top-down (MMF_TOPDOWN), even when
 * the bottom-up fallback found it. 0: no alignment (the caller searches
 * again without padding).
 */
static uint64_t __thp_get_unmapped_area(const struct vma_tree *t,
					const struct model_config *cfg,
					uint64_t addr, uint64_t len,
					uint64_t off, uint64_t flags)
{
	uint64_t off_end = off + len, len_pad = len + PMD_SIZE, ret, off_sub;
	uint64_t off_align = (off + PMD_SIZE - 1) & ~(PMD_SIZE - 1);

	if ((int64_t)off_end <= (int64_t)off_align ||
	    (int64_t)(off_end - off_align) < (int64_t)PMD_SIZE)
		return 0;
	if (len_pad < len || (int64_t)(off + len_pad) < (int64_t)off)
		return 0;
	ret = arch_get_unmapped_area_topdown(t, cfg, addr, len_pad, flags);
	if (IS_ERR_ADDR(ret))
		return 0;
	/* A free hint, or MAP_FIXED; a search never returns 0. */
	if (ret == addr)
		return addr;
	off_sub = (off - ret) & (PMD_SIZE - 1);
	if (kver_thp_align_topdown(cfg) && !off_sub)
		return ret + PMD_SIZE;
	return ret + off_sub;
}

/* thp_get_unmapped_area_vmflags() (mm/huge_memory.c). */
static uint64_t thp_get_unmapped_area_vmflags(const struct vma_tree *t,
					      const struct model_config *cfg,
					      uint64_t addr, uint64_t len,
					      uint64_t off, uint64_t flags)
{
	uint64_t ret = __thp_get_unmapped_area(t, cfg, addr, len, off, flags);

	if (ret)
		return ret;
	return arch_get_unmapped_area_topdown(t, cfg, addr, len, flags);
}

/*
 * Whether __get_unmapped_area() hands private anonymous memory to the THP
 * code: from 6.7 whatever the length (__thp_get_unmapped_area() declines
 * short ones), from 6.12 only multiples of 2 MiB, from 6.13 only without
 * a hint.
 */
static bool thp_aligns(const struct model_config *cfg, uint64_t addr,
		       uint64_t len)
{
	if (!kver_thp_align_anon(cfg))
		return false;
	if (kver_thp_align_pmd_multiple(cfg) && (len & (PMD_SIZE - 1)))
		return false;
	return !addr || !kver_thp_align_no_hint(cfg);
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
 * __get_unmapped_area() (mm/mmap.c) for anonymous memory and for files
 * with their own get_unmapped_area (is_shmem): shared anonymous memory
 * goes through shmem_get_unmapped_area() (mm/shmem.c), which adds
 * alignment only with shmem THP enabled (shmem_enabled, per-size shmem
 * orders): not described by model_config and off on this machine, so it
 * is the plain search; hugetlb's search is hugetlb_get_unmapped_area()
 * below. Private anonymous memory may be THP aligned (thp_aligns(); the
 * 6.18 rule: no hint, len a multiple of 2 MiB), MAP_STACK and
 * MAP_GROWSDOWN included; its pgoff counts from 6.8 on as zero, before
 * as the mmap offset. The final checks fire only for MAP_FIXED: a hint
 * or a search result always lies in [mmap_min_addr, TASK_SIZE - len] and
 * is aligned.
 */
uint64_t __get_unmapped_area(const struct vma_tree *t,
			     const struct model_config *cfg, uint64_t addr,
			     uint64_t len, uint64_t pgoff, uint64_t flags,
			     int is_shmem)
{
	uint64_t off = kver_thp_align_topdown(cfg) ? 0 : pgoff * cfg->page_size;

	if (len > cfg->task_size)
		return ERR_ADDR(ENOMEM);
	if (!is_shmem && thp_aligns(cfg, addr, len))
		addr = thp_get_unmapped_area_vmflags(t, cfg, addr, len, off,
						     flags);
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
	if (map_flags & MAP_FIXED_NOREPLACE)
		map_flags |= MAP_FIXED;
	if (!(map_flags & MAP_FIXED))
		addr = round_hint_to_min(cfg, addr);
	return __get_unmapped_area(t, cfg, addr, len, pgoff, map_flags,
				   is_shmem);
}

/*
 * hugetlb_get_unmapped_area() for a non-fixed request (hsize: the huge
 * page size; len is a multiple of it). From 6.13 (fs/hugetlbfs/inode.c
 * plus x86's common search): the hint is rounded UP to a huge page and
 * taken if free; else arch_get_unmapped_area_topdown() searches with the
 * huge page as align_mask, i.e. the highest gap holding
 * len + hsize - PAGE_SIZE, and places the mapping at round_down(gap_end -
 * len) with align_offset = pgoff << PAGE_SHIFT (the bottom-up fallback
 * rounds the gap start up, which the same formula gives). Before 6.13,
 * arch/x86/mm/hugetlbpage.c: the hint is rounded DOWN (so any hint below
 * 2 MiB becomes 0, taken as is when the first VMA leaves room: measured
 * on 6.1), the search ignores MAP_32BIT and MAP_ABOVE4G, and
 * align_offset is 0 (pgoff only matters once hugetlbfs has checked it is
 * aligned).
 */
uint64_t hugetlb_get_unmapped_area(const struct vma_tree *t,
				   const struct model_config *cfg,
				   uint64_t addr, uint64_t len, uint64_t pgoff,
				   uint64_t flags, uint64_t hsize)
{
	uint64_t pad = hsize - cfg->page_size, off = pgoff * cfg->page_size;
	uint64_t high = cfg->mmap_base, end = default_map_window(cfg), ret;
	const struct vma *vma;

	if (kver_hugetlb_generic_area(cfg)) {
		addr = (addr + hsize - 1) & ~(hsize - 1);
		if (addr) {
			ret = get_unmapped_area(t, cfg, addr, len, 0, flags, 1);
			if (ret == addr)
				return ret;
		}
		if (len + pad < len)
			return ERR_ADDR(ENOMEM);
		ret = get_unmapped_area(t, cfg, 0, len + pad, 0, flags, 1);
		if (IS_ERR_ADDR(ret))
			return ret;
		return ret + pad - ((ret + pad - off) & pad);
	}

	if (len > cfg->task_size)
		return ERR_ADDR(ENOMEM);
	if (addr) {
		addr &= ~(hsize - 1);
		if (mmap_address_hint_valid(cfg, addr, len)) {
			vma = vma_find(t, addr);
			if (!vma || addr + len <= vm_start_gap(cfg, vma))
				return security_mmap_addr(cfg, addr);
		}
	}
	if (addr > default_map_window(cfg)) {
		high += cfg->task_size - default_map_window(cfg);
		end = cfg->task_size;
	}
	ret = unmapped_area_topdown(t, cfg, len + pad, cfg->page_size, high);
	if (IS_ERR_ADDR(ret))
		ret = unmapped_area(t, cfg, len + pad, cfg->mmap_legacy_base,
				    end);
	if (IS_ERR_ADDR(ret))
		return ret;
	return (ret + pad) & ~(hsize - 1);
}
