// SPDX-License-Identifier: GPL-2.0
/*
 * Faults and page contents: the x86 user fault path (arch/x86/mm/fault.c
 * do_user_addr_fault, access_error), stack growth (mm/mmap_lock.c
 * lock_mm_and_find_vma, mm/vma.c expand_downwards, acct_stack_growth),
 * anonymous faults (mm/memory.c do_anonymous_page) and anon_vma
 * assignment (mm/rmap.c __anon_vma_prepare).
 */
#include "internal.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
#include <xxhash.h>

static uint64_t page_hash(uint32_t obj, uint64_t idx)
{
	uint64_t h = idx ^ ((uint64_t)obj << 40);

	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
	return h ^ (h >> 31);
}

void page_store_init(struct page_store *ps)
{
	memset(ps, 0, sizeof(*ps));
}

void page_store_destroy(struct page_store *ps)
{
	for (uint64_t b = 0; b < ps->nbuckets; b++) {
		struct page_data *pd = ps->bucket[b], *next;

		for (; pd; pd = next) {
			next = pd->next;
			free(pd->bytes);
			free(pd);
		}
	}
	free(ps->bucket);
	page_store_init(ps);
}

static void page_store_grow(struct page_store *ps)
{
	uint64_t n = ps->nbuckets ? ps->nbuckets * 2 : 1024;
	struct page_data **nb = calloc(n, sizeof(*nb));

	if (!nb)
		abort(); /* out of memory: nothing sensible to do */
	for (uint64_t b = 0; b < ps->nbuckets; b++) {
		struct page_data *pd = ps->bucket[b], *next;

		for (; pd; pd = next) {
			uint64_t h = page_hash(pd->obj, pd->idx) & (n - 1);

			next = pd->next;
			pd->next = nb[h];
			nb[h] = pd;
		}
	}
	free(ps->bucket);
	ps->bucket = nb;
	ps->nbuckets = n;
}

static struct page_data **page_slot(struct page_store *ps, uint32_t obj,
				    uint64_t idx)
{
	struct page_data **pp;

	if (!ps->nbuckets)
		return NULL;
	pp = &ps->bucket[page_hash(obj, idx) & (ps->nbuckets - 1)];
	while (*pp && ((*pp)->obj != obj || (*pp)->idx != idx))
		pp = &(*pp)->next;
	return pp;
}

/* The page (obj, idx), or NULL if nothing was ever stored there. */
static struct page_data *page_lookup(struct page_store *ps, uint32_t obj,
				     uint64_t idx)
{
	struct page_data **pp = page_slot(ps, obj, idx);

	return pp ? *pp : NULL;
}

/* The byte at off of a stored page: *found says whether one was written. */
static uint8_t page_byte(const struct page_data *pd, uint16_t off,
			 bool *found)
{
	for (unsigned i = 0; pd && i < pd->n; i++) {
		if (pd->bytes[i].off == off) {
			*found = true;
			return pd->bytes[i].val;
		}
	}
	*found = false;
	return 0;
}

static uint8_t page_read(struct page_store *ps, uint32_t obj, uint64_t idx,
			 uint16_t off)
{
	bool found;

	return page_byte(page_lookup(ps, obj, idx), off, &found);
}

/* The page (obj, idx), created empty if absent. */
static struct page_data *page_get(struct page_store *ps, uint32_t obj,
				  uint64_t idx)
{
	struct page_data **pp, *pd;

	if (ps->count >= ps->nbuckets)
		page_store_grow(ps);
	pp = page_slot(ps, obj, idx);
	pd = *pp;
	if (!pd) {
		pd = calloc(1, sizeof(*pd));
		if (!pd)
			abort();
		pd->obj = obj;
		pd->idx = idx;
		*pp = pd;
		ps->count++;
	}
	return pd;
}

