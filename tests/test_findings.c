// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of what handles findings without running anything: the JSON
 * writer (commas, escaping, invalid UTF-8), suppression files (format,
 * errors, glob matching) and the reproducer generator's text (a program
 * becomes one block per op, with the executor's skips). The end-to-end
 * tests are tests/test_repro.sh, test_minimize.sh and test_triage.sh.
 */
#include <string.h>
#include <sys/mman.h>

#include "../oracle/json.h"
#include "../oracle/repro.h"
#include "../oracle/suppress.h"
#include "test.h"

/* Runs fn on a memstream; returns the text (static). */
static const char *capture(void (*fn)(FILE *f))
{
	static char out[4096];
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	fn(f);
	fclose(f);
	snprintf(out, sizeof(out), "%s", buf);
	free(buf);
	return out;
}

static void nested(FILE *f)
{
	struct json j;

	json_init(&j, f);
	json_open(&j, '{');
	json_key(&j, "a");
	json_int(&j, -3);
	json_key(&j, "b");
	json_open(&j, '[');
	json_bool(&j, 1);
	json_null(&j);
	json_open(&j, '{');
	json_close(&j, '}');
	json_open(&j, '[');
	json_close(&j, ']');
	json_strf(&j, "x%d", 7);
	json_close(&j, ']');
	json_key(&j, "c");
	json_str(&j, "");
	json_close(&j, '}');
}

static void escapes(FILE *f)
{
	json_write_string(f, "q\"b\\n\nt\tc\001d\177 \xc3\xa9 \xe2\x82\xac "
			     "\xf0\x9f\x98\x80 bad\xff \xc0\xaf \xed\xa0\x80 "
			     "cut\xe2\x82");
}

TEST(json_structure)
{
	CHECK(!strcmp(capture(nested),
		      "{\"a\":-3,\"b\":[true,null,{},[],\"x7\"],\"c\":\"\"}"));
}

TEST(json_escaping)
{
	/* Valid UTF-8 passes through; invalid bytes, overlong forms,
	 * surrogates and truncated sequences become U+FFFD. */
	CHECK(!strcmp(capture(escapes),
		      "\"q\\\"b\\\\n\\nt\\tc\\u0001d\177 \xc3\xa9 \xe2\x82\xac "
		      "\xf0\x9f\x98\x80 bad\\ufffd \\ufffd\\ufffd "
		      "\\ufffd\\ufffd\\ufffd cut\\ufffd\\ufffd\""));
}

TEST(glob)
{
	CHECK(glob_match("mmap*", "mmap(private,fixed) errno"));
	CHECK(glob_match("*errno model=ENOMEM kernel=?",
			 "mprotect errno model=ENOMEM kernel=0"));
	CHECK(glob_match("*", ""));
	CHECK(glob_match("a*b*c", "aXXbYYbc"));
	CHECK(!glob_match("a*b*c", "aXXbYYb"));
	CHECK(!glob_match("mmap", "mmap(private,fixed)"));
	/* Brackets and parentheses are plain characters. */
	CHECK(glob_match("mmap(private,*) ret *", "mmap(private,nonfixed) ret x"));
	CHECK(!glob_match("[m]map", "mmap"));
}

TEST(suppression_file)
{
	struct suppressions s;
	const struct suppression *m;
	char err[256];

	CHECK_EQ(suppressions_parse(&s,
				    "# comment | not an entry\n"
				    "\n"
				    "  mmap(*) ret * | placement (issue 12) \r\n"
				    "munmap errno model=0 kernel=EINVAL|kernel "
				    "6.1 quirk | with a bar\n",
				    err, sizeof(err)),
		 0);
	CHECK_EQ(s.n, 2);
	m = suppressions_match(&s, "mmap(private,nonfixed) ret model=hint "
				   "kernel=other");
	CHECK(m && !strcmp(m->reason, "placement (issue 12)") && m->line == 3);
	m = suppressions_match(&s, "munmap errno model=0 kernel=EINVAL");
	CHECK(m && !strcmp(m->reason, "kernel 6.1 quirk | with a bar"));
	CHECK(!suppressions_match(&s, "munmap errno model=0 kernel=ENOMEM"));
	suppressions_free(&s);

	CHECK_EQ(suppressions_parse(&s, "ok | fine\nno bar here\n", err,
				    sizeof(err)),
		 -1);
	CHECK(!strncmp(err, "2: ", 3));
	CHECK_EQ(s.n, 0);
	CHECK_EQ(suppressions_parse(&s, "sig |  \n", err, sizeof(err)), -1);
	CHECK_EQ(suppressions_parse(&s, " | reason\n", err, sizeof(err)), -1);
}

