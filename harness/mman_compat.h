/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uapi mm constants that Debian 12's glibc 2.36 headers lack (x86-64
 * values, include/uapi/asm-generic/mman-common.h and linux/mman.h).
 * model/ keeps its own copies in model/internal.h: it may include nothing
 * outside itself but oracle/snapshot.h.
 */
#ifndef VMADIFF_MMAN_COMPAT_H
#define VMADIFF_MMAN_COMPAT_H

#include <sys/mman.h>

#ifndef PROT_SEM
#define PROT_SEM 0x8
#endif
#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE 0x08 /* 6.11 */
#endif
#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif
#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21u << MAP_HUGE_SHIFT)
#endif
#ifndef MAP_HUGE_1GB
#define MAP_HUGE_1GB (30u << MAP_HUGE_SHIFT)
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4 /* 5.7 */
#endif

#endif
