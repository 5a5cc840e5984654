// SPDX-License-Identifier: GPL-2.0
/* Loading programs from text or binary files (progfile.h). */
#include "progfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

uint8_t *progfile_read(const char *path, size_t *n)
{
	struct stat st;
	uint8_t *buf;
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		goto fail;
	}
	if (st.st_size > (off_t)PROGFILE_MAX_SIZE) {
		errno = EFBIG;
		goto fail;
	}
	buf = malloc(PROGFILE_MAX_SIZE + 1);
	if (!buf)
		goto fail;
	for (;;) {
		ssize_t r = read(fd, buf + len, PROGFILE_MAX_SIZE - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len == PROGFILE_MAX_SIZE)
			break;
	}
	close(fd);
	buf[len] = 0;
	*n = len;
	return buf;
fail:
	{
		int e = errno;

		close(fd);
		errno = e;
	}
	return NULL;
}

/* The length of a valid UTF-8 multi-byte sequence at b (lead byte >=
 * 0x80), or 0 if it is not one. */
static size_t utf8_len(const uint8_t *b, size_t n)
{
	size_t len;

	if (b[0] >= 0xc2 && b[0] <= 0xdf)
		len = 2;
	else if (b[0] >= 0xe0 && b[0] <= 0xef)
		len = 3;
	else if (b[0] >= 0xf0 && b[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((b[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

/* Text files are printable ASCII plus whitespace (UTF-8 in comments);
 * fuzzer inputs are mostly not. "Mostly": at least 90% of the bytes. */
static int mostly_printable(const uint8_t *buf, size_t n)
{
	size_t ok = 0;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < n;) {
		uint8_t c = buf[i];
		size_t l;

		if ((c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t' ||
		    c == '\r') {
			ok++;
			i++;
		} else if (c >= 0x80 && (l = utf8_len(buf + i, n - i))) {
			ok += l;
			i += l;
		} else {
			i++;
		}
	}
	return ok * 10 >= n * 9;
}

/* Only whitespace: no op and no comment. As text that is an empty
 * program; such a file is far more likely a fuzzer input ("\n"). */
static int only_whitespace(const uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (buf[i] != ' ' && buf[i] != '\n' && buf[i] != '\t' &&
		    buf[i] != '\r' && buf[i] != '\v' && buf[i] != '\f')
			return 0;
	return 1;
}

int progfile_from_bytes(const uint8_t *buf, size_t n, struct prog *p,
			enum progfile_kind *kind, char *err, size_t errlen)
{
	char perr[256] = "";

	if (!memchr(buf, 0, n) && (n == 0 || !only_whitespace(buf, n))) {
		char *text = malloc(n + 1);

		if (!text)
			abort();
		memcpy(text, buf, n);
		text[n] = 0;
		if (prog_parse(text, p, perr, sizeof(perr)) == 0) {
			free(text);
			*kind = PROGFILE_TEXT;
			return PROGFILE_OK;
		}
		free(text);
		if (mostly_printable(buf, n)) {
			snprintf(err, errlen, "%s", perr[0] ? perr : "0: parse error");
			return PROGFILE_EPARSE;
		}
	}
	prog_decode(buf, n, p);
	*kind = PROGFILE_BINARY;
	return PROGFILE_OK;
}

int progfile_load(const char *path, struct prog *p, enum progfile_kind *kind,
		  char *err, size_t errlen)
{
	size_t n = 0;
	uint8_t *buf = progfile_read(path, &n);
	int r;

	if (!buf) {
		snprintf(err, errlen, "%s", strerror(errno));
		return PROGFILE_EIO;
	}
	r = progfile_from_bytes(buf, n, p, kind, err, errlen);
	free(buf);
	return r;
}
