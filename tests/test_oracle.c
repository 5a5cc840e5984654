// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of oracle/compare.c and oracle/report.c: field order, the
 * abstract values of signatures, VMA lines and the side-by-side diff, and
 * the report's shape. No executor involved.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <xxhash.h>

#include "../oracle/compare.h"
#include "../oracle/report.h"
#include "test.h"

#define W PROG_WINDOW_BASE

static struct outcome oc(int64_t ret, int err, int sig)
{
	struct outcome o;

	memset(&o, 0, sizeof(o));
	o.ret = ret;
	o.err = err;
	o.sig = sig;
	return o;
}

static struct snap_vma vma(uint64_t start, uint64_t end, unsigned prot)
{
	struct snap_vma v;

	memset(&v, 0, sizeof(v));
	v.start = start;
	v.end = end;
	v.prot = (uint8_t)prot;
	return v;
}

TEST(compare_field_order)
{
	struct outcome a = oc(0, 0, 0), b = oc(0, 0, 0);

	CHECK_EQ(compare_outcome(&a, &b), DIV_NONE);
	b = oc(-1, ENOMEM, 0);
	CHECK_EQ(compare_outcome(&a, &b), DIV_ERRNO); /* not ret */
	b = oc(3, 0, SIGSEGV);
	a = oc(4, 0, 0);
	CHECK_EQ(compare_outcome(&a, &b), DIV_SIGNAL); /* not ret */
	b = oc(5, 0, 0);
	CHECK_EQ(compare_outcome(&a, &b), DIV_RET);
	b = a;
	b.data = 1;
	CHECK_EQ(compare_outcome(&a, &b), DIV_DATA);
	b = a;
	b.skipped = 1;
	CHECK_EQ(compare_outcome(&a, &b), DIV_SKIPPED);
	b = a;
	b.pad = 7; /* padding is not compared */
	CHECK_EQ(compare_outcome(&a, &b), DIV_NONE);
}

static const char *sig_of(enum div_field f, struct outcome m, struct outcome k,
			  const struct div_context *c)
{
	static char buf[256];

	return signature_format(buf, sizeof(buf), f, &m, &k, c);
}

TEST(signatures_are_abstract)
{
	struct div_context c;

	memset(&c, 0, sizeof(c));
	c.kind = OP_MPROTECT;
	CHECK(!strcmp(sig_of(DIV_ERRNO, oc(-1, ENOMEM, 0), oc(0, 0, 0), &c),
		      "mprotect errno model=ENOMEM kernel=0"));
	c.kind = OP_TOUCH;
	c.req_pages = 4;
	CHECK(!strcmp(sig_of(DIV_SIGNAL, oc(4, 0, 0), oc(1, 0, SIGSEGV), &c),
		      "touch signal model=0 kernel=SIGSEGV"));
	CHECK(!strcmp(sig_of(DIV_RET, oc(4, 0, 0), oc(2, 0, 0), &c),
		      "touch ret model=all kernel=some"));
	c.kind = OP_MMAP;
	c.flags = MAP_PRIVATE | MAP_ANONYMOUS;
	c.req_addr = W + 0x1000;
	CHECK(!strcmp(sig_of(DIV_RET, oc((int64_t)(W + 0x1000), 0, 0),
			     oc(0x7ffff7ff0000, 0, 0), &c),
		      "mmap(private,nonfixed) ret model=hint kernel=other"));
	/* The same bug at other addresses gives the same string. */
	c.req_addr = 0;
	CHECK(!strcmp(sig_of(DIV_RET, oc(0x7ffff7fe0000, 0, 0),
			     oc(0x7ffff7ff0000, 0, 0), &c),
		      "mmap(private,nonfixed) ret model=other kernel=other "
		      "(kernel higher)"));
	/* ... and with other flags outside the class. */
	c.flags |= MAP_POPULATE | MAP_NORESERVE;
	CHECK(!strcmp(sig_of(DIV_RET, oc(0x7fff00000000, 0, 0),
			     oc(0x7fff10000000, 0, 0), &c),
		      "mmap(private,nonfixed) ret model=other kernel=other "
		      "(kernel higher)"));
	c.kind = OP_MUNMAP;
	CHECK(!strcmp(sig_of(DIV_ERRNO, oc(0, 0, 0), oc(-1, EINVAL, 0), &c),
		      "munmap errno model=0 kernel=EINVAL"));
	CHECK(!strcmp(sig_of(DIV_SKIPPED, oc(0, 0, 0), oc(0, 0, 0), &c),
		      "munmap skipped model=0 kernel=0"));
}

