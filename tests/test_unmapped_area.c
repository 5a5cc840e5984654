// SPDX-License-Identifier: GPL-2.0
/*
 * model/unmapped_area.c against addresses measured on the real kernel
 * (6.18.44, x86-64, 4-level paging, THP enabled=madvise, shmem THP never,
 * vm.mmap_min_addr 4096, CONFIG_LSM_MMAP_MIN_ADDR 65536, RLIMIT_STACK 8M).
 *
 * The experiments: a static binary run under `setarch -R` (no ASLR), each
 * scenario in a fresh fork()ed child of the same parent, so all start
 * from one layout:
 *
 *   0x400000-HEAP_END              the binary, its bss and [heap]
 *   0x7ffff7ff7000-0x7ffff7fff000  [vvar] [vvar_vclock] [vdso]
 *   0x7ffffffde000-0x7ffffffff000  [stack] (VM_GROWSDOWN)
 *
 * mmap_base is 0x7ffff7fff000 (the vDSO block is the first top-down
 * mapping and ends there). Scenarios placed fixed mappings with
 * MAP_FIXED_NOREPLACE, then called mmap(addr, len, PROT_READ|PROT_WRITE,
 * MAP_PRIVATE|MAP_ANONYMOUS|extra, -1, 0) and printed the result and
 * /proc/self/maps. HEAP_END was 0x4f0000 in the first program and 0x4ef000
 * in the second (marked "run 2"). The model gets the same VMAs (the
 * binary as one block: only the gaps matter for placement).
 *
 * Maps below are top-down, not to scale: '|' is mmap_base, VVV the vDSO
 * block, '.' free space, letters mappings.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "test.h"
#include "vma.h"

#ifndef MAP_ABOVE4G
#define MAP_ABOVE4G 0x80
#endif

#define PG 0x1000ull
#define MB 0x100000ull
#define V 0x7ffff7ff7000ull	/* bottom of [vvar] */
#define B 0x7ffff7fff000ull	/* mmap_base: end of [vdso] */
#define STACK 0x7ffffffde000ull /* [stack] start */
#define TASK_SIZE 0x7ffffffff000ull
#define HEAP_END 0x4f0000ull
#define HEAP_END2 0x4ef000ull	/* run 2 */
#define ENOMEM_ADDR ((uint64_t)-ENOMEM)

static struct model_config cfg;
static struct vma_tree tree;

static void cfg_init(struct model_config *c)
{
	memset(c, 0, sizeof(*c));
	c->kver = KVER(6, 18, 44);
	c->page_size = PG;
	c->task_size = TASK_SIZE;
	c->mmap_base = B;
	/* PAGE_ALIGN(TASK_SIZE / 3): mmap_legacy_base without ASLR */
	c->mmap_legacy_base = 0x2aaaaaaab000ull;
	c->mmap_min_addr = 4096;
	c->lsm_mmap_min_addr = 65536;
	c->max_map_count = 65530;
	c->stack_guard_gap = 256 * PG;
	c->rlimit_stack = 8 * MB;
	c->rlimit_memlock = 8 * MB;
	c->thp = THP_MADVISE;
	c->cap_ipc_lock = 1;
	c->cap_sys_rawio = 1;
}

static void add(uint64_t start, uint64_t end, uint64_t vm_flags)
{
	struct vma *v = vma_alloc();

	v->vm_start = start;
	v->vm_end = end;
	v->vm_flags = vm_flags;
	vma_tree_insert(&tree, v);
}

/* A fresh child of the experiment's parent. */
static void layout(uint64_t heap_end)
{
	vma_tree_destroy(&tree);
	cfg_init(&cfg);
	add(0x400000, heap_end, 0);
	add(V, B, 0);
	add(STACK, TASK_SIZE, VMF(VMF_GROWSDOWN));
}

/* mmap(addr, len, ..., MAP_PRIVATE|MAP_ANONYMOUS|flags): place and map. */
static uint64_t map(uint64_t addr, uint64_t len, uint64_t flags)
{
	uint64_t ret = get_unmapped_area(&tree, &cfg, addr, len, 0, flags,
					 !!(flags & MAP_SHARED));

	if (!IS_ERR_ADDR(ret))
		add(ret, ret + len,
		    flags & MAP_GROWSDOWN ? VMF(VMF_GROWSDOWN) : 0);
	return ret;
}

/*
 * Two 4-page mmaps; then, after munmap of the vDSO block, one more.
 *
 *   before:  ....BBBBAAAAVVV|      after munmap:  ....C|
 */
