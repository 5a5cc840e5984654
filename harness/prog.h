/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The program type: a short sequence of memory-management calls with
 * symbolic arguments. Representation only: no syscalls here (syzkaller's
 * split between prog/ and executor/). The byte codec (prog_decode/encode)
 * and the text format (prog_parse/print, docs/FORMAT.md) both map to it.
 */
#ifndef VMADIFF_PROG_H
#define VMADIFF_PROG_H

#include <stddef.h>
#include <stdint.h>

#include "../oracle/snapshot.h"

#define PROG_PAGE_SIZE 4096ull
#define PROG_PAGE_SHIFT 12
/*
 * The fixed window: 1 GiB, 1 GiB-aligned, at 16 TiB: far below where
 * top-down placement starts (mmap_base, just under the stack near 128 TiB)
 * and below the bottom-up fallback base (TASK_SIZE/3, about 42 TiB).
 */
#define PROG_WINDOW_BASE 0x100000000000ull
#define PROG_WINDOW_PAGES 262144u /* 1 GiB */
#define PROG_MAX_OPS 64
#define PROG_MAX_REPEAT 65536u
/*
 * RLIMIT_AS that programs run under (the executor's workers, C
 * reproducers): programs may map terabytes (PROT_NONE reserves,
 * NORESERVE) and mlockall or MAP_POPULATE would then fault them all in,
 * for minutes and gigabytes of page tables. 64 GiB leaves every rule the
 * oracle compares reachable (the 1 GiB window, overcommit failures above
 * RAM on this 24 GiB machine) and the model mirrors the limit
 * (may_expand_vm()).
 */
#define PROG_RLIMIT_AS (64ull << 30)
/* memfds a program may declare (struct prog_file), and their size bound:
 * a filled file costs the executor one write per page. */
#define PROG_MAX_FILES 4
#define PROG_FILE_MAX_BYTES (16384ull * PROG_PAGE_SIZE) /* 64 MiB */
/* The executor holds file k at this fd number, so both sides agree on the
 * fd an mmap passes; an undeclared file's fd is closed: EBADF. */
#define PROG_FILE_FD_BASE 200

enum op_kind {
	OP_MMAP,     /* mmap(addr, len, prot, flags, fd=-1, off)              */
	OP_MUNMAP,   /* munmap(addr, len)                                     */
	OP_MPROTECT, /* mprotect(addr, len, prot)                             */
	OP_TOUCH,    /* write one byte at offset 0 of each page of [addr,len) */
	OP_READ,     /* read one byte at offset 0 of each page of [addr,len)  */
	OP_MREMAP,   /* mremap(addr, len, len2, flags, addr2)                 */
	OP_MADVISE,  /* madvise(addr, len, flags): flags is the advice        */
	OP_MLOCK,    /* mlock2(addr, len, flags)                              */
	OP_MUNLOCK,  /* munlock(addr, len)                                    */
	OP_MSEAL,    /* mseal(addr, len, flags)                               */
	OP_MLOCKALL, /* mlockall(flags)                                       */
	OP_MUNLOCKALL,    /* munlockall()                                     */
	OP_MEMLOCK_LIMIT, /* setrlimit(RLIMIT_MEMLOCK, {len, len}): len bytes */
	OP_DROP_IPC_LOCK, /* drop CAP_IPC_LOCK from the effective, permitted
			   * and inheritable sets (capset)                    */
	OP_FORK, /* fork(); the rest of the program runs in the child, the
		  * parent waits: ret 0 (the child's view)                   */
	OP__COUNT
};

enum addr_kind {
	ADDR_WINDOW, /* PROG_WINDOW_BASE + page * 4096 + off                  */
	ADDR_REF,    /* result of op `ref` + page * 4096 + off (see resolve)  */
	ADDR_RAW,    /* raw value, for error paths (misaligned, huge, kernel) */
};

struct prog_addr {
	uint8_t kind;  /* enum addr_kind */
	uint8_t ref;   /* ADDR_REF: index of an earlier op */
	uint16_t off;  /* byte offset added (< 4096): misaligned addresses */
	uint32_t page; /* ADDR_WINDOW: < PROG_WINDOW_PAGES; ADDR_REF: any */
	uint64_t raw;  /* ADDR_RAW only */
};

struct prog_len {
	uint8_t raw;    /* 0: `pages` pages; 1: `bytes` exactly */
	uint8_t pad[3];
	uint32_t pages;
	uint64_t bytes;
};

/*
 * One call. `repeat` > 1 makes a bulk op: the call runs `repeat` times, the
 * i-th time with its address advanced by i * `stride` pages; it stops at the
 * first failure, and the op's outcome is that failure or the last success.
 * Bulk ops reach thousands of VMAs and the max_map_count limit in one op.
 */
