// SPDX-License-Identifier: GPL-2.0
/*
 * model/vma_tree.c against a brute-force sorted array: random inserts,
 * erases and in-place adjusts, checked after each op by find/lookup/
 * prev/next and clipped gap searches, plus the tree's own invariants
 * (order, parent links, heap order, augmentation). Then a scale run at
 * 65,530 VMAs (the default max_map_count) that prints ns per op.
 */
#include <string.h>
#include <time.h>

#include "test.h"
#include "vma.h"

#define PG 4096ull
#define MAXV 4096

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: deterministic, so failures replay. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t rnd_below(uint64_t n)
{
	return rnd() % n;
}

/* The reference: VMAs sorted by start. */
struct ref {
	unsigned n;
	struct vma *v[MAXV];
};

static unsigned ref_index(const struct ref *r, const struct vma *v)
{
	unsigned i;

	for (i = 0; i < r->n; i++)
		if (r->v[i] == v)
			return i;
	return r->n;
}

static struct vma *ref_find(const struct ref *r, uint64_t addr)
{
	unsigned i;

	for (i = 0; i < r->n; i++)
		if (r->v[i]->vm_end > addr)
			return r->v[i];
	return NULL;
}

static uint64_t clip_fits(uint64_t s, uint64_t e, uint64_t lo, uint64_t hi,
			  uint64_t len, int rev)
{
	if (s < lo)
		s = lo;
	if (e > hi)
		e = hi;
	if (e <= s || e - s < len)
		return 0;
	return rev ? e : s;
}

/* Gap i is [end of VMA i-1 (or 0), start of VMA i (or 2^64 clipped)). */
static uint64_t ref_gap(const struct ref *r, uint64_t lo, uint64_t hi,
			uint64_t len, int rev)
{
	unsigned k, i;
	uint64_t s, e, found;

	if (!len || lo >= hi)
		return 0;
	for (k = 0; k <= r->n; k++) {
		i = rev ? r->n - k : k;
		s = i ? r->v[i - 1]->vm_end : 0;
		e = i < r->n ? r->v[i]->vm_start : UINT64_MAX;
		found = clip_fits(s, e, lo, hi, len, rev);
		if (found)
			return found;
	}
	return 0;
}

/* Returns the number of nodes; flags any broken invariant. */
static uint64_t check_subtree(const struct vma *v, const struct vma *parent,
			      int *bad)
{
	const struct vma *l = v->node.left, *r = v->node.right;
	uint64_t n = 1, smin, smax, gap = 0;

	if (v->node.parent != parent)
		*bad = 1;
	if (parent && parent->node.prio < v->node.prio)
		*bad = 1;
	smin = v->vm_start;
	smax = v->vm_end;
	if (l) {
		n += check_subtree(l, v, bad);
		if (l->node.sub_max > v->vm_start)
			*bad = 1;
		smin = l->node.sub_min;
		gap = l->node.sub_gap;
		if (v->vm_start - l->node.sub_max > gap)
			gap = v->vm_start - l->node.sub_max;
	}
	if (r) {
		n += check_subtree(r, v, bad);
		if (r->node.sub_min < v->vm_end)
			*bad = 1;
		smax = r->node.sub_max;
		if (r->node.sub_gap > gap)
			gap = r->node.sub_gap;
		if (r->node.sub_min - v->vm_end > gap)
			gap = r->node.sub_min - v->vm_end;
	}
	if (v->node.sub_min != smin || v->node.sub_max != smax ||
	    v->node.sub_gap != gap)
		*bad = 1;
	return n;
}

static void check_tree(const struct vma_tree *t, const struct ref *r)
{
	const struct vma *v;
	unsigned i = 0;
	int bad = 0;

	if (t->root)
		CHECK_EQ(check_subtree(t->root, NULL, &bad), r->n);
	CHECK(!bad);
	CHECK_EQ(t->count, r->n);
	for (v = vma_first(t); v; v = vma_next(v), i++) {
		CHECK(i < r->n && v == r->v[i]);
		if (i >= r->n)
			break;
	}
	CHECK_EQ(i, r->n);
	if (r->n) {
		v = r->v[r->n - 1];
		for (i = r->n; v; v = vma_prev(v))
			CHECK(v == r->v[--i]);
		CHECK_EQ(i, 0);
	}
}