static void page_set(struct page_data *pd, uint16_t off, uint8_t val)
{
	unsigned i;

	for (i = 0; i < pd->n && pd->bytes[i].off != off; i++)
		;
	if (i == pd->n) {
		if (pd->n == pd->cap) {
			uint16_t cap = pd->cap ? pd->cap * 2 : 1;
			struct page_byte *nb = realloc(pd->bytes,
						       cap * sizeof(*nb));

			if (!nb)
				abort();
			pd->bytes = nb;
			pd->cap = cap;
		}
		pd->bytes[pd->n++].off = off;
	}
	pd->bytes[i].val = val;
}

static void page_write(struct page_store *ps, uint32_t obj, uint64_t idx,
		       uint16_t off, uint8_t val)
{
	page_set(page_get(ps, obj, idx), off, val);
}

static void page_unlink(struct page_store *ps, struct page_data **pp)
{
	struct page_data *pd = *pp;

	*pp = pd->next;
	free(pd->bytes);
	free(pd);
	ps->count--;
}

/* Probes page by page or scans the table, whichever is shorter. */
void page_store_drop(struct page_store *ps, uint32_t obj, uint64_t first,
		     uint64_t n)
{
	if (!ps->count)
		return;
	if (n <= ps->nbuckets) {
		for (uint64_t i = 0; i < n; i++) {
			struct page_data **pp = page_slot(ps, obj, first + i);

			if (*pp)
				page_unlink(ps, pp);
		}
		return;
	}
	for (uint64_t b = 0; b < ps->nbuckets; b++) {
		struct page_data **pp = &ps->bucket[b];

		while (*pp) {
			if ((*pp)->obj == obj && (*pp)->idx - first < n)
				page_unlink(ps, pp);
			else
				pp = &(*pp)->next;
		}
	}
}

/*
 * Reclaim state of private pages (object 0). madvise_free_pte_range()
 * (mm/madvise.c) clears the dirty bit and marks each folio only this
 * process maps lazyfree (one a fork parent still maps is skipped); a
 * write, or GUP with FOLL_WRITE|FOLL_TOUCH, dirties it again.
 * madvise_cold_or_pageout_pte_range() skips shared folios too and hands
 * the rest to reclaim, which without swap frees only clean lazyfree
 * folios and, dirty or not, those of a VM_DROPPABLE VMA
 * (shrink_folio_list(), mm/vmscan.c): they read back zero.
 */
enum page_walk { PW_LAZYFREE, PW_PAGEOUT, PW_PAGEOUT_DROPPABLE, PW_DIRTY };

/* Applies w to one page; true if the page must go. */
static bool page_walk_one(struct page_data *pd, enum page_walk w)
{
	switch (w) {
	case PW_LAZYFREE:
		pd->lazyfree = !pd->cow_shared;
		return false;
	case PW_PAGEOUT:
		return pd->lazyfree && !pd->cow_shared;
	case PW_PAGEOUT_DROPPABLE:
		return !pd->cow_shared;
	case PW_DIRTY:
		pd->lazyfree = pd->cow_shared = 0;
		return false;
	}
	return false;
}

/* Probes page by page or scans the table, whichever is shorter. */
static void page_store_walk(struct page_store *ps, uint64_t first, uint64_t n,
			    enum page_walk w)
{
	if (!ps->count)
		return;
	for (uint64_t i = 0; n <= ps->nbuckets && i < n; i++) {
		struct page_data **pp = page_slot(ps, 0, first + i);

		if (*pp && page_walk_one(*pp, w))
			page_unlink(ps, pp);
	}
	for (uint64_t b = 0; n > ps->nbuckets && b < ps->nbuckets; b++) {
		struct page_data **pp = &ps->bucket[b];

		while (*pp) {
			if (!(*pp)->obj && (*pp)->idx - first < n &&
			    page_walk_one(*pp, w))
				page_unlink(ps, pp);
			else
				pp = &(*pp)->next;
		}
	}
}

void page_store_lazyfree(struct page_store *ps, uint64_t first, uint64_t n)
{
	page_store_walk(ps, first, n, PW_LAZYFREE);
}

