/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small streaming JSON writer (no dependency): compact output, commas
 * handled by the writer, strings escaped per RFC 8259 (quote, backslash,
 * control characters; bytes that are not valid UTF-8 become U+FFFD so
 * that the output is always valid UTF-8 whatever a file name holds).
 *
 *	json_init(&j, f);
 *	json_open(&j, '{');
 *	json_key(&j, "file"); json_str(&j, name);
 *	json_key(&j, "ops"); json_open(&j, '['); json_int(&j, 3); ...
 *	json_close(&j, ']');
 *	json_close(&j, '}');
 */
#ifndef VMADIFF_JSON_H
#define VMADIFF_JSON_H

#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json {
	FILE *f;
	unsigned depth;
	int after_key;			/* a key was written: no comma next */
	uint8_t nonempty[JSON_MAX_DEPTH]; /* container at depth d has items */
};

void json_init(struct json *j, FILE *f);
/* '{' or '[' to open, '}' or ']' to close. */
void json_open(struct json *j, char c);
void json_close(struct json *j, char c);
/* An object member's name; the value follows with one of the calls below. */
void json_key(struct json *j, const char *key);
void json_str(struct json *j, const char *s);
void json_int(struct json *j, int64_t v);
void json_bool(struct json *j, int b);
void json_null(struct json *j);
/* A string value printf-style (at most 1023 bytes). */
void json_strf(struct json *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Writes s as a JSON string literal (quotes included). */
void json_write_string(FILE *f, const char *s);

#endif
