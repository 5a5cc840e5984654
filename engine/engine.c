// SPDX-License-Identifier: GPL-2.0
/* The differential driver (engine.h). */
#include "engine.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../harness/client.h"
#include "../oracle/report.h"

#define PAGE_ALIGN_UP(x) (((x) + PROG_PAGE_SIZE - 1) & ~(PROG_PAGE_SIZE - 1))

struct engine {
	struct engine_opts opts;
	struct executor *ex;
	struct exec_shm *shm;
	unsigned generation;	/* executor_generation() the facts are from */
	enum exec_snap_mode snap_mode; /* in effect */
	struct exec_facts facts;
	struct model_config cfg;
	struct model *model;
	struct range foreign[EXEC_MAX_FOREIGN];
	unsigned nforeign;
	struct snapshot snap; /* per-op model snapshot, reused */
	/* VmFlags checks: the model's layout after the last op, and the
	 * kernel's full snapshot; outs for the model's reruns */
	struct snapshot model_end, kernel_full;
	struct outcome outs[PROG_MAX_OPS];
	struct engine_stats stats;
	char notes[512];
};

void engine_opts_default(struct engine_opts *o)
{
	const char *t = getenv("VMADIFF_TIMEOUT_MS");
	const char *vf = getenv("VMADIFF_VMFLAGS");

	memset(o, 0, sizeof(*o));
	/* per-program watchdog; a VM's init raises it (slow emulation) */
	o->timeout_ms = t ? (unsigned)strtoul(t, NULL, 10) : 0;
	if (!o->timeout_ms)
		o->timeout_ms = 10000;
	o->snap_mode = EXEC_SNAP_QUERY;
	o->infra_retries = 1;
	/* so that the fuzzer and replay (and a VM's init) share one knob */
	o->kernel_version = getenv("VMADIFF_KERNEL_VERSION");
	o->vmflags = !vf || strcmp(vf, "0");
}

/* --- facts -> model ----------------------------------------------------- */

#define CFG_U64(name) { #name, offsetof(struct model_config, name), 8 }
#define CFG_U8(name) { #name, offsetof(struct model_config, name), 1 }
static const struct {
	const char *key;
	size_t off;
	unsigned size;
} cfg_keys[] = {
	CFG_U64(task_size),	  CFG_U64(mmap_base),
	CFG_U64(mmap_legacy_base), CFG_U64(mmap_min_addr),
	CFG_U64(max_map_count),	  CFG_U64(stack_guard_gap),
	CFG_U64(rlimit_stack),	  CFG_U64(rlimit_memlock),
	CFG_U64(rlimit_memlock_max), CFG_U8(cap_sys_resource),
	CFG_U64(rlimit_as),
	CFG_U8(has_soft_dirty),
	CFG_U8(cap_ipc_lock),	  CFG_U8(cap_sys_rawio),
	CFG_U8(has_maybe_guard),  CFG_U8(has_mseal),
	CFG_U64(lsm_mmap_min_addr), CFG_U64(totalram_pages),
};

/* MemTotal + SwapTotal in pages (the OVERCOMMIT_GUESS limit): the
 * executor runs on this machine, so /proc/meminfo here is its. 0 if
 * unreadable. */
static uint64_t meminfo_pages(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[256];
	uint64_t kb, total = 0;
	int found = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "MemTotal: %" SCNu64 " kB", &kb) == 1 ||
		    sscanf(line, "SwapTotal: %" SCNu64 " kB", &kb) == 1) {
			total += kb;
			found++;
		}
	}
	fclose(f);
	return found ? total / (PROG_PAGE_SIZE / 1024) : 0;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || *end ? -1 : 0;
}

