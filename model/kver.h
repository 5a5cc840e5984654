/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every VMA-visible rule that changed between 6.1 and 6.18, gated in one
 * place on the kernel version the model targets (model_config.kver).
 * Each predicate is true from the first mainline release with the new
 * rule and names the commit that brought it; a `?` marks a version that
 * comes from merge-window timing rather than a tag. Stable backports are
 * honoured where known (kver carries the patch level). The model's code
 * calls these and never compares kver itself.
 *
 * Not gated because nothing the oracle compares shows them: [heap]
 * naming (6.6 vma_is_initial_heap(); no brk op), and VM_SEALED's bit
 * (6.10 vs 6.1x: VmFlags are read by mnemonic, `sl`, not by bit).
 */
#ifndef VMADIFF_MODEL_KVER_H
#define VMADIFF_MODEL_KVER_H

#include <stdbool.h>

#include "model.h"

static inline bool kver_ge(const struct model_config *c, unsigned a,
			   unsigned b, unsigned p)
{
	return c->kver >= KVER(a, b, p);
}

/* --- smaps ------------------------------------------------------------ */

/*
 * show_smap_vma_flags() (fs/proc/task_mmu.c) prints VM_LOCKONFAULT as
 * `lf` from 6.2 (8614d6c5eda0); before, the flag is set but not shown
 * (measured on 6.1: `mlock2(MLOCK_ONFAULT)` gives `lo` only).
 */
static inline bool kver_smaps_shows_lf(const struct model_config *c)
{
	return kver_ge(c, 6, 2, 0);
}

/* --- mmap: placement --------------------------------------------------- */

/*
 * 6.6, "x86/mm: Introduce MAP_ABOVE4G" (x86/shstk): MAP_ABOVE4G (0x80)
 * raises the top-down search floor to 4 GiB and joins LEGACY_MAP_MASK;
 * before, the bit meant nothing for anonymous memory.
 */
static inline bool kver_map_above4g(const struct model_config *c)
{
	return kver_ge(c, 6, 6, 0);
}

/*
 * 6.7, efa7df3e3bb5 "mm: align larger anonymous mappings on THP
 * boundaries": private anonymous mappings of at least PMD size go
 * through thp_get_unmapped_area() (a search for len + 2 MiB, then the
 * first boundary in it). (A 6.1-rc version was reverted before 6.1.)
 */
static inline bool kver_thp_align_anon(const struct model_config *c)
{
	return kver_ge(c, 6, 7, 0);
}

/*
 * 6.8, 96204e15310c "mm: thp_get_unmapped_area must honour topdown
 * preference": an already aligned result moves up by 2 MiB on top-down
 * layouts, and anonymous memory searches with pgoff 0 (6.7 aligned to
 * the user's mmap offset). cc: stable, but the 6.7.y release that took
 * it is not pinned down here: 6.7.y targets get the 6.7.0 rule. (The
 * 6.8 fix for 32-bit and compat tasks, 4ef9ad19e176 "mm: huge_memory:
 * don't force huge page alignment on 32 bit", does not apply to the
 * 64-bit tasks modelled.)
 */
static inline bool kver_thp_align_topdown(const struct model_config *c)
{
	return kver_ge(c, 6, 8, 0);
}

/*
 * 6.12, d4148aeab412 "mm, mmap: limit THP alignment of anonymous
 * mappings to PMD-aligned sizes": only lengths that are multiples of
 * 2 MiB are aligned (also in 6.11.7 according to downstream notes; not
 * verified, so 6.11.y targets keep the old rule).
 */
static inline bool kver_thp_align_pmd_multiple(const struct model_config *c)
{
	return kver_ge(c, 6, 12, 0);
}

/*
 * 6.13, 249608ee4713 "mm: respect mmap hint address when aligning for
 * THP": only hintless mappings are aligned. Before, the hint went into
 * the padded search and was lost if len + 2 MiB did not fit there.
 */
static inline bool kver_thp_align_no_hint(const struct model_config *c)
{
	return kver_ge(c, 6, 13, 0);
}

/*
 * 6.13?, cc92882ee218 "mm: drop hugetlb_get_unmapped_area{_*}
 * functions" (with "arch/x86: teach arch_get_unmapped_area_vmflags to
 * handle hugetlb mappings"): the generic hugetlbfs code rounds a hint UP
 * to the huge page size and x86's common search handles MAP_32BIT and
 * MAP_ABOVE4G. Before, arch/x86/mm/hugetlbpage.c rounded the hint DOWN
 * (addr &= huge_page_mask) and searched [PAGE_SIZE, mmap_base) whatever
 * the flags.
 */
static inline bool kver_hugetlb_generic_area(const struct model_config *c)
{
	return kver_ge(c, 6, 13, 0);
}

/* --- mmap: flags and types --------------------------------------------- */