TEST(first_mapping_ends_at_mmap_base)
{
	struct vma *vdso;

	layout(HEAP_END);
	CHECK_EQ(map(0, 4 * PG, 0), 0x7ffff7ff3000); /* kernel */
	CHECK_EQ(map(0, 4 * PG, 0), 0x7ffff7fef000); /* kernel */

	layout(HEAP_END);
	vdso = vma_lookup(&tree, V);
	vma_tree_erase(&tree, vdso);
	vma_free(vdso);
	CHECK_EQ(map(0, 4 * PG, 0), B - 4 * PG); /* kernel: 0x7ffff7ffb000 */
}

/*
 * Fixed X = [V-4p, V-1p), Y = [V-10p, V-7p): holes of 1 page at the top
 * and 3 pages between. A (2 pages) skips the 1-page hole, b (1 page)
 * then takes it, D (4 pages) fits only below Y.
 *
 *   ....DDDDYYY.AAXXXbVVV|
 */
TEST(highest_fitting_gap_wins)
{
	layout(HEAP_END);
	add(V - 4 * PG, V - 1 * PG, 0);
	add(V - 10 * PG, V - 7 * PG, 0);
	CHECK_EQ(map(0, 2 * PG, 0), 0x7ffff7ff1000); /* kernel: V - 6p */
	CHECK_EQ(map(0, 1 * PG, 0), 0x7ffff7ff6000); /* kernel: V - 1p */
	CHECK_EQ(map(0, 4 * PG, 0), 0x7ffff7fe9000); /* kernel: V - 14p */
}

/*
 * One after another, no hint (E C D A are adjacent, as are G T):
 *
 *   ...SS[1M]GGTT.EECCCDDDDAA..VVV|
 *
 * A 2M: G = V holds 4M, start = round_down(V - 2M, 2M); D 4M: aligned
 * below A; C 3M and E 2M+4K: unaligned, right below; T (MAP_STACK) and
 * G (MAP_GROWSDOWN) 2M: aligned; S (MAP_SHARED) 2M: not aligned and
 * 1 MiB below G's start (G grows down).
 */
TEST(thp_alignment)
{
	layout(HEAP_END);
	CHECK_EQ(map(0, 2 * MB, 0), 0x7ffff7c00000);		 /* kernel */
	CHECK_EQ(map(0, 4 * MB, 0), 0x7ffff7800000);		 /* kernel */
	CHECK_EQ(map(0, 3 * MB, 0), 0x7ffff7500000);		 /* kernel */
	CHECK_EQ(map(0, 2 * MB + PG, 0), 0x7ffff72ff000);	 /* kernel */
	CHECK_EQ(map(0, 2 * MB, MAP_STACK), 0x7ffff7000000);	 /* kernel */
	CHECK_EQ(map(0, 2 * MB, MAP_GROWSDOWN), 0x7ffff6e00000); /* kernel */
	CHECK_EQ(map(0, 2 * MB, MAP_SHARED), 0x7ffff6b00000);	 /* kernel */
}

/*
 * Fixed X = [V-3M-4p, V-3M): a 3M hole under the vDSO. A (2M) needs a
 * hole of 4M for the padded search, so it goes below X; E (2M+4K) fits
 * the hole, at its top.
 *
 *   ....AA..XX.EEVVV|
 */
TEST(thp_skips_gap_without_padding)
{
	layout(HEAP_END);
	add(V - 3 * MB - 4 * PG, V - 3 * MB, 0);
	CHECK_EQ(map(0, 2 * MB, 0), 0x7ffff7a00000);	  /* kernel */
	CHECK_EQ(map(0, 2 * MB + PG, 0), 0x7ffff7df6000); /* kernel */
}

/*
 * Run 2. PROT_NONE fillers over [HEAP_END2+3M, V) and [B, [stack]): the
 * padded 4M search fails both top-down and bottom-up, so the plain 2M
 * search places unaligned mappings: in the 3M hole above the heap, then
 * in [64K, 4M) below the binary.
 *
 *   64K ..BBbin heap .AAFFFFFFFFF VVV|FFFFFF[stack]
 */
TEST(thp_padded_search_fails)
{
	layout(HEAP_END2);
	add(HEAP_END2 + 3 * MB, V, 0);
	add(B, STACK, 0);
	CHECK_EQ(map(0, 2 * MB, 0), 0x5ef000); /* kernel */
	CHECK_EQ(map(0, 2 * MB, 0), 0x200000); /* kernel */
}

/*
 * Hints, H = 0x500000000000; mappings A C D B E T Z F in call order:
 *
 *   Z(64K) .. bin .. A(H) .. B(H+256M) .. TT.FEEDCVVV|
 */