void page_store_pageout(struct page_store *ps, uint64_t first, uint64_t n,
			bool droppable)
{
	page_store_walk(ps, first, n,
			droppable ? PW_PAGEOUT_DROPPABLE : PW_PAGEOUT);
}

/* copy_present_ptes(): every private page is now the parent's too. */
void page_store_fork(struct page_store *ps)
{
	for (uint64_t b = 0; b < ps->nbuckets; b++)
		for (struct page_data *pd = ps->bucket[b]; pd; pd = pd->next)
			if (!pd->obj)
				pd->cow_shared = 1;
}

/*
 * move_ptes() for private anonymous memory (object 0): the pages
 * [from, from + n) become [to, to + n). mremap() never lets the two
 * ranges overlap and the destination holds no pages (it was free or just
 * unmapped). Unlinks first, then rekeys, so a chain is never walked while
 * it changes.
 */
void page_store_move(struct page_store *ps, uint64_t from, uint64_t to,
		     uint64_t n)
{
	struct page_data *moved = NULL, *pd, **pp;

	if (!ps->count)
		return;
	/* probe page by page or scan the table, whichever is shorter */
	for (uint64_t i = 0; n <= ps->nbuckets && i < n; i++) {
		pp = page_slot(ps, 0, from + i);
		if (!*pp)
			continue;
		pd = *pp;
		*pp = pd->next;
		pd->next = moved;
		moved = pd;
	}
	for (uint64_t b = 0; n > ps->nbuckets && b < ps->nbuckets; b++) {
		pp = &ps->bucket[b];
		while (*pp) {
			pd = *pp;
			if (pd->obj || pd->idx - from >= n) {
				pp = &pd->next;
				continue;
			}
			*pp = pd->next;
			pd->next = moved;
			moved = pd;
		}
	}
	while (moved) {
		pd = moved;
		moved = pd->next;
		pd->idx = to + (pd->idx - from);
		pp = page_slot(ps, 0, pd->idx);
		pd->next = NULL;
		*pp = pd;
	}
}

/*
 * Guard markers (PTE_MARKER_GUARD, mm/madvise.c) live in page tables, so
 * they are kept by virtual address whatever backs the VMA: a sorted array
 * of disjoint, coalesced [start, end) ranges.
 */
static void guard_reserve(struct guard_set *gs, uint32_t n)
{
	struct range *r;
	uint32_t cap;

	if (n <= gs->cap)
		return;
	cap = gs->cap ? gs->cap : 16;
	while (cap < n)
		cap *= 2;
	r = realloc(gs->r, cap * sizeof(*r));
	if (!r)
		abort();
	gs->r = r;
	gs->cap = cap;
}

void guard_clear(struct guard_set *gs, uint64_t start, uint64_t end)
{
	uint32_t i, out = 0, n = gs->n;

	/* a range straddling both ends splits in two: one more entry */
	guard_reserve(gs, n + 1);
	for (i = 0; i < n; i++) {
		struct range r = gs->r[i];

		if (r.end <= start || r.start >= end) {
			gs->r[out++] = r;
			continue;
		}
		if (r.start < start)
			gs->r[out++] = (struct range){ r.start, start };
		if (r.end > end) {
			/* the tail of the last overlapping entry: shift the rest */
			memmove(&gs->r[out + 1], &gs->r[i + 1],
				(n - i - 1) * sizeof(*gs->r));
			gs->r[out] = (struct range){ end, r.end };
			gs->n = out + 1 + (n - i - 1);
			return;
		}
	}
	gs->n = out;
}

void guard_add(struct guard_set *gs, uint64_t start, uint64_t end)
{
	uint32_t i, j;

	/* absorb every range touching [start, end), then insert the union */
	for (i = 0; i < gs->n && gs->r[i].end < start; i++)
		;
	for (j = i; j < gs->n && gs->r[j].start <= end; j++) {
		if (gs->r[j].start < start)
			start = gs->r[j].start;
		if (gs->r[j].end > end)
			end = gs->r[j].end;
	}
	if (j == i) {
		guard_reserve(gs, gs->n + 1);
		memmove(&gs->r[i + 1], &gs->r[i], (gs->n - i) * sizeof(*gs->r));
		gs->n++;
	} else {
		memmove(&gs->r[i + 1], &gs->r[j], (gs->n - j) * sizeof(*gs->r));
		gs->n -= j - i - 1;
	}
	gs->r[i] = (struct range){ start, end };
}

