// SPDX-License-Identifier: GPL-2.0
/* The model's lifetime, its configuration and its snapshots. */
#include "internal.h"
#include "kver.h"

#include <stdlib.h>
#include <string.h>

/*
 * This machine, measured: 6.18.44 x86-64 with 4-level paging, no ASLR
 * (personality ADDR_NO_RANDOMIZE), 8 MiB RLIMIT_STACK so mmap_base =
 * PAGE_ALIGN(task_size - (8M + stack_guard_gap)) (arch_pick_mmap_layout);
 * legacy base = TASK_UNMAPPED_BASE = PAGE_ALIGN(task_size / 3);
 * CONFIG_LSM_MMAP_MIN_ADDR=65536; MemTotal 24684096 kB, no swap.
 */
void model_config_default(struct model_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->kver = KVER(6, 18, 44);
	cfg->page_size = 4096;
	cfg->task_size = 0x7ffffffff000ull;
	cfg->mmap_base = 0x7ffff7fff000ull;
	cfg->mmap_legacy_base = PAGE_ALIGN(0x7ffffffff000ull / 3);
	cfg->mmap_min_addr = 4096;
	cfg->max_map_count = 65530;
	cfg->stack_guard_gap = 256 * 4096;
	cfg->rlimit_stack = 8ull << 20;
	cfg->rlimit_memlock = 8ull << 20;
	cfg->rlimit_memlock_max = 8ull << 20;
	cfg->rlimit_as = UINT64_MAX;
	cfg->overcommit_memory = 0;
	cfg->thp = THP_MADVISE;
	cfg->cap_ipc_lock = 1;
	cfg->cap_sys_rawio = 1;
	cfg->cap_sys_resource = 0; /* this machine's root: CapEff 0x1fffeffffff */
	cfg->has_maybe_guard = 1;
	cfg->has_mseal = 1;
	cfg->lsm_mmap_min_addr = 65536;
	cfg->totalram_pages = 24684096 / 4;
}

struct vma *vm_area_alloc(void)
{
	struct vma *vma = vma_alloc();

	if (!vma)
		abort(); /* out of memory mid-operation: nothing sensible */
	return vma;
}

/*
 * Foreign VMAs keep the flags the executor saw (or, without VmFlags,
 * what maps shows) and are marked so that nothing merges with them.
 */
static int model_insert_foreign(struct model *m)
{
	for (unsigned i = 0; i < m->nforeign; i++) {
		const struct snap_vma *s = &m->foreign[i];
		struct vma *vma = vma_alloc();

		if (!vma)
			return -ENOMEM;
		vma->vm_start = s->start;
		vma->vm_end = s->end;
		vma->vm_pgoff = s->pgoff;
		vma->vm_flags = s->vmflags ? s->vmflags :
			calc_vm_prot_bits(s->prot) |
			(s->shared ? VM_MAYSHARE : 0);
		vma->backing = s->backing;
		vma->foreign = 1;
		if (vma->vm_flags & VM_LOCKED)
			m->locked_vm += PHYS_PFN(s->end - s->start);
		vma_tree_insert(&m->mm, vma);
	}
	return 0;
}

struct model *model_create(const struct model_config *cfg,
			   const struct snap_vma *foreign, unsigned nforeign)
{
	struct model *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->cfg = *cfg;
	m->cfg0 = *cfg;
	/* the hard limit is the soft one here (ulimit -Hl = -Sl = 8192) */
	m->rlimit_memlock_max = cfg->rlimit_memlock_max;
	vma_tree_init(&m->mm);
	page_store_init(&m->pages);
	if (nforeign) {
		m->foreign = malloc(nforeign * sizeof(*foreign));
		if (!m->foreign) {
			free(m);
			return NULL;
		}
		memcpy(m->foreign, foreign, nforeign * sizeof(*foreign));
		m->nforeign = nforeign;
	}
	if (model_insert_foreign(m)) {
		model_destroy(m);
		return NULL;
	}
	return m;
}

void model_destroy(struct model *m)
{
	if (!m)
		return;
	vma_tree_destroy(&m->mm);
	page_store_destroy(&m->pages);
	guard_set_destroy(&m->guards);
	free(m->file_pages);
	free(m->foreign);
	free(m);
}

void model_reset(struct model *m)
{
	vma_tree_destroy(&m->mm);
	vma_tree_init(&m->mm);
	page_store_destroy(&m->pages);
	guard_set_destroy(&m->guards);
	m->last_anon_vma = 0;
	m->last_file = 0;
	if (m->file_pages)
		memset(m->file_pages, 0, m->file_cap * sizeof(*m->file_pages));
	m->locked_vm = 0;
	m->def_flags = 0;
	/* the executor's reset gives the worker its limit and caps back */
	m->cfg.rlimit_memlock = m->cfg0.rlimit_memlock;
	m->cfg.cap_ipc_lock = m->cfg0.cap_ipc_lock;
	m->rlimit_memlock_max = m->cfg0.rlimit_memlock_max;
	memset(m->memfd, 0, sizeof(m->memfd)); /* the executor closes them */
	if (model_insert_foreign(m))
		abort(); /* the same VMAs fitted at model_create */
}

/*
 * show_map_vma(): the offset column is pgoff << PAGE_SHIFT only for VMAs
 * with a file (shared anonymous memory is a shmem file), else 0.
 */
/* The VmFlags smaps prints for vma: soft-dirty with CONFIG_MEM_SOFT_DIRTY
 * (every VMA is born so, __mmap_region(), and only clear_refs clears it),
 * and the flags the targeted kernel has mnemonics for. */
static uint64_t smaps_vmflags(const struct model *m, const struct vma *vma)
{
	uint64_t f = vma->vm_flags;

	if (m->cfg.has_soft_dirty)
		f |= VMF(VMF_SOFTDIRTY);
	if (!kver_smaps_shows_lf(&m->cfg))
		f &= ~VMF(VMF_LOCKONFAULT);
	return f;
}

void model_snapshot(const struct model *m, struct snapshot *out,
		    int with_vmflags)
{
	uint64_t *obj_ids = NULL;
	uint32_t cap = 0;
	struct vma *vma;

	snapshot_clear(out);
	for (vma = vma_first(&m->mm); vma; vma = vma_next(vma)) {
		struct snap_vma s = {
			.start = vma->vm_start,
			.end = vma->vm_end,
			.pgoff = vma->file ? vma->vm_pgoff : 0,
			.vmflags = with_vmflags ? smaps_vmflags(m, vma) : 0,
			.prot = (vma->vm_flags & VM_READ ? PROT_READ : 0) |
				(vma->vm_flags & VM_WRITE ? PROT_WRITE : 0) |
				(vma->vm_flags & VM_EXEC ? PROT_EXEC : 0),
			.shared = !!(vma->vm_flags & VM_MAYSHARE),
			.backing = vma->backing,
		};

		if (vma->foreign)
			continue;
		if (out->n == cap) {
			uint64_t *n;

			cap = cap ? cap * 2 : 64;
			n = realloc(obj_ids, cap * sizeof(*n));
			if (!n)
				abort();
			obj_ids = n;
		}
		obj_ids[out->n] = vma->file;
		snapshot_push(out, &s);
	}
	snapshot_canonicalise_objects(out, obj_ids);
	free(obj_ids);
}

uint64_t model_map_count(const struct model *m)
{
	return m->mm.count;
}