TEST(hints)
{
	const uint64_t h = 0x500000000000ull;

	layout(HEAP_END);
	/* free: honoured, rounded down to a page */
	CHECK_EQ(map(h + 0x123, 4 * PG, 0), h); /* kernel */
	/* inside A, or overlapping A's start: ignored, plain search */
	CHECK_EQ(map(h + 2 * PG, 4 * PG, 0), 0x7ffff7ff3000); /* kernel */
	CHECK_EQ(map(h - 2 * PG, 4 * PG, 0), 0x7ffff7fef000); /* kernel */
	/* a free hint wins over THP alignment */
	CHECK_EQ(map(h + 0x10000000, 2 * MB, 0), 0x500010000000); /* kernel */
	/* an unusable hint disables THP alignment too (6.13+) */
	CHECK_EQ(map(h, 2 * MB, 0), 0x7ffff7def000); /* kernel */
	/* 0x800 rounds to no hint: aligned */
	CHECK_EQ(map(0x800, 2 * MB, 0), 0x7ffff7a00000); /* kernel */
	/* 0x1000 is below the LSM minimum: raised to 64K */
	CHECK_EQ(map(0x1800, PG, 0), 0x10000); /* kernel */
	/* beyond TASK_SIZE: ignored */
	CHECK_EQ(map(0x800000000000ull - 2 * PG, 4 * PG, 0),
		 0x7ffff7deb000); /* kernel */
}

/* Run 2: more hints, one child, in this order. */
TEST(hints_unaligned_and_min_addr)
{
	layout(HEAP_END2);
	CHECK_EQ(map(0x500000001000ull, 2 * MB, 0), 0x500000001000); /* kernel */
	CHECK_EQ(map(0xf000, PG, 0), 0x10000);		/* kernel */
	CHECK_EQ(map(0x10000, PG, 0), 0x7ffff7ff6000);	/* kernel: occupied */
	CHECK_EQ(map(0x10000, PG, 0), 0x7ffff7ff5000);	/* kernel */
}

/*
 * G = mmap(4 pages, MAP_GROWSDOWN) lands under the vDSO; a plain mmap
 * then keeps stack_guard_gap (1 MiB) below G.
 *
 *   ....AAAA[guard gap, 1M]GGGGVVV|
 */
TEST(growsdown_keeps_guard_gap)
{
	layout(HEAP_END);
	CHECK_EQ(map(0, 4 * PG, MAP_GROWSDOWN), 0x7ffff7ff3000); /* kernel */
	CHECK_EQ(map(0, 4 * PG, 0), 0x7ffff7eef000);		  /* kernel */
}

/*
 * Run 2, G = 0x7ffff7ff3000 as above, then hints:
 *   A at G-1M-8p: free and clear of the guard gap: honoured;
 *   G-8p: inside the guard gap: ignored, lands at C = G-1M-4p (the hole
 *   between A and the guard gap);
 *   G-1M-2p: now occupied: ignored; then a plain mmap.
 *
 *   ..EEEEDDDDAAAACCCC[guard gap, 1M]GGGGVVV|
 */
TEST(growsdown_guard_gap_hints)
{
	const uint64_t g = 0x7ffff7ff3000ull;

	layout(HEAP_END2);
	CHECK_EQ(map(0, 4 * PG, MAP_GROWSDOWN), g);		  /* kernel */
	CHECK_EQ(map(g - MB - 8 * PG, 4 * PG, 0), 0x7ffff7eeb000); /* kernel */
	CHECK_EQ(map(g - 8 * PG, 4 * PG, 0), 0x7ffff7eef000);	  /* kernel */
	CHECK_EQ(map(g - MB - 2 * PG, 4 * PG, 0), 0x7ffff7ee7000); /* kernel */
	CHECK_EQ(map(0, 4 * PG, 0), 0x7ffff7ee3000);		  /* kernel */

	/* Run 2, another child: a hint ending exactly at G - 1M is fine. */
	layout(HEAP_END2);
	CHECK_EQ(map(0, 4 * PG, MAP_GROWSDOWN), g);		  /* kernel */
	CHECK_EQ(map(g - MB - 4 * PG, 4 * PG, 0), 0x7ffff7eef000); /* kernel */
	CHECK_EQ(map(g - MB - 7 * PG, 4 * PG, 0), 0x7ffff7eeb000); /* kernel */
}

/*
 * Fixed GROWSDOWN G = [V-4p, V), fixed X (2 pages) ending 2 pages below
 * G's guard gap. 4 pages do not fit between X and the guard gap, 2 do.
 *
 *   ...AAAAXXBB[guard gap, 1M]GGGGVVV|
 */
