// SPDX-License-Identifier: GPL-2.0
/* memfds: shmem files a program declares (mm/shmem.c, mm/memfd.c). */
#include "internal.h"

/*
 * memfd_create() + ftruncate(size) (+ a reopen O_RDONLY when ro): a shmem
 * object of DIV_ROUND_UP(size, PAGE_SIZE) pages, the i_size faults check
 * (shmem_fault()). Its initial bytes are not stored: file_page_byte()
 * (memory.c) derives them from fill.
 */
void model_memfd(struct model *m, unsigned k, int fd, uint64_t size, int ro,
		 int fill)
{
	if (k >= MODEL_MAX_MEMFDS)
		return;
	m->memfd[k] = (struct memfd_file){
		.obj = shmem_zero_setup(m, PHYS_PFN(PAGE_ALIGN(size))),
		.fd = fd,
		.size = size,
		.ro = !!ro,
		.fill = !!fill,
	};
}

const struct memfd_file *memfd_fget(const struct model *m, int fd)
{
	for (unsigned k = 0; k < MODEL_MAX_MEMFDS; k++)
		if (m->memfd[k].obj && m->memfd[k].fd == fd)
			return &m->memfd[k];
	return NULL;
}

const struct memfd_file *memfd_of_obj(const struct model *m, uint32_t obj)
{
	for (unsigned k = 0; k < MODEL_MAX_MEMFDS; k++)
		if (obj && m->memfd[k].obj == obj)
			return &m->memfd[k];
	return NULL;
}