TEST(op_classes)
{
	char b[64];

	op_class_str(OP_MMAP, 0, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, b,
		     sizeof(b));
	CHECK(!strcmp(b, "(private,fixed)"));
	op_class_str(OP_MMAP, 0, MAP_SHARED_VALIDATE | MAP_FIXED_NOREPLACE, b,
		     sizeof(b));
	CHECK(!strcmp(b, "(validate,noreplace,fd)"));
	op_class_str(OP_MMAP, 0, 0x08 | MAP_ANONYMOUS | MAP_LOCKED, b,
		     sizeof(b));
	CHECK(!strcmp(b, "(droppable,nonfixed)"));
	op_class_str(OP_MMAP, 0, 0x0f | MAP_ANONYMOUS, b, sizeof(b));
	CHECK(!strcmp(b, "(badtype,nonfixed)"));
	op_class_str(OP_MPROTECT, PROT_READ, 0, b, sizeof(b));
	CHECK(!strcmp(b, ""));
	op_class_str(OP_MPROTECT, PROT_READ | PROT_GROWSDOWN, 0, b, sizeof(b));
	CHECK(!strcmp(b, "(growsdown)"));
	op_class_str(OP_MPROTECT, PROT_READ | 0x10, 0, b, sizeof(b));
	CHECK(!strcmp(b, "(badprot)"));
	op_class_str(OP_TOUCH, 7, 7, b, sizeof(b));
	CHECK(!strcmp(b, ""));
}

TEST(subclasses)
{
	struct outcome ok = oc(0, 0, 0), enomem = oc(-1, ENOMEM, 0);
	struct outcome einval = oc(-1, EINVAL, 0), segv = oc(1, 0, SIGSEGV);

	CHECK(!strcmp(div_subclass(DIV_ERRNO, &enomem, &ok, NULL),
		      "model_fails"));
	CHECK(!strcmp(div_subclass(DIV_ERRNO, &ok, &einval, NULL),
		      "kernel_fails"));
	CHECK(!strcmp(div_subclass(DIV_ERRNO, &enomem, &einval, NULL),
		      "both_fail"));
	CHECK(!strcmp(div_subclass(DIV_SIGNAL, &ok, &segv, NULL),
		      "kernel_faults"));
	CHECK(!strcmp(div_subclass(DIV_RET, &segv, &ok, NULL),
		      "kernel_lower"));
	CHECK(!strcmp(div_subclass(DIV_LAYOUT, &ok, &ok,
				   "mprotect layout prot model=r-- kernel=rw-"),
		      "prot"));
	CHECK(!strcmp(div_subclass(DIV_LAYOUT, &ok, &ok,
				   "mmap(private,fixed) layout vmas model=more "
				   "kernel=fewer"),
		      "vmas"));
	CHECK(!strcmp(div_subclass(DIV_LAYOUT, &ok, &ok, "munmap layout digest"),
		      "digest"));
}

TEST(data_signature_classes)
{
	struct div_context c;
	struct outcome m = oc(2, 0, 0), k = oc(2, 0, 0);
	uint8_t zeros[2] = { 0, 0 }, bytes[2] = { 5, 6 };

	memset(&c, 0, sizeof(c));
	c.kind = OP_READ;
	m.data = XXH3_64bits(zeros, 2);
	k.data = XXH3_64bits(bytes, 2);
	CHECK(!strcmp(sig_of(DIV_DATA, m, k, &c),
		      "read data model=zeros kernel=written"));
	m.data = XXH3_64bits(zeros, 1);
	k.data = XXH3_64bits(bytes, 2);
	CHECK(!strcmp(sig_of(DIV_DATA, m, k, &c),
		      "read data model=written kernel=written (other bytes)"));
}

