// SPDX-License-Identifier: GPL-2.0
/*
 * The model's maple tree: a treap keyed by vm_start with parent pointers,
 * augmented per subtree with the lowest vm_start, the highest vm_end and
 * the largest gap between consecutive VMAs inside it (and its pages:
 * mm->total_vm at the root). The gap augmentation
 * plays the role of the maple tree's per-slot gap tracking (ma_gaps() in
 * lib/maple_tree.c), so the gap searches prune like mas_empty_area() and
 * mas_empty_area_rev() do and stay O(log n).
 *
 * Priorities are a hash of the VMA's start at insertion: deterministic
 * (the model has no global state and must replay identically) and
 * independent of the insertion order, which keeps the expected depth
 * logarithmic for the sequential layouts that bulk ops produce.
 */
#include <stdlib.h>

#include "vma.h"

/* splitmix64's finaliser: a bijective, well-mixed 64-bit hash. */
static uint32_t vma_prio(uint64_t key)
{
	key += 0x9e3779b97f4a7c15ull;
	key = (key ^ (key >> 30)) * 0xbf58476d1ce4e5b9ull;
	key = (key ^ (key >> 27)) * 0x94d049bb133111ebull;
	key ^= key >> 31;
	return (uint32_t)key;
}

static uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Recomputes v's augmented data from its children (which must be current). */
static void vma_pull(struct vma *v)
{
	struct vma *l = v->node.left, *r = v->node.right;
	uint64_t gap = 0;

	v->node.sub_min = l ? l->node.sub_min : v->vm_start;
	v->node.sub_max = r ? r->node.sub_max : v->vm_end;
	if (l)
		gap = max64(l->node.sub_gap, v->vm_start - l->node.sub_max);
	if (r)
		gap = max64(gap, max64(r->node.sub_gap,
				       r->node.sub_min - v->vm_end));
	v->node.sub_gap = gap;
	v->node.sub_pages = ((v->vm_end - v->vm_start) >> 12) + /* pages */
			    (l ? l->node.sub_pages : 0) +
			    (r ? r->node.sub_pages : 0);
}

static void vma_pull_to_root(struct vma *v)
{
	for (; v; v = v->node.parent)
		vma_pull(v);
}

/* Points whatever referenced old (parent link or root) at new. */
static void vma_replace_child(struct vma_tree *t, struct vma *parent,
			      struct vma *old, struct vma *new)
{
	if (!parent)
		t->root = new;
	else if (parent->node.left == old)
		parent->node.left = new;
	else
		parent->node.right = new;
	if (new)
		new->node.parent = parent;
}

/* Lifts c (a child of p) above p, keeping both nodes' augmentation. */
static void vma_rotate_up(struct vma_tree *t, struct vma *c)
{
	struct vma *p = c->node.parent;
	struct vma *inner;

	vma_replace_child(t, p->node.parent, p, c);
	if (p->node.left == c) {
		inner = c->node.right;
		p->node.left = inner;
		c->node.right = p;
	} else {
		inner = c->node.left;
		p->node.right = inner;
		c->node.left = p;
	}
	if (inner)
		inner->node.parent = p;
	p->node.parent = c;
	vma_pull(p);
	vma_pull(c);
}

uint64_t vma_tree_pages(const struct vma_tree *t)
{
	return t->root ? t->root->node.sub_pages : 0;
}

void vma_tree_init(struct vma_tree *t)
{
	t->root = NULL;
	t->count = 0;
}

/* Post-order walk through parent pointers: no recursion, no extra memory. */
void vma_tree_destroy(struct vma_tree *t)
{
	struct vma *v = t->root, *p;

	while (v) {
		if (v->node.left) {
			v = v->node.left;
		} else if (v->node.right) {
			v = v->node.right;
		} else {
			p = v->node.parent;
			if (p && p->node.left == v)
				p->node.left = NULL;
			else if (p)
				p->node.right = NULL;
			vma_free(v);
			v = p;
		}
	}
	vma_tree_init(t);
}

struct vma *vma_alloc(void)
{
	return calloc(1, sizeof(struct vma));
}

void vma_free(struct vma *v)
{
	free(v);
}

void vma_tree_insert(struct vma_tree *t, struct vma *v)
{
	struct vma *p = NULL, **link = &t->root;

	while (*link) {
		p = *link;
		link = v->vm_start < p->vm_start ? &p->node.left :
						   &p->node.right;
	}
	v->node.parent = p;
	v->node.left = v->node.right = NULL;
	v->node.prio = vma_prio(v->vm_start);
	*link = v;
	vma_pull(v);
	while (v->node.parent && v->node.parent->node.prio < v->node.prio)
		vma_rotate_up(t, v);
	vma_pull_to_root(v->node.parent);
	t->count++;
}

void vma_tree_erase(struct vma_tree *t, struct vma *v)
{
	struct vma *l, *r, *child, *p;

	/* Sink v until it has at most one child, keeping the heap order. */
	for (;;) {
		l = v->node.left;
		r = v->node.right;
		if (!l || !r)
			break;
		vma_rotate_up(t, l->node.prio > r->node.prio ? l : r);
	}
	child = l ? l : r;
	p = v->node.parent;
	vma_replace_child(t, p, v, child);
	vma_pull_to_root(p);
	v->node.parent = v->node.left = v->node.right = NULL;
	t->count--;
}

void vma_tree_adjust(struct vma_tree *t, struct vma *v)
{
	(void)t;
	vma_pull_to_root(v);
}

struct vma *vma_find(const struct vma_tree *t, uint64_t addr)
{
	struct vma *v = t->root, *found = NULL;