static int override_one(struct model_config *c, const char *key,
			const char *val, char *err, size_t errlen)
{
	int sign = 0;
	uint64_t v, cur;

	if (!strcmp(key, "kver")) {
		unsigned a, b, d = 0;
		int n = 0;

		if (sscanf(val, "%u.%u%n.%u%n", &a, &b, &n, &d, &n) < 2 ||
		    val[n] || a > 255 || b > 255 || d > 255) {
			snprintf(err, errlen, "kver: expected A.B[.C], found `%s'",
				 val);
			return -1;
		}
		c->kver = KVER(a, b, d);
		return 0;
	}
	if (!strcmp(key, "thp")) {
		if (!strcmp(val, "never") || !strcmp(val, "0"))
			c->thp = THP_NEVER;
		else if (!strcmp(val, "madvise") || !strcmp(val, "1"))
			c->thp = THP_MADVISE;
		else if (!strcmp(val, "always") || !strcmp(val, "2"))
			c->thp = THP_ALWAYS;
		else {
			snprintf(err, errlen,
				 "thp: expected never, madvise or always");
			return -1;
		}
		return 0;
	}
	if (*val == '+' || *val == '-')
		sign = *val++ == '+' ? 1 : -1;
	if (parse_u64(val, &v)) {
		snprintf(err, errlen, "%s: expected a number, found `%s'", key,
			 val);
		return -1;
	}
	if (!strcmp(key, "overcommit_memory")) {
		c->overcommit_memory = sign ? c->overcommit_memory +
						      sign * (int)v
					    : (int)v;
		return 0;
	}
	for (size_t i = 0; i < sizeof(cfg_keys) / sizeof(cfg_keys[0]); i++) {
		uint8_t *f = (uint8_t *)c + cfg_keys[i].off;

		if (strcmp(key, cfg_keys[i].key))
			continue;
		if (cfg_keys[i].size == 8)
			memcpy(&cur, f, 8);
		else
			cur = *f;
		v = sign > 0 ? cur + v : sign < 0 ? cur - v : v;
		if (cfg_keys[i].size == 8)
			memcpy(f, &v, 8);
		else
			*f = (uint8_t)v;
		return 0;
	}
	snprintf(err, errlen, "unknown model config key `%s'", key);
	return -1;
}

