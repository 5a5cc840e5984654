// SPDX-License-Identifier: GPL-2.0
/*
 * The program codecs: decode is total and stable, text round-trips both
 * ways, the parser's errors name the line and the problem, and garbage
 * never crashes anything.
 */
#include <string.h>
#include <sys/mman.h>

#include "../harness/prog.h"
#include "test.h"

#define PAF (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

/* xorshift64*: deterministic across runs and platforms. */
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t rnd_below(uint64_t n)
{
	return rnd() % n;
}

/* Bytes as fuzzers make them: uniform, runs of 0x00/0xff, small values. */
static void rnd_bytes(uint8_t *b, size_t n)
{
	unsigned style = rnd_below(4);

	for (size_t i = 0; i < n; i++) {
		switch (style) {
		case 0:
			b[i] = rnd();
			break;
		case 1:
			b[i] = rnd_below(4) ? 0 : rnd();
			break;
		case 2:
			b[i] = rnd_below(4) ? 0xff : rnd();
			break;
		default:
			b[i] = rnd_below(16);
			break;
		}
	}
}

static int is_zero(const void *v, size_t n)
{
	const uint8_t *b = v;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

static int addr_canonical(const struct prog_addr *a)
{
	if (a->kind != ADDR_REF && a->ref)
		return 0;
	if (a->kind != ADDR_RAW && a->raw)
		return 0;
	return a->kind != ADDR_RAW || (!a->page && !a->off);
}

static int len_canonical(const struct prog_len *l)
{
	if (!is_zero(l->pad, sizeof(l->pad)))
		return 0;
	return l->raw ? l->pages == 0 : l->bytes == 0;
}

/* The ops without a range (mlockall .. fork): no address, no bulk. */
static int no_range(const struct prog_op *op)
{
	return op->kind >= OP_MLOCKALL;
}

/*
 * prog_valid plus the canonical form that decode and parse produce, so
 * that programs compare with memcmp: pads, fields the op kind or address
 * kind does not use, stride without repeat, and ops and files past nops
 * and nfiles all zero.
 */
static int canonical(const struct prog *p)
{
	if (!prog_valid(p))
		return 0;
	for (unsigned k = 0; k < PROG_MAX_FILES; k++)
		if (k >= p->nfiles ?
			    !is_zero(&p->files[k], sizeof(p->files[k])) :
			    !is_zero(p->files[k].pad, sizeof(p->files[k].pad)))
			return 0;
	for (unsigned i = 0; i < PROG_MAX_OPS; i++) {
		const struct prog_op *op = &p->ops[i];
		const struct prog_addr *a = &op->addr;

		if (i >= p->nops) {
			if (!is_zero(op, sizeof(*op)))
				return 0;
			continue;
		}
		if (!is_zero(op->pad, sizeof(op->pad)) || op->pad2)
			return 0;
		if (op->kind != OP_MMAP && op->kind != OP_MPROTECT && op->prot)
			return 0;
		if (op->kind != OP_MMAP && op->kind != OP_MREMAP &&
		    op->kind != OP_MADVISE && op->kind != OP_MLOCK &&
		    op->kind != OP_MSEAL && op->kind != OP_MLOCKALL &&
		    op->flags)
			return 0;
		if (op->kind != OP_MMAP && (op->off || op->fd))
			return 0;
		if (no_range(op) &&
		    (!is_zero(a, sizeof(*a)) || op->repeat != 1 ||
		     (op->kind != OP_MEMLOCK_LIMIT &&
		      !is_zero(&op->len, sizeof(op->len)))))
			return 0;
		if (op->kind != OP_MREMAP &&
		    (!is_zero(&op->addr2, sizeof(op->addr2)) ||
		     !is_zero(&op->len2, sizeof(op->len2))))
			return 0;
		if (op->repeat == 1 && op->stride)
			return 0;
		if (!len_canonical(&op->len) || !addr_canonical(a))
			return 0;
		if (op->kind == OP_MREMAP && (!len_canonical(&op->len2) ||
					      !addr_canonical(&op->addr2)))
			return 0;
	}
	return 1;
}

static char text[PROG_MAX_OPS * 512], text2[PROG_MAX_OPS * 512];

/* p is valid, and print -> parse gives p back, and parse -> print the text. */
static int text_roundtrip(const struct prog *p)
{
	struct prog q;
	char err[256];
	size_t n = prog_print(p, text, sizeof(text));

	if (n >= sizeof(text) || prog_parse(text, &q, err, sizeof(err))) {
		fprintf(stderr, "print/parse failed: %s\n%s", err, text);
		return 0;
	}
	if (memcmp(p, &q, sizeof(q))) {
		fprintf(stderr, "parse(print(p)) != p:\n%s", text);
		return 0;
	}
	prog_print(&q, text2, sizeof(text2));
	return !strcmp(text, text2);
}

TEST(decode_empty)
{
	struct prog p, zero;

	memset(&zero, 0, sizeof(zero));
	memset(&p, 0xaa, sizeof(p));
	prog_decode(NULL, 0, &p);
	CHECK(!memcmp(&p, &zero, sizeof(p)));
	CHECK(canonical(&p));
	CHECK_EQ(prog_encode(&p, NULL, 0), 0);
}

/* Hand-assembled bytes decode as docs/FORMAT.md says; all are canonical. */
TEST(decode_examples)
{
	static const struct {
		uint8_t bytes[32];
		size_t n;
		const char *text;
	} ex[] = {
		{ { 0x00, 0x00, 0x00, 0x00, 0x00 }, 5,
		  "mmap W+0 1 rw PRIVATE|ANONYMOUS|FIXED\n" },
		{ { 0x00, 0x05, 0x03, 0x00, 0x00 }, 5,
		  "mmap W+5 4 rw PRIVATE|ANONYMOUS|FIXED\n" },
		{ { 0x00, 0xe0, 0xc0, 0x00, 0x81 }, 5,
		  "mmap 0 512 rw PRIVATE|ANONYMOUS\n" },
		{ { 0x00, 0xe0, 0xc0, 0x00, 0x81, 0x02, 0x81, 0x80, 0x01, 0x01 },
		  10,
		  "mmap 0 512 rw PRIVATE|ANONYMOUS\n"
		  "mprotect r0+1 2 r\n" },
		{ { 0x01, 0xc4, 0x03, 0x10, 0x00, 0x00 }, 6,
		  "munmap W+3+0x10 1\n" },
		{ { 0xe2, 0x00, 0x00, 0x02, 0xf0, 0xe7, 0x03 }, 7,
		  "mprotect W+0 1 none x1000/1\n" },
		{ { 0x03, 0x00, 0xff, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0,
		    0xff },
		  11, "touch W+0 b:0xfff0000000000001\n" },
		{ { 0x10, 0x00, 0x00, 0x00, 0x00, 0xc0 }, 6,
		  "mmap W+0 1 rw PRIVATE|ANONYMOUS|FIXED off=0x1000\n" },
		/* mremap: old_len 0x20+3 = 4 pages, new_len 0x40+7 = 8 pages,
		 * flags table entry 2, new_addr W+100 in the long form */
		{ { 0x05, 0x00, 0x23, 0x47, 0x02, 0xc0, 0x64 }, 7,
		  "mremap W+0 4 8 MAYMOVE|FIXED W+100\n" },
		/* old_len 0, new_len the same (0x00), DONTUNMAP alone */
		{ { 0x05, 0x03, 0x00, 0x00, 0x06, 0x00 }, 6,
		  "mremap W+3 0 0 DONTUNMAP W+0\n" },
		/* an mmap, then an mremap of its result: r0+1, 2 pages moved
		 * to the same size (0x00), unknown flag bit 8 (0xf8: XOR) */
		{ { 0x00, 0x00, 0x01, 0x00, 0x00, 0x05, 0x81, 0x80, 0x21, 0x00,
		    0xf8, 0x09, 0x00, 0x00, 0x00, 0xe0 },
		  16,
		  "mmap W+0 2 rw PRIVATE|ANONYMOUS|FIXED\n"
		  "mremap r0+1 2 2 0x8 0\n" },
		/* extended kinds (low nibble 0xf): a memfd of 4 pages, mode
		 * 2 (fill), then an mmap of it: prot rw, fd selector 0,
		 * flags SHARED|FIXED, offset 0x41 = 1 page */
		{ { 0x5f, 0x03, 0x02, 0x6f, 0x00, 0x01, 0x00, 0x00, 0x00, 0x41 },
		  10,
		  "memfd f0 4 rw fill\n"
		  "mmap W+0 2 rw SHARED|FIXED fd=f0 off=0x1000\n" },
		/* fd selector 0xc2 names the undeclared file 2; bulk x2/1 */
		{ { 0x7f, 0x00, 0x00, 0x01, 0xc2, 0x83, 0x00, 0x00 }, 8,
		  "mmap W+0 1 r PRIVATE fd=f2 x2/1\n" },
		{ { 0x0f, 0x04, 0x1f, 0x2f, 0x0f, 0x3f, 0x4f }, 7,
		  "mlockall CURRENT|FUTURE|ONFAULT\n"
		  "munlockall\n"
		  "memlock_limit 16\n"
		  "drop_ipc_lock\n"
		  "fork\n" },
		{ { 0x06, 0x00, 0x00, 0xe0, 0x06, 0x00, 0x00, 0xf0 }, 8,
		  "madvise W+0 1 GUARD_INSTALL\n"
		  "madvise W+0 1 GUARD_REMOVE\n" },
	};

	for (size_t i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
		struct prog p;
		uint8_t buf[64];

		prog_decode(ex[i].bytes, ex[i].n, &p);
		prog_print(&p, text, sizeof(text));
		if (strcmp(text, ex[i].text))
			fprintf(stderr, "example %zu: got %s", i, text);
		CHECK(!strcmp(text, ex[i].text));
		/* These are canonical: encode gives the same bytes back. */
		CHECK_EQ(prog_encode(&p, buf, sizeof(buf)), ex[i].n);
		CHECK(!memcmp(buf, ex[i].bytes, ex[i].n));
	}

	/* Missing bytes read as 0: one zero byte is the first example. */
	{
		struct prog p, q;

		prog_decode((const uint8_t *)"", 1, &p);
		prog_decode(ex[0].bytes, ex[0].n, &q);
		CHECK(!memcmp(&p, &q, sizeof(p)));
	}
}

TEST(decode_random)
{
	static uint8_t in[2048], enc[PROG_MAX_OPS * 64], enc2[sizeof(enc)];
	struct prog p, q;
	unsigned bad_valid = 0, bad_stable = 0, bad_text = 0, bad_cap = 0;

	for (unsigned iter = 0; iter < 100000; iter++) {
		size_t n = rnd_below(2049), m;

		rnd_bytes(in, n);
		prog_decode(in, n, &p);
		if (!canonical(&p)) {
			bad_valid++;
			continue;
		}
		m = prog_encode(&p, enc, sizeof(enc));
		CHECK(m > 0 || p.nops == 0);
		prog_decode(enc, m, &q);
		if (memcmp(&p, &q, sizeof(p)))
			bad_stable++;
		/* Canonical bytes are a fixed point. */
		if (prog_encode(&q, enc2, sizeof(enc2)) != m ||
		    memcmp(enc, enc2, m))
			bad_stable++;
		if (m && prog_encode(&p, enc2, m - 1) != 0)
			bad_cap++;
		if (!text_roundtrip(&p))
			bad_text++;
	}
	CHECK_EQ(bad_valid, 0);
	CHECK_EQ(bad_stable, 0);
	CHECK_EQ(bad_text, 0);
	CHECK_EQ(bad_cap, 0);
}

/* Decoding is not just valid but useful: the biases the design asks for. */
TEST(decode_distribution)
{
	static uint8_t in[2048];
	unsigned long kinds[OP__COUNT] = { 0 }, ops = 0, small_w = 0,
		      refs = 0, raws = 0, paf = 0, mmaps = 0, bulk = 0,
		      big_bulk = 0, zero_old = 0, same_new = 0, moves = 0,
		      fd_mmaps = 0, guards = 0, files = 0;
	struct prog p;

	for (unsigned iter = 0; iter < 2000; iter++) {
		for (size_t i = 0; i < sizeof(in); i++)
			in[i] = rnd();
		prog_decode(in, sizeof(in), &p);
		CHECK_EQ(p.nops, PROG_MAX_OPS);
		files += p.nfiles;
		for (unsigned i = 0; i < p.nops; i++) {
			const struct prog_op *op = &p.ops[i];

			ops++;
			kinds[op->kind]++;
			small_w += op->addr.kind == ADDR_WINDOW &&
				   op->addr.page < 64 && !op->addr.off;
			refs += op->addr.kind == ADDR_REF;
			raws += op->addr.kind == ADDR_RAW;
			mmaps += op->kind == OP_MMAP;
			paf += op->kind == OP_MMAP && op->flags == PAF;
			bulk += op->repeat > 1;
			big_bulk += op->repeat > 9;
			fd_mmaps += op->fd != 0;
			guards += op->kind == OP_MADVISE &&
				  (op->flags == 102 || op->flags == 103);
			if (op->kind != OP_MREMAP)
				continue;
			zero_old += !op->len.raw && !op->len.pages;
			same_new += !memcmp(&op->len, &op->len2,
					    sizeof(op->len));
			moves += op->flags == (MREMAP_MAYMOVE | MREMAP_FIXED);
		}
	}
	/* mremap: old_len 0 one in 8, new_len == old_len at least one in
	 * 4, each flag combination about one in 8 */
	CHECK(zero_old > kinds[OP_MREMAP] / 10 &&
	      zero_old < kinds[OP_MREMAP] / 6);
	CHECK(same_new > kinds[OP_MREMAP] / 4);
	CHECK(moves > kinds[OP_MREMAP] / 10);
	for (unsigned k = 0; k <= OP_MSEAL; k++)
		CHECK(kinds[k] > ops / 20);
	/* The ops without a range: rare, fork rarest (a few per program). */
	for (unsigned k = OP_MLOCKALL; k < OP__COUNT; k++)
		CHECK(kinds[k] > ops / 500 && kinds[k] < ops / 50);
	CHECK(kinds[OP_FORK] < ops / 200);
	CHECK(fd_mmaps > ops / 100 && fd_mmaps < mmaps / 4);
	CHECK(guards > kinds[OP_MADVISE] / 15 &&
	      guards < kinds[OP_MADVISE] / 5);
	/* about one declaration per two random programs of 64 ops */
	CHECK(files > 2000 / 4 && files < 2000 * 2);
	CHECK(small_w > ops * 45 / 100);
	CHECK(refs > ops / 6);
	CHECK(raws > ops / 20 && raws < ops / 5);
	CHECK(paf > mmaps / 3);
	CHECK(bulk > ops / 20 && bulk < ops / 5);
	CHECK(big_bulk > 0 && big_bulk < ops / 50);
}

static uint64_t rnd_wide(void)
{
	switch (rnd_below(4)) {
	case 0:
		return rnd_below(8);
	case 1:
		return rnd_below(0x10000);
	case 2:
		return rnd() >> rnd_below(64);
	default:
		return rnd();
	}
}

/* A valid program with any field values, not only those decode favours. */
static void rnd_valid_prog(struct prog *p)
{
	memset(p, 0, sizeof(*p));
	p->nops = rnd_below(PROG_MAX_OPS + 1);
	for (unsigned i = 0; i < p->nops; i++) {
		struct prog_op *op = &p->ops[i];

		op->kind = rnd_below(OP__COUNT);
		switch (i ? rnd_below(3) : rnd_below(2) * 2) {
		case ADDR_WINDOW:
			op->addr.page = rnd_wide() % PROG_WINDOW_PAGES;
			op->addr.off = rnd_below(2) ? rnd_below(4096) : 0;
			break;
		case ADDR_REF:
			op->addr.kind = ADDR_REF;
			op->addr.ref = rnd_below(i);
			op->addr.page = rnd_wide();
			op->addr.off = rnd_below(2) ? rnd_below(4096) : 0;
			break;
		default:
			op->addr.kind = ADDR_RAW;
			op->addr.raw = rnd_wide();
			break;
		}
		op->len.raw = rnd_below(2);
		if (op->len.raw)
			op->len.bytes = rnd_wide();
		else
			op->len.pages = rnd_wide();
		if (op->kind == OP_MMAP || op->kind == OP_MPROTECT)
			op->prot = rnd_wide();
		if (op->kind == OP_MMAP) {
			op->flags = rnd_wide();
			op->off = rnd_below(2) ? rnd_wide() : 0;
		}
		if (op->kind == OP_MADVISE || op->kind == OP_MLOCK ||
		    op->kind == OP_MSEAL)
			op->flags = rnd_wide();
		if (op->kind == OP_MADVISE && !prog_advice_ok(op->flags))
			op->flags = 4;
		if (op->kind == OP_MREMAP) {
			op->flags = rnd_wide();
			op->len2.raw = rnd_below(2);
			if (op->len2.raw)
				op->len2.bytes = rnd_wide();
			else
				op->len2.pages = rnd_wide();
			switch (i ? rnd_below(3) : rnd_below(2) * 2) {
			case ADDR_WINDOW:
				op->addr2.page = rnd_wide() % PROG_WINDOW_PAGES;
				break;
			case ADDR_REF:
				op->addr2.kind = ADDR_REF;
				op->addr2.ref = rnd_below(i);
				op->addr2.page = rnd_wide();
				op->addr2.off = rnd_below(2) ? rnd_below(4096) : 0;
				break;
			default:
				op->addr2.kind = ADDR_RAW;
				op->addr2.raw = rnd_wide();
				break;
			}
		}
		op->repeat = rnd_below(2) ? 1 : 1 + rnd_wide() % PROG_MAX_REPEAT;
		if (op->repeat > 1)
			op->stride = rnd_wide();
		if (op->kind == OP_MMAP && rnd_below(2))
			op->fd = 1 + rnd_below(PROG_MAX_FILES);
		if (no_range(op)) {
			struct prog_op o = { .kind = op->kind, .repeat = 1 };

			if (op->kind == OP_MLOCKALL)
				o.flags = rnd_wide();
			if (op->kind == OP_MEMLOCK_LIMIT)
				o.len = op->len;
			*op = o;
		}
	}
	p->nfiles = rnd_below(PROG_MAX_FILES + 1);
	for (unsigned k = 0; k < p->nfiles; k++) {
		struct prog_file *f = &p->files[k];

		f->size = rnd_below(2) ? rnd_wide() % (PROG_FILE_MAX_BYTES + 1) :
				 rnd_below(17) * PROG_PAGE_SIZE;
		f->ro = rnd_below(2);
		f->fill = rnd_below(2);
	}
}

TEST(encode_any_valid)
{
	static uint8_t enc[PROG_MAX_OPS * 64];
	unsigned bad = 0, bad_text = 0, invalid = 0;
	struct prog p, q;

	for (unsigned iter = 0; iter < 20000; iter++) {
		size_t m;

		rnd_valid_prog(&p);
		if (!canonical(&p)) {
			invalid++;
			continue;
		}
		m = prog_encode(&p, enc, sizeof(enc));
		prog_decode(enc, m, &q);
		if (memcmp(&p, &q, sizeof(p)))
			bad++;
		if (!text_roundtrip(&p))
			bad_text++;
	}
	CHECK_EQ(invalid, 0);
	CHECK_EQ(bad, 0);
	CHECK_EQ(bad_text, 0);
}

static int parse_ok(const char *t, struct prog *p)
{
	char err[256];

	if (prog_parse(t, p, err, sizeof(err))) {
		fprintf(stderr, "unexpected parse error: %s\n", err);
		return 0;
	}
	return canonical(p);
}

TEST(parse_examples)
{
	struct prog p;
	const struct prog_op *o = p.ops;

	CHECK(parse_ok("# a comment\n"
		       "\n"
		       "mmap W+0 4 rw PRIVATE|ANONYMOUS|FIXED\n"
		       "  mmap 0 512 rw PRIVATE|ANONYMOUS   # non-fixed, 2 MiB\n"
		       "mprotect r1+1 2 r\n"
		       "munmap W+3+0x10 1\n"
		       "touch W+0 4\n"
		       "read W+0 4\n"
		       "mprotect W+0 1 none x1000/2\n"
		       "\tmunmap 0xffff800000000000 b:4097#tight comment\n"
		       "mmap W+262143 b:0xfffffffffffff001 rwx|GROWSDOWN|0x10 "
		       "SHARED|FIXED_NOREPLACE|0x80000000 off=0x1000 x3/0\n"
		       "mprotect W+7 0x10 wx\n"
		       "mmap W+1 1 xr 0\n",
		       &p));
	CHECK_EQ(p.nops, 11);

	CHECK_EQ(o[0].kind, OP_MMAP);
	CHECK_EQ(o[0].addr.kind, ADDR_WINDOW);
	CHECK_EQ(o[0].addr.page, 0);
	CHECK_EQ(o[0].len.raw, 0);
	CHECK_EQ(o[0].len.pages, 4);
	CHECK_EQ(o[0].prot, PROT_READ | PROT_WRITE);
	CHECK_EQ(o[0].flags, PAF);
	CHECK_EQ(o[0].repeat, 1);

	CHECK_EQ(o[1].addr.kind, ADDR_RAW);
	CHECK_EQ(o[1].addr.raw, 0);
	CHECK_EQ(o[1].len.pages, 512);
	CHECK_EQ(o[1].flags, MAP_PRIVATE | MAP_ANONYMOUS);

	CHECK_EQ(o[2].kind, OP_MPROTECT);
	CHECK_EQ(o[2].addr.kind, ADDR_REF);
	CHECK_EQ(o[2].addr.ref, 1);
	CHECK_EQ(o[2].addr.page, 1);
	CHECK_EQ(o[2].prot, PROT_READ);
	CHECK_EQ(o[2].flags, 0);

	CHECK_EQ(o[3].kind, OP_MUNMAP);
	CHECK_EQ(o[3].addr.page, 3);
	CHECK_EQ(o[3].addr.off, 0x10);
	CHECK_EQ(o[3].prot, 0);

	CHECK_EQ(o[4].kind, OP_TOUCH);
	CHECK_EQ(o[5].kind, OP_READ);
	CHECK_EQ(o[5].len.pages, 4);

	CHECK_EQ(o[6].prot, PROT_NONE);
	CHECK_EQ(o[6].repeat, 1000);
	CHECK_EQ(o[6].stride, 2);

	CHECK_EQ(o[7].addr.kind, ADDR_RAW);
	CHECK_EQ(o[7].addr.raw, 0xffff800000000000ull);
	CHECK_EQ(o[7].len.raw, 1);
	CHECK_EQ(o[7].len.bytes, 4097);
	CHECK_EQ(o[7].repeat, 1);

	CHECK_EQ(o[8].addr.page, PROG_WINDOW_PAGES - 1);
	CHECK_EQ(o[8].len.bytes, 0xfffffffffffff001ull);
	CHECK_EQ(o[8].prot, 7 | PROT_GROWSDOWN | 0x10);
	CHECK_EQ(o[8].flags, MAP_SHARED | MAP_FIXED_NOREPLACE | 0x80000000u);
	CHECK_EQ(o[8].off, 0x1000);
	CHECK_EQ(o[8].repeat, 3);
	CHECK_EQ(o[8].stride, 0);

	CHECK_EQ(o[9].len.pages, 16);
	CHECK_EQ(o[9].prot, PROT_WRITE | PROT_EXEC);
	CHECK_EQ(o[10].prot, PROT_READ | PROT_EXEC);
	CHECK_EQ(o[10].flags, 0);

	/* Windows line ends, no final newline, nothing at all. */
	CHECK(parse_ok("munmap W+0 1\r\nmunmap W+1 1", &p));
	CHECK_EQ(p.nops, 2);
	CHECK(parse_ok("", &p));
	CHECK_EQ(p.nops, 0);
	CHECK(parse_ok("\n\n   # only comments\n\t\n", &p));
	CHECK_EQ(p.nops, 0);
}

TEST(canonical_text)
{
	static const char *const canon[] = {
		"",
		"mmap W+0 4 rw PRIVATE|ANONYMOUS|FIXED\n"
		"mmap 0 512 rw PRIVATE|ANONYMOUS\n"
		"mprotect r1+1 2 r\n"
		"munmap W+3+0x10 1\n"
		"touch W+0 4\n"
		"read r0+0+0xfff b:0\n"
		"mprotect W+0 1 none x1000/2\n",
		"mmap 0x1 b:4097 rwx|SEM|GROWSDOWN|GROWSUP|0x10 "
		"SHARED_VALIDATE|DROPPABLE|ANONYMOUS|FIXED|FIXED_NOREPLACE|"
		"32BIT|GROWSDOWN|LOCKED|NORESERVE|POPULATE|STACK|HUGETLB|"
		"HUGE_2MB off=0xfffffffffffff000 x65536/4294967295\n",
		"mmap W+17 0 none 0\n"
		"mmap W+0 1 wx SHARED|HUGETLB|HUGE_1GB\n"
		"mmap W+0 1 wx SHARED|HUGETLB|0x7c000000\n"
		"mmap 0xffffffffffffffff 4294967295 x 0x80000000\n"
		"munmap r1+4294967295 b:0x10000 x2/1\n",
		"mmap W+0 4 rw PRIVATE|ANONYMOUS|FIXED\n"
		"mremap r0+0 4 8 MAYMOVE 0\n"
		"mremap r1+0 8 8 MAYMOVE|FIXED|DONTUNMAP r0+256\n"
		"mremap W+5+0x1 0 b:1 0 0xffffffffffffffff\n"
		"mremap r2+0 b:0x7ffffffff001 1 FIXED|0xfffffff8 W+9+0xfff "
		"x65536/4294967295\n",
		"memfd f0 4 rw fill\n"
		"memfd f1 b:5000 ro\n"
		"memfd f2 0 rw\n"
		"memfd f3 16384 ro fill\n"
		"mmap W+0 2 rw SHARED|FIXED fd=f0 off=0x1000\n"
		"mmap W+4 1 r PRIVATE fd=f3 x4/2\n"
		"mlockall CURRENT|FUTURE|ONFAULT\n"
		"mlockall 0\n"
		"mlockall FUTURE|0x8\n"
		"munlockall\n"
		"memlock_limit 16\n"
		"memlock_limit b:0xffffffffffffffff\n"
		"drop_ipc_lock\n"
		"fork\n"
		"madvise W+0 1 GUARD_INSTALL\n"
		"madvise r1+0 1 GUARD_REMOVE x2/1\n",
		"mmap W+0 1 rw SHARED|FIXED fd=f2\n",
		"memfd f0 b:1 rw\n",
	};
	struct prog p;

	for (size_t i = 0; i < sizeof(canon) / sizeof(canon[0]); i++) {
		CHECK(parse_ok(canon[i], &p));
		prog_print(&p, text, sizeof(text));
		if (strcmp(text, canon[i]))
			fprintf(stderr, "canonical %zu:\n%s", i, text);
		CHECK(!strcmp(text, canon[i]));
	}

	/* Non-canonical spellings print canonically. */
	CHECK(parse_ok("  mprotect\tW+0x10 16 xwr|8   # c\n"
		       "mmap 00 1 rw FIXED|ANONYMOUS|PRIVATE|3\n",
		       &p));
	prog_print(&p, text, sizeof(text));
	CHECK(!strcmp(text, "mprotect W+16 16 rwx|SEM\n"
			    "mmap 0 1 rw SHARED_VALIDATE|ANONYMOUS|FIXED\n"));
	CHECK(parse_ok("mremap W+0 1 1 DONTUNMAP|FIXED|MAYMOVE|9 00\n", &p));
	prog_print(&p, text, sizeof(text));
	CHECK(!strcmp(text,
		      "mremap W+0 1 1 MAYMOVE|FIXED|DONTUNMAP|0x8 0\n"));
	CHECK(parse_ok("# files first\n"
		       "memfd  f0\tb:8192 ro   # two pages\n"
		       "memfd f01 0x10 rw fill\n"
		       "mmap W+0 1 r SHARED x2/1 off=0x2000 fd=f0\n"
		       "mlockall 5|FUTURE\n"
		       "memlock_limit b:4096\n"
		       "madvise W+0 1 102\n",
		       &p));
	prog_print(&p, text, sizeof(text));
	CHECK(!strcmp(text, "memfd f0 2 ro\n"
			    "memfd f1 16 rw fill\n"
			    "mmap W+0 1 r SHARED fd=f0 off=0x2000 x2/1\n"
			    "mlockall CURRENT|FUTURE|ONFAULT\n"
			    "memlock_limit b:4096\n"
			    "madvise W+0 1 GUARD_INSTALL\n"));
	CHECK_EQ(p.nfiles, 2);
	CHECK_EQ(p.files[0].size, 8192);
	CHECK_EQ(p.files[0].ro, 1);
	CHECK_EQ(p.files[0].fill, 0);
	CHECK_EQ(p.files[1].size, 16 * PROG_PAGE_SIZE);
	CHECK_EQ(p.files[1].fill, 1);
	CHECK_EQ(p.ops[0].fd, 1);
	CHECK_EQ(p.ops[1].kind, OP_MLOCKALL);
	CHECK_EQ(p.ops[1].flags, 7);
	CHECK_EQ(p.ops[2].len.bytes, 4096);
	CHECK_EQ(p.ops[3].flags, 102);
}

TEST(print_op_and_truncation)
{
	struct prog p;
	char small[8];
	size_t n;

	CHECK(parse_ok("mmap W+0 4 rw PRIVATE|ANONYMOUS|FIXED\n"
		       "munmap r0+2 1 x4/1\n",
		       &p));
	n = prog_print_op(&p, 1, text, sizeof(text));
	CHECK(!strcmp(text, "munmap r0+2 1 x4/1"));
	CHECK_EQ(n, strlen("munmap r0+2 1 x4/1"));
	CHECK_EQ(prog_print_op(&p, 2, text, sizeof(text)), 0);
	CHECK(!strcmp(text, ""));

	/* snprintf-style: the full length, a terminated prefix. */
	n = prog_print(&p, small, sizeof(small));
	CHECK_EQ(n, strlen("mmap W+0 4 rw PRIVATE|ANONYMOUS|FIXED\n"
			   "munmap r0+2 1 x4/1\n"));
	CHECK(!strcmp(small, "mmap W+"));
	CHECK_EQ(prog_print(&p, NULL, 0), n);
	CHECK_EQ(prog_print_op(&p, 0, small, 1), strlen(
		 "mmap W+0 4 rw PRIVATE|ANONYMOUS|FIXED"));
	CHECK_EQ(small[0], 0);
}

TEST(parse_limits)
{
	static char big[PROG_MAX_OPS * 32 + 64];
	struct prog p;
	char err[256];
	size_t n = 0;

	for (unsigned i = 0; i < PROG_MAX_OPS; i++)
		n += sprintf(big + n, "touch W+%u 1\n", i);
	CHECK(parse_ok(big, &p));
	CHECK_EQ(p.nops, PROG_MAX_OPS);
	sprintf(big + n, "# fine\n\nread W+0 1\n");
	CHECK_EQ(prog_parse(big, &p, err, sizeof(err)), -1);
	CHECK(!strncmp(err, "67: ", 4));
	CHECK(strstr(err, "too many ops") != NULL);
	/* On error the program is left empty, and a NULL err is fine. */
	CHECK_EQ(p.nops, 0);
	CHECK_EQ(prog_parse("bogus", &p, NULL, 0), -1);
	CHECK_EQ(prog_parse("bogus", &p, err, 1), -1);
	CHECK_EQ(err[0], 0);
}

TEST(parse_errors)
{
	static const struct {
		const char *text;
		unsigned line;
		const char *word;
	} bad[] = {
		{ "mmap2 W+0 1 0\n", 1, "unknown op 'mmap2'" },
		{ "madvise W+0 1\n", 1, "expected an advice" },
		{ "madvise W+0 1 COLLAPSE\n", 1, "'COLLAPSE'" },
		{ "madvise W+0 1 100\n", 1, "advice '100' is not supported" },
		{ "madvise W+0 1 DONTNEED off=0\n", 1, "only valid for mmap" },
		{ "mlock W+0 1 PRIVATE\n", 1, "expected mlock flags" },
		{ "munlock W+0 1 ONFAULT\n", 1, "unexpected 'ONFAULT'" },
		{ "mseal W+0 1 SEALED\n", 1, "expected mseal flags" },
		{ "mremap W+0 1 2\n", 1, "expected mremap flags" },
		{ "mremap W+0 1 MAYMOVE\n", 1, "expected a length" },
		{ "mremap W+0 1 2 MAYMOVE\n", 1, "expected an address" },
		{ "mremap W+0 1 2 MAYMOVE|PRIVATE W+0\n", 1, "'PRIVATE'" },
		{ "mremap W+0 1 2 0 W+0 off=0\n", 1, "only valid for mmap" },
		{ "mremap W+0 1 2 0 r0+0\n", 1, "r0 refers to op 0" },
		{ "\nMMAP W+0 1 rw PRIVATE\n", 2, "unknown op" },
		{ "munmap\n", 1, "expected an address" },
		{ "munmap W+0\n", 1, "expected a length" },
		{ "munmap W+0 1 2\n", 1, "unexpected '2'" },
		{ "munmap W+0 1 rw\n", 1, "after the arguments of munmap" },
		{ "mprotect W+0 1\n", 1, "expected prot" },
		{ "mprotect W+0 1 rr\n", 1, "expected prot" },
		{ "mprotect W+0 1 rw|\n", 1, "empty part" },
		{ "mprotect W+0 1 q\n", 1, "found 'q'" },
		{ "mmap W+0 1 rw\n", 1, "expected mmap flags" },
		{ "mmap W+0 1 rw PRIVATE|MAP_FIXED\n", 1, "'MAP_FIXED'" },
		{ "mmap W+0 1 rw 0x100000000\n", 1, "too large" },
		{ "munmap W+262144 1\n", 1, "outside the window" },
		{ "munmap W 1\n", 1, "expected +PAGE" },
		{ "munmap W+ 1\n", 1, "expected a page number" },
		{ "munmap W+1+ 1\n", 1, "expected a byte offset" },
		{ "munmap W+1+0x1000 1\n", 1, "too large" },
		{ "munmap W+1+2+3 1\n", 1, "expected a byte offset" },
		{ "munmap W+0 1\nmunmap r1+0 1\n", 2, "r1 refers to op 1" },
		{ "munmap r0+0 1\n", 1, "r0 refers to op 0" },
		{ "munmap r+0 1\n", 1, "expected an address" },
		{ "munmap rx+0 1\n", 1, "expected an address" },
		{ "munmap 0x 1\n", 1, "expected an address" },
		{ "munmap 0x10000000000000000 1\n", 1, "too large" },
		{ "munmap 12abc 1\n", 1, "'12abc'" },
		{ "munmap W+0 4294967296\n", 1, "too large" },
		{ "munmap W+0 b:\n", 1, "expected a length" },
		{ "munmap W+0 b:x\n", 1, "expected a length in bytes" },
		{ "munmap W+0 -1\n", 1, "expected a length" },
		{ "munmap W+0 1 off=0x1000\n", 1, "only valid for mmap" },
		{ "mmap W+0 1 rw 0 off=\n", 1, "expected an offset" },
		{ "mmap W+0 1 rw|none|GROWSUP 0 off=0x\n", 1, "'0x'" },
		{ "mmap W+0 1 rw 0 off=1 off=2\n", 1, "twice" },
		{ "munmap W+0 1 x2/1 x2/1\n", 1, "twice" },
		{ "munmap W+0 1 x2\n", 1, "xREPEAT/STRIDE" },
		{ "munmap W+0 1 x0/0\n", 1, "out of range" },
		{ "munmap W+0 1 x65537/1\n", 1, "out of range" },
		{ "munmap W+0 1 x2/4294967296\n", 1, "too large" },
		{ "munmap W+0 1 x1/1\n", 1, "repeat count above 1" },
		{ "munmap W+0 1 x2/\n", 1, "expected a stride" },
		{ "touch W+0 1\n\n# c\nread W+0 1 #x\nread\tW+0\t1\tjunk\n", 5,
		  "'junk'" },
		{ "munmap W+0 1\xff\n", 1, "\\xff" },
		{ "munmap W+0 1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
		  1, "..." },
		{ "fork\nmemfd f0 1 rw\n", 2, "before the first op" },
		{ "memfd f1 1 rw\n", 1, "expected f0" },
		{ "memfd f0 1 rw\nmemfd f0 1 rw\n", 2, "expected f1" },
		{ "memfd g0 1 rw\n", 1, "'g0'" },
		{ "memfd f 1 rw\n", 1, "expected f0" },
		{ "memfd\n", 1, "expected f0" },
		{ "memfd f0\n", 1, "expected a length" },
		{ "memfd f0 16385 rw\n", 1, "too large" },
		{ "memfd f0 b:0x4000001 rw\n", 1, "too large" },
		{ "memfd f0 1\n", 1, "expected rw or ro" },
		{ "memfd f0 1 rwx\n", 1, "'rwx'" },
		{ "memfd f0 1 ro fil\n", 1, "expected fill" },
		{ "memfd f0 1 ro fill fill\n", 1, "after fill" },
		{ "memfd f0 1 rw\nmemfd f1 1 rw\nmemfd f2 1 rw\n"
		  "memfd f3 1 rw\nmemfd f4 1 rw\n", 5, "too many files" },
		{ "mmap W+0 1 rw SHARED fd=f4\n", 1, "f4 does not exist" },
		{ "mmap W+0 1 rw SHARED fd=0\n", 1, "expected fd=fK" },
		{ "mmap W+0 1 rw SHARED fd=f\n", 1, "a file number" },
		{ "mmap W+0 1 rw SHARED fd=f0 fd=f1\n", 1, "twice" },
		{ "munmap W+0 1 fd=f0\n", 1, "only valid for mmap" },
		{ "mlockall\n", 1, "expected mlockall flags" },
		{ "mlockall LOCKED\n", 1, "'LOCKED'" },
		{ "mlockall CURRENT x2/1\n", 1, "expected end of line" },
		{ "munlockall 1\n", 1, "after the arguments of munlockall" },
		{ "memlock_limit\n", 1, "expected a length" },
		{ "memlock_limit rw\n", 1, "expected a length" },
		{ "fork x2/0\n", 1, "unexpected 'x2/0'" },
		{ "drop_ipc_lock W+0\n", 1, "unexpected 'W+0'" },
		{ "madvise W+0 1 GUARD\n", 1, "'GUARD'" },
	};
	struct prog p;
	char err[256], want[16];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = prog_parse(bad[i].text, &p, err, sizeof(err));

		snprintf(want, sizeof(want), "%u: ", bad[i].line);
		if (rc != -1 || strncmp(err, want, strlen(want)) ||
		    !strstr(err, bad[i].word))
			fprintf(stderr, "case %zu: rc %d, err \"%s\"\n", i, rc,
				err);
		CHECK_EQ(rc, -1);
		CHECK(!strncmp(err, want, strlen(want)));
		CHECK(strstr(err, bad[i].word) != NULL);
	}
}