/* Binary search: every fault asks. */
uint64_t guard_find(const struct guard_set *gs, uint64_t start, uint64_t end)
{
	uint32_t lo = 0, hi = gs->n;

	/* the first range ending after start */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (gs->r[mid].end > start)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (lo == gs->n || gs->r[lo].start >= end)
		return end;
	return gs->r[lo].start > start ? gs->r[lo].start : start;
}

/* move_ptes() carries the markers of [from, from + len) to `to`. */
void guard_move(struct guard_set *gs, uint64_t from, uint64_t to,
		uint64_t len)
{
	struct guard_set moved = { 0 };

	for (uint32_t i = 0; i < gs->n; i++) {
		uint64_t s = gs->r[i].start, e = gs->r[i].end;

		if (e <= from || s >= from + len)
			continue;
		guard_reserve(&moved, moved.n + 1);
		moved.r[moved.n++] = (struct range){
			(s > from ? s : from) - from + to,
			(e < from + len ? e : from + len) - from + to,
		};
	}
	guard_clear(gs, from, from + len);
	for (uint32_t i = 0; i < moved.n; i++)
		guard_add(gs, moved.r[i].start, moved.r[i].end);
	free(moved.r);
}

void guard_set_destroy(struct guard_set *gs)
{
	free(gs->r);
	*gs = (struct guard_set){ 0 };
}

/*
 * shmem_zero_setup() -> shmem_kernel_file_setup(): the object is as large
 * as the mapping (its i_size); mremap() can map past that end later.
 */
uint32_t shmem_zero_setup(struct model *m, uint64_t pages)
{
	uint32_t id = ++m->last_file;

	if (id >= m->file_cap) {
		uint32_t cap = m->file_cap ? m->file_cap : 64;
		uint64_t *n;

		while (cap <= id)
			cap *= 2;
		n = realloc(m->file_pages, cap * sizeof(*n));

		if (!n)
			abort();
		memset(n + m->file_cap, 0, (cap - m->file_cap) * sizeof(*n));
		m->file_pages = n;
		m->file_cap = cap;
	}
	m->file_pages[id] = pages;
	return id;
}

/*
 * A byte of page idx of shmem object obj: what was written there, else a
 * filled memfd's initial byte at the page start (a punched hole stores an
 * explicit 0 over it), else 0.
 */
static uint8_t file_page_byte(struct model *m, uint32_t obj, uint64_t idx,
			      uint16_t off)
{
	const struct memfd_file *f;
	bool found;
	uint8_t val = page_byte(page_lookup(&m->pages, obj, idx), off, &found);

	if (found || off)
		return val;
	f = memfd_of_obj(m, obj);
	return f && f->fill ? memfd_byte((unsigned)(f - m->memfd), idx) : 0;
}

/*
 * shmem_fallocate(FALLOC_FL_PUNCH_HOLE): the pages go from the page
 * cache and read back zero, through every shared mapping and every
 * private one that has no copy of its own (unmap_mapping_range() keeps
 * COWed pages).
 */
void shmem_punch_hole(struct model *m, uint32_t obj, uint64_t first,
		      uint64_t n)
{
	const struct memfd_file *f = memfd_of_obj(m, obj);
	uint64_t end = first + n;

	page_store_drop(&m->pages, obj, first, n);
	if (!f || !f->fill)
		return;
	if (end > m->file_pages[obj])
		end = m->file_pages[obj];
	for (uint64_t idx = first; idx < end; idx++)
		page_write(&m->pages, obj, idx, 0, 0);
}

/* A private file mapping: its written pages are COW copies (object 0). */
static bool vma_is_private_file(const struct vma *vma)
{
	return vma->file && !vma->hpage_shift &&
	       !(vma->vm_flags & VM_MAYSHARE);
}