/* VmFlags signatures name the flags by mnemonic, so that an entry (or a
 * triage bucket) can hold one flag's divergences whatever the op. */
TEST(vmflags_signatures_suppress_by_flag)
{
	struct suppressions s;
	char err[256];

	CHECK_EQ(suppressions_parse(&s, "* vmflags *+gu* | guard regions\n"
					"mmap(*) vmflags +nr -ac | overcommit\n",
				    err, sizeof(err)),
		 0);
	CHECK(suppressions_match(&s, "madvise(102) vmflags +gu") == &s.v[0]);
	CHECK(suppressions_match(&s, "mremap(maymove) vmflags +gu -lo") ==
	      &s.v[0]);
	CHECK(suppressions_match(&s, "mmap(private,fixed) vmflags +nr -ac") ==
	      &s.v[1]);
	CHECK(!suppressions_match(&s, "mmap(private,fixed) vmflags -gu"));
	CHECK(!suppressions_match(&s, "mmap(private,fixed) layout vmflags"));
	suppressions_free(&s);
}

TEST(shipped_suppressions_parse)
{
	struct suppressions s;
	char err[256];

	CHECK_EQ(suppressions_load(&s, "corpus/suppressions", err, sizeof(err)),
		 0);
	suppressions_free(&s);
}

/* A three-op program: a non-fixed mmap, a bulk mprotect relative to it,
 * a read the executor skipped (near its own memory, just above). */
static struct prog rp;
static struct outcome model_out[3], kernel_out[3];
static const struct range own = { 0x7ffff0004000ull, 0x7ffff0005000ull };

static void gen(FILE *f)
{
	struct snapshot empty = { 0 };
	struct repro_input in = {
		.prog = &rp, .source = "t.vma", .div_op = -1,
		.release = "6.18.0", .model_kver = 0x061200,
		.model = model_out, .kernel = kernel_out, .layout_op = 2,
		.layout = &empty, .exec_own = &own, .nexec_own = 1,
	};

	repro_write(f, &in);
}

static const char *generated(void)
{
	static char out[1 << 17];
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	gen(f);
	fclose(f);
	snprintf(out, sizeof(out), "%s", buf);
	free(buf);
	return out;
}

TEST(repro_text)
{
	const char *c;

	memset(&rp, 0, sizeof(rp));
	rp.nops = 3;
	rp.ops[0] = (struct prog_op){ .kind = OP_MMAP, .prot = 3, .repeat = 1,
				      .flags = MAP_PRIVATE | MAP_ANONYMOUS,
				      .addr = { .kind = ADDR_RAW },
				      .len = { .pages = 4 } };
	rp.ops[1] = (struct prog_op){ .kind = OP_MPROTECT, .prot = 1,
				      .repeat = 2, .stride = 2,
				      .addr = { .kind = ADDR_REF, .ref = 0 },
				      .len = { .pages = 1 } };
	rp.ops[2] = (struct prog_op){ .kind = OP_READ, .repeat = 1,
				      .addr = { .kind = ADDR_REF, .ref = 0,
						.page = 4 },
				      .len = { .pages = 1 } };
	kernel_out[0].ret = model_out[0].ret = 0x7fffeffff000;
	kernel_out[2].skipped = model_out[2].skipped = 1;
	c = generated();
	CHECK(strstr(c, " *       0  mmap 0 4 rw PRIVATE|ANONYMOUS\n"));
	CHECK(strstr(c, "\t/* op 0: mmap 0 4 rw PRIVATE|ANONYMOUS */\n"
			"\taddr = 0x0ull;\n"));
	CHECK(strstr(c, "PLACED, addr,\n"));
	CHECK(strstr(c, "\tfor (rep = 0; rep < 2; rep++) {\n"
			"\t\taddr = result(0) + 0x0ull + rep * 0x2000ull;\n"));
	CHECK(strstr(c, "the executor skipped it (it came near its own "
			"memory): so do we */\n"));
	/* Nothing reads: no digest code; the read was skipped. */
	CHECK(!strstr(c, "xxh3"));
	CHECK(strstr(c, "expect_layout(2);"));
	if (test_cur_failed)
		fprintf(stderr, "%s", c);
}

int main(void)
{
	RUN(json_structure);
	RUN(json_escaping);
	RUN(glob);
	RUN(suppression_file);
	RUN(vmflags_signatures_suppress_by_flag);
	RUN(shipped_suppressions_parse);
	RUN(repro_text);
	return test_summary();
}