TEST(growsdown_gap_too_small)
{
	layout(HEAP_END);
	add(V - 4 * PG, V, VMF(VMF_GROWSDOWN));
	add(V - 4 * PG - MB - 4 * PG, V - 4 * PG - MB - 2 * PG, 0);
	CHECK_EQ(map(0, 4 * PG, 0), 0x7ffff7eeb000); /* kernel */
	CHECK_EQ(map(0, 2 * PG, 0), 0x7ffff7ef1000); /* kernel */
}

/*
 * A PROT_NONE filler over [HEAP_END, V) leaves less than 4M below
 * mmap_base ([64K, 4M)); bigger mappings fall back to bottom-up from
 * mmap_legacy_base and land above mmap_base, under [stack]'s guard gap.
 * 8M is THP aligned: the padded result B+6M+4K is 2M aligned already, so
 * it moves up by 2M (MMF_TOPDOWN rule in __thp_get_unmapped_area).
 *
 *   .. bin FFFFFFFFFFFFF VVV|AAAAAA..BBBBBBBB....[guard gap] [stack]
 */
TEST(bottom_up_fallback)
{
	layout(HEAP_END);
	add(HEAP_END, V, 0);
	CHECK_EQ(map(0, 6 * MB + PG, 0), B);		/* kernel */
	CHECK_EQ(map(0, 8 * MB, 0), 0x7ffff8800000);	/* kernel */

	/* another child: the whole hole up to the guard gap, or one page
	 * more (unmapped_area() retries above [stack] and fails). */
	layout(HEAP_END);
	add(HEAP_END, V, 0);
	CHECK_EQ(map(0, STACK - MB - B + PG, 0), ENOMEM_ADDR); /* kernel */
	CHECK_EQ(map(0, STACK - MB - B, 0), B);		     /* kernel */
}

/*
 * Run 2: filler over [HEAP_END2, V); [64K, 4M) is the only hole below
 * mmap_base, 64K being the LSM minimum (the sysctl says 4096). U, one
 * page too long for it, goes bottom-up; A fills it.
 *
 *   AAAAAAAbin FFFFFFFFFFFFVVV|UUUU...
 */
TEST(mmap_min_addr_is_the_floor)
{
	layout(HEAP_END2);
	add(HEAP_END2, V, 0);
	CHECK_EQ(map(0, 0x400000 - 0x10000 + PG, 0), B); /* kernel */
	CHECK_EQ(map(0, 0x400000 - 0x10000, 0), 0x10000); /* kernel */

	/* Not measured (this kernel has CONFIG_SECURITY): without the LSM
	 * minimum the sysctl value is the floor (update_mmap_min_addr). */
	layout(HEAP_END2);
	add(HEAP_END2, V, 0);
	cfg.lsm_mmap_min_addr = 0;
	CHECK_EQ(map(0, 0x400000 - 0x1000, 0), 0x1000);
}

/*
 * MAP_32BIT: bottom-up in [1G, 2G), a hint honoured only if it ends by
 * 2G. The 2M one is THP aligned: its padded search returns 0x40008000,
 * so it starts at the next 2M boundary.
 *
 *   1G AAAABBBBDDDDGGGG..CC(2M)..E(0x50000000)..F(0x7fff0000).. 2G
 */
TEST(map_32bit)
{
	layout(HEAP_END);
	CHECK_EQ(map(0, 4 * PG, MAP_32BIT), 0x40000000);	   /* kernel */
	CHECK_EQ(map(0, 4 * PG, MAP_32BIT), 0x40004000);	   /* kernel */
	CHECK_EQ(map(0, 2 * MB, MAP_32BIT), 0x40200000);	   /* kernel */
	CHECK_EQ(map(0x40000000, 4 * PG, MAP_32BIT), 0x40008000); /* kernel */
	CHECK_EQ(map(0x7fff0000, 4 * PG, MAP_32BIT), 0x7fff0000); /* kernel */
	CHECK_EQ(map(0x7fffe000, 4 * PG, MAP_32BIT), 0x4000c000); /* kernel */
	CHECK_EQ(map(0x50000000, 4 * PG, MAP_32BIT), 0x50000000); /* kernel */
}

/*
 * Filler over [4G, V): MAP_ABOVE4G finds nothing top-down and falls back
 * to bottom-up (which ignores it); a plain mmap goes right below 4G.
 *
 *   .. bin ....BBBB 4G FFFFFFFFFFFF VVV|AAAA ... [stack]
 */