/* Window addresses: pages [0, 600) plus a few far-away ones. */
static uint64_t rnd_addr(void)
{
	switch (rnd_below(16)) {
	case 0:
		return UINT64_MAX - rnd_below(3) * PG;
	case 1:
		return rnd();
	default:
		return rnd_below(600) * PG + (rnd_below(4) ? 0 : rnd_below(PG));
	}
}

static void random_insert(struct vma_tree *t, struct ref *r)
{
	uint64_t start = rnd_below(512) * PG;
	uint64_t end = start + (1 + rnd_below(rnd_below(4) ? 4 : 64)) * PG;
	struct vma *v;
	unsigned i;

	if (r->n == MAXV)
		return;
	for (i = 0; i < r->n && r->v[i]->vm_start < start; i++)
		;
	if (i && r->v[i - 1]->vm_end > start)
		return;
	if (i < r->n && r->v[i]->vm_start < end)
		end = r->v[i]->vm_start;
	if (end <= start)
		return;
	v = vma_alloc();
	CHECK(v != NULL);
	if (!v)
		return;
	v->vm_start = start;
	v->vm_end = end;
	vma_tree_insert(t, v);
	memmove(&r->v[i + 1], &r->v[i], (r->n - i) * sizeof(r->v[0]));
	r->v[i] = v;
	r->n++;
}

static void random_erase(struct vma_tree *t, struct ref *r)
{
	unsigned i;

	if (!r->n)
		return;
	i = rnd_below(r->n);
	vma_tree_erase(t, r->v[i]);
	vma_free(r->v[i]);
	r->n--;
	memmove(&r->v[i], &r->v[i + 1], (r->n - i) * sizeof(r->v[0]));
}

/* Moves one VMA's edges without crossing its neighbours. */
static void random_adjust(struct vma_tree *t, struct ref *r)
{
	uint64_t lo, hi, a, b;
	struct vma *v;
	unsigned i;

	if (!r->n)
		return;
	i = rnd_below(r->n);
	v = r->v[i];
	lo = i ? r->v[i - 1]->vm_end / PG : 0;
	hi = i + 1 < r->n ? r->v[i + 1]->vm_start / PG : 600;
	if (hi <= lo + 1)
		return;
	a = lo + rnd_below(hi - lo);
	b = lo + rnd_below(hi - lo);
	if (a == b)
		return;
	if (a > b) {
		uint64_t tmp = a;

		a = b;
		b = tmp;
	}
	v->vm_start = a * PG;
	v->vm_end = b * PG;
	vma_tree_adjust(t, v);
}

static void random_queries(const struct vma_tree *t, const struct ref *r)
{
	uint64_t addr, lo, hi, len, got, want;
	struct vma *f;
	int k, rev;

	for (k = 0; k < 8; k++) {
		addr = rnd_addr();
		f = ref_find(r, addr);
		CHECK(vma_find(t, addr) == f);
		CHECK(vma_lookup(t, addr) ==
		      (f && f->vm_start <= addr ? f : NULL));
		if (f) {
			unsigned i = ref_index(r, f);

			CHECK(vma_prev(f) == (i ? r->v[i - 1] : NULL));
			CHECK(vma_next(f) ==
			      (i + 1 < r->n ? r->v[i + 1] : NULL));
		}

		lo = rnd_addr();
		hi = rnd_below(8) ? rnd_addr() : UINT64_MAX;
		if (lo > hi && rnd_below(4)) {
			uint64_t tmp = lo;

			lo = hi;
			hi = tmp;
		}
		/* fwd returns 0 for "none": keep lo above 0 for it. */
		if (!lo)
			lo = PG;
		len = rnd_below(4) ? (1 + rnd_below(8)) * PG :
				     rnd_below(64 * PG);
		for (rev = 0; rev < 2; rev++) {
			want = ref_gap(r, lo, hi, len, rev);
			got = rev ? vma_gap_rev(t, lo, hi, len) :
				    vma_gap_fwd(t, lo, hi, len);
			if (got != want) {
				fprintf(stderr,
					"gap %s lo %#" PRIx64 " hi %#" PRIx64
					" len %#" PRIx64 ": got %#" PRIx64
					" want %#" PRIx64 "\n",
					rev ? "rev" : "fwd", lo, hi, len, got,
					want);
				CHECK(0);
			}
		}
	}
}