/* Any prefix of valid text either parses to a valid program or fails. */
TEST(truncated_text)
{
	static const char full[] =
		"memfd f0 2 rw fill\n"
		"memfd f1 b:5000 ro\n"
		"mmap W+0 4 rw PRIVATE|ANONYMOUS|FIXED # c\n"
		"mmap 0 512 rw PRIVATE|ANONYMOUS\n"
		"mprotect r1+1+0x10 2 r|GROWSDOWN x12/3\n"
		"munmap 0xffff800000000000 b:0xfffffffffffff001\n"
		"mmap W+262143 1 none SHARED|ANONYMOUS off=0x1000\n"
		"mremap r0+1 2 b:0x2001 MAYMOVE|FIXED|DONTUNMAP r1+0x100 x2/4\n"
		"mmap W+0 1 r SHARED fd=f1 off=0x1000\n"
		"mlockall CURRENT|ONFAULT\n"
		"memlock_limit b:4096\n"
		"fork\n";
	char buf[sizeof(full)], err[256];
	unsigned ok = 0, failed = 0;
	struct prog p;

	for (size_t n = 0; n < sizeof(full); n++) {
		memcpy(buf, full, n);
		buf[n] = 0;
		if (prog_parse(buf, &p, err, sizeof(err))) {
			failed++;
			CHECK(err[0] >= '1' && err[0] <= '9');
		} else {
			ok++;
			CHECK(canonical(&p));
			CHECK(text_roundtrip(&p));
		}
	}
	CHECK(ok > 5 && failed > 5);
}