/*
 * 6.8, c4608d1bf7c6 "mm: mmap: map MAP_STACK to VM_NOHUGEPAGE" (in
 * 6.7.6: stable review "[PATCH 6.7 004/309]", 2024-02-20): MAP_STACK
 * adds VM_NOHUGEPAGE (`nh`), which keeps such mappings from merging with
 * plain neighbours. 6.1 has no such bit.
 */
static inline bool kver_map_stack_nohugepage(const struct model_config *c)
{
	return kver_ge(c, 6, 7, 6);
}

/*
 * 6.11, 9651fcedf7b9 "mm: add MAP_DROPPABLE for designating always
 * lazily freeable mappings": mapping type 0x08. Before, an unknown type:
 * EINVAL.
 */
static inline bool kver_map_droppable(const struct model_config *c)
{
	return kver_ge(c, 6, 11, 0);
}

/* --- merging ----------------------------------------------------------- */

/*
 * 6.12, cacded5e42b9 "mm: avoid using vma_merge() for new VMAs":
 * vma_merge_new_range() tries prev first and then next, taking both if
 * their anon_vmas are compatible. 6.1 to 6.11 mmap_region() tried next
 * first and then prev against next's anon_vma, so a new range between
 * two independently faulted VMAs merged into NEXT (6.1, measured in the
 * VM), not prev; and an unfaulted prev never joined a faulted next.
 */
static inline bool kver_merge_new_prev_first(const struct model_config *c)
{
	return kver_ge(c, 6, 12, 0);
}

/*
 * 6.12, f8d112a4e657 "mm/mmap: avoid zeroing vma tree in mmap_region()"
 * (with "mm/mmap: use vms accounted pages in mmap_region()"): MAP_FIXED
 * gathers the VMAs it replaces and unmaps them only once the new mapping
 * is accounted, charging only the pages not already accounted. Before,
 * do_vmi_munmap() came first: an accounting failure left a hole and the
 * whole length was charged.
 */
static inline bool kver_mmap_fixed_gathers(const struct model_config *c)
{
	return kver_ge(c, 6, 12, 0);
}

/*
 * 6.16, 879bca0a2c4f "mm/vma: fix incorrectly disallowed anonymous VMA
 * merges": a faulted VMA may merge into an unfaulted neighbour (unless
 * it is a fork child). Before, a NULL anon_vma on either side needed the
 * target's anon_vma_chain to be singular, i.e. the target faulted.
 */
static inline bool kver_anon_merge_faulted_unfaulted(const struct model_config *c)
{
	return kver_ge(c, 6, 16, 0);
}

/* --- mprotect ---------------------------------------------------------- */

/*
 * 6.7, "mm/mprotect: allow unfaulted VMAs to be unaccounted on
 * mprotect()" (MM updates for 6.7-rc1): removing write from an anonymous
 * VMA without an anon_vma drops VM_ACCOUNT. 6.1 never drops it.
 */
static inline bool kver_mprotect_unaccount(const struct model_config *c)
{
	return kver_ge(c, 6, 7, 0);
}

/* --- mremap ------------------------------------------------------------ */

/*
 * 6.17, d23cb648e365 "mm/mremap: permit mremap() move of multiple VMAs":
 * a MREMAP_FIXED move with old_len == new_len may span several VMAs (and
 * holes after the first); before, [addr, addr + old_len) had to lie in
 * one VMA (EFAULT otherwise).
 */
static inline bool kver_mremap_multi_vma(const struct model_config *c)
{
	return kver_ge(c, 6, 17, 0);
}

/*
 * 6.17?, the same series ("mm/mremap: put VMA check and prep logic into
 * helper function" and its neighbours): do_mremap() aligns old_len and
 * new_len before check_mremap_params(), so DONTUNMAP's old_len ==
 * new_len compares page counts; before, the lengths as given (0x1001
 * against 0x2000 was EINVAL; measured on 6.1 in the VM).
 */
static inline bool kver_mremap_aligned_params(const struct model_config *c)
{
	return kver_ge(c, 6, 17, 0);
}

/*
 * 6.17, "mm/mremap: check remap conditions earlier" and "mm/mremap: move
 * remap_is_valid() into check_prep_vma()" (the series "mm/mremap: permit
 * mremap() move of multiple VMAs"): check_mremap_params() checks the
 * destination (new_len and new_addr against TASK_SIZE, new_addr's
 * alignment, the overlap, the map count) before the source is looked up,
 * and check_prep_vma() checks the source's resize before anything is
 * unmapped. Before (6.1 to 6.16, from 6.1's SYSCALL_DEFINE5(mremap)):
 * the flag, addr and new_len == 0 checks, then vma_lookup() (EFAULT)
 * and the hugetlb alignment, then for a move mremap_to(): new_addr's
 * alignment, TASK_SIZE, the overlap, the map count, do_munmap() of a
 * MREMAP_FIXED destination and of a shrunk tail, and only then
 * vma_to_resize() (EFAULT for a range past the VMA, EINVAL for a private
 * duplicate or a DONTUNMAP of a VM_DONTEXPAND VMA, EAGAIN for mlock
 * limits), so a failing move may have unmapped its destination. A resize
 * in place had no TASK_SIZE check (a growth past it is ENOMEM, a
 * same-size one succeeds). (6.15 already moved a few of these checks,
 * new_addr's alignment and the map count, ahead of the lookup; 6.15 and
 * 6.16 get the 6.1 order here.)
 */
