// SPDX-License-Identifier: GPL-2.0
/*
 * The structure-aware mutator (mutator.h) as an AFL++ custom mutator
 * library, loaded by afl-fuzz itself:
 *   AFL_CUSTOM_MUTATOR_LIBRARY=build/afl/vmadiff-mutator.so afl-fuzz ...
 * libAFLDriver's LLVMFuzzerMutate is a stub and AFL++ never calls the
 * target's LLVMFuzzerCustomMutator, so this is how AFL++ gets the same
 * mutations. afl-fuzz has no executor, so the model guiding the edits is
 * this machine's documented config (model_config_default) without foreign
 * VMAs: it only decides where addresses and lengths go. AFL++'s own havoc
 * stage does the byte-level mutations (unless AFL_CUSTOM_MUTATOR_ONLY).
 */
#include <stdlib.h>
#include <string.h>

#include "mutator.h"

/* A program's encoding is at most 3180 bytes (docs/FORMAT.md). */
#define OUT_MAX 4096

struct afl_mut {
	struct mutator *mu;
	uint64_t rng;
	uint8_t out[OUT_MAX];
};

void *afl_custom_init(void *afl, unsigned int seed);
size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size,
		       uint8_t **out_buf, uint8_t *add_buf,
		       size_t add_buf_size, size_t max_size);
void afl_custom_deinit(void *data);

void *afl_custom_init(void *afl, unsigned int seed)
{
	struct afl_mut *m = calloc(1, sizeof(*m));
	struct model_config cfg;

	(void)afl;
	if (!m)
		return NULL;
	model_config_default(&cfg);
	m->mu = mutator_new(&cfg, NULL, 0, NULL);
	if (!m->mu) {
		free(m);
		return NULL;
	}
	m->rng = seed;
	return m;
}

/* One edit (or, a quarter of the time, a splice with add_buf, the queue
 * entry AFL++ picked to splice with) of buf. */
size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size,
		       uint8_t **out_buf, uint8_t *add_buf,
		       size_t add_buf_size, size_t max_size)
{
	struct afl_mut *m = data;
	size_t max = max_size < OUT_MAX ? max_size : OUT_MAX;
	unsigned seed;

	/* a 64-bit LCG (Knuth's MMIX constants): per-call mutator seeds */
	m->rng = m->rng * 6364136223846793005ull + 1442695040888963407ull;
	seed = (unsigned)(m->rng >> 32);
	*out_buf = m->out;
	if (add_buf && add_buf_size && !(seed & 3))
		return mutator_crossover(m->mu, buf, buf_size, add_buf,
					 add_buf_size, m->out, max, seed);
	/* a longer input keeps its first max bytes (all of any canonical
	 * encoding, at most 3180 bytes, unless AFL++ asks for less) */
	if (buf_size > max)
		buf_size = max;
	memcpy(m->out, buf, buf_size);
	return mutator_mutate(m->mu, m->out, buf_size, max, seed);
}

void afl_custom_deinit(void *data)
{
	struct afl_mut *m = data;

	mutator_free(m->mu);
	free(m);
}