/* Garbage and mutated text: an error or a valid program, never a crash. */
TEST(garbage_text)
{
	static char buf[4096], base[PROG_MAX_OPS * 512];
	unsigned ok = 0, failed = 0, bad = 0;
	struct prog p, src;
	char err[128];

	for (unsigned iter = 0; iter < 30000; iter++) {
		size_t n;

		if (iter % 2) {
			n = rnd_below(sizeof(buf));
			for (size_t i = 0; i < n; i++)
				buf[i] = 1 + rnd_below(255);
		} else {
			uint8_t bytes[256];

			rnd_bytes(bytes, sizeof(bytes));
			prog_decode(bytes, rnd_below(sizeof(bytes)), &src);
			n = prog_print(&src, base, sizeof(base));
			n = n < sizeof(buf) - 1 ? n : sizeof(buf) - 1;
			memcpy(buf, base, n);
			for (unsigned k = rnd_below(4); k-- > 0 && n;)
				buf[rnd_below(n)] = " |+x0fW\nr#:/"[rnd_below(12)];
			if (n && rnd_below(2))
				n -= rnd_below(1 + n / 4);
		}
		buf[n] = 0;
		if (prog_parse(buf, &p, err, sizeof(err))) {
			failed++;
			bad += !strchr(err, ':') || strlen(err) >= sizeof(err);
		} else {
			ok++;
			bad += !canonical(&p) || !text_roundtrip(&p);
		}
	}
	CHECK_EQ(bad, 0);
	CHECK(ok > 1000 && failed > 1000);
}