TEST(map_above4g)
{
	layout(HEAP_END);
	add(1ull << 32, V, 0);
	CHECK_EQ(map(0, 4 * PG, MAP_ABOVE4G), B);    /* kernel */
	CHECK_EQ(map(0, 4 * PG, 0), 0xffffc000); /* kernel */
}

/*
 * Huge lengths (a fourth program, HEAP_END 0x4cf000, PROT_NONE and
 * MAP_NORESERVE so that overcommit accounting cannot fail the call, each
 * mapping unmapped again). A writable private mapping of 0x7ffff0000000
 * bytes fails with ENOMEM in mmap_region's accounting instead: not a
 * placement question.
 */
TEST(huge_lengths)
{
	layout(0x4cf000);
	CHECK_EQ(get_unmapped_area(&tree, &cfg, 0, TASK_SIZE + PG, 0, 0, 0),
		 ENOMEM_ADDR); /* kernel */
	CHECK_EQ(get_unmapped_area(&tree, &cfg, 0, TASK_SIZE, 0, 0, 0),
		 ENOMEM_ADDR); /* kernel */
	/* THP: the padded search fits under the vDSO block */
	CHECK_EQ(get_unmapped_area(&tree, &cfg, 0, 0x7ffff0000000ull, 0, 0, 0),
		 0x7e00000); /* kernel */
	CHECK_EQ(get_unmapped_area(&tree, &cfg, 0, 0x7ffff0001000ull, 0, 0, 0),
		 V - 0x7ffff0001000ull); /* kernel: 0x7ff6000 */
}

/*
 * MAP_FIXED (a third program, run as root and as uid 65534 without
 * capabilities): only the final checks of __get_unmapped_area apply.
 * The EPERM check uses the sysctl value (4096), not the LSM minimum.
 */
TEST(map_fixed_final_checks)
{
	layout(HEAP_END);
	CHECK_EQ(get_unmapped_area(&tree, &cfg, 0x1000, PG, 0, MAP_FIXED, 0),
		 0x1000); /* kernel */
	CHECK_EQ(get_unmapped_area(&tree, &cfg, 0, PG, 0, MAP_FIXED, 0),
		 0); /* kernel, root */
	CHECK_EQ(get_unmapped_area(&tree, &cfg, 0, 2 * MB, 0, MAP_FIXED, 0),
		 0); /* kernel, root: through the THP path */
	CHECK_EQ(get_unmapped_area(&tree, &cfg, 0x800, PG, 0, MAP_FIXED, 0),
		 (uint64_t)-EINVAL); /* kernel */
	CHECK_EQ(get_unmapped_area(&tree, &cfg, 0x800, PG, 0,
				   MAP_FIXED_NOREPLACE, 0),
		 (uint64_t)-EINVAL); /* kernel */
	CHECK_EQ(get_unmapped_area(&tree, &cfg, TASK_SIZE - PG, 2 * PG, 0,
				   MAP_FIXED, 0),
		 ENOMEM_ADDR); /* kernel */

	cfg.cap_sys_rawio = 0;
	CHECK_EQ(get_unmapped_area(&tree, &cfg, 0, PG, 0, MAP_FIXED, 0),
		 (uint64_t)-EPERM); /* kernel, uid 65534 */
	CHECK_EQ(get_unmapped_area(&tree, &cfg, 0, 2 * MB, 0, MAP_FIXED, 0),
		 (uint64_t)-EPERM); /* kernel, uid 65534 */
	CHECK_EQ(get_unmapped_area(&tree, &cfg, 0x1000, PG, 0, MAP_FIXED, 0),
		 0x1000); /* kernel, uid 65534 */
	CHECK_EQ(get_unmapped_area(&tree, &cfg, 0x1000, PG, 0, 0, 0),
		 0x10000); /* kernel, uid 65534: hint raised to 64K */
}

int main(void)
{
	vma_tree_init(&tree);
	RUN(first_mapping_ends_at_mmap_base);
	RUN(highest_fitting_gap_wins);
	RUN(thp_alignment);
	RUN(thp_skips_gap_without_padding);
	RUN(thp_padded_search_fails);
	RUN(hints);
	RUN(hints_unaligned_and_min_addr);
	RUN(growsdown_keeps_guard_gap);
	RUN(growsdown_guard_gap_hints);
	RUN(growsdown_gap_too_small);
	RUN(bottom_up_fallback);
	RUN(mmap_min_addr_is_the_floor);
	RUN(map_32bit);
	RUN(map_above4g);
	RUN(huge_lengths);
	RUN(map_fixed_final_checks);
	vma_tree_destroy(&tree);
	return test_summary();
}
