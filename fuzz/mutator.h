/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The structure-aware mutator shared by the libFuzzer target
 * (LLVMFuzzerCustomMutator/CrossOver in vmadiff_fuzzer.c) and the AFL++
 * custom mutator library (afl_mutator.c). It decodes the input
 * (prog_decode), edits the program (insert, delete, duplicate, swap and
 * splice ops with references kept valid; addresses moved to the edges of
 * the layout the model reaches on the program's prefix; interesting
 * lengths, prot and flag bits, bulk counts) and writes the canonical
 * encoding (prog_encode), so that every output decodes to a valid program
 * and re-encodes to itself. Given a byte mutator, half the mutations are
 * its, left as bytes (every byte string decodes to a valid program).
 */
#ifndef VMADIFF_MUTATOR_H
#define VMADIFF_MUTATOR_H

#include <stddef.h>
#include <stdint.h>

#include "../model/model.h"
#include "../oracle/snapshot.h"

struct mutator;

/* A byte-level mutator for half the mutations (LLVMFuzzerMutate):
 * mutates data[0, size) in place, returns the new size (<= max), 0 if it
 * did nothing. */
typedef size_t (*mutator_bytes_fn)(uint8_t *data, size_t size, size_t max);

/* cfg and foreign: the kernel the model predicts (the engine's config and
 * the executor's own VMAs; model_config_default() and none will do).
 * bytes may be NULL. NULL on allocation failure. */
struct mutator *mutator_new(const struct model_config *cfg,
			    const struct snap_vma *foreign, unsigned nforeign,
			    mutator_bytes_fn bytes);
void mutator_free(struct mutator *mu);

/* Mutates the input data[0, size) in place (data has room for max bytes)
 * and returns its new size, between 1 and max (max must be >= 45, one
 * op's worst case). Deterministic for a given seed and input. */
size_t mutator_mutate(struct mutator *mu, uint8_t *data, size_t size,
		      size_t max, unsigned seed);

/* Writes to out (max bytes) a program made of ops of a and of b; returns
 * its size, between 1 and max. */
size_t mutator_crossover(struct mutator *mu, const uint8_t *a, size_t na,
			 const uint8_t *b, size_t nb, uint8_t *out, size_t max,
			 unsigned seed);

#endif
