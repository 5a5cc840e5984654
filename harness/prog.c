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
 *    or OP_MREMAP that succeeded (err == 0, sig == 0, not skipped), else
 *    PROG_WINDOW_BASE; the raw value for ADDR_RAW) plus
 *    (page + rep * stride) * 4096 + off, all modulo 2^64.
 *    len = prog_len_bytes(&op->len): pages * 4096, or bytes when raw.
 *    mremap resolves addr2 and len2 (new_addr, new_len) by the same rules,
 *    addr2 also advancing by rep * stride pages.
 *  - Guard (prog_op_is_foreign): lengths are taken PAGE_ALIGNed, as the
 *    kernel takes them (modulo 2^64). The rep is skipped if
 *    prog_range_is_foreign(addr, len), where for touch/read len is
 *    npages * 4096 with npages = prog_touch_pages(&op->len) (raw lengths
 *    round up to whole pages; at most PROG_WINDOW_PAGES). An mmap with
 *    addr 0 and neither MAP_FIXED nor MAP_FIXED_NOREPLACE is exempt: the
 *    kernel picks a free range. (A MAP_FIXED mmap at 0 is not: as root it
 *    maps page 0 up, over the executor's text.) For mremap the range is
 *    [addr, max(len, len2)) (the source and where it may grow in place)
 *    and, with MREMAP_FIXED or MREMAP_DONTUNMAP, [addr2, len2) too, unless
 *    addr2 is 0 without MREMAP_FIXED (the kernel picks).
 *  - mmap: mmap(addr, len, prot, flags, -1, off), mremap: mremap(addr, len,
 *    len2, flags, addr2): ret = the address, or -1 with err = errno.
 *    munmap, mprotect: ret = 0, or -1 with err = errno; so are
 *    madvise(addr, len, (int)flags), mlock2(addr, len, flags),
 *    munlock(addr, len) and mseal(addr, len, flags).
 *  - touch writes touch_byte((idx << 16) | rep, i) to addr + i * 4096 for
 *    i < npages; read reads the byte there. ret = pages accessed before a
 *    fault (npages if none); a fault sets sig = SIGSEGV or SIGBUS (err
 *    stays 0). read sets data = XXH3_64bits() of the bytes read before the
 *    fault, in order (XXH3_64bits(NULL, 0) when none).
 *  - mlockall(flags), munlockall(): ret 0 or -1 with err; they have no
 *    range and are never skipped (nor are the three below). memlock_limit:
 *    setrlimit(RLIMIT_MEMLOCK, {len, len}); drop_ipc_lock: capset() without
 *    CAP_IPC_LOCK; both 0 or -1 with err. fork: the rest of the program
 *    runs in a child; ret 0, or -1 with err if fork() failed.
 *  - mmap with fd k+1 passes PROG_FILE_FD_BASE + k as its fd, memfd k of
 *    the program (struct prog_file), created before the first op.
 *  - A skipped rep sets the outcome to { .skipped = 1 } (all else 0) and
 *    ends the op. Otherwise the first failing rep (ret == -1, or a fault)
 *    ends the op and is its outcome; with no failure, the last rep's is.
 */
#include <sys/mman.h>

#include "mman_compat.h"
#include "prog.h"

int prog_returns_addr(const struct prog *p, unsigned k,
		      const struct outcome *out)
{
	const struct outcome *o = &out[k];

	return (p->ops[k].kind == OP_MMAP || p->ops[k].kind == OP_MREMAP) &&
	       !o->err && !o->sig && !o->skipped;
}

static uint64_t resolve(const struct prog *p, unsigned idx, unsigned rep,
			const struct outcome *out, const struct prog_addr *a)
{
	uint64_t base = PROG_WINDOW_BASE;

	if (a->kind == ADDR_RAW)
		base = a->raw;
	else if (a->kind == ADDR_REF && a->ref < idx &&
		 prog_returns_addr(p, a->ref, out))
		base = (uint64_t)out[a->ref].ret;
	return base + ((uint64_t)a->page + (uint64_t)rep * p->ops[idx].stride) *
			      PROG_PAGE_SIZE + a->off;
}

uint64_t prog_resolve_addr(const struct prog *p, unsigned idx, unsigned rep,
			   const struct outcome *out)
{
	return resolve(p, idx, rep, out, &p->ops[idx].addr);
}

uint64_t prog_resolve_addr2(const struct prog *p, unsigned idx, unsigned rep,
			    const struct outcome *out)
{
	if (p->ops[idx].kind != OP_MREMAP)
		return 0;
	return resolve(p, idx, rep, out, &p->ops[idx].addr2);
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

/*
 * The length a call works on: every mm syscall takes PAGE_ALIGN(len),
 * which wraps to 0 for lengths within a page of 2^64. For mremap that 0
 * is not an error but the old_len == 0 duplicate of the whole VMA at addr
 * (do_mremap aligns before check_mremap_params), so the guard must see
 * the aligned value: [addr, addr) widened by a page still catches a
 * foreign VMA there.
 */
static uint64_t kernel_len(const struct prog_len *l)
{
	return (prog_len_bytes(l) + PROG_PAGE_SIZE - 1) & ~(PROG_PAGE_SIZE - 1);
}

uint64_t prog_mmap_align(const struct prog_op *op)
{
	unsigned shift = op->flags >> MAP_HUGE_SHIFT & 0x3f /* MAP_HUGE_MASK */;

	if (!(op->flags & MAP_HUGETLB))
		return PROG_PAGE_SIZE;
	return 1ull << (shift ? shift : 30);
}

uint64_t prog_mremap_span(uint64_t addr, uint64_t len)
{
	uint64_t h = !(addr & ((1ull << 30) - 1)) ? 1ull << 30 :
		     !(addr & ((1ull << 21) - 1)) ? 1ull << 21 :
						    PROG_PAGE_SIZE;

	return len > UINT64_MAX - h ? UINT64_MAX : (len + h - 1) & ~(h - 1);
}

/* mremap's second range: the destination of a fixed move, or a
 * DONTUNMAP hint (a hint of 0 lets the kernel pick). */
static int mremap_dest_is_foreign(const struct prog_op *op, uint64_t addr2,
				  const struct range *foreign,
				  unsigned nforeign)
{
	if (!(op->flags & MREMAP_FIXED) &&
	    (!(op->flags & MREMAP_DONTUNMAP) || !addr2))
		return 0;
	return prog_range_is_foreign(addr2,
				     prog_mremap_span(addr2, kernel_len(&op->len2)),
				     foreign, nforeign);
}

int prog_op_is_foreign(const struct prog_op *op, uint64_t addr,
		       uint64_t addr2, const struct range *foreign,
		       unsigned nforeign)
{
	uint64_t len = kernel_len(&op->len);

	switch (op->kind) {
	case OP_MLOCKALL: /* no range: these act on the whole mm */
	case OP_MUNLOCKALL:
	case OP_MEMLOCK_LIMIT:
	case OP_DROP_IPC_LOCK:
	case OP_FORK:
		return 0;
	}
	if (op->kind == OP_TOUCH || op->kind == OP_READ)
		len = prog_touch_pages(&op->len) * PROG_PAGE_SIZE;
	else if (op->kind == OP_MMAP && !addr &&
		 !(op->flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)))
		return 0;
	if (op->kind == OP_MREMAP) {
		if (mremap_dest_is_foreign(op, addr2, foreign, nforeign))
			return 1;
		if (kernel_len(&op->len2) > len)
			len = kernel_len(&op->len2);
		len = prog_mremap_span(addr, len);
	} else if (op->kind == OP_MMAP) {
		/* a MAP_FIXED|MAP_HUGETLB mapping covers whole huge pages
		 * (ksys_mmap_pgoff() aligns len): one page of length can
		 * map over 2 MiB of the executor */
		uint64_t a = prog_mmap_align(op);

		len = len > UINT64_MAX - a ? UINT64_MAX : (len + a - 1) & ~(a - 1);
	}
	return prog_range_is_foreign(addr, len, foreign, nforeign);
}

int prog_advice_ok(uint32_t advice)
{
	switch ((int)advice) {
	case 25:  /* MADV_COLLAPSE */
	case 100: /* MADV_HWPOISON */
	case 101: /* MADV_SOFT_OFFLINE */
		return 0;
	default:
		return 1;
	}
}

static int addr_valid(const struct prog_addr *a, unsigned idx)
{
	if (a->off >= PROG_PAGE_SIZE)
		return 0;
	switch (a->kind) {
	case ADDR_WINDOW:
		return a->page < PROG_WINDOW_PAGES;
	case ADDR_REF:
		return a->ref < idx;
	case ADDR_RAW:
		return 1;
	default:
		return 0;
	}
}

int prog_valid(const struct prog *p)
{
	if (p->nops > PROG_MAX_OPS || p->nfiles > PROG_MAX_FILES)
		return 0;
	for (unsigned k = 0; k < p->nfiles; k++)
		if (p->files[k].size > PROG_FILE_MAX_BYTES ||
		    p->files[k].ro > 1 || p->files[k].fill > 1)
			return 0;
	for (unsigned i = 0; i < p->nops; i++) {
		const struct prog_op *op = &p->ops[i];

		if (op->kind >= OP__COUNT || op->repeat < 1 ||
		    op->repeat > PROG_MAX_REPEAT || op->len.raw > 1 ||
		    !addr_valid(&op->addr, i))
			return 0;
		if (op->fd > PROG_MAX_FILES || (op->fd && op->kind != OP_MMAP))
			return 0;
		/* The ops without a range run once: no bulk form. */
		if (op->kind >= OP_MLOCKALL && op->repeat != 1)
			return 0;
		if (op->kind == OP_MREMAP &&
		    (op->len2.raw > 1 || !addr_valid(&op->addr2, i)))
			return 0;
		if (op->kind == OP_MADVISE && !prog_advice_ok(op->flags))
			return 0;
	}
	return 1;
}