static void run_random(uint64_t seed, unsigned steps, unsigned insert_bias)
{
	struct vma_tree t;
	struct ref r = { 0 };
	unsigned s;

	rng_state = seed;
	vma_tree_init(&t);
	for (s = 0; s < steps && !test_cur_failed; s++) {
		uint64_t op = rnd_below(10);

		if (op < insert_bias)
			random_insert(&t, &r);
		else if (op < 8)
			random_erase(&t, &r);
		else
			random_adjust(&t, &r);
		check_tree(&t, &r);
		random_queries(&t, &r);
	}
	vma_tree_destroy(&t);
	CHECK(t.root == NULL && t.count == 0);
}

TEST(empty_tree)
{
	struct vma_tree t;

	vma_tree_init(&t);
	CHECK(vma_first(&t) == NULL);
	CHECK(vma_find(&t, 0) == NULL);
	CHECK(vma_lookup(&t, PG) == NULL);
	/* The whole space is one gap, clipped to the window. */
	CHECK_EQ(vma_gap_rev(&t, PG, 10 * PG, 3 * PG), 10 * PG);
	CHECK_EQ(vma_gap_fwd(&t, PG, 10 * PG, 3 * PG), PG);
	CHECK_EQ(vma_gap_rev(&t, PG, 3 * PG, 3 * PG), 0);
	CHECK_EQ(vma_gap_rev(&t, PG, 10 * PG, 0), 0);
	vma_tree_destroy(&t);
}

/*
 *   0  2    6 7 8         16
 *   |  AAAA   B |<- hi     (len 2 pages)
 */
TEST(small_layout)
{
	struct vma_tree t;
	struct vma *a = vma_alloc(), *b = vma_alloc();

	vma_tree_init(&t);
	a->vm_start = 2 * PG;
	a->vm_end = 6 * PG;
	b->vm_start = 7 * PG;
	b->vm_end = 8 * PG;
	vma_tree_insert(&t, b);
	vma_tree_insert(&t, a);
	CHECK(vma_first(&t) == a && vma_next(a) == b && !vma_next(b));
	CHECK(vma_prev(b) == a && !vma_prev(a));
	CHECK(vma_find(&t, 6 * PG) == b);
	CHECK(vma_lookup(&t, 6 * PG) == NULL);
	CHECK(vma_lookup(&t, 8 * PG - 1) == b);
	/* The 1-page hole between A and B is too small; above B fits. */
	CHECK_EQ(vma_gap_rev(&t, PG, 16 * PG, 2 * PG), 16 * PG);
	/* hi clips the top gap to 1 page: falls to [0, 2) clipped to [1, 2). */
	CHECK_EQ(vma_gap_rev(&t, PG, 9 * PG, 2 * PG), 0);
	CHECK_EQ(vma_gap_rev(&t, 0, 9 * PG, 2 * PG), 2 * PG);
	CHECK_EQ(vma_gap_fwd(&t, PG, 16 * PG, 2 * PG), 8 * PG);
	CHECK_EQ(vma_gap_fwd(&t, PG, 16 * PG, PG), PG);
	CHECK_EQ(vma_gap_fwd(&t, 3 * PG, 16 * PG, PG), 6 * PG);
	vma_tree_erase(&t, a);
	vma_free(a);
	CHECK_EQ(vma_gap_fwd(&t, PG, 16 * PG, 6 * PG), PG);
	vma_tree_destroy(&t);
}

