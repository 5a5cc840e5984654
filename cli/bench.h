/* SPDX-License-Identifier: GPL-2.0 */
/* vmadiff bench: programs per second by configuration, and the model at
 * scale (bench.c). */
#ifndef VMADIFF_BENCH_H
#define VMADIFF_BENCH_H

int cmd_bench(int argc, char **argv);

#endif
