// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the text format (docs/FORMAT.md): prog_parse must
 * never crash, and every program it accepts must be valid and survive the
 * round trips that FORMAT.md promises: parse(print(p)) == p, print is a
 * fixed point on canonical text, and decode(encode(p)) == p. A broken
 * promise aborts from a function naming it (one crash state each). No
 * executor: this target runs nothing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../harness/prog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 64 op lines of under 300 bytes, 4 memfd lines of under 40
 * (FORMAT.md "Canonical text") */
#define TEXT_MAX (PROG_MAX_OPS * 300 + PROG_MAX_FILES * 40 + 1)
/* 49 bytes an op, 11 a file at most (FORMAT.md "Byte format") */
#define BYTES_MAX (PROG_MAX_OPS * 49 + PROG_MAX_FILES * 11)

static struct prog p, q;
static char text[TEXT_MAX], text2[TEXT_MAX];
static uint8_t bytes[BYTES_MAX];

static _Noreturn void fail(const char *what, const char *input)
{
	fprintf(stderr, "parser_fuzzer: %s\n--- input:\n%s\n--- printed:\n%s\n",
		what, input, text);
	abort();
}

__attribute__((noinline)) static void broken_error_contract(const char *in)
{
	fail("parse failed but left ops or no `LINE: ' message", in);
}

__attribute__((noinline)) static void broken_validity(const char *in)
{
	fail("parse accepted an invalid program", in);
}

__attribute__((noinline)) static void broken_print(const char *in)
{
	fail("print overflowed or its text does not parse back", in);
}

__attribute__((noinline)) static void broken_round_trip(const char *in)
{
	fail("parse(print(p)) != p or print(parse(print(p))) != print(p)", in);
}

__attribute__((noinline)) static void broken_codec(const char *in)
{
	fail("decode(encode(p)) != p", in);
}

static void check(const char *in)
{
	char err[256];
	size_t n;

	err[0] = 0;
	if (prog_parse(in, &p, err, sizeof(err))) {
		if (p.nops || err[0] < '1' || err[0] > '9' ||
		    !strstr(err, ": "))
			broken_error_contract(in);
		return;
	}
	if (!prog_valid(&p))
		broken_validity(in);
	n = prog_print(&p, text, sizeof(text));
	if (n >= sizeof(text) || prog_parse(text, &q, err, sizeof(err)))
		broken_print(in);
	if (memcmp(&p, &q, sizeof(p)) ||
	    prog_print(&q, text2, sizeof(text2)) != n || memcmp(text, text2, n))
		broken_round_trip(in);
	n = prog_encode(&p, bytes, sizeof(bytes));
	prog_decode(bytes, n, &q);
	if ((!n && (p.nops || p.nfiles)) || memcmp(&p, &q, sizeof(p)))
		broken_codec(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* prog_parse takes a C string: the input up to its first NUL */
	char *in = malloc(size + 1);

	if (!in)
		abort();
	memcpy(in, data, size);
	in[size] = 0;
	text[0] = 0;
	check(in);
	free(in);
	return 0;
}
