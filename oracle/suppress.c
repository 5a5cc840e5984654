// SPDX-License-Identifier: GPL-2.0
/* Suppressions of known divergences (suppress.h). */
#include "suppress.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int glob_match(const char *p, const char *s)
{
	const char *star = NULL, *resume = NULL;

	while (*s) {
		if (*p == '*') {
			star = p++;
			resume = s;
		} else if (*p == '?' || *p == *s) {
			p++;
			s++;
		} else if (star) {
			/* let the last `*` eat one more character */
			p = star + 1;
			s = ++resume;
		} else {
			return 0;
		}
	}
	while (*p == '*')
		p++;
	return !*p;
}

static char *trimmed_dup(const char *a, const char *b)
{
	char *r;

	while (a < b && (*a == ' ' || *a == '\t'))
		a++;
	while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r'))
		b--;
	r = strndup(a, (size_t)(b - a));
	if (!r)
		abort();
	return r;
}

static void push(struct suppressions *s, char *pattern, char *reason,
		 unsigned line)
{
	struct suppression *v = realloc(s->v, (s->n + 1) * sizeof(*v));

	if (!v)
		abort();
	s->v = v;
	v[s->n].pattern = pattern;
	v[s->n].reason = reason;
	v[s->n].line = line;
	s->n++;
}

/* One line [a, b); 0, or -1 if it is neither a comment nor an entry. */
static int parse_line(struct suppressions *s, const char *a, const char *b,
		      unsigned line)
{
	const char *bar;
	char *pattern, *reason;

	while (a < b && (*a == ' ' || *a == '\t' || *a == '\r'))
		a++;
	if (a == b || *a == '#')
		return 0;
	bar = memchr(a, '|', (size_t)(b - a));
	if (!bar)
		return -1;
	pattern = trimmed_dup(a, bar);
	reason = trimmed_dup(bar + 1, b);
	if (!*pattern || !*reason) {
		free(pattern);
		free(reason);
		return -1;
	}
	push(s, pattern, reason, line);
	return 0;
}

int suppressions_parse(struct suppressions *s, const char *text, char *err,
		       size_t errlen)
{
	unsigned line = 1;

	s->v = NULL;
	s->n = 0;
	while (*text) {
		const char *nl = strchr(text, '\n');
		const char *end = nl ? nl : text + strlen(text);

		if (parse_line(s, text, end, line)) {
			snprintf(err, errlen,
				 "%u: expected `SIGNATURE-PATTERN | REASON' "
				 "(both non-empty) or a # comment",
				 line);
			suppressions_free(s);
			return -1;
		}
		text = nl ? nl + 1 : end;
		line++;
	}
	return 0;
}

int suppressions_load(struct suppressions *s, const char *path, char *err,
		      size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *text = NULL, msg[256];
	size_t cap = 0;
	ssize_t n;
	int r;

	s->v = NULL;
	s->n = 0;
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	n = getdelim(&text, &cap, '\0', f);
	fclose(f);
	if (n < 0) {
		free(text);
		return 0; /* empty file */
	}
	r = suppressions_parse(s, text, msg, sizeof(msg));
	if (r)
		snprintf(err, errlen, "%s:%s", path, msg);
	free(text);
	return r;
}

void suppressions_free(struct suppressions *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].pattern);
		free(s->v[i].reason);
	}
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

const struct suppression *suppressions_match(const struct suppressions *s,
					     const char *sig)
{
	for (size_t i = 0; i < s->n; i++)
		if (glob_match(s->v[i].pattern, sig))
			return &s->v[i];
	return NULL;
}

const char *suppressions_default_path(char *buf, size_t cap)
{
	const char *env = getenv("VMADIFF_SUPPRESSIONS");
	char self[4096], *slash;
	ssize_t n;

	if (env)
		return *env && snprintf(buf, cap, "%s", env) < (int)cap ? buf
									 : NULL;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return NULL;
	self[n] = 0;
	slash = strrchr(self, '/');
	if (slash)
		*slash = 0;
	if (snprintf(buf, cap, "%s/vmadiff.suppressions", self) < (int)cap &&
	    access(buf, R_OK) == 0)
		return buf;
	if (snprintf(buf, cap, "%s/../corpus/suppressions", self) < (int)cap &&
	    access(buf, R_OK) == 0)
		return buf;
	return NULL;
}
