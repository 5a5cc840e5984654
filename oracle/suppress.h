/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Suppressions: known divergences, by signature, each with its reason
 * (corpus/suppressions). Replay reports a suppressed divergence as
 * SUPPRESSED, not as a pass or a failure; the fuzzer does not abort on
 * one, so that a long run keeps finding new ones.
 *
 * File format, one entry per line:
 *
 *	SIGNATURE-PATTERN | REASON
 *
 * The pattern is matched against the whole signature: `*` matches any run
 * of characters, `?` any one, everything else itself (signatures never
 * contain `|`). Spaces around both parts are ignored; both must be
 * non-empty. Lines that are blank or start with `#` are comments.
 */
#ifndef VMADIFF_SUPPRESS_H
#define VMADIFF_SUPPRESS_H

#include <stddef.h>

struct suppression {
	char *pattern;
	char *reason;
	unsigned line;
};

struct suppressions {
	struct suppression *v;
	size_t n;
};

/* Parses text; 0, or -1 with "LINE: what" in err (s is left empty). */
int suppressions_parse(struct suppressions *s, const char *text, char *err,
		       size_t errlen);
/* Loads a file; 0, or -1 with "PATH: what" or "PATH:LINE: what". */
int suppressions_load(struct suppressions *s, const char *path, char *err,
		      size_t errlen);
void suppressions_free(struct suppressions *s);
/* The first entry whose pattern matches sig, or NULL. */
const struct suppression *suppressions_match(const struct suppressions *s,
					     const char *sig);
/* Glob match of the whole string (`*`, `?`). */
int glob_match(const char *pattern, const char *s);

/*
 * The file to load when none is named: $VMADIFF_SUPPRESSIONS if set (an
 * empty value: none), else `vmadiff.suppressions` beside the running
 * binary (an installed or OSS-Fuzz $OUT layout), else
 * `../corpus/suppressions` from the binary's directory (the build tree).
 * Returns buf, or NULL for none.
 */
const char *suppressions_default_path(char *buf, size_t cap);

#endif
