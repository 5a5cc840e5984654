// SPDX-License-Identifier: GPL-2.0
/*
 * vmadiff rediscover: would the fuzzer have found the kernel changes the
 * model's version gates describe? The model targets an older kernel
 * (--from, 6.15) than the running one; vmadiff_fuzzer (libFuzzer, -fork)
 * fuzzes from the seeds that still agree at that version, and every
 * finding is replayed at the versions of the known changes after it: the
 * first version where it passes names the change that explains it. A
 * finding that also fails with the model targeting the running kernel is
 * not a version difference (a model bug, or flaky). Prints the time from
 * the fuzzer's start to the first finding of each change.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "rediscover.h"

static const char rediscover_usage[] =
	"usage: vmadiff rediscover [--seconds N] [--from X.Y] [--jobs N]\n"
	"                          [--seeds DIR] [--out DIR]\n"
	"\n"
	"Fuzzes the running kernel with the model targeting an older kernel\n"
	"(vmadiff_fuzzer beside vmadiff, or $VMADIFF_FUZZER) and classifies\n"
	"each finding by the first kernel version at which the model agrees\n"
	"with it (`vmadiff replay --kernel-version'). Prints the time to the\n"
	"first finding of each known change after --from, stops when all\n"
	"were found or after N seconds. Seeds that already diverge at --from\n"
	"are left out, so the fuzzer has to find the changes on its own.\n"
	"Exit status 0 if every change was found, 1 if not, 2 on errors.\n"
	"\n"
	"The known changes (model/kver.h):\n"
	"  6.16  anonymous merges of faulted and unfaulted VMAs (879bca0a2c4f)\n"
	"  6.17  multi-VMA mremap moves (d23cb648e365)\n"
	"\n"
	"options:\n"
	"  --seconds N    fuzzing time limit (default 600)\n"
	"  --from X.Y     the version the model targets (default 6.15)\n"
	"  --jobs N       libFuzzer -fork=N (default 1)\n"
	"  --seeds DIR    text seeds (default corpus/seeds)\n"
	"  --out DIR      a new work directory: seeds/, corpus/, findings/,\n"
	"                 fuzz.log (default: a new /tmp/vmadiff-rediscover.*)\n"
	"  -h, --help     this help\n";

static const struct change {
	const char *version; /* the first version with the new rule */
	const char *what;
} changes[] = {
	{ "6.16", "anonymous merges of faulted and unfaulted VMAs (879bca0a2c4f)" },
	{ "6.17", "multi-VMA mremap moves (d23cb648e365)" },
};
#define NCHANGES (sizeof(changes) / sizeof(changes[0]))

/* The classes a finding falls in besides the changes. */
enum { CLASS_LATER = NCHANGES, CLASS_NOT_VERSION, CLASS_FLAKY, NCLASSES };

static const char *const class_names[NCLASSES] = {
	[CLASS_LATER] = "a later version difference",
	[CLASS_NOT_VERSION] = "fails at the running kernel's version too",
	[CLASS_FLAKY] = "did not reproduce",
};

static char self[4096];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* "A.B" compares as A * 1000 + B. */
static int vnum(const char *v)
{
	unsigned a, b;

	return sscanf(v, "%u.%u", &a, &b) == 2 ? (int)(a * 1000 + b) : -1;
}

/*
 * Runs `vmadiff replay [--kernel-version=V] FILE...` (V NULL: the running
 * kernel's) with stdout to out (NULL: discarded). Returns replay's exit
 * status, or -1.
 */