/* The file page a private or shared file mapping shows at addr. */
static uint64_t linear_page_index(const struct vma *vma, uint64_t addr)
{
	return vma->vm_pgoff + PHYS_PFN(addr - vma->vm_start);
}

/*
 * wp_page_copy() / do_cow_fault(): the private copy of the file page at
 * addr, made once; after that, writes to the file no longer show there.
 * An empty copy (of a zero page) still marks the page as private.
 */
static struct page_data *wp_page_copy(struct model *m, const struct vma *vma,
				      uint64_t addr)
{
	uint64_t idx = linear_page_index(vma, addr);
	struct page_data *copy = page_lookup(&m->pages, 0, PHYS_PFN(addr));
	const struct page_data *src;
	uint8_t first;

	if (copy)
		return copy;
	copy = page_get(&m->pages, 0, PHYS_PFN(addr));
	src = page_lookup(&m->pages, vma->file, idx);
	for (unsigned i = 0; src && i < src->n; i++)
		page_set(copy, src->bytes[i].off, src->bytes[i].val);
	first = file_page_byte(m, vma->file, idx, 0);
	if (first)
		page_set(copy, 0, first);
	return copy;
}

/*
 * GUP with FOLL_WRITE|FOLL_TOUCH on private memory: an anonymous page
 * present is dirtied (and its own, COW broken), up to a guard marker; a
 * private file mapping's pages each get their COW copy, the first page
 * past i_size (shmem_fault() SIGBUS) or on a guard marker failing the
 * fault and ending the walk over this VMA.
 */
void cow_fault_range(struct model *m, struct vma *vma, uint64_t start,
		     uint64_t end)
{
	if (!vma->file && !(vma->vm_flags & VM_MAYSHARE)) {
		uint64_t guard = guard_find(&m->guards, start, end);

		page_store_walk(&m->pages, PHYS_PFN(start),
				PHYS_PFN(guard - start), PW_DIRTY);
		return;
	}
	if (!vma_is_private_file(vma))
		return;
	for (uint64_t a = start; a < end; a += PAGE_SIZE) {
		if (linear_page_index(vma, a) >= m->file_pages[vma->file] ||
		    guard_find(&m->guards, a, a + 1) == a)
			return;
		wp_page_copy(m, vma, a);
	}
}

/*
 * __anon_vma_prepare(): reuse a compatible neighbour's anon_vma
 * (find_mergeable_anon_vma) or allocate a new one; either way the VMA's
 * anon_vma_chain is singular, i.e. not a fork child.
 */
void anon_vma_prepare(struct model *m, struct vma *vma)
{
	uint32_t anon_vma;

	if (vma->anon_vma)
		return;
	anon_vma = find_mergeable_anon_vma(m, vma);
	if (!anon_vma)
		anon_vma = ++m->last_anon_vma;
	vma->anon_vma = anon_vma;
	vma->anon_fork_child = 0;
}

/*
 * __get_user_pages() over [start, end) of one VMA: write faults on private
 * memory give it an anon_vma (unless the first page is a guard marker,
 * whose fault never gets that far) and COW copies of a file's pages; the
 * first guard marker (SIGSEGV) or page past i_size (shmem_fault() SIGBUS)
 * ends the walk with EFAULT, the pages before it faulted in.
 */
int faultin_vma_range(struct model *m, struct vma *vma, uint64_t start,
		      uint64_t end, bool write)
{
	uint64_t guard = guard_find(&m->guards, start, end);

	if (write) {
		if (guard > start)
			anon_vma_prepare(m, vma);
		cow_fault_range(m, vma, start, guard);
	}
	if (guard < end)
		return -EFAULT;
	/* shmem (hugetlbfs files are sized to their mapping) */
	if (vma->file && !vma->hpage_shift &&
	    vma->vm_pgoff + PHYS_PFN(end - vma->vm_start) >
		    m->file_pages[vma->file])
		return -EFAULT;
	return 0;
}

