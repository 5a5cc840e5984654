/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loading a program from a file whose format is decided by content: text
 * (.vma, docs/FORMAT.md) if it parses as text; otherwise, unless it is
 * mostly printable (>= 90% printable ASCII, whitespace or valid UTF-8:
 * then it is a text file with an error), the bytes of a fuzzer input,
 * decoded with prog_decode (which accepts any bytes). A non-empty file of
 * only whitespace (an empty program as text) counts as bytes: libFuzzer
 * writes such inputs ("\n"); an empty file is an empty text program.
 */
#ifndef VMADIFF_PROGFILE_H
#define VMADIFF_PROGFILE_H

#include <stddef.h>
#include <stdint.h>

#include "../harness/prog.h"

enum progfile_kind {
	PROGFILE_TEXT = 0,
	PROGFILE_BINARY = 1,
};

enum progfile_error {
	PROGFILE_OK = 0,
	PROGFILE_EIO = 1,    /* err: strerror text ("No such file ...") */
	PROGFILE_EPARSE = 2, /* err: "LINE: what" from prog_parse */
};

#define PROGFILE_MAX_SIZE (16u << 20)

/* From bytes in memory; returns PROGFILE_OK (kind set) or PROGFILE_EPARSE. */
int progfile_from_bytes(const uint8_t *buf, size_t n, struct prog *p,
			enum progfile_kind *kind, char *err, size_t errlen);
/* From a file; returns an enum progfile_error. */
int progfile_load(const char *path, struct prog *p, enum progfile_kind *kind,
		  char *err, size_t errlen);
/* Reads a whole file (at most PROGFILE_MAX_SIZE) into a malloc'd buffer
 * with a NUL after the data; NULL with errno set on failure. */
uint8_t *progfile_read(const char *path, size_t *n);

#endif
