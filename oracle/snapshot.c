// SPDX-License-Identifier: GPL-2.0
/* The snapshot type both sides produce (oracle/snapshot.h). */
#include "snapshot.h"

#include <stdlib.h>
#include <string.h>
#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
#include <xxhash.h>

void snapshot_init(struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
}

void snapshot_free(struct snapshot *s)
{
	free(s->v);
	snapshot_init(s);
}

void snapshot_clear(struct snapshot *s)
{
	s->n = 0;
}

void snapshot_push(struct snapshot *s, const struct snap_vma *v)
{
	if (s->n == s->cap) {
		uint32_t cap = s->cap ? s->cap * 2 : 64;
		struct snap_vma *nv = realloc(s->v, cap * sizeof(*nv));

		if (!nv)
			abort(); /* out of memory: nothing sensible to do */
		s->v = nv;
		s->cap = cap;
	}
	s->v[s->n++] = *v;
}

/* Objects are few per program (one per shared mapping): a linear table of
 * the raw ids seen so far is enough. */
void snapshot_canonicalise_objects(struct snapshot *s, const uint64_t *obj_ids)
{
	uint64_t seen[256];
	unsigned nseen = 0;

	for (uint32_t i = 0; i < s->n; i++) {
		unsigned k;

		if (s->v[i].backing == SNAP_ANON) {
			s->v[i].object = 0;
			continue;
		}
		for (k = 0; k < nseen && seen[k] != obj_ids[i]; k++)
			;
		if (k == nseen && nseen < 256)
			seen[nseen++] = obj_ids[i];
		s->v[i].object = (uint8_t)k;
	}
}

uint64_t snapshot_digest(const struct snapshot *s, int with_vmflags)
{
	XXH3_state_t st;

	if (with_vmflags)
		return XXH3_64bits(s->v, s->n * sizeof(*s->v));
	XXH3_64bits_reset(&st);
	for (uint32_t i = 0; i < s->n; i++) {
		struct snap_vma v = s->v[i];

		v.vmflags = 0;
		XXH3_64bits_update(&st, &v, sizeof(v));
	}
	return XXH3_64bits_digest(&st);
}

int snapshot_equal(const struct snapshot *a, const struct snapshot *b,
		   int with_vmflags)
{
	if (a->n != b->n)
		return 0;
	for (uint32_t i = 0; i < a->n; i++) {
		struct snap_vma x = a->v[i], y = b->v[i];

		if (!with_vmflags)
			x.vmflags = y.vmflags = 0;
		if (memcmp(&x, &y, sizeof(x)))
			return 0;
	}
	return 1;
}