/*
 * populate_vma_page_range() (mm/gup.c), errors ignored as mm_populate()
 * callers do: write faults for private writable VMAs, read faults
 * otherwise; VM_LOCKONFAULT VMAs are left alone.
 */
void populate_vma_range(struct model *m, struct vma *vma, uint64_t start,
			uint64_t end)
{
	if (vma->vm_flags & VM_LOCKONFAULT)
		return;
	faultin_vma_range(m, vma, start, end,
			  (vma->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE);
}

/*
 * acct_stack_growth(): RLIMIT_AS bounds the growth, RLIMIT_STACK the
 * whole VMA, the mlock limit the growth of a locked one, and the
 * overcommit check the growth.
 */
static int acct_stack_growth(const struct model *m, const struct vma *vma,
			     uint64_t size, uint64_t grow)
{
	if (!may_expand_vm(m, grow))
		return -ENOMEM;
	if (size > m->cfg.rlimit_stack)
		return -ENOMEM;
	if (!mlock_future_ok(m, vma->vm_flags & VM_LOCKED, grow << PAGE_SHIFT))
		return -ENOMEM;
	if (!security_vm_enough_memory(m, grow))
		return -ENOMEM;
	return 0;
}

/*
 * expand_downwards(): keep stack_guard_gap above an accessible,
 * non-growsdown prev; the anon_vma is prepared before the growth is
 * accounted, so it stays even if the growth fails.
 */
static int expand_downwards(struct model *m, struct vma *vma, uint64_t address)
{
	struct vma *prev = vma_prev(vma);
	uint64_t size, grow;
	int err;

	address &= PAGE_MASK;
	if (address < kernel_mmap_min_addr(m))
		return -EPERM;
	if (prev && !(prev->vm_flags & VM_GROWSDOWN) &&
	    (prev->vm_flags & VM_ACCESS_FLAGS) &&
	    address - prev->vm_end < m->cfg.stack_guard_gap)
		return -ENOMEM;

	anon_vma_prepare(m, vma);

	size = vma->vm_end - address;
	grow = PHYS_PFN(vma->vm_start - address);
	if (grow > vma->vm_pgoff)
		return -ENOMEM;
	err = acct_stack_growth(m, vma, size, grow);
	if (err)
		return err;
	if (vma->vm_flags & VM_LOCKED)
		m->locked_vm += grow;
	vma->vm_start = address;
	vma->vm_pgoff -= grow;
	vma_tree_adjust(&m->mm, vma);
	return 0;
}

/*
 * lock_mm_and_find_vma(): the VMA containing addr, or the VM_GROWSDOWN
 * VMA above it grown down to addr.
 */
static struct vma *lock_mm_and_find_vma(struct model *m, uint64_t addr)
{
	struct vma *vma = vma_find(&m->mm, addr);

	if (vma && vma->vm_start <= addr)
		return vma;
	if (!vma || !(vma->vm_flags & VM_GROWSDOWN))
		return NULL;
	if (expand_downwards(m, vma, addr))
		return NULL;
	return vma;
}

/*
 * access_error() (x86): a write needs VM_WRITE; a read needs any of
 * R/W/X (x86 cannot map write- or exec-only pages without read).
 */
static bool access_error(bool write, const struct vma *vma)
{
	if (write)
		return !(vma->vm_flags & VM_WRITE);
	return !(vma->vm_flags & VM_ACCESS_FLAGS);
}

/*
 * do_user_addr_fault(): 0 and the VMA the access lands in, or the signal.
 * Addresses at or above TASK_SIZE are the kernel's (or non-canonical):
 * SIGSEGV. A write to private memory instantiates an anonymous page,
 * which needs an anon_vma; reads map the zero page. A hugetlb fault finds
 * no huge page to allocate on this machine (none reserved): SIGBUS. A
 * guard marker is SIGSEGV once the access itself is allowed.
 */
static int do_user_addr_fault(struct model *m, uint64_t addr, bool write,
			      struct vma **vmap)
{
	struct vma *vma;

	if (addr >= m->cfg.task_size)
		return SIGSEGV;
	vma = lock_mm_and_find_vma(m, addr);
	if (!vma || access_error(write, vma))
		return SIGSEGV;
	if (vma->hpage_shift)
		return SIGBUS;
	/* handle_pte_marker(): a guard marker is VM_FAULT_SIGSEGV, found
	 * before any fault handler (shmem's i_size check) runs */
	if (guard_find(&m->guards, addr, addr + 1) == addr)
		return SIGSEGV;
	/* do_cow_fault() and wp_page_copy() prepare the anon_vma before
	 * asking the file for its page */
	if (write && !(vma->vm_flags & VM_SHARED))
		anon_vma_prepare(m, vma);
	/* shmem_fault() -> shmem_get_folio_gfp(): past i_size is SIGBUS */
	if (vma->file && linear_page_index(vma, addr) >=
				 m->file_pages[vma->file])
		return SIGBUS;
	*vmap = vma;
	return 0;
}

/*
 * Where a byte lives: private anonymous memory by address (object 0),
 * shared memory in its object; a private file mapping shows the file's
 * page (the page cache page it maps, so later writes to the file show)
 * until a write gives it a copy of its own.
 */
static uint8_t vma_read_byte(struct model *m, const struct vma *vma,
			     uint64_t addr)
{
	const struct page_data *copy;
	bool found;

	if (!vma->file)
		return page_read(&m->pages, 0, PHYS_PFN(addr), addr & ~PAGE_MASK);
	copy = vma_is_private_file(vma) ?
		       page_lookup(&m->pages, 0, PHYS_PFN(addr)) : NULL;
	if (copy)
		return page_byte(copy, addr & ~PAGE_MASK, &found);
	return file_page_byte(m, vma->file, linear_page_index(vma, addr),
			      addr & ~PAGE_MASK);
}

static void vma_write_byte(struct model *m, const struct vma *vma,
			   uint64_t addr, uint8_t val)
{
	struct page_data *pd;

	if (vma->file && !vma_is_private_file(vma)) {
		page_write(&m->pages, vma->file, linear_page_index(vma, addr),
			   addr & ~PAGE_MASK, val);
		return;
	}
	pd = vma->file ? wp_page_copy(m, vma, addr)
		       : page_get(&m->pages, 0, PHYS_PFN(addr));
	/* dirty, and a COW-shared page is copied: this process's own now */
	page_walk_one(pd, PW_DIRTY);
	page_set(pd, addr & ~PAGE_MASK, val);
}

void model_touch(struct model *m, uint64_t addr, uint64_t npages,
		 uint32_t seed, struct outcome *out)
{
	struct vma *vma;

	*out = (struct outcome){ 0 };
	for (uint64_t i = 0; i < npages; i++) {
		uint64_t a = addr + i * PAGE_SIZE;
		int sig = do_user_addr_fault(m, a, true, &vma);

		if (sig) {
			out->ret = (int64_t)i;
			out->sig = sig;
			return;
		}
		vma_write_byte(m, vma, a, touch_byte(seed, i));
	}
	out->ret = (int64_t)npages;
}

void model_read(struct model *m, uint64_t addr, uint64_t npages,
		struct outcome *out)
{
	XXH3_state_t st;
	struct vma *vma;
	uint8_t buf[4096];
	unsigned n = 0;
	uint64_t i;

	*out = (struct outcome){ 0 };
	XXH3_64bits_reset(&st);
	for (i = 0; i < npages; i++) {
		uint64_t a = addr + i * PAGE_SIZE;
		int sig = do_user_addr_fault(m, a, false, &vma);

		if (sig) {
			out->sig = sig;
			break;
		}
		buf[n++] = vma_read_byte(m, vma, a);
		if (n == sizeof(buf)) {
			XXH3_64bits_update(&st, buf, n);
			n = 0;
		}
	}
	XXH3_64bits_update(&st, buf, n);
	out->ret = (int64_t)i;
	out->data = XXH3_64bits_digest(&st);
}
