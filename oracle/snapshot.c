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

/* smaps VmFlags mnemonics by bit (show_smap_vma_flags, fs/proc/task_mmu.c,
 * x86-64 6.18 plus `gu`); `sl` was bit 63 before 6.18 but prints the same. */
static const char vmflag_names[64][3] = {
	[0] = "rd",  [1] = "wr",  [2] = "ex",  [3] = "sh",  [4] = "mr",
	[5] = "mw",  [6] = "me",  [7] = "ms",  [8] = "gd",  [9] = "um",
	[10] = "pf", [11] = "gu", [12] = "uw", [13] = "lo", [14] = "io",
	[15] = "sr", [16] = "rr", [17] = "dc", [18] = "de", [19] = "lf",
	[20] = "ac", [21] = "nr", [22] = "ht", [23] = "sf", [24] = "ar",
	[25] = "wf", [26] = "dd", [27] = "sd", [28] = "mm", [29] = "hg",
	[30] = "nh", [31] = "mg", [37] = "ss", [40] = "dp", [41] = "ui",
	[42] = "sl",
};

const char *vmflag_name(unsigned b)
{
	return b < 64 && vmflag_names[b][0] ? vmflag_names[b] : NULL;
}

int vmflag_bit(const char *mn)
{
	for (unsigned b = 0; b < 64; b++)
		if (vmflag_names[b][0] == mn[0] && vmflag_names[b][1] == mn[1])
			return (int)b;
	return -1;
}