	while (v) {
		if (v->vm_end > addr) {
			found = v;
			v = v->node.left;
		} else {
			v = v->node.right;
		}
	}
	return found;
}

struct vma *vma_lookup(const struct vma_tree *t, uint64_t addr)
{
	struct vma *v = vma_find(t, addr);

	return v && v->vm_start <= addr ? v : NULL;
}

struct vma *vma_first(const struct vma_tree *t)
{
	struct vma *v = t->root;

	while (v && v->node.left)
		v = v->node.left;
	return v;
}

struct vma *vma_next(const struct vma *v)
{
	const struct vma *p;

	if (v->node.right) {
		v = v->node.right;
		while (v->node.left)
			v = v->node.left;
		return (struct vma *)v;
	}
	for (p = v->node.parent; p && p->node.right == v; p = p->node.parent)
		v = p;
	return (struct vma *)p;
}

struct vma *vma_prev(const struct vma *v)
{
	const struct vma *p;

	if (v->node.left) {
		v = v->node.left;
		while (v->node.right)
			v = v->node.right;
		return (struct vma *)v;
	}
	for (p = v->node.parent; p && p->node.left == v; p = p->node.parent)
		v = p;
	return (struct vma *)p;
}

/*
 * The free range [start, end) clipped to the window [lo, hi), if at least
 * len bytes remain: its clipped end (rev) or start (fwd), else 0. Like
 * mas_rev_awalk()/mas_anode_descend(), a gap that straddles a window edge
 * counts only with its part inside the window.
 */
static uint64_t gap_fit_rev(uint64_t start, uint64_t end, uint64_t lo,
			    uint64_t hi, uint64_t len)
{
	start = max64(start, lo);
	end = min64(end, hi);
	return end > start && end - start >= len ? end : 0;
}

static uint64_t gap_fit_fwd(uint64_t start, uint64_t end, uint64_t lo,
			    uint64_t hi, uint64_t len)
{
	start = max64(start, lo);
	end = min64(end, hi);
	return end > start && end - start >= len ? start : 0;
}

/*
 * Can v's subtree hold a fitting internal gap? Prunes on the largest gap
 * and on the window, so only subtrees on the two window-edge paths are
 * entered without a guaranteed hit.
 */
static int gap_subtree_may_fit(const struct vma *v, uint64_t lo, uint64_t hi,
			       uint64_t len)
{
	uint64_t start, end;

	if (!v || v->node.sub_gap < len)
		return 0;
	start = max64(v->node.sub_min, lo);
	end = min64(v->node.sub_max, hi);
	return end > start && end - start >= len;
}

/* Highest fitting gap between VMAs of v's subtree, searched right first. */
static uint64_t gap_rev_subtree(const struct vma *v, uint64_t lo, uint64_t hi,
				uint64_t len)
{
	const struct vma *l, *r;
	uint64_t found;

	if (!gap_subtree_may_fit(v, lo, hi, len))
		return 0;
	l = v->node.left;
	r = v->node.right;
	found = gap_rev_subtree(r, lo, hi, len);
	if (!found && r)
		found = gap_fit_rev(v->vm_end, r->node.sub_min, lo, hi, len);
	if (!found && l)
		found = gap_fit_rev(l->node.sub_max, v->vm_start, lo, hi, len);
	if (!found)
		found = gap_rev_subtree(l, lo, hi, len);
	return found;
}

/* Lowest fitting gap between VMAs of v's subtree, searched left first. */
static uint64_t gap_fwd_subtree(const struct vma *v, uint64_t lo, uint64_t hi,
				uint64_t len)
{
	const struct vma *l, *r;
	uint64_t found;

	if (!gap_subtree_may_fit(v, lo, hi, len))
		return 0;
	l = v->node.left;
	r = v->node.right;
	found = gap_fwd_subtree(l, lo, hi, len);
	if (!found && l)
		found = gap_fit_fwd(l->node.sub_max, v->vm_start, lo, hi, len);
	if (!found && r)
		found = gap_fit_fwd(v->vm_end, r->node.sub_min, lo, hi, len);
	if (!found)
		found = gap_fwd_subtree(r, lo, hi, len);
	return found;
}

/*
 * The maple tree spans [0, ULONG_MAX]: the space above the last VMA ends
 * at 2^64, which clips to hi for any hi we can be given.
 */
uint64_t vma_gap_rev(const struct vma_tree *t, uint64_t lo, uint64_t hi,
		     uint64_t len)
{
	const struct vma *root = t->root;
	uint64_t found;

	if (!len || lo >= hi)
		return 0;
	if (!root)
		return gap_fit_rev(0, hi, lo, hi, len);
	found = gap_fit_rev(root->node.sub_max, hi, lo, hi, len);
	if (!found)
		found = gap_rev_subtree(root, lo, hi, len);
	if (!found)
		found = gap_fit_rev(0, root->node.sub_min, lo, hi, len);
	return found;
}

uint64_t vma_gap_fwd(const struct vma_tree *t, uint64_t lo, uint64_t hi,
		     uint64_t len)
{
	const struct vma *root = t->root;
	uint64_t found;

	if (!len || lo >= hi)
		return 0;
	if (!root)
		return gap_fit_fwd(0, hi, lo, hi, len);
	found = gap_fit_fwd(0, root->node.sub_min, lo, hi, len);
	if (!found)
		found = gap_fwd_subtree(root, lo, hi, len);
	if (!found)
		found = gap_fit_fwd(root->node.sub_max, hi, lo, hi, len);
	return found;
}