TEST(layout_signatures)
{
	struct snapshot a, b;
	struct div_context c;
	struct snap_vma v1 = vma(W, W + 0x4000, PROT_READ | PROT_WRITE);
	struct snap_vma v2 = vma(W, W + 0x1000, PROT_READ | PROT_WRITE);
	struct snap_vma v3 = vma(W + 0x1000, W + 0x4000, PROT_READ);

	snapshot_init(&a);
	snapshot_init(&b);
	memset(&c, 0, sizeof(c));
	c.kind = OP_MPROTECT;
	CHECK(!strcmp(sig_of(DIV_LAYOUT, oc(0, 0, 0), oc(0, 0, 0), &c),
		      "mprotect layout digest"));
	c.model_snap = &a;
	c.kernel_snap = &b;
	snapshot_push(&a, &v1);
	snapshot_push(&b, &v2);
	snapshot_push(&b, &v3);
	CHECK(!strcmp(sig_of(DIV_LAYOUT, oc(0, 0, 0), oc(0, 0, 0), &c),
		      "mprotect layout vmas model=fewer kernel=more"));
	snapshot_clear(&a);
	snapshot_push(&a, &v2);
	v3.prot = PROT_NONE;
	snapshot_push(&a, &v3);
	CHECK(!strcmp(sig_of(DIV_LAYOUT, oc(0, 0, 0), oc(0, 0, 0), &c),
		      "mprotect layout prot model=--- kernel=r--"));
	snapshot_free(&a);
	snapshot_free(&b);
}

/* The VmFlags of a private anonymous rw- VMA: rd wr mr mw me, and ac
 * (accounted) or nr (MAP_NORESERVE). */
#define VF_RW (VMF(VMF_READ) | VMF(VMF_WRITE) | VMF(VMF_MAYREAD) | \
	       VMF(VMF_MAYWRITE) | VMF(VMF_MAYEXEC))

TEST(vmflags_signatures)
{
	struct snapshot a, b;
	struct div_context c;
	struct snap_vma v1 = vma(W, W + 0x4000, PROT_READ | PROT_WRITE);
	struct snap_vma v2 = vma(W + 0x8000, W + 0xa000, PROT_READ | PROT_WRITE);
	struct outcome ok = oc(0, 0, 0);

	snapshot_init(&a);
	snapshot_init(&b);
	memset(&c, 0, sizeof(c));
	c.kind = OP_MMAP;
	c.flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
	CHECK(!strcmp(div_field_name(DIV_VMFLAGS), "vmflags"));
	CHECK(!strcmp(sig_of(DIV_VMFLAGS, ok, ok, &c),
		      "mmap(private,fixed) vmflags digest"));
	c.model_snap = &a;
	c.kernel_snap = &b;
	/*
	 *   W+0      W+4   W+8    W+a
	 *   [ rw ac ]      [ rw  ]   model: ac,       kernel: nr lo
	 */
	v1.vmflags = VF_RW | VMF(VMF_ACCOUNT);
	snapshot_push(&a, &v1);
	snapshot_push(&b, &v1);
	v2.vmflags = VF_RW | VMF(VMF_ACCOUNT);
	snapshot_push(&a, &v2);
	v2.vmflags = VF_RW | VMF(VMF_NORESERVE) | VMF(VMF_LOCKED);
	snapshot_push(&b, &v2);
	/* kernel-only bits (+) then model-only ones (-), in bit order */
	CHECK(!strcmp(sig_of(DIV_VMFLAGS, ok, ok, &c),
		      "mmap(private,fixed) vmflags +lo +nr -ac"));
	CHECK(!strcmp(div_subclass(DIV_VMFLAGS, &ok, &ok,
				   "mmap(private,fixed) vmflags +lo +nr -ac"),
		      "mixed"));
	CHECK(!strcmp(div_subclass(DIV_VMFLAGS, &ok, &ok,
				   "madvise(102) vmflags +gu"),
		      "kernel_more"));
	CHECK(!strcmp(div_subclass(DIV_VMFLAGS, &ok, &ok,
				   "mlock vmflags -lo"),
		      "model_more"));
	/* only the model's VMA has a bit: "-" alone */
	b.v[1].vmflags = VF_RW;
	CHECK(!strcmp(sig_of(DIV_VMFLAGS, ok, ok, &c),
		      "mmap(private,fixed) vmflags -ac"));
	snapshot_free(&a);
	snapshot_free(&b);
}