int engine_config_override(struct model_config *c, const char *spec,
			   char *err, size_t errlen)
{
	char buf[512], *save = NULL, *item;

	if (!spec)
		return 0;
	if (strlen(spec) >= sizeof(buf)) {
		snprintf(err, errlen, "model config override too long");
		return -1;
	}
	strcpy(buf, spec);
	for (item = strtok_r(buf, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');

		if (!eq) {
			snprintf(err, errlen, "expected KEY=VALUE, found `%s'",
				 item);
			return -1;
		}
		*eq = 0;
		if (override_one(c, item, eq + 1, err, errlen))
			return -1;
	}
	return 0;
}

static int config_from_facts(struct engine *e, char *err, size_t errlen)
{
	const struct exec_facts *f = &e->facts;
	struct model_config *c = &e->cfg;

	model_config_default(c);
	if (f->kver) /* else the probe failed: the model's default */
		c->kver = f->kver;
	c->page_size = PROG_PAGE_SIZE;
	c->task_size = f->task_size;
	c->mmap_base = f->mmap_base;
	/* arch_pick_mmap_layout() without randomisation: the bottom-up
	 * fallback starts at PAGE_ALIGN(TASK_SIZE / 3). With ASLR the real
	 * one is randomised and unknown to us. */
	c->mmap_legacy_base = PAGE_ALIGN_UP(f->task_size / 3);
	c->mmap_min_addr = f->mmap_min_addr;
	c->max_map_count = f->max_map_count;
	c->stack_guard_gap = f->stack_guard_gap;
	c->rlimit_stack = f->rlimit_stack;
	c->rlimit_memlock = f->rlimit_memlock;
	c->rlimit_memlock_max = f->rlimit_memlock_max;
	c->rlimit_as = f->rlimit_as;
	c->overcommit_memory = f->overcommit_memory;
	c->thp = f->thp == 2 ? THP_ALWAYS : f->thp == 1 ? THP_MADVISE : THP_NEVER;
	c->cap_ipc_lock = f->cap_ipc_lock;
	c->cap_sys_rawio = f->cap_sys_rawio;
	c->cap_sys_resource = f->cap_sys_resource;
	c->has_soft_dirty = f->has_soft_dirty;
	c->has_maybe_guard = f->has_maybe_guard;
	c->has_mseal = f->has_mseal;
	{
		uint64_t pages = meminfo_pages();

		if (pages)
			c->totalram_pages = pages;
	}

	e->notes[0] = 0;
	if (!f->aslr_off)
		snprintf(e->notes, sizeof(e->notes),
			 "note: ASLR is on in the executor: mmap_base is the "
			 "probed one; the bottom-up fallback base is unknown "
			 "(assumed TASK_SIZE/3)\n");
	if (e->opts.kernel_version && *e->opts.kernel_version &&
	    override_one(c, "kver", e->opts.kernel_version, err, errlen))
		return -1;
	if (engine_config_override(c, e->opts.config_override, err, errlen))
		return -1;
	if (e->opts.config_override && *e->opts.config_override) {
		size_t l = strlen(e->notes);

		snprintf(e->notes + l, sizeof(e->notes) - l,
			 "note: model config overridden: %s\n",
			 e->opts.config_override);
	}
	if (e->opts.config_hook)
		e->opts.config_hook(c, e->opts.config_arg);
	return 0;
}

static int build_model(struct engine *e, char *err, size_t errlen)
{
	unsigned n = e->facts.nforeign;

	if (n > EXEC_MAX_FOREIGN)
		n = EXEC_MAX_FOREIGN;
	if (config_from_facts(e, err, errlen))
		return -1;
	if (e->model)
		model_destroy(e->model);
	e->model = model_create(&e->cfg, e->facts.foreign, n);
	if (!e->model) {
		snprintf(err, errlen, "model_create failed");
		return -1;
	}
	e->nforeign = n;
	for (unsigned i = 0; i < n; i++) {
		e->foreign[i].start = e->facts.foreign[i].start;
		e->foreign[i].end = e->facts.foreign[i].end;
	}
	e->snap_mode = e->opts.snap_mode;
	if (e->snap_mode == EXEC_SNAP_QUERY && !e->facts.has_procmap_query)
		e->snap_mode = EXEC_SNAP_TEXT;
	return 0;
}

/* The facts that shape the model; a new worker normally has the same. */
static int facts_differ(const struct exec_facts *a, const struct exec_facts *b)
{
	if (a->nforeign != b->nforeign || a->mmap_base != b->mmap_base ||
	    a->task_size != b->task_size ||
	    a->max_map_count != b->max_map_count)
		return 1;
	return memcmp(a->foreign, b->foreign,
		      (a->nforeign < EXEC_MAX_FOREIGN ? a->nforeign
						      : EXEC_MAX_FOREIGN) *
			      sizeof(a->foreign[0])) != 0;
}

/* After any run: if a new worker came up with different facts (it should
 * not: workers fork from one supervisor), rebuild the model. */
static void sync_facts(struct engine *e)
{
	char err[64];

	if (executor_generation(e->ex) == e->generation)
		return;
	e->generation = executor_generation(e->ex);
	if (!facts_differ(&e->facts, &e->shm->facts))
		return;
	e->facts = e->shm->facts;
	e->stats.model_rebuilds++;
	if (build_model(e, err, sizeof(err)))
		abort(); /* out of memory */
}

static int start_executor(struct engine *e, char *err, size_t errlen)
{
	e->ex = executor_start(e->opts.executor_path, e->opts.timeout_ms, err,
			       errlen);
	if (!e->ex)
		return -1;
	e->shm = executor_shm(e->ex);
	e->generation = executor_generation(e->ex);
	return 0;
}

struct engine *engine_init(const struct engine_opts *o, char *err,
			   size_t errlen)
{
	struct engine *e = calloc(1, sizeof(*e));

	if (!e) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (o)
		e->opts = *o;
	else
		engine_opts_default(&e->opts);
	if (!e->opts.timeout_ms)
		e->opts.timeout_ms = 10000;
	snapshot_init(&e->snap);
	snapshot_init(&e->model_end);
	snapshot_init(&e->kernel_full);
	if (start_executor(e, err, errlen)) {
		free(e);
		return NULL;
	}
	e->facts = e->shm->facts;
	if (build_model(e, err, errlen)) {
		executor_stop(e->ex);
		free(e);
		return NULL;
	}
	return e;
}

void engine_fini(struct engine *e)
{
	if (!e)
		return;
	if (e->ex)
		executor_stop(e->ex);
	if (e->model)
		model_destroy(e->model);
	snapshot_free(&e->snap);
	snapshot_free(&e->model_end);
	snapshot_free(&e->kernel_full);
	free(e);
}

/* --- the model side: the executor's op semantics (harness/prog.c) ------ */

void engine_model_op(struct engine *e, const struct prog *p, unsigned idx,
		     struct outcome *outs)
{
	model_prog_op(e->model, e->foreign, e->nforeign, p, idx, outs);
}

void model_prog_op(struct model *m, const struct range *foreign,
		   unsigned nforeign, const struct prog *p, unsigned idx,
		   struct outcome *outs)
{
	const struct prog_op *op = &p->ops[idx];
	uint64_t len = prog_len_bytes(&op->len);
	unsigned repeat = op->repeat ? op->repeat : 1;
	struct outcome res;

	memset(&res, 0, sizeof(res));
	/* The executor creates the program's memfds before its first op. */
	if (idx == 0)
		for (unsigned k = 0; k < p->nfiles && k < PROG_MAX_FILES; k++)
			model_memfd(m, k, PROG_FILE_FD_BASE + (int)k,
				    p->files[k].size, p->files[k].ro,
				    p->files[k].fill);
	for (unsigned rep = 0; rep < repeat; rep++) {
		uint64_t addr = prog_resolve_addr(p, idx, rep, outs);
		uint64_t addr2 = prog_resolve_addr2(p, idx, rep, outs);
		struct outcome o;

		memset(&o, 0, sizeof(o));
		/* The same guard the executor applies (harness/prog.c). */
		if (prog_op_is_foreign(op, addr, addr2, foreign, nforeign))
			goto skip;
		switch (op->kind) {
		case OP_MMAP:
			model_mmap(m, addr, len, op->prot, op->flags,
				   op->fd ? PROG_FILE_FD_BASE + op->fd - 1 : -1,
				   op->off, &o);
			break;
		case OP_MUNMAP:
			model_munmap(m, addr, len, &o);
			break;
		case OP_MPROTECT:
			model_mprotect(m, addr, len, op->prot, &o);
			break;
		case OP_TOUCH:
			model_touch(m, addr, prog_touch_pages(&op->len),
				    (idx << 16) | rep, &o);
			break;
		case OP_READ:
			model_read(m, addr, prog_touch_pages(&op->len), &o);
			break;
		case OP_MREMAP:
			model_mremap(m, addr, len, prog_len_bytes(&op->len2),
				     op->flags, addr2, &o);
			break;
		case OP_MADVISE:
			model_madvise(m, addr, len, op->flags, &o);
			break;
		case OP_MLOCK:
			model_mlock2(m, addr, len, op->flags, &o);
			break;
		case OP_MUNLOCK:
			model_munlock(m, addr, len, &o);
			break;
		case OP_MSEAL:
			model_mseal(m, addr, len, op->flags, &o);
			break;
		case OP_MLOCKALL:
			model_mlockall(m, op->flags, &o);
			break;
		case OP_MUNLOCKALL:
			model_munlockall(m, &o);
			break;
		case OP_MEMLOCK_LIMIT:
			model_memlock_limit(m, len, &o);
			break;
		case OP_DROP_IPC_LOCK:
			model_drop_ipc_lock(m, &o);
			break;
		case OP_FORK:
			model_fork(m, &o);
			break;
		default:
			goto skip; /* not reachable for a valid program */
		}
		o.pad = 0;
		res = o;
		if (o.ret == -1 || o.sig)
			break;
		continue;
skip:
		memset(&res, 0, sizeof(res));
		res.skipped = 1;
		break;
	}
	outs[idx] = res;
}

void engine_model_all(struct engine *e, const struct prog *p, int snap_at,
		      struct outcome *outs, struct snapshot *snap)
{
	model_reset(e->model);
	for (unsigned i = 0; i < p->nops; i++) {
		engine_model_op(e, p, i, outs);
		if ((int)i == snap_at)
			model_snapshot(e->model, snap, 0);
	}
	model_reset(e->model);
}

/* Without vmflags the snapshot's are all 0, so the one-shot hash of the
 * array (with_vmflags) is the value snapshot_digest(s, 0) computes VMA by
 * VMA, and the executor's, at a fraction of the cost. */
static uint64_t model_digest(struct engine *e)
{
	snapshot_clear(&e->snap);
	model_snapshot(e->model, &e->snap, 0);
	return snapshot_digest(&e->snap, 1);
}

/* --- the kernel side ---------------------------------------------------- */

static const char *status_msg(enum exec_status st)
{
	switch (st) {
	case EXEC_OK:
		return "ok";
	case EXEC_DIED:
		return "worker died mid-program";
	case EXEC_TIMEOUT:
		return "worker timed out (killed)";
	case EXEC_BROKEN:
		return "executor is gone";
	}
	return "executor status?";
}

/* The kernel side, in two halves so that the model can run in between:
 * kernel_begin starts one run of p (p is copied to the shm; the full
 * snapshot at full_at carries smaps VmFlags if vmflags is set) and
 * kernel_end waits for it, with retries and restarts. */
static enum exec_status kernel_begin(struct engine *e, const struct prog *p,
				     int full_at, int vmflags)
{
	if (!e->ex) {
		char err[160];

		e->stats.restarts++;
		if (start_executor(e, err, sizeof(err)))
			return EXEC_BROKEN;
		/* Force a facts check against the new executor. */
		e->generation = 0;
	}
	e->shm->prog = *p;
	e->shm->snap_mode = e->snap_mode;
	e->shm->full_at = full_at;
	e->shm->with_vmflags = vmflags;
	e->shm->isolate = e->opts.isolate;
	return executor_begin(e->ex);
}

static enum exec_status kernel_end(struct engine *e, const struct prog *p,
				   int full_at, int vmflags,
				   enum exec_status st)
{
	for (unsigned tries = 0;; tries++) {
		if (!e->ex)
			return EXEC_BROKEN; /* could not restart it */
		if (st == EXEC_OK)
			st = executor_wait(e->ex);
		if (st == EXEC_OK && e->shm->nops_done != p->nops)
			st = EXEC_BROKEN; /* protocol error: treat as gone */
		sync_facts(e);
		if (st == EXEC_OK) {
			e->stats.rechecks += e->shm->rechecked;
			return st;
		}
		e->stats.infra_errors++;
		if (st == EXEC_BROKEN) {
			executor_stop(e->ex);
			e->ex = NULL;
			e->shm = NULL;
		}
		if (tries == e->opts.infra_retries)
			return st;
		st = kernel_begin(e, p, full_at, vmflags);
	}
}

static enum exec_status kernel_run(struct engine *e, const struct prog *p,
				   int full_at, int vmflags)
{
	return kernel_end(e, p, full_at, vmflags,
			  kernel_begin(e, p, full_at, vmflags));
}

/* The model side of engine_run; with end, also the layout after the last
 * op with VmFlags into e->model_end. */
static void run_model(struct engine *e, const struct prog *p,
		      struct verdict *v, int end)
{
	for (unsigned i = 0; i < p->nops; i++) {
		engine_model_op(e, p, i, v->model);
		v->model_digest[i] = e->snap_mode != EXEC_SNAP_NONE ?
					     model_digest(e) : 0;
	}
	if (end)
		model_snapshot(e->model, &e->model_end, 1);
	model_reset(e->model);
}

void engine_run_model(struct engine *e, const struct prog *p,
		      struct verdict *v)
{
	run_model(e, p, v, 0);
}

static void copy_full(struct engine *e, struct snapshot *s)
{
	uint32_t n = e->shm->full_n;

	if (n > EXEC_MAX_SNAP)
		n = EXEC_MAX_SNAP;
	snapshot_clear(s);
	for (uint32_t i = 0; i < n; i++)
		snapshot_push(s, &e->shm->full[i]);
}

/* Takes the kernel's results of p from the shm and compares them with
 * the model's, op by op, into v. */
static void compare_run(struct engine *e, const struct prog *p,
			struct verdict *v)
{
	unsigned n = p->nops;

	v->kernel_nops = n;
	memcpy(v->kernel, e->shm->out, n * sizeof(v->kernel[0]));
	memcpy(v->kernel_digest, e->shm->digest, n * sizeof(v->kernel_digest[0]));
	v->kind = VERDICT_AGREE;
	v->op = -1;
	v->field = DIV_NONE;
	for (unsigned i = 0; i < n; i++) {
		enum div_field f;

		v->kernel[i].pad = 0;
		if (e->snap_mode == EXEC_SNAP_NONE)
			v->kernel_digest[i] = 0;
		v->ncompared = i + 1;
		f = compare_outcome(&v->model[i], &v->kernel[i]);
		if (f == DIV_NONE && v->model_digest[i] != v->kernel_digest[i])
			f = DIV_LAYOUT;
		if (f != DIV_NONE) {
			v->kind = VERDICT_DIVERGE;
			v->op = (int)i;
			v->field = f;
			return;
		}
	}
}

/*
 * The kernel's VmFlags after the last op differed from the model's (all
 * else agreed): reruns with VmFlags after op i = 0, 1, ... find the first
 * op after which they differ, and are the confirmation a difference needs
 * before v says DIV_VMFLAGS there (as a layout divergence needs a run
 * with full snapshots). A rerun whose outcomes or layouts differ from the
 * model's gives the verdict instead; if none shows a VmFlags difference,
 * v agrees (flaky kernel side). A rerun that fails (executor error) ends
 * the search with the first run's finding: op nops-1.
 */
static void locate_vmflags(struct engine *e, const struct prog *p,
			   struct verdict *v)
{
	unsigned i, at = p->nops - 1;

	model_reset(e->model);
	for (i = 0; i < p->nops; i++) {
		engine_model_op(e, p, i, e->outs);
		if (kernel_run(e, p, (int)i, 1) != EXEC_OK)
			break;
		compare_run(e, p, v);
		if (v->kind == VERDICT_DIVERGE) {
			e->stats.rechecks++;
			goto out;
		}
		snapshot_clear(&e->snap);
		model_snapshot(e->model, &e->snap, 1);
		copy_full(e, &e->kernel_full);
		if (!snapshot_equal(&e->snap, &e->kernel_full, 1)) {
			at = i;
			break;
		}
	}
	if (i == p->nops) {
		e->stats.vmflags_unconfirmed++;
		goto out;
	}
	v->kind = VERDICT_DIVERGE;
	v->op = (int)at;
	v->field = DIV_VMFLAGS;
	v->ncompared = at + 1;
out:
	model_reset(e->model);
}

enum verdict_kind engine_run(struct engine *e, const struct prog *p,
			     struct verdict *v)
{
	enum exec_status st;
	uint64_t rebuilds;
	/* VmFlags after the last op: a full snapshot there */
	int vmf = e->opts.vmflags && e->snap_mode != EXEC_SNAP_NONE &&
		  p->nops > 0;
	int full_at = vmf ? (int)p->nops - 1 : -1;

	e->stats.runs++;
	v->op = -1;
	v->field = DIV_NONE;
	v->ncompared = 0;
	v->infra_status = 0;
	v->infra_msg[0] = 0;
	v->kernel_nops = 0;

	if (!prog_valid(p)) {
		/* The executor would run none of it: not a verdict on p. */
		v->kind = VERDICT_INFRA;
		snprintf(v->infra_msg, sizeof(v->infra_msg),
			 "program is not valid");
		e->stats.infra++;
		return v->kind;
	}
	/* The model runs on this core while the worker runs the kernel side
	 * on the other; the model never looks at the kernel's results (a
	 * model op resolves rK addresses from the model's own outcomes). */
	st = kernel_begin(e, p, full_at, vmf);
	rebuilds = e->stats.model_rebuilds;
	run_model(e, p, v, vmf);
	st = kernel_end(e, p, full_at, vmf, st);
	if (st != EXEC_OK) {
		v->kind = VERDICT_INFRA;
		v->infra_status = st;
		snprintf(v->infra_msg, sizeof(v->infra_msg),
			 "executor: %s (%u %s)", status_msg(st),
			 e->opts.infra_retries + 1,
			 e->opts.infra_retries ? "tries" : "try");
		e->stats.infra++;
		return v->kind;
	}
	if (e->stats.model_rebuilds != rebuilds) /* the facts changed */
		run_model(e, p, v, vmf);
	compare_run(e, p, v);
	if (vmf && v->kind == VERDICT_AGREE) {
		copy_full(e, &e->kernel_full);
		if (!snapshot_equal(&e->model_end, &e->kernel_full, 1))
			locate_vmflags(e, p, v);
	}
	/*
	 * Per-op snapshots re-read only what each op could change (and the
	 * worker checks the end against a full one): a layout divergence is
	 * confirmed by a run with a full snapshot after every op (full_at
	 * asks for one), so that a change they missed is never a finding.
	 */
	if (v->kind == VERDICT_DIVERGE && v->field == DIV_LAYOUT &&
	    e->snap_mode == EXEC_SNAP_QUERY) {
		int op = v->op;

		if (kernel_run(e, p, op, 0) == EXEC_OK) {
			compare_run(e, p, v);
			if (v->kind != VERDICT_DIVERGE || v->op != op ||
			    v->field != DIV_LAYOUT)
				e->stats.rechecks++;
		}
	}
	if (v->kind == VERDICT_DIVERGE)
		e->stats.diverge++;
	else
		e->stats.agree++;
	return v->kind;
}

/* --- explaining a divergence ------------------------------------------- */

void engine_explain_init(struct engine_explain *x)
{
	memset(x, 0, sizeof(*x));
	snapshot_init(&x->before);
	snapshot_init(&x->model_after);
	snapshot_init(&x->kernel_after);
}

void engine_explain_free(struct engine_explain *x)
{
	snapshot_free(&x->before);
	snapshot_free(&x->model_after);
	snapshot_free(&x->kernel_after);
}

static void note(struct engine_explain *x, const char *fmt, const char *arg)
{
	size_t l = strlen(x->notes);

	if (l < sizeof(x->notes))
		snprintf(x->notes + l, sizeof(x->notes) - l, fmt, arg);
}

int engine_explain(struct engine *e, const struct prog *p,
		   const struct verdict *v, struct engine_explain *x)
{
	unsigned op = (unsigned)v->op;
	struct div_context ctx;
	const struct prog_op *pop;
	enum exec_status st;

	snapshot_clear(&x->before);
	snapshot_clear(&x->model_after);
	snapshot_clear(&x->kernel_after);
	x->have_before = x->have_after = 0;
	x->reproduced = 0;
	x->notes[0] = 0;
	x->signature[0] = 0;
	if (v->kind != VERDICT_DIVERGE || v->op < 0 || op >= p->nops)
		return -1;
	pop = &p->ops[op];

	/* The model, all ops: outcomes and the layout after op (with VmFlags
	 * for the report and a DIV_VMFLAGS signature). */
	model_reset(e->model);
	for (unsigned i = 0; i < p->nops; i++) {
		engine_model_op(e, p, i, x->model_all);
		if (i == op)
			model_snapshot(e->model, &x->model_after, 1);
	}
	x->model_nops = p->nops;
	model_reset(e->model);

	/* The kernel: the layout after op (and check the rerun agrees with
	 * the first run up to op: a flaky kernel side is no finding). */
	st = kernel_run(e, p, (int)op, 1);
	if (st == EXEC_OK) {
		copy_full(e, &x->kernel_after);
		x->have_after = 1;
		x->reproduced = 1;
		for (unsigned i = 0; i <= op && i < v->kernel_nops; i++) {
			struct outcome a = e->shm->out[i], b = v->kernel[i];

			a.pad = b.pad = 0;
			if (memcmp(&a, &b, sizeof(a)) ||
			    (e->snap_mode != EXEC_SNAP_NONE &&
			     e->shm->digest[i] != v->kernel_digest[i]))
				x->reproduced = 0;
		}
		if (v->field == DIV_VMFLAGS &&
		    snapshot_equal(&x->model_after, &x->kernel_after, 1))
			x->reproduced = 0;
		if (!x->reproduced)
			note(x, "%s", "warning: the kernel rerun did not "
				      "reproduce the first run (flaky kernel "
				      "side)\n");
	} else {
		note(x, "note: no kernel layout after the op: %s\n",
		     status_msg(st));
	}

	/* The layout before op (both sides agreed on its digest). */
	st = kernel_run(e, p, op == 0 ? (int)p->nops : (int)op - 1, 0);
	if (st == EXEC_OK) {
		copy_full(e, &x->before);
		x->have_before = 1;
	} else {
		note(x, "note: no kernel layout before the op: %s\n",
		     status_msg(st));
	}

	memset(&ctx, 0, sizeof(ctx));
	ctx.kind = pop->kind;
	ctx.prot = pop->prot;
	ctx.flags = pop->flags;
	ctx.req_addr = prog_resolve_addr(p, op, 0, v->kernel);
	ctx.req_pages = (pop->kind == OP_TOUCH || pop->kind == OP_READ)
				? prog_touch_pages(&pop->len)
				: 0;
	ctx.repeat = pop->repeat;
	if (x->have_after) {
		ctx.model_snap = &x->model_after;
		ctx.kernel_snap = &x->kernel_after;
	}
	signature_format(x->signature, sizeof(x->signature), v->field,
			 &v->model[op], &v->kernel[op], &ctx);
	return 0;
}

static void fill_report(struct engine *e, struct report_input *r,
			const struct prog *p, const struct verdict *v,
			const struct engine_explain *x, const char *notes)
{
	memset(r, 0, sizeof(*r));
	r->prog = p;
	r->v = v;
	r->signature = x->signature;
	r->release = e->facts.release;
	r->model_kver = e->cfg.kver;
	r->snap_mode = engine_snap_mode_name(e);
	r->notes = notes;
	r->model_all = x->model_all;
	r->model_nops = x->model_nops;
	r->before = x->have_before ? &x->before : NULL;
	if (x->have_after) {
		r->model_after = &x->model_after;
		r->kernel_after = &x->kernel_after;
	}
	r->reproduced = x->reproduced;
}

void engine_print_report(struct engine *e, FILE *f, const struct prog *p,
			 const struct verdict *v,
			 const struct engine_explain *x)
{
	struct report_input r;
	char notes[sizeof(e->notes) + sizeof(x->notes) + 1];

	snprintf(notes, sizeof(notes), "%s%s", e->notes, x->notes);
	fill_report(e, &r, p, v, x, notes);
	report_print(f, &r);
}

void engine_print_report_json(struct engine *e, FILE *f, const struct prog *p,
			      const struct verdict *v,
			      const struct engine_explain *x, const char *file,
			      const char *reason)
{
	struct report_input r;
	char notes[sizeof(e->notes) + sizeof(x->notes) + 1];

	snprintf(notes, sizeof(notes), "%s%s", e->notes, x->notes);
	fill_report(e, &r, p, v, x, notes);
	report_print_json(f, &r, file, reason);
}

void engine_report(struct engine *e, FILE *f, const struct prog *p,
		   const struct verdict *v, char *sig, size_t siglen)
{
	struct engine_explain *x = malloc(sizeof(*x));

	if (!x)
		abort();
	engine_explain_init(x);
	engine_explain(e, p, v, x);
	if (f)
		engine_print_report(e, f, p, v, x);
	if (sig && siglen)
		snprintf(sig, siglen, "%s", x->signature);
	engine_explain_free(x);
	free(x);
}

/* --- accessors ---------------------------------------------------------- */

const struct exec_facts *engine_facts(const struct engine *e)
{
	return &e->facts;
}

const struct model_config *engine_config(const struct engine *e)
{
	return &e->cfg;
}

const struct engine_stats *engine_stats(const struct engine *e)
{
	return &e->stats;
}

const char *engine_notes(const struct engine *e)
{
	return e->notes;
}

const char *engine_snap_mode_name(const struct engine *e)
{
	switch (e->snap_mode) {
	case EXEC_SNAP_QUERY:
		return "query";
	case EXEC_SNAP_TEXT:
		return "text";
	case EXEC_SNAP_NONE:
		return "none";
	}
	return "?";
}

pid_t engine_worker_pid(const struct engine *e)
{
	return e->ex ? executor_worker_pid(e->ex) : -1;
}
