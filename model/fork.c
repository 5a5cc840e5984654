// SPDX-License-Identifier: GPL-2.0
/* fork(): the child's mm, as dup_mmap() (kernel/fork.c) builds it. */
#include <string.h>

#include "internal.h"

void model_fork(struct model *m, struct outcome *out)
{
	(void)m;
	memset(out, 0, sizeof(*out));
	out->ret = -1;
	out->err = ENOSYS;
}
