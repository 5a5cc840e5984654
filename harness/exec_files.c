// SPDX-License-Identifier: GPL-2.0
/*
 * The memfds a program declares (struct prog_file): created before its
 * first op at fd PROG_FILE_FD_BASE + k, closed after it. Snapshots tell
 * their VMAs from shared anonymous memory, which lives on the same shm
 * mount ("/dev/zero (deleted)"), by inode. No allocation: raw fds only.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../model/model.h"
#include "exec_int.h"

static struct {
	uint32_t major, minor;
	uint64_t ino;
} ids[PROG_MAX_FILES];
static unsigned nids;

/* "/proc/self/fd/N" without stdio. */
static void fd_path(char *buf, int fd)
{
	static const char pre[] = "/proc/self/fd/";
	char digits[12];
	int n = 0;

	do
		digits[n++] = '0' + fd % 10;
	while ((fd /= 10));
	for (unsigned i = 0; i < sizeof(pre) - 1; i++)
		*buf++ = pre[i];
	while (n)
		*buf++ = digits[--n];
	*buf = 0;
}

/* Page i of a filled file starts with memfd_byte(k, i); the rest stays 0.
 * One write per page: at most PROG_FILE_MAX_BYTES / 4096 of them. */
static int fill_file(int fd, unsigned k, uint64_t size)
{
	for (uint64_t i = 0; i * PROG_PAGE_SIZE < size; i++) {
		uint8_t b = memfd_byte(k, i);

		if (pwrite(fd, &b, 1, i * PROG_PAGE_SIZE) != 1)
			return -1;
	}
	return 0;
}

static int open_file(unsigned k, const struct prog_file *f)
{
	char name[] = "vmadiff-f0", path[32];
	int fd, ro = -1, ok;
	struct stat st;

	name[sizeof(name) - 2] = '0' + k;
	fd = memfd_create(name, 0);
	if (fd < 0)
		return -1;
	ok = !ftruncate(fd, f->size) &&
	     (!f->fill || !fill_file(fd, k, f->size)) && !fstat(fd, &st);
	if (ok && f->ro) {
		fd_path(path, fd);
		ro = open(path, O_RDONLY);
		ok = ro >= 0;
	}
	ok = ok && dup2(f->ro ? ro : fd, PROG_FILE_FD_BASE + k) >= 0;
	if (ro >= 0)
		close(ro);
	close(fd);
	if (!ok)
		return -1;
	ids[nids].major = major(st.st_dev);
	ids[nids].minor = minor(st.st_dev);
	ids[nids].ino = st.st_ino;
	nids++;
	return 0;
}

void files_close(void)
{
	for (int k = 0; k < PROG_MAX_FILES; k++)
		close(PROG_FILE_FD_BASE + k);
}

int files_open(const struct prog *p)
{
	files_close();
	nids = 0;
	for (unsigned k = 0; k < p->nfiles; k++)
		if (open_file(k, &p->files[k]))
			return -1;
	return 0;
}

int files_is_memfd(uint32_t major, uint32_t minor, uint64_t ino)
{
	for (unsigned i = 0; i < nids; i++)
		if (ids[i].ino == ino && ids[i].major == major &&
		    ids[i].minor == minor)
			return 1;
	return 0;
}