static inline bool kver_mremap_early_checks(const struct model_config *c)
{
	return kver_ge(c, 6, 17, 0);
}

/*
 * 6.12?, with cacded5e42b9 "mm: avoid using vma_merge() for new VMAs"
 * (copy_vma() on vma_merge_new_range()): a MREMAP_DONTUNMAP copy placed
 * right after or before the VMA it came from merges with it when
 * compatible (6.18 measured). 6.1 (measured in the VM) merged such a
 * copy with nothing, not even with its other neighbour, though a copy
 * away from its source merged normally and a plain move merged with its
 * source; which release changed it is a guess.
 */
static inline bool kver_mremap_dontunmap_self_merge(const struct model_config *c)
{
	return kver_ge(c, 6, 12, 0);
}

/*
 * 6.15?, the move_vma() rework (dontunmap_complete()) cleared VM_ACCOUNT
 * on the source a MREMAP_DONTUNMAP move leaves behind, until
 * "mm/mremap: correctly account old mapping after MREMAP_DONTUNMAP
 * remap" (6.18-rc3). Before and after, the source keeps `ac`.
 */
static inline bool kver_mremap_dontunmap_unaccounts(const struct model_config *c)
{
	return kver_ge(c, 6, 15, 0) && !kver_ge(c, 6, 18, 0);
}

/*
 * 6.15?, the same rework: move_vma() calls vrm_stat_account() before
 * dontunmap_complete(), so a MREMAP_DONTUNMAP move of a VM_LOCKED range
 * adds new_len to mm->locked_vm while the source is unlocked without
 * being uncharged: locked_vm leaks (still so on 6.18.44, measured with
 * VmLck). 6.1 returned from the DONTUNMAP path before charging.
 */
static inline bool kver_mremap_dontunmap_leaks_locked_vm(const struct model_config *c)
{
	return kver_ge(c, 6, 15, 0);
}

/*
 * 6.18.8 (stable; 61f67c230a5e in mainline), "mm/vma: fix anon_vma UAF
 * on mremap() faulted, unfaulted merge": a moved faulted VMA that merges
 * into an unfaulted neighbour hands it its anon_vma
 * (vma_merge_copied_range(), vma_expand()). From 6.16 until then the
 * merged VMA stayed without one.
 */
static inline bool kver_mremap_merge_dups_anon_vma(const struct model_config *c)
{
	return kver_ge(c, 6, 18, 8);
}

/* --- features the executor probes -------------------------------------- */

/*
 * The executor probes the real kernel for these too (exec_facts); the
 * model answers for the version it targets, so that a target older than
 * the running kernel predicts e.g. ENOSYS for mseal(2).
 */

/* 6.10, 8be7258aad44 "mseal: add mseal syscall". */
static inline bool kver_mseal(const struct model_config *c)
{
	return kver_ge(c, 6, 10, 0);
}

/*
 * 6.11, ed5d583a88a9 "fs/procfs: implement efficient VMA querying API
 * for /proc/<pid>/maps" (PROCMAP_QUERY); before, layouts come from the
 * /proc/self/maps text.
 */
static inline bool kver_procmap_query(const struct model_config *c)
{
	return kver_ge(c, 6, 11, 0);
}

/*
 * 6.13, 662df3e5c376 "mm: madvise: implement lightweight guard page
 * mechanism" (MADV_GUARD_INSTALL/REMOVE, anonymous memory only until
 * 6.15); before, both advices are EINVAL (madvise_behavior_valid). The
 * `gu` VmFlag (VM_MAYBE_GUARD, sticky) came only in 6.19 ("mm: introduce
 * VM_MAYBE_GUARD and make visible in /proc/$pid/smaps") and is backported
 * to this 6.18.44, so no version tells: the probe does
 * (model_config.has_maybe_guard).
 */
static inline bool kver_guard_regions(const struct model_config *c)
{
	return kver_ge(c, 6, 13, 0);
}

/*
 * 6.15?, "mm: allow guard regions in file-backed and read-only mappings"
 * (is_valid_guard_vma() lost its vma_is_anonymous() and VM_MAYWRITE
 * tests; the merge-window series of Lorenzo Stoakes, hash not pinned
 * down here): guards in shmem, memfd and read-only file mappings. Before,
 * such VMAs are EINVAL.
 */
static inline bool kver_guard_file_backed(const struct model_config *c)
{
	return kver_ge(c, 6, 15, 0);
}

#endif
