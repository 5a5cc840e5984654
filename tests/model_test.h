/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the model unit tests (test_model.c, test_mremap.c,
 * test_kver.c): op-line argument parsers, result formatting, the window
 * layout printer and the EXPECT/LAYOUT checks. Each test file includes
 * this after test.h and defines its own run() (the op lines it accepts)
 * and layout() (a one-line call of window_layout() in its format).
 *
 * The window W is at 0x100000000000; page numbers in op lines are
 * relative to it.
 */
#ifndef VMADIFF_MODEL_TEST_H
#define VMADIFF_MODEL_TEST_H

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

#include "../model/model.h"
#include "test.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define W 0x100000000000ull
#define PG 4096ull

#define MT_UNUSED __attribute__((unused))

/* PROT: r w x letters, or 0x.. */
static MT_UNUSED uint64_t prot_of(const char *s)
{
	uint64_t p = 0;

	if (!strncmp(s, "0x", 2))
		return strtoull(s, NULL, 16);
	for (; *s; s++)
		p |= *s == 'r' ? PROT_READ : *s == 'w' ? PROT_WRITE :
		     *s == 'x' ? PROT_EXEC : 0;
	return p;
}

/* FLAGS: p private, s shared, f fixed, n noreplace, g growsdown,
 * l locked, P populate, R noreserve, S stack, h hugetlb (MAP_ANONYMOUS
 * always), or 0x.. */
static MT_UNUSED uint64_t flags_of(const char *s)
{
	static const char letters[] = "psfnglPRSh";
	static const uint64_t bits[] = {
		MAP_PRIVATE, MAP_SHARED, MAP_FIXED, MAP_FIXED_NOREPLACE,
		MAP_GROWSDOWN, MAP_LOCKED, MAP_POPULATE, MAP_NORESERVE,
		MAP_STACK, MAP_HUGETLB,
	};
	uint64_t f = MAP_ANONYMOUS;

	if (!strncmp(s, "0x", 2))
		return strtoull(s, NULL, 16);
	for (; *s; s++)
		f |= bits[strchr(letters, *s) - letters];
	return f;
}

/* An address: 0x.. raw, or a page number relative to W. */
static MT_UNUSED uint64_t addr_of(const char *s)
{
	if (!strncmp(s, "0x", 2))
		return strtoull(s, NULL, 16);
	return W + strtoll(s, NULL, 0) * PG;
}

static MT_UNUSED const char *errname(int err)
{
	switch (err) {
	case EINVAL: return "EINVAL";
	case ENOMEM: return "ENOMEM";
	case EEXIST: return "EEXIST";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case EAGAIN: return "EAGAIN";
	case EBADF: return "EBADF";
	case EFAULT: return "EFAULT";
	case EOVERFLOW: return "EOVERFLOW";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	default: return "E?";
	}
}

/* "touch P N" / "read P N" (op is either): "N pages[ SIGSEGV| SIGBUS]",
 * and for read " data=<hash>". */
static MT_UNUSED void run_access(struct model *m, const char *op,
				 uint64_t addr, uint64_t n, char *res,
				 size_t size)
{
	struct outcome o;

	if (op[0] == 't')
		model_touch(m, addr, n, 0, &o);
	else
		model_read(m, addr, n, &o);
	snprintf(res, size, "%lld pages%s", (long long)o.ret,
		 o.sig == SIGSEGV ? " SIGSEGV" : o.sig ? " SIGBUS" : "");
	if (op[0] == 'r')
		snprintf(res + strlen(res), size - strlen(res),
			 " data=%016llx", (unsigned long long)o.data);
}

/* An int result: "0", or "-1 ERRNO". */
static MT_UNUSED void int_result(const struct outcome *o, char *res,
				 size_t size)
{
	snprintf(res, size, "%lld%s%s", (long long)o->ret,
		 o->ret ? " " : "", o->ret ? errname(o->err) : "");
}

enum layout_style {
	/* "[start,end) rw-p off=.. VmFlags" per VMA, " | " between. */
	LAYOUT_SMAPS,
	/* "[start,end) rw-" per VMA (" nh" if VM_NOHUGEPAGE), " " between. */
	LAYOUT_MAPS,
};

/* The VMAs in [W, W + span), pages relative to W. */
static MT_UNUSED const char *window_layout(const struct model *m,
					   uint64_t span,
					   enum layout_style style)
{
	static char buf[8192];
	struct snapshot s;
	size_t n = 0;

	snapshot_init(&s);
	model_snapshot(m, &s, 1);
	buf[0] = 0;
	for (uint32_t i = 0; i < s.n; i++) {
		const struct snap_vma *v = &s.v[i];
		char perms[4] = {
			v->prot & PROT_READ ? 'r' : '-',
			v->prot & PROT_WRITE ? 'w' : '-',
			v->prot & PROT_EXEC ? 'x' : '-',
			0,
		};

		if (v->start < W || v->end > W + span)
			continue;
		if (style == LAYOUT_MAPS) {
			n += snprintf(buf + n, sizeof(buf) - n,
				      "%s[%llu,%llu) %s%s", n ? " " : "",
				      (unsigned long long)((v->start - W) / PG),
				      (unsigned long long)((v->end - W) / PG),
				      perms,
				      v->vmflags & VMF(VMF_NOHUGEPAGE) ?
					      " nh" : "");
			continue;
		}
		n += snprintf(buf + n, sizeof(buf) - n,
			      "%s[%lld,%lld) %s%c off=%llx", n ? " | " : "",
			      (long long)((v->start - W) / PG),
			      (long long)((v->end - W) / PG), perms,
			      v->shared ? 's' : 'p',
			      (unsigned long long)v->pgoff * PG);
		for (unsigned bit = 0; bit < 64; bit++)
			if (v->vmflags & (1ull << bit))
				n += snprintf(buf + n, sizeof(buf) - n, " %s",
					      vmflag_name(bit) ?
						      vmflag_name(bit) : "??");
	}
	snapshot_free(&s);
	return buf;
}

/* A model with the default config but for kver and max_map_count
 * (either 0: the default). */
static MT_UNUSED struct model *model_new(uint32_t kver,
					 uint64_t max_map_count)
{
	struct model_config cfg;

	model_config_default(&cfg);
	if (kver)
		cfg.kver = kver;
	if (max_map_count)
		cfg.max_map_count = max_map_count;
	return model_create(&cfg, NULL, 0);
}

/* run(m, line) (the including file's) must give want. */
#define EXPECT(m, line, want)                                              \
	do {                                                               \
		const char *got_ = run(m, line);                           \
		if (strcmp(got_, want)) {                                  \
			fprintf(stderr, "%s:%d: %s: `%s` gave `%s`, kernel `%s`\n", \
				__FILE__, __LINE__, test_cur, line, got_, want); \
			test_cur_failed = 1;                               \
		}                                                          \
	} while (0)

/* layout(m) (the including file's) must give want. */
#define LAYOUT(m, want)                                                    \
	do {                                                               \
		const char *got_ = layout(m);                              \
		if (strcmp(got_, want)) {                                  \
			fprintf(stderr, "%s:%d: %s: layout\n  model:  %s\n  kernel: %s\n", \
				__FILE__, __LINE__, test_cur, got_, want); \
			test_cur_failed = 1;                               \
		}                                                          \
	} while (0)

#endif
