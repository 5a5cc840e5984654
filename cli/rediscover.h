/* SPDX-License-Identifier: GPL-2.0 */
/* vmadiff rediscover: fuzz with the model targeting an older kernel and
 * time how long the fuzzer takes to find each known change (rediscover.c). */
#ifndef VMADIFF_REDISCOVER_H
#define VMADIFF_REDISCOVER_H

int cmd_rediscover(int argc, char **argv);

#endif
