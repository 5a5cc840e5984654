// SPDX-License-Identifier: GPL-2.0
/*
 * Address resolution, the safety guard and validity for programs
 * (harness/prog.h). Both sides of vmadiff run an op with exactly these
 * semantics: the executor (harness/exec_worker.c) on the kernel and the
 * engine's model driver on the model.
 *
 * Op semantics. For rep = 0 .. repeat-1:
 *  - addr = prog_resolve_addr(p, idx, rep, out): the base (PROG_WINDOW_BASE
 *    for ADDR_WINDOW; out[ref].ret for ADDR_REF when op `ref` is an OP_MMAP
 *    that succeeded (err == 0, sig == 0, not skipped), else
 *    PROG_WINDOW_BASE; the raw value for ADDR_RAW) plus
 *    (page + rep * stride) * 4096 + off, all modulo 2^64.
 *    len = prog_len_bytes(&op->len): pages * 4096, or bytes when raw.
 *  - Guard (prog_op_is_foreign): the rep is skipped if
 *    prog_range_is_foreign(addr, len), where for touch/read len is
 *    npages * 4096 with npages = prog_touch_pages(&op->len) (raw lengths
 *    round up to whole pages; at most PROG_WINDOW_PAGES). An mmap with
 *    addr 0 and neither MAP_FIXED nor MAP_FIXED_NOREPLACE is exempt: the
 *    kernel picks a free range. (A MAP_FIXED mmap at 0 is not: as root it
 *    maps page 0 up, over the executor's text.)
 *  - mmap: mmap(addr, len, prot, flags, -1, off): ret = the address, or -1
 *    with err = errno. munmap, mprotect: ret = 0, or -1 with err = errno.
 *  - touch writes touch_byte((idx << 16) | rep, i) to addr + i * 4096 for
 *    i < npages; read reads the byte there. ret = pages accessed before a
 *    fault (npages if none); a fault sets sig = SIGSEGV or SIGBUS (err
 *    stays 0). read sets data = XXH3_64bits() of the bytes read before the
 *    fault, in order (XXH3_64bits(NULL, 0) when none).
 *  - A skipped rep sets the outcome to { .skipped = 1 } (all else 0) and
 *    ends the op. Otherwise the first failing rep (ret == -1, or a fault)
 *    ends the op and is its outcome; with no failure, the last rep's is.
 */
#include "prog.h"

#include <sys/mman.h>

uint64_t prog_resolve_addr(const struct prog *p, unsigned idx, unsigned rep,
			   const struct outcome *out)
{
	const struct prog_op *op = &p->ops[idx];
	const struct prog_addr *a = &op->addr;
	uint64_t base = PROG_WINDOW_BASE;

	if (a->kind == ADDR_RAW) {
		base = a->raw;
	} else if (a->kind == ADDR_REF && a->ref < idx) {
		const struct prog_op *r = &p->ops[a->ref];
		const struct outcome *o = &out[a->ref];

		if (r->kind == OP_MMAP && !o->err && !o->sig && !o->skipped)
			base = (uint64_t)o->ret;
	}
	return base + ((uint64_t)a->page + (uint64_t)rep * op->stride) *
			      PROG_PAGE_SIZE + a->off;
}

uint64_t prog_len_bytes(const struct prog_len *l)
{
	return l->raw ? l->bytes : (uint64_t)l->pages * PROG_PAGE_SIZE;
}

uint64_t prog_touch_pages(const struct prog_len *l)
{
	uint64_t n = l->raw ? l->bytes / PROG_PAGE_SIZE +
				      !!(l->bytes % PROG_PAGE_SIZE)
			    : l->pages;

	return n < PROG_WINDOW_PAGES ? n : PROG_WINDOW_PAGES;
}

int prog_range_is_foreign(uint64_t start, uint64_t len,
			  const struct range *foreign, unsigned nforeign)
{
	uint64_t lo, hi;

	if (start + len < start)
		return 0;
	lo = start >= PROG_PAGE_SIZE ? start - PROG_PAGE_SIZE : 0;
	hi = start + len + PROG_PAGE_SIZE;
	if (hi < start)
		hi = UINT64_MAX;
	for (unsigned i = 0; i < nforeign; i++)
		if (lo < foreign[i].end && foreign[i].start < hi)
			return 1;
	return 0;
}

int prog_op_is_foreign(const struct prog_op *op, uint64_t addr,
		       const struct range *foreign, unsigned nforeign)
{
	uint64_t len = prog_len_bytes(&op->len);

	if (op->kind == OP_TOUCH || op->kind == OP_READ)
		len = prog_touch_pages(&op->len) * PROG_PAGE_SIZE;
	else if (op->kind == OP_MMAP && !addr &&
		 !(op->flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)))
		return 0;
	return prog_range_is_foreign(addr, len, foreign, nforeign);
}

int prog_valid(const struct prog *p)
{
	if (p->nops > PROG_MAX_OPS)
		return 0;
	for (unsigned i = 0; i < p->nops; i++) {
		const struct prog_op *op = &p->ops[i];
		const struct prog_addr *a = &op->addr;

		if (op->kind >= OP__COUNT || op->repeat < 1 ||
		    op->repeat > PROG_MAX_REPEAT || op->len.raw > 1 ||
		    a->off >= PROG_PAGE_SIZE)
			return 0;
		switch (a->kind) {
		case ADDR_WINDOW:
			if (a->page >= PROG_WINDOW_PAGES)
				return 0;
			break;
		case ADDR_REF:
			if (a->ref >= i)
				return 0;
			break;
		case ADDR_RAW:
			break;
		default:
			return 0;
		}
	}
	return 1;
}