TEST(vma_lines_and_diff)
{
	struct snap_vma v = vma(W, W + 0x4000, PROT_READ | PROT_WRITE);
	struct snapshot a, b;
	char line[128], *out = NULL;
	size_t outlen = 0;
	FILE *f;

	report_vma_str(&v, line, sizeof(line));
	CHECK(!strcmp(line, "100000000000-100000004000 rw- p 0 anon"));
	v.shared = 1;
	v.backing = SNAP_SHMEM;
	v.object = 1;
	report_vma_str(&v, line, sizeof(line));
	CHECK(!strcmp(line, "100000000000-100000004000 rw- s 0 shmem/1"));

	snapshot_init(&a);
	snapshot_init(&b);
	v = vma(W, W + 0x1000, PROT_READ);
	snapshot_push(&a, &v);
	snapshot_push(&b, &v);
	v = vma(W + 0x1000, W + 0x4000, PROT_READ);
	snapshot_push(&a, &v);
	v = vma(W + 0x1000, W + 0x2000, PROT_READ);
	snapshot_push(&b, &v);
	v = vma(W + 0x2000, W + 0x4000, PROT_NONE);
	snapshot_push(&b, &v);
	f = open_memstream(&out, &outlen);
	CHECK_EQ(report_layout_diff(f, &a, &b), 2);
	fclose(f);
	CHECK(strstr(out, "  100000000000-100000001000 r-- p 0 anon") != NULL);
	CHECK(strstr(out, "! 100000001000-100000004000 r-- p 0 anon") != NULL);
	CHECK(strstr(out, "| 100000002000-100000004000 --- p 0 anon") != NULL);
	if (test_cur_failed)
		fputs(out, stderr);
	free(out);
	snapshot_free(&a);
	snapshot_free(&b);
}

TEST(outcome_strings)
{
	struct outcome o = oc(-1, ENOMEM, 0);
	char s[128];

	report_outcome_str(OP_MPROTECT, &o, s, sizeof(s));
	CHECK(!strcmp(s, "ret=-1 ENOMEM"));
	o = oc((int64_t)W, 0, 0);
	report_outcome_str(OP_MMAP, &o, s, sizeof(s));
	CHECK(!strcmp(s, "ret=0x100000000000"));
	o = oc(2, 0, SIGBUS);
	report_outcome_str(OP_TOUCH, &o, s, sizeof(s));
	CHECK(!strcmp(s, "ret=2 SIGBUS"));
	o = oc(0, 0, 0);
	o.skipped = 1;
	report_outcome_str(OP_MUNMAP, &o, s, sizeof(s));
	CHECK(!strcmp(s, "skipped"));
}

TEST(report_marks_the_divergent_op)
{
	struct prog *p = calloc(1, sizeof(*p));
	struct verdict *v = calloc(1, sizeof(*v));
	struct report_input r;
	char *out = NULL;
	size_t outlen = 0;
	FILE *f;

	p->nops = 2;
	p->ops[0].kind = OP_MMAP;
	p->ops[0].repeat = 1;
	p->ops[0].prot = PROT_READ | PROT_WRITE;
	p->ops[0].flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
	p->ops[0].len.pages = 4;
	p->ops[1].kind = OP_MPROTECT;
	p->ops[1].repeat = 1;
	p->ops[1].prot = PROT_READ;
	p->ops[1].addr.page = 1;
	p->ops[1].len.pages = 1;
	v->kind = VERDICT_DIVERGE;
	v->op = 1;
	v->field = DIV_ERRNO;
	v->ncompared = 2;
	v->kernel_nops = 2;
	v->model[0] = v->kernel[0] = oc((int64_t)W, 0, 0);
	v->model[1] = oc(-1, ENOMEM, 0);
	v->kernel[1] = oc(0, 0, 0);
	memset(&r, 0, sizeof(r));
	r.prog = p;
	r.v = v;
	r.signature = "mprotect errno model=ENOMEM kernel=0";
	r.release = "6.18.44-test";
	f = open_memstream(&out, &outlen);
	report_print(f, &r);
	fclose(f);
	CHECK(strstr(out, "kernel:    6.18.44-test") != NULL);
	CHECK(strstr(out, ">>>  1  mprotect") != NULL);
	CHECK(strstr(out, "     0  mmap") != NULL);
	CHECK(strstr(out, "ret=-1 ENOMEM") != NULL);
	CHECK(strstr(out, "signature: mprotect errno model=ENOMEM kernel=0") !=
	      NULL);
	if (test_cur_failed)
		fputs(out, stderr);
	free(out);
	free(p);
	free(v);
}