struct prog_op {
	uint8_t kind; /* enum op_kind */
	uint8_t fd;   /* mmap: 0 for fd -1, k+1 for file k (any k <
		       * PROG_MAX_FILES: fd PROG_FILE_FD_BASE + k, closed if
		       * the program declares no file k) */
	uint8_t pad[2];
	uint32_t prot;  /* mmap, mprotect: PROT_* bits, any value */
	uint32_t flags; /* mmap: MAP_* bits; mremap: MREMAP_* bits; madvise:
			 * the advice (prog_advice_ok); mlock, mseal: their
			 * flags; mlockall: MCL_* bits; any value */
	uint32_t repeat; /* >= 1 */
	uint32_t stride; /* pages, for repeat > 1 */
	uint32_t pad2;
	uint64_t off; /* mmap offset argument */
	struct prog_addr addr;
	struct prog_len len;
	struct prog_addr addr2; /* mremap: new_addr */
	struct prog_len len2;	/* mremap: new_len */
};

/*
 * A memfd the executor creates before the program runs (memfd_create
 * "vmadiff-fK", ftruncate to `size`; maps shows "/memfd:vmadiff-fK
 * (deleted)") and holds at fd PROG_FILE_FD_BASE + k, opened O_RDWR, or
 * O_RDONLY when `ro` (reopened through /proc/self/fd). With `fill`, the
 * first byte of each page i below size is memfd_byte(k, i)
 * (model/model.h), all
 * other bytes 0; without, the file reads as zeros.
 */
struct prog_file {
	uint64_t size; /* bytes, <= PROG_FILE_MAX_BYTES */
	uint8_t ro;    /* 0 or 1 */
	uint8_t fill;  /* 0 or 1 */
	uint8_t pad[6];
};

struct prog {
	uint32_t nops;
	uint32_t nfiles; /* files[0 .. nfiles) are declared */
	struct prog_file files[PROG_MAX_FILES];
	struct prog_op ops[PROG_MAX_OPS];
};


/* The address an op refers to, given the outcomes of the ops before it.
 * ADDR_REF to an op that did not return an address (it failed, was
 * skipped, or is not an mmap or mremap) resolves relative to
 * PROG_WINDOW_BASE. */
uint64_t prog_resolve_addr(const struct prog *p, unsigned idx, unsigned rep,
			   const struct outcome *out);
/* The same for an mremap's second address (new_addr); 0 for other ops. */
uint64_t prog_resolve_addr2(const struct prog *p, unsigned idx, unsigned rep,
			    const struct outcome *out);
/* Whether op k returned an address: an mmap or mremap that succeeded. */
int prog_returns_addr(const struct prog *p, unsigned k,
		      const struct outcome *out);
uint64_t prog_len_bytes(const struct prog_len *l);
/* Pages a touch/read accesses: raw lengths round up to whole pages; at most
 * PROG_WINDOW_PAGES (op semantics: top of harness/prog.c). */
uint64_t prog_touch_pages(const struct prog_len *l);

/*
 * Safety guard, applied identically by the model driver and the executor:
 * true if the op's range, widened by one page on each side (so a program VMA
 * can never merge with a foreign one), overlaps a foreign range. Such an op
 * is skipped on both sides. A range that wraps is never foreign: every call
 * rejects it before touching memory.
 */
int prog_range_is_foreign(uint64_t start, uint64_t len,
			  const struct range *foreign, unsigned nforeign);
/*
 * The guard for one rep of op at its resolved addr (and addr2, for
 * mremap; op semantics: top of harness/prog.c): the range is len
 * (touch/read: prog_touch_pages() pages) at addr; an mmap is exempt only
 * when the kernel picks the address (addr 0 without MAP_FIXED or
 * MAP_FIXED_NOREPLACE). True: skip the rep.
 */
int prog_op_is_foreign(const struct prog_op *op, uint64_t addr,
		       uint64_t addr2, const struct range *foreign,
		       unsigned nforeign);

/* The alignment a MAP_HUGETLB mmap's length rounds up to (the size the
 * flags name; without one, the largest, 1 GiB), else the page size. */
uint64_t prog_mmap_align(const struct prog_op *op);
/* The bytes an mremap of len at addr may change: a hugetlb VMA rounds
 * both lengths up to its huge page size (align_hugetlb()), to which addr
 * is then aligned; 2 MiB and 1 GiB pages exist. */
uint64_t prog_mremap_span(uint64_t addr, uint64_t len);

/* Whether a program may hold this madvise advice: not COLLAPSE (the model
 * does not know it), nor HWPOISON and SOFT_OFFLINE, which as root would
 * take the machine's memory offline. */
int prog_advice_ok(uint32_t advice);

/* Byte codec: total (every byte string decodes to a valid program) and
 * stable (decode(encode(decode(b))) == decode(b)). */
void prog_decode(const uint8_t *data, size_t size, struct prog *p);
size_t prog_encode(const struct prog *p, uint8_t *out, size_t cap);

/* Text format (docs/FORMAT.md). parse returns 0, or -1 with a message
 * "LINE: what" in err (the caller prefixes the file name). */
int prog_parse(const char *text, struct prog *p, char *err, size_t errlen);
/* Prints canonical text; returns the length (snprintf-style). */
size_t prog_print(const struct prog *p, char *out, size_t cap);
size_t prog_print_op(const struct prog *p, unsigned idx, char *out, size_t cap);

/* Validity: every field within the ranges above (decode's output always is). */
int prog_valid(const struct prog *p);

#endif