/*
 * The guard takes lengths as the kernel does (PAGE_ALIGN, modulo 2^64):
 * an old_len within a page of 2^64 is mremap's old_len == 0 duplicate of
 * whatever VMA is at addr, so an addr next to foreign memory is skipped
 * (corpus/regressions/mremap_wrapped_old_len_is_zero.vma).
 */
TEST(guard_page_aligned_lengths)
{
	const struct range foreign[] = {{0x7ffff7d48000ull, 0x7ffff7d4a000ull}};
	struct prog_op op = {.kind = OP_MREMAP,
			     .flags = MREMAP_MAYMOVE | MREMAP_FIXED,
			     .repeat = 1,
			     .len = {.raw = 1, .bytes = 0xfffffffffffff001ull},
			     .len2 = {.pages = 1}};

	CHECK(prog_op_is_foreign(&op, 0x7ffff7d48000ull, PROG_WINDOW_BASE,
				 foreign, 1));
	/* A page below the foreign VMA: the widened point still touches it. */
	CHECK(prog_op_is_foreign(&op, 0x7ffff7d47000ull, PROG_WINDOW_BASE,
				 foreign, 1));
	CHECK(!prog_op_is_foreign(&op, 0x7ffff7d40000ull, PROG_WINDOW_BASE,
				  foreign, 1));
	/* An aligned length that wraps is refused by every call: not foreign. */
	op.len.bytes = 0xfffffffffffff000ull;
	CHECK(!prog_op_is_foreign(&op, 0x7ffff7d48000ull, PROG_WINDOW_BASE,
				  foreign, 1));
	/* A MAP_FIXED|MAP_HUGETLB mmap of one page maps a whole huge page
	 * (2 MiB here, 1 GiB without a size): the guard sees all of it. */
	op = (struct prog_op){ .kind = OP_MMAP, .repeat = 1, .len = {.pages = 1},
			       .flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
					MAP_HUGETLB | (21u << 26) };
	CHECK(prog_op_is_foreign(&op, 0x7ffff7c00000ull, 0, foreign, 1));
	CHECK(!prog_op_is_foreign(&op, 0x7ffff7800000ull, 0, foreign, 1));
	op.flags &= ~(0x3fu << 26);
	CHECK(prog_op_is_foreign(&op, 0x7fffc0000000ull, 0, foreign, 1));
	op.flags &= ~MAP_HUGETLB;
	CHECK(!prog_op_is_foreign(&op, 0x7ffff7c00000ull, 0, foreign, 1));
	/* mremap to a huge-page-aligned destination: a hugetlb source
	 * rounds the new length up (align_hugetlb()) */
	op = (struct prog_op){ .kind = OP_MREMAP, .repeat = 1,
			       .flags = MREMAP_MAYMOVE | MREMAP_FIXED,
			       .len = {.pages = 1}, .len2 = {.pages = 1} };
	CHECK(prog_op_is_foreign(&op, PROG_WINDOW_BASE, 0x7ffff7c00000ull,
				 foreign, 1));
	CHECK(!prog_op_is_foreign(&op, PROG_WINDOW_BASE, 0x7ffff7c01000ull,
				  foreign, 1));
	/* munmap of a wrapped raw length: EINVAL, but guarded all the same. */
	op.kind = OP_MUNMAP;
	op.len.bytes = 0xffffffffffffffffull;
	CHECK(prog_op_is_foreign(&op, 0x7ffff7d4a000ull, 0, foreign, 1));
}

int main(void)
{
	RUN(decode_empty);
	RUN(decode_examples);
	RUN(decode_random);
	RUN(decode_distribution);
	RUN(encode_any_valid);
	RUN(parse_examples);
	RUN(canonical_text);
	RUN(print_op_and_truncation);
	RUN(parse_limits);
	RUN(parse_errors);
	RUN(truncated_text);
	RUN(garbage_text);
	RUN(guard_page_aligned_lengths);
	return test_summary();
}
