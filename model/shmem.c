// SPDX-License-Identifier: GPL-2.0
/* memfds: shmem files a program declares (mm/shmem.c, mm/memfd.c). */
#include "internal.h"

void model_memfd(struct model *m, unsigned k, int fd, uint64_t size, int ro,
		 int fill)
{
	(void)m, (void)k, (void)fd, (void)size, (void)ro, (void)fill;
}