static int replay(const char *v, char **files, size_t n, const char *out)
{
	char opt[64];
	char **argv = calloc(n + 4, sizeof(*argv));
	size_t k = 0;
	int st = -1;
	pid_t pid;

	if (!argv)
		abort();
	argv[k++] = self;
	argv[k++] = "replay";
	if (v) {
		snprintf(opt, sizeof(opt), "--kernel-version=%s", v);
		argv[k++] = opt;
	}
	memcpy(argv + k, files, n * sizeof(*files));
	pid = fork();
	if (pid == 0) {
		int fd = open(out ? out : "/dev/null",
			      O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0)
			_exit(127);
		dup2(fd, 1);
		dup2(fd, 2);
		unsetenv("VMADIFF_KERNEL_VERSION");
		execv(self, argv);
		_exit(127);
	}
	free(argv);
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The signature on the first `FAIL FILE: SIGNATURE' line of a replay log. */
static void first_signature(const char *log, char *sig, size_t len)
{
	char line[1024];
	FILE *f = fopen(log, "r");

	snprintf(sig, len, "?");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, ": ");

		if (strncmp(line, "FAIL ", 5) || !p)
			continue;
		p[strcspn(p, "\n")] = 0;
		snprintf(sig, len, "%s", p + 2);
		break;
	}
	fclose(f);
}

/*
 * The class of a finding: the first change whose version makes the model
 * agree, CLASS_LATER if only the running kernel's version does, ...
 */
static int classify(const char *from, const char *file, const char *tmp,
		    char *sig, size_t len)
{
	char *files[] = { (char *)file };
	int r = replay(from, files, 1, tmp);

	if (r != 1)
		return CLASS_FLAKY;
	first_signature(tmp, sig, len);
	for (size_t i = 0; i < NCHANGES; i++) {
		if (vnum(changes[i].version) <= vnum(from))
			continue;
		if (replay(changes[i].version, files, 1, NULL) == 0)
			return (int)i;
	}
	return replay(NULL, files, 1, NULL) == 0 ? CLASS_LATER :
						   CLASS_NOT_VERSION;
}

/*
 * Encodes the seeds into dir, leaving out those that diverge at from
 * (named on FAIL lines of a replay at that version). Returns how many
 * were left out, or -1.
 */
static int prepare_seeds(const char *seeds, const char *from,
			 const char *dir, const char *tmp)
{
	char *argv[] = { self, "encode", (char *)seeds, "-o", (char *)dir,
			 NULL };
	char line[4096], path[8200];
	int r, st, left_out = 0;
	FILE *f;
	pid_t pid;

	r = replay(from, (char *[]){ (char *)seeds }, 1, tmp);
	if (r < 0 || r > 1)
		return -1;
	pid = fork();
	if (pid == 0) {
		execv(self, argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) ||
	    WEXITSTATUS(st))
		return -1;
	f = fopen(tmp, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *name, *colon = strstr(line, ": ");
		size_t len;

		if (strncmp(line, "FAIL ", 5) || !colon)
			continue;
		*colon = 0;
		name = strrchr(line + 5, '/');
		name = name ? name + 1 : line + 5;
		len = strlen(name);
		if (len > 4 && !strcmp(name + len - 4, ".vma"))
			len -= 4; /* encode drops it */
		snprintf(path, sizeof(path), "%s/%.*s", dir, (int)len, name);
		if (!unlink(path)) {
			printf("rediscover: seed %s left out: it diverges at %s already\n",
			       line + 5, from);
			left_out++;
		}
	}
	fclose(f);
	return left_out;
}

static pid_t start_fuzzer(const char *fuzzer, const char *out,
			  const char *from, unsigned seconds, unsigned jobs)
{
	char a_fork[32], a_time[32], a_art[4200], corpus[4200], seeds[4200];
	char log[4200];
	char *argv[] = { (char *)fuzzer, a_fork, "-ignore_crashes=1",
			 "-ignore_timeouts=1", "-ignore_ooms=1", a_art,
			 "-max_len=4096", "-timeout=25", a_time, corpus,
			 seeds, NULL };
	pid_t pid;

	snprintf(a_fork, sizeof(a_fork), "-fork=%u", jobs);
	snprintf(a_time, sizeof(a_time), "-max_total_time=%u", seconds);
	snprintf(a_art, sizeof(a_art), "-artifact_prefix=%s/findings/", out);
	snprintf(corpus, sizeof(corpus), "%s/corpus", out);
	snprintf(seeds, sizeof(seeds), "%s/seeds", out);
	snprintf(log, sizeof(log), "%s/fuzz.log", out);
	pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0)
			_exit(127);
		/* its own process group: libFuzzer -fork has children */
		setpgid(0, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		setenv("VMADIFF_KERNEL_VERSION", from, 1);
		setenv("ASAN_OPTIONS", "detect_leaks=0", 0);
		execv(fuzzer, argv);
		_exit(127);
	}
	return pid;
}

static int opt_uint(const char *a, const char *v, unsigned *out)
{
	char *end;
	unsigned long x;

	if (!v)
		return usage_error(rediscover_usage, "%s needs a value", a);
	x = strtoul(v, &end, 10);
	if (*end || !*v || !x || x > 1000000)
		return usage_error(rediscover_usage, "bad number `%s'", v);
	*out = (unsigned)x;
	return 0;
}