TEST(report_shows_differing_vmflags)
{
	struct prog *p = calloc(1, sizeof(*p));
	struct verdict *v = calloc(1, sizeof(*v));
	struct snap_vma x = vma(W, W + 0x2000, PROT_READ | PROT_WRITE);
	struct snapshot a, b;
	struct report_input r;
	char *out = NULL;
	size_t outlen = 0;
	FILE *f;

	snapshot_init(&a);
	snapshot_init(&b);
	p->nops = 1;
	p->ops[0].kind = OP_MMAP;
	p->ops[0].repeat = 1;
	p->ops[0].prot = PROT_READ | PROT_WRITE;
	p->ops[0].flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
			  MAP_NORESERVE;
	p->ops[0].len.pages = 2;
	v->kind = VERDICT_DIVERGE;
	v->op = 0;
	v->field = DIV_VMFLAGS;
	v->ncompared = 1;
	v->kernel_nops = 1;
	v->model[0] = v->kernel[0] = oc((int64_t)W, 0, 0);
	x.vmflags = VF_RW | VMF(VMF_ACCOUNT);
	snapshot_push(&a, &x);
	x.vmflags = VF_RW | VMF(VMF_NORESERVE);
	snapshot_push(&b, &x);
	memset(&r, 0, sizeof(r));
	r.prog = p;
	r.v = v;
	r.signature = "mmap(private,fixed) vmflags +nr -ac";
	r.release = "6.18.44-test";
	r.model_after = &a;
	r.kernel_after = &b;
	f = open_memstream(&out, &outlen);
	report_print(f, &r);
	fclose(f);
	CHECK(strstr(out, "divergent: op 0 (mmap), field vmflags") != NULL);
	CHECK(strstr(out, "(VmFlags differ)") != NULL);
	CHECK(strstr(out, "~   VmFlags only in model: ac; only in kernel: nr") !=
	      NULL);
	CHECK(strstr(out, "VmFlags after op 0 where they differ:") != NULL);
	CHECK(strstr(out, "  rd wr mr mw me ac") != NULL);
	CHECK(strstr(out, "| rd wr mr mw me nr") != NULL);
	if (test_cur_failed)
		fputs(out, stderr);
	free(out);
	out = NULL;
	f = open_memstream(&out, &outlen);
	report_print_json(f, &r, "x.vma", NULL);
	fclose(f);
	CHECK(strstr(out, "\"field\":\"vmflags\"") != NULL);
	CHECK(strstr(out, "\"subclass\":\"mixed\"") != NULL);
	CHECK(strstr(out, "\"vmflags\":[\"rd\",\"wr\",\"mr\",\"mw\",\"me\","
			  "\"nr\"]") != NULL);
	if (test_cur_failed)
		fputs(out, stderr);
	free(out);
	snapshot_free(&a);
	snapshot_free(&b);
	free(p);
	free(v);
}

int main(void)
{
	RUN(compare_field_order);
	RUN(signatures_are_abstract);
	RUN(op_classes);
	RUN(subclasses);
	RUN(data_signature_classes);
	RUN(layout_signatures);
	RUN(vmflags_signatures);
	RUN(vma_lines_and_diff);
	RUN(outcome_strings);
	RUN(report_marks_the_divergent_op);
	RUN(report_shows_differing_vmflags);
	return test_summary();
}