TEST(random_vs_array)
{
	uint64_t seed;

	for (seed = 1; seed <= 40 && !test_cur_failed; seed++)
		run_random(seed * 0x9e3779b97f4a7c15ull, 2000, 5);
}

/* Insert-heavy runs reach dense layouts with mostly 1-page holes. */
TEST(random_dense)
{
	uint64_t seed;

	for (seed = 1; seed <= 10 && !test_cur_failed; seed++)
		run_random(seed * 0x5851f42d4c957f2dull, 3000, 7);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/*
 * 65,530 one-page VMAs, each followed by a one-page hole, in random
 * insertion order; a gap search for two pages must then descend to the
 * one larger hole. Timings are printed, not asserted.
 */
TEST(scale_65530)
{
	enum { N = 65530, Q = 200000 };
	const uint64_t base = 0x100000000000ull;
	static struct vma *v[N];
	struct vma_tree t;
	double t0, t_ins, t_find, t_re, t_gap;
	uint64_t i, j, sink = 0;
	unsigned *order = malloc(N * sizeof(*order));
	int bad = 0;

	rng_state = 12345;
	vma_tree_init(&t);
	for (i = 0; i < N; i++) {
		v[i] = vma_alloc();
		v[i]->vm_start = base + 2 * i * PG;
		v[i]->vm_end = v[i]->vm_start + PG;
		order[i] = i;
	}
	for (i = N - 1; i > 0; i--) {
		unsigned tmp;

		j = rnd_below(i + 1);
		tmp = order[i];
		order[i] = order[j];
		order[j] = tmp;
	}
	t0 = now_ns();
	for (i = 0; i < N; i++)
		vma_tree_insert(&t, v[order[i]]);
	t_ins = (now_ns() - t0) / N;
	CHECK_EQ(check_subtree(t.root, NULL, &bad), N);
	CHECK(!bad);

	t0 = now_ns();
	for (i = 0; i < Q; i++)
		sink += (uintptr_t)vma_find(&t, base + rnd_below(2 * N) * PG);
	t_find = (now_ns() - t0) / Q;

	t0 = now_ns();
	for (i = 0; i < Q; i++) {
		struct vma *x = v[rnd_below(N)];

		vma_tree_erase(&t, x);
		vma_tree_insert(&t, x);
	}
	t_re = (now_ns() - t0) / Q;
	bad = 0;
	CHECK_EQ(check_subtree(t.root, NULL, &bad), N);
	CHECK(!bad);

	/* Widen one hole to 3 pages: the only fit for 2 pages inside. */
	v[N / 3]->vm_end -= PG;
	vma_tree_adjust(&t, v[N / 3]);
	/* Random tops: 1 page lands right below hi, 2 pages descends. */
	t0 = now_ns();
	for (i = 0; i < Q; i++)
		sink += vma_gap_rev(&t, base, base + rnd_below(2 * N) * PG,
				    (1 + (i & 1)) * PG);
	t_gap = (now_ns() - t0) / Q;
	CHECK_EQ(vma_gap_rev(&t, base, base + 2 * N * PG - PG, 2 * PG),
		 v[N / 3 + 1]->vm_start);
	CHECK_EQ(vma_gap_fwd(&t, base, base + 2 * N * PG - PG, 2 * PG),
		 v[N / 3]->vm_end);

	printf("scale %d VMAs: insert %.0f ns, find %.0f ns, "
	       "erase+insert pair %.0f ns, gap_rev %.0f ns (sink %" PRIx64
	       ")\n", N, t_ins, t_find, t_re, t_gap, sink & 1);
	vma_tree_destroy(&t);
	free(order);
}

int main(void)
{
	RUN(empty_tree);
	RUN(small_layout);
	RUN(random_vs_array);
	RUN(random_dense);
	RUN(scale_65530);
	return test_summary();
}