int cmd_rediscover(int argc, char **argv)
{
	const char *from = "6.15", *seeds = "corpus/seeds", *out = NULL;
	unsigned seconds = 600, jobs = 1;
	char fuzzer[4200], dir[4200], tmp[4200], outbuf[64];
	double start, first[NCHANGES] = { 0 };
	struct strlist seen = { 0 }, sigs = { 0 };
	unsigned wanted = 0, found = 0, nfindings = 0;
	int fuzz_status = -1, left_out, r;
	pid_t pid;
	ssize_t n;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (is_help(a)) {
			fputs(rediscover_usage, stdout);
			return 0;
		} else if (!strcmp(a, "--seconds")) {
			if ((r = opt_uint(a, v, &seconds)))
				return r;
			i++;
		} else if (!strcmp(a, "--jobs")) {
			if ((r = opt_uint(a, v, &jobs)))
				return r;
			i++;
		} else if (!strcmp(a, "--from") || !strcmp(a, "--seeds") ||
			   !strcmp(a, "--out")) {
			if (!v)
				return usage_error(rediscover_usage,
						   "%s needs a value", a);
			*(a[2] == 'f' ? &from : a[2] == 's' ? &seeds : &out) = v;
			i++;
		} else {
			return usage_error(rediscover_usage,
					   "unknown argument `%s'", a);
		}
	}
	if (vnum(from) < 0)
		return usage_error(rediscover_usage,
				   "--from: expected X.Y, found `%s'", from);
	if (!is_dir(seeds))
		return usage_error(rediscover_usage, "no seed directory `%s'",
				   seeds);
	for (size_t i = 0; i < NCHANGES; i++)
		if (vnum(changes[i].version) > vnum(from))
			wanted |= 1u << i;
	if (!wanted)
		return usage_error(rediscover_usage,
				   "no known change after %s", from);

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		fprintf(stderr, "%s: /proc/self/exe: %s\n", prog_name,
			strerror(errno));
		return 2;
	}
	self[n] = 0;
	if (getenv("VMADIFF_FUZZER"))
		snprintf(fuzzer, sizeof(fuzzer), "%s", getenv("VMADIFF_FUZZER"));
	else
		snprintf(fuzzer, sizeof(fuzzer), "%.*s/vmadiff_fuzzer",
			 (int)(strrchr(self, '/') - self), self);
	if (access(fuzzer, X_OK)) {
		fprintf(stderr, "%s: %s: %s (make fuzz-build)\n", prog_name,
			fuzzer, strerror(errno));
		return 2;
	}
	/* a fresh directory: old findings would get bogus times */
	if (out ? mkdir(out, 0755) :
		  !mkdtemp(strcpy(outbuf, "/tmp/vmadiff-rediscover.XXXXXX"))) {
		fprintf(stderr, "%s: %s: %s (a new directory is needed)\n",
			prog_name, out ? out : "mkdtemp", strerror(errno));
		return 2;
	}
	if (!out)
		out = outbuf;
	snprintf(tmp, sizeof(tmp), "%s/replay.log", out);
	for (size_t i = 0; i < 3; i++) {
		static const char *const sub[] = { "seeds", "corpus",
						   "findings" };

		snprintf(dir, sizeof(dir), "%s/%s", out, sub[i]);
		if (mkdir(dir, 0755) && errno != EEXIST) {
			fprintf(stderr, "%s: %s: %s\n", prog_name, dir,
				strerror(errno));
			return 2;
		}
	}
	snprintf(dir, sizeof(dir), "%s/seeds", out);
	left_out = prepare_seeds(seeds, from, dir, tmp);
	if (left_out < 0) {
		fprintf(stderr, "%s: cannot replay or encode %s (see %s)\n",
			prog_name, seeds, tmp);
		return 2;
	}
	printf("rediscover: model %s, running kernel's version for the "
	       "verdict; fuzzing up to %u s with -fork=%u in %s\n",
	       from, seconds, jobs, out);
	fflush(stdout);

	start = now();
	pid = start_fuzzer(fuzzer, out, from, seconds, jobs);
	if (pid < 0) {
		fprintf(stderr, "%s: fork: %s\n", prog_name, strerror(errno));
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s/findings", out);
	while ((found & wanted) != wanted) {
		struct dirent **ents;
		int k, st;

		if (waitpid(pid, &st, WNOHANG) == pid) {
			fuzz_status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
			pid = 0;
		}
		k = scandir(dir, &ents, NULL, alphasort);
		for (int i = 0; i < k; i++) {
			const char *name = ents[i]->d_name;
			char path[8400], sig[512], key[600];
			struct stat sb;
			double t;
			size_t j;
			int c;

			for (j = 0; j < seen.n && strcmp(seen.v[j], name); j++)
				;
			if (strncmp(name, "crash-", 6) || j < seen.n) {
				free(ents[i]);
				continue;
			}
			strlist_push(&seen, name);
			snprintf(path, sizeof(path), "%s/%s", dir, name);
			free(ents[i]);
			if (stat(path, &sb))
				continue;
			nfindings++;
			c = classify(from, path, tmp, sig, sizeof(sig));
			/* one line per class and signature */
			snprintf(key, sizeof(key), "%d %s", c, sig);
			for (j = 0; j < sigs.n && strcmp(sigs.v[j], key); j++)
				;
			if (j < sigs.n)
				continue;
			strlist_push(&sigs, key);
			t = sb.st_mtim.tv_sec + sb.st_mtim.tv_nsec / 1e9 - start;
			if (c < (int)NCHANGES && !(found & (1u << c))) {
				found |= 1u << c;
				first[c] = t;
			}
			printf("  +%7.1f s  %s %s\n             %s\n             %s\n",
			       t, c < (int)NCHANGES ? changes[c].version : "--",
			       c < (int)NCHANGES ? changes[c].what :
						   class_names[c],
			       sig, path);
			fflush(stdout);
		}
		if (k >= 0)
			free(ents);
		if (!pid)
			break;
		usleep(200000);
	}
	if (pid) {
		kill(-pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}

	printf("rediscover: %u findings in %.0f s (fuzzer log %s/fuzz.log%s)\n",
	       nfindings, now() - start, out,
	       fuzz_status > 0 && !nfindings ? ", the fuzzer failed" : "");
	for (size_t i = 0; i < NCHANGES; i++) {
		if (!(wanted & (1u << i)))
			continue;
		if (found & (1u << i))
			printf("rediscover: %s %s: first found after %.1f s\n",
			       changes[i].version, changes[i].what, first[i]);
		else
			printf("rediscover: %s %s: not found in %u s\n",
			       changes[i].version, changes[i].what, seconds);
	}
	printf("rediscover: %d seeds left out\n", left_out);
	strlist_free(&seen);
	strlist_free(&sigs);
	return (found & wanted) == wanted ? 0 : 1;
}
