/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal test framework. Each tests/test_*.c defines TEST(name) functions
 * and lists them in main via RUN(name); the binary ends with
 * "N passed, N failed" and exits non-zero on failure (tests/run.sh sums).
 */
#ifndef VMADIFF_TEST_H
#define VMADIFF_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static int test_passed, test_failed, test_cur_failed;
static const char *test_cur;

#define TEST(name) static void name(void)

#define RUN(name)                                                         \
	do {                                                              \
		test_cur = #name;                                         \
		test_cur_failed = 0;                                      \
		name();                                                   \
		if (test_cur_failed)                                      \
			test_failed++;                                    \
		else                                                      \
			test_passed++;                                    \
	} while (0)

#define CHECK(cond)                                                       \
	do {                                                              \
		if (!(cond)) {                                            \
			fprintf(stderr, "%s:%d: %s: check failed: %s\n",  \
				__FILE__, __LINE__, test_cur, #cond);     \
			test_cur_failed = 1;                              \
		}                                                         \
	} while (0)

#define CHECK_EQ(a, b)                                                     \
	do {                                                               \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);           \
		if (a_ != b_) {                                            \
			fprintf(stderr,                                    \
				"%s:%d: %s: %s == %s failed: 0x%" PRIx64   \
				" != 0x%" PRIx64 "\n",                     \
				__FILE__, __LINE__, test_cur, #a, #b, a_,  \
				b_);                                       \
			test_cur_failed = 1;                               \
		}                                                          \
	} while (0)

static inline int test_summary(void)
{
	printf("%d passed, %d failed\n", test_passed, test_failed);
	return test_failed ? 1 : 0;
}

#endif
