// SPDX-License-Identifier: GPL-2.0
/*
 * vmadiff vm: runs `replay' or the fuzzer inside a VM booted from any
 * kernel image, so that a kernel can be tested without installing it.
 *
 * Host (cmd_vm): packs an initramfs (cpio newc, written here) holding the
 * static tools (vmadiff-static as /vmadiff, /vmadiff-executor and, to
 * fuzz, vmadiff_fuzzer-static as /vmadiff_fuzzer), the inputs at the
 * paths given, and /vm.args (what to run); boots qemu-system-x86_64 with
 * `rdinit=/vmadiff -- vm-init' and copies the command's output from the
 * serial console to stdout. KVM when it works, TCG otherwise.
 *
 * Guest (cmd_vm_init, pid 1): mounts proc, sysfs and devtmpfs, runs the
 * command and frames its output with marker lines, then powers off:
 *   ==vmadiff-vm== begin RELEASE
 *   ...                            the command's output
 *   ==vmadiff-vm== file NAME       (fuzz) a finding as text, up to
 *   ==vmadiff-vm== eof
 *   ==vmadiff-vm== end STATUS      the command's exit status
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/kvm.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../engine/engine.h"
#include "vm.h"

#define MARK "==vmadiff-vm== "
#define MARK_LEN (sizeof(MARK) - 1)
#define QEMU "qemu-system-x86_64"
#define TAIL_LINES 25
/* With KVM, a guest that prints nothing this long is taken as KVM not
 * working (nested setups where qemu starts but the guest never runs). */
#define KVM_SILENT_S 15
/* TCG's CPU: popcnt and friends for the static tools (qemu64 lacks them),
 * but neither PKU (execute-only mappings become unreadable) nor 5-level
 * paging, which the machines the model is checked on do not have. */
#define TCG_CPU "max,pku=off,la57=off"
/* After the end marker: how long the guest may take to power off. */
#define POWEROFF_S 15

static const char vm_usage[] =
	"usage: vmadiff vm --kernel IMAGE [OPTIONS] replay [REPLAY-OPTIONS] FILE|DIR...\n"
	"       vmadiff vm --kernel IMAGE [OPTIONS] fuzz --seconds N [SEED-DIR...]\n"
	"\n"
	"Boots IMAGE (a bzImage or vmlinuz) with qemu-system-x86_64 (KVM if it\n"
	"works, TCG otherwise) on an initramfs holding the static vmadiff tools\n"
	"and the inputs, runs `vmadiff replay' there, or the fuzzer for N\n"
	"seconds from the seeds, and prints what it printed: the verdict lines,\n"
	"reports and `N passed, N failed' (fuzz: the fuzzer's log, then the\n"
	"findings replayed; each finding is saved as text under --findings).\n"
	"Exit status: replay's (fuzz: 1 if anything was found); 2 if the VM\n"
	"could not run the command (no qemu, the kernel did not boot, timeout).\n"
	"Needs vmadiff-static and vmadiff-executor (make) and, for fuzz,\n"
	"vmadiff_fuzzer-static (make fuzz-build) beside this binary.\n"
	"\n"
	"options:\n"
	"  --kernel IMAGE       the kernel to boot (required)\n"
	"  --kernel-version X.Y the kernel version the model targets (default:\n"
	"                       the booted kernel's)\n"
	"  --timeout S          give up after S seconds (default 600; fuzz:\n"
	"                       N + 600)\n"
	"  --accel kvm|tcg      force an accelerator (default: KVM if usable)\n"
	"  --cpu MODEL          qemu's -cpu (default: host with KVM,\n"
	"                       " TCG_CPU " with TCG)\n"
	"  --mem MB             guest memory (default 1024)\n"
	"  --append ARGS        more kernel command line\n"
	"  --log FILE           save the whole console output in FILE\n"
	"  --findings DIR       fuzz: where findings are saved (default\n"
	"                       vm-findings)\n"
	"  -h, --help           this help\n"
	"\n"
	"Environment: VMADIFF_QEMU (the qemu binary), VMADIFF_EXECUTOR (a\n"
	"static executor), VMADIFF_MODEL_CONFIG and VMADIFF_KERNEL_VERSION\n"
	"(passed on to the VM).\n";

static int vm_usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "vmadiff vm: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", vm_usage);
	return 2;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* --- the initramfs -------------------------------------------------------- */

struct cpio {
	FILE *f;
	unsigned ino;
	char **dirs; /* directories written so far */
	size_t ndirs;
};

static void cpio_pad(struct cpio *c)
{
	while (ftell(c->f) % 4)
		fputc(0, c->f);
}

/* One newc entry: 110-byte header, name, data, each padded to 4 bytes. */
static void cpio_entry(struct cpio *c, const char *name, unsigned mode,
		       unsigned rdev_major, unsigned rdev_minor,
		       const void *data, size_t size)
{
	fprintf(c->f,
		"070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		++c->ino, mode, 0u, 0u, S_ISDIR(mode) ? 2u : 1u, 0u,
		(unsigned)size, 0u, 0u, rdev_major, rdev_minor,
		(unsigned)strlen(name) + 1, 0u);
	fwrite(name, 1, strlen(name) + 1, c->f);
	cpio_pad(c);
	if (size)
		fwrite(data, 1, size, c->f);
	cpio_pad(c);
}

/* Writes each directory on the way to name once (name too if is_dir). */
static void cpio_dirs(struct cpio *c, const char *name, int is_dir)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", name);
	for (char *p = buf;; p++) {
		if (*p == '/' || (!*p && is_dir)) {
			char save = *p;
			size_t i;

			*p = 0;
			for (i = 0; i < c->ndirs && strcmp(c->dirs[i], buf); i++)
				;
			if (i == c->ndirs) {
				c->dirs = realloc(c->dirs,
						  (c->ndirs + 1) * sizeof(*c->dirs));
				if (!c->dirs || !(c->dirs[c->ndirs] = strdup(buf)))
					abort();
				c->ndirs++;
				cpio_entry(c, buf, S_IFDIR | 0755, 0, 0, NULL, 0);
			}
			*p = save;
		}
		if (!*p)
			return;
	}
}

static int cpio_file(struct cpio *c, const char *host, const char *name,
		     unsigned perm, char *err, size_t errlen)
{
	int fd = open(host, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	ssize_t r = 0;

	if (fd < 0 || fstat(fd, &st)) {
		snprintf(err, errlen, "%s: %s", host, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	buf = malloc(st.st_size + 1);
	if (!buf)
		abort();
	while (n < (size_t)st.st_size &&
	       (r = read(fd, buf + n, st.st_size - n)) > 0)
		n += r;
	close(fd);
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", host, strerror(errno));
		free(buf);
		return -1;
	}
	cpio_dirs(c, name, 0);
	cpio_entry(c, name, S_IFREG | perm, 0, 0, buf, n);
	free(buf);
	return 0;
}

/* A file, or a directory with everything under it that replay would walk
 * (regular files and directories; names starting with `.' skipped). */
static int cpio_tree(struct cpio *c, const char *host, const char *name,
		     char *err, size_t errlen)
{
	struct stat st;
	struct dirent *d;
	DIR *dir;
	int rc = 0;

	if (stat(host, &st)) {
		snprintf(err, errlen, "%s: %s", host, strerror(errno));
		return -1;
	}
	if (S_ISREG(st.st_mode))
		return cpio_file(c, host, name, st.st_mode & 0777, err, errlen);
	if (!S_ISDIR(st.st_mode))
		return 0;
	cpio_dirs(c, name, 1);
	dir = opendir(host);
	if (!dir) {
		snprintf(err, errlen, "%s: %s", host, strerror(errno));
		return -1;
	}
	while (!rc && (d = readdir(dir))) {
		char h[PATH_MAX], n[PATH_MAX];

		if (d->d_name[0] == '.')
			continue;
		snprintf(h, sizeof(h), "%s/%s", host, d->d_name);
		snprintf(n, sizeof(n), "%s/%s", name, d->d_name);
		rc = cpio_tree(c, h, n, err, errlen);
	}
	closedir(dir);
	return rc;
}

/* The VM's own files; an input must not land on them. */
static const char *const reserved[] = {
	"proc", "sys", "dev", "fuzz", "vm.args",
	"vmadiff", "vmadiff-executor", "vmadiff_fuzzer",
};

/* path without "" and "." components into out; -1 if it has "..". */
static int lex_norm(const char *path, char *out, size_t len)
{
	char buf[PATH_MAX], *save = NULL, *tok;
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", path);
	out[0] = 0;
	for (tok = strtok_r(buf, "/", &save); tok;
	     tok = strtok_r(NULL, "/", &save)) {
		if (!strcmp(tok, "."))
			continue;
		if (!strcmp(tok, ".."))
			return -1;
		n += snprintf(out + n, n < len ? len - n : 0, "%s%s",
			      n ? "/" : "", tok);
	}
	return n < len ? 0 : -1;
}

/*
 * Where input arg goes in the VM: at the same path (the VM's cwd is /, so
 * a relative one stays relative and verdict lines name files as here),
 * or at its real path if it climbs with `..'. name: the cpio name; vmarg:
 * what the command in the VM is given.
 */
static int guest_path(const char *arg, char *name, size_t len, char *vmarg,
		      size_t vlen, char *err, size_t errlen)
{
	char real[PATH_MAX];
	const char *src = arg;
	size_t l;

	if (lex_norm(arg, name, len) || !name[0]) {
		if (!realpath(arg, real)) {
			snprintf(err, errlen, "%s: %s", arg, strerror(errno));
			return -1;
		}
		src = real;
		if (lex_norm(real, name, len) || !name[0]) {
			snprintf(err, errlen, "%s: cannot pack this path", arg);
			return -1;
		}
	}
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		l = strlen(reserved[i]);
		if (!strncmp(name, reserved[i], l) &&
		    (!name[l] || name[l] == '/')) {
			snprintf(err, errlen,
				 "%s: /%s is taken in the VM; move or link "
				 "the input elsewhere", arg, reserved[i]);
			return -1;
		}
	}
	snprintf(vmarg, vlen, "%s", src);
	return 0;
}

/* 1: a static ELF; 0: dynamic (PT_INTERP: the VM has no loader);
 * -1: unreadable or not a 64-bit ELF. */
static int elf_static(const char *path)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r = -1;

	if (fd < 0)
		return -1;
	if (pread(fd, &eh, sizeof(eh), 0) == sizeof(eh) &&
	    !memcmp(eh.e_ident, ELFMAG, SELFMAG) &&
	    eh.e_ident[EI_CLASS] == ELFCLASS64) {
		r = 1;
		for (unsigned i = 0; i < eh.e_phnum; i++)
			if (pread(fd, &ph, sizeof(ph),
				  eh.e_phoff + (off_t)i * eh.e_phentsize) ==
				    sizeof(ph) &&
			    ph.p_type == PT_INTERP)
				r = 0;
	}
	close(fd);
	return r;
}

#define VM_PROGRAM_TIMEOUT_MS 60000u

/* A static tool: $env, else NAME beside this binary. */
static int find_tool(const char *env, const char *name, const char *make,
		     char *out, size_t len, char *err, size_t errlen)
{
	const char *e = env ? getenv(env) : NULL;
	char self[PATH_MAX];
	ssize_t n;
	char *slash;
	int st;

	if (e && *e) {
		snprintf(out, len, "%s", e);
	} else {
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n < 0)
			n = 0;
		self[n] = 0;
		slash = strrchr(self, '/');
		if (slash)
			*slash = 0;
		snprintf(out, len, "%s/%s", self, name);
	}
	st = elf_static(out);
	if (st < 0)
		snprintf(err, errlen, "%s: not found or not an ELF binary "
			 "(build it with `%s')", out, make);
	else if (!st)
		snprintf(err, errlen, "%s is dynamically linked: the VM "
			 "needs a static one (`%s')", out, make);
	return st == 1 ? 0 : -1;
}

/* --- running qemu --------------------------------------------------------- */

/*
 * /dev/kvm opens and creates a VM. Not proof that qemu can run a guest on
 * it (some nested setups fail later): cmd_vm falls back to TCG when a KVM
 * guest stays silent.
 */
static int kvm_usable(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC), vm = -1;

	if (fd < 0)
		return 0;
	if (ioctl(fd, KVM_GET_API_VERSION, 0) == KVM_API_VERSION)
		vm = ioctl(fd, KVM_CREATE_VM, 0);
	if (vm >= 0)
		close(vm);
	close(fd);
	return vm >= 0;
}

static int find_qemu(char *out, size_t len)
{
	const char *e = getenv("VMADIFF_QEMU");
	const char *path = getenv("PATH");
	char buf[4096], *save = NULL, *dir;

	if (e && *e) {
		snprintf(out, len, "%s", e);
		return access(out, X_OK);
	}
	snprintf(buf, sizeof(buf), "%s", path ? path : "/usr/bin:/bin");
	for (dir = strtok_r(buf, ":", &save); dir;
	     dir = strtok_r(NULL, ":", &save)) {
		snprintf(out, len, "%s/%s", dir, QEMU);
		if (!access(out, X_OK))
			return 0;
	}
	return -1;
}

enum console_state { C_BOOT, C_RUN, C_FILE, C_DONE };

/* What came back from the VM. */
struct console {
	enum console_state state;
	char *tail[TAIL_LINES]; /* the last lines, for error messages */
	unsigned ntail;
	FILE *log;
	const char *findings;
	FILE *file; /* the finding being received */
	int status;
	char release[128];
	size_t serial_bytes;
	double t_begin, t_end;
};

static void tail_add(struct console *c, const char *line)
{
	unsigned i = c->ntail++ % TAIL_LINES;

	free(c->tail[i]);
	c->tail[i] = strdup(line);
	if (!c->tail[i])
		abort();
}

static void tail_print(const struct console *c)
{
	unsigned n = c->ntail < TAIL_LINES ? c->ntail : TAIL_LINES;

	if (!n)
		return;
	fprintf(stderr, "last console lines:\n");
	for (unsigned i = c->ntail - n; i < c->ntail; i++)
		fprintf(stderr, "  | %s\n", c->tail[i % TAIL_LINES]);
}

static void tail_reset(struct console *c)
{
	for (unsigned i = 0; i < TAIL_LINES; i++)
		free(c->tail[i]);
	memset(c->tail, 0, sizeof(c->tail));
	c->ntail = 0;
}

static void console_reset(struct console *c)
{
	tail_reset(c);
	c->state = C_BOOT;
	c->serial_bytes = 0;
}

/* A finding's name from the VM: a plain file name (no path tricks). */
static void open_finding(struct console *c, const char *name)
{
	char path[PATH_MAX];

	if (!*name || name[0] == '.' || strchr(name, '/')) {
		fprintf(stderr, "vmadiff vm: ignoring a finding named `%s'\n",
			name);
		return;
	}
	if (mkdir(c->findings, 0777) && errno != EEXIST) {
		fprintf(stderr, "vmadiff vm: %s: %s\n", c->findings,
			strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/%s.vma", c->findings, name);
	c->file = fopen(path, "we");
	if (!c->file)
		fprintf(stderr, "vmadiff vm: %s: %s\n", path, strerror(errno));
	else
		fprintf(stderr, "vmadiff vm: finding saved as %s\n", path);
}

static void console_line(struct console *c, char *line, int from_qemu)
{
	size_t l = strlen(line);

	while (l && line[l - 1] == '\r') /* the tty's \r\n */
		line[--l] = 0;
	if (c->log)
		fprintf(c->log, "%s\n", line);
	if (from_qemu) {
		tail_add(c, line);
		return;
	}
	switch (c->state) {
	case C_BOOT:
		if (!strncmp(line, MARK "begin ", MARK_LEN + 6)) {
			snprintf(c->release, sizeof(c->release), "%s",
				 line + MARK_LEN + 6);
			c->state = C_RUN;
			c->t_begin = now_s();
			tail_reset(c); /* from here, what was not printed */
		} else {
			tail_add(c, line);
		}
		break;
	case C_RUN:
		if (!strncmp(line, MARK "end ", MARK_LEN + 4)) {
			c->status = atoi(line + MARK_LEN + 4);
			c->state = C_DONE;
			c->t_end = now_s();
		} else if (!strncmp(line, MARK "error ", MARK_LEN + 6)) {
			fprintf(stderr, "vmadiff vm: in the VM: %s\n",
				line + MARK_LEN + 6);
		} else if (!strncmp(line, MARK "file ", MARK_LEN + 5)) {
			open_finding(c, line + MARK_LEN + 5);
			c->state = C_FILE;
		} else {
			puts(line);
			fflush(stdout);
		}
		break;
	case C_FILE:
		if (!strcmp(line, MARK "eof")) {
			if (c->file)
				fclose(c->file);
			c->file = NULL;
			c->state = C_RUN;
		} else if (c->file) {
			fprintf(c->file, "%s\n", line);
		}
		break;
	case C_DONE:
		tail_add(c, line);
		break;
	}
}

struct linebuf {
	char *b;
	size_t n, cap;
};

/* Appends data and hands every complete line to the console. */
static void feed(struct console *c, struct linebuf *lb, const char *data,
		 size_t n, int from_qemu)
{
	for (size_t i = 0; i < n; i++) {
		if (lb->n + 1 >= lb->cap) {
			lb->cap = lb->cap ? 2 * lb->cap : 4096;
			lb->b = realloc(lb->b, lb->cap);
			if (!lb->b)
				abort();
		}
		if (data[i] == '\n') {
			lb->b[lb->n] = 0;
			console_line(c, lb->b, from_qemu);
			lb->n = 0;
		} else {
			lb->b[lb->n++] = data[i];
		}
	}
}

enum vm_result {
	VM_DONE,	/* the end marker came */
	VM_NOSTART,	/* qemu could not be started */
	VM_SILENT,	/* silent_s passed, or qemu exited, without a byte */
	VM_NOBOOT,	/* qemu exited before the begin marker */
	VM_BOOT_TIMEOUT, /* no begin marker by the deadline */
	VM_TIMEOUT,	/* begun, no end marker by the deadline */
	VM_DIED,	/* begun, qemu exited before the end marker */
};

static pid_t spawn(char *const argv[], int *out, int *err)
{
	int o[2], e[2];
	pid_t pid;

	if (pipe2(o, O_CLOEXEC))
		return -1;
	if (pipe2(e, O_CLOEXEC)) {
		close(o[0]);
		close(o[1]);
		return -1;
	}
	pid = fork();
	if (!pid) {
		int nul = open("/dev/null", O_RDONLY);

		dup2(nul, 0);
		dup2(o[1], 1);
		dup2(e[1], 2);
		execv(argv[0], argv);
		fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(o[1]);
	close(e[1]);
	if (pid < 0) {
		close(o[0]);
		close(e[0]);
		return -1;
	}
	*out = o[0];
	*err = e[0];
	return pid;
}

/*
 * Boots the VM and follows its console until the guest powers off, qemu
 * exits, or deadline. silent_s: give up (VM_SILENT) if the guest prints
 * nothing for that long; 0: never.
 */
static enum vm_result run_qemu(char *const argv[], struct console *c,
			       double deadline, unsigned silent_s)
{
	struct linebuf lb[2] = { { 0 } };
	struct pollfd p[2];
	double start = now_s(), t;
	int open_fds = 2, killed = 0, st;
	pid_t pid = spawn(argv, &p[0].fd, &p[1].fd);

	if (pid < 0) {
		fprintf(stderr, "vmadiff vm: cannot start %s: %s\n", argv[0],
			strerror(errno));
		return VM_NOSTART;
	}
	p[0].events = p[1].events = POLLIN;
	while (open_fds) {
		double until = deadline;
		char buf[8192];

		t = now_s();
		if (silent_s && !c->serial_bytes && start + silent_s < until)
			until = start + silent_s;
		if (c->state == C_DONE && c->t_end + POWEROFF_S < until)
			until = c->t_end + POWEROFF_S;
		if (t >= until) {
			kill(pid, SIGKILL);
			killed = 1;
			break;
		}
		if (poll(p, 2, (int)((until - t) * 1000) + 1) < 0 &&
		    errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			ssize_t n;

			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			n = read(p[i].fd, buf, sizeof(buf));
			if (n > 0) {
				if (!i)
					c->serial_bytes += n;
				feed(c, &lb[i], buf, n, i);
			} else if (n == 0 || errno != EINTR) {
				close(p[i].fd);
				p[i].fd = -1;
				open_fds--;
			}
		}
	}
	for (int i = 0; i < 2; i++) {
		if (lb[i].n) { /* a last line without \n */
			lb[i].b[lb[i].n] = 0;
			console_line(c, lb[i].b, i);
		}
		free(lb[i].b);
		if (p[i].fd >= 0)
			close(p[i].fd);
	}
	if (c->file) {
		fclose(c->file);
		c->file = NULL;
	}
	waitpid(pid, &st, 0);
	if (c->state == C_DONE)
		return VM_DONE;
	if (c->state != C_BOOT)
		return killed ? VM_TIMEOUT : VM_DIED;
	if (silent_s && !c->serial_bytes)
		return VM_SILENT;
	return killed ? VM_BOOT_TIMEOUT : VM_NOBOOT;
}

/* --- vmadiff vm ----------------------------------------------------------- */

/* Matches `--name VALUE' or `--name=VALUE' at argv[*i]: 1 with *val set,
 * 0 if it is another option, -1 if the value is missing. */
static int opt_val(int argc, char **argv, int *i, const char *name,
		   const char **val)
{
	size_t l = strlen(name);
	const char *a = argv[*i];

	if (strncmp(a, name, l) || (a[l] && a[l] != '='))
		return 0;
	if (a[l] == '=') {
		*val = a + l + 1;
		return 1;
	}
	if (*i + 1 >= argc)
		return -1;
	*val = argv[++*i];
	return 1;
}

static int parse_uint(const char *s, unsigned *v)
{
	char *end;
	unsigned long x;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || *end || !x || x > 10000000)
		return -1;
	*v = x;
	return 0;
}

/* A line of /vm.args, "KEY VALUE[VALUE2]"; -1 if it would not be one line. */
static int args_line(FILE *f, const char *key, const char *val,
		     const char *val2)
{
	if (strchr(val, '\n') || strchr(val2, '\n'))
		return -1;
	fprintf(f, "%s %s%s\n", key, val, val2);
	return 0;
}

/* An input: packed into the initramfs, named in /vm.args. */
static int add_input(struct cpio *c, FILE *args, const char *arg)
{
	char name[PATH_MAX], vmarg[PATH_MAX], err[PATH_MAX + 128];

	if (guest_path(arg, name, sizeof(name), vmarg, sizeof(vmarg), err,
		       sizeof(err)) ||
	    cpio_tree(c, arg, name, err, sizeof(err))) {
		fprintf(stderr, "vmadiff vm: %s\n", err);
		return -1;
	}
	if (args_line(args, "arg", vmarg, "")) {
		fprintf(stderr, "vmadiff vm: a newline in `%s'\n", arg);
		return -1;
	}
	return 0;
}

/* The tools, /vm.args and the inputs argv[i..] into c; 0 or -1 (said). */
static int pack(struct cpio *c, int fuzz, const char *kver,
		unsigned seconds, int argc, char **argv, int i)
{
	const char *mc = getenv("VMADIFF_MODEL_CONFIG");
	char tool[PATH_MAX], err[PATH_MAX + 128], *args = NULL;
	size_t args_len = 0;
	FILE *af = open_memstream(&args, &args_len);
	int opts_done = 0, rc = -1;

	if (!af)
		abort();
	cpio_entry(c, "dev", S_IFDIR | 0755, 0, 0, NULL, 0);
	/* the kernel opens it as init's stdin/out/err, before devtmpfs */
	cpio_entry(c, "dev/console", S_IFCHR | 0600, 5, 1, NULL, 0);
	if (find_tool(NULL, "vmadiff-static", "make", tool, sizeof(tool), err,
		      sizeof(err)) ||
	    cpio_file(c, tool, "vmadiff", 0755, err, sizeof(err)) ||
	    find_tool("VMADIFF_EXECUTOR", "vmadiff-executor", "make", tool,
		      sizeof(tool), err, sizeof(err)) ||
	    cpio_file(c, tool, "vmadiff-executor", 0755, err, sizeof(err)) ||
	    (fuzz && (find_tool(NULL, "vmadiff_fuzzer-static",
				"make fuzz-build", tool, sizeof(tool), err,
				sizeof(err)) ||
		      cpio_file(c, tool, "vmadiff_fuzzer", 0755, err,
				sizeof(err))))) {
		fprintf(stderr, "vmadiff vm: %s\n", err);
		goto out;
	}
	fprintf(af, "mode %s\nseconds %u\n", fuzz ? "fuzz" : "replay", seconds);
	/* TCG runs a guest's syscalls ~10x slower than the host: give each
	 * program a longer watchdog than the host's 10 s */
	fprintf(af, "env VMADIFF_TIMEOUT_MS=%u\n", VM_PROGRAM_TIMEOUT_MS);
	if ((kver && args_line(af, "env", "VMADIFF_KERNEL_VERSION=", kver)) ||
	    (mc && args_line(af, "env", "VMADIFF_MODEL_CONFIG=", mc))) {
		fprintf(stderr, "vmadiff vm: a newline in the model config\n");
		goto out;
	}
	for (; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] != '-' || !a[1] || opts_done) {
			/* like replay, options only come before the files */
			opts_done = 1;
			if (add_input(c, af, a))
				goto out;
			continue;
		}
		/* replay's options go through as they are */
		opts_done = !strcmp(a, "--");
		if (args_line(af, "arg", a, "") ||
		    (!strcmp(a, "--kernel-version") && i + 1 < argc &&
		     args_line(af, "arg", argv[++i], ""))) {
			fprintf(stderr, "vmadiff vm: a newline in `%s'\n", a);
			goto out;
		}
	}
	fclose(af);
	af = NULL;
	cpio_entry(c, "vm.args", S_IFREG | 0644, 0, 0, args, args_len);
	cpio_entry(c, "TRAILER!!!", 0, 0, 0, NULL, 0);
	rc = 0;
out:
	if (af)
		fclose(af);
	free(args);
	return rc;
}

int cmd_vm(int argc, char **argv)
{
	const char *kernel = NULL, *kver = getenv("VMADIFF_KERNEL_VERSION");
	const char *append = "", *logpath = NULL, *accel = NULL, *cpu = NULL;
	const char *findings = "vm-findings", *timeout_s = NULL, *mem_s = NULL;
	const char *seconds_s = NULL;
	unsigned timeout = 600, mem = 1024, seconds = 0, ninputs = 0;
	char qemu[PATH_MAX], initrd[64], memarg[32], cmdline[4096], err[256];
	struct console con = { .findings = NULL };
	struct cpio c = { 0 };
	struct stat st;
	int i, j, fuzz, kvm, fd, rc = 2, r;
	enum vm_result res;
	double t0;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(vm_usage, stdout);
			return 0;
		}
		j = i;
		r = opt_val(argc, argv, &i, "--kernel", &kernel);
		if (!r)
			r = opt_val(argc, argv, &i, "--kernel-version", &kver);
		if (!r)
			r = opt_val(argc, argv, &i, "--timeout", &timeout_s);
		if (!r)
			r = opt_val(argc, argv, &i, "--accel", &accel);
		if (!r)
			r = opt_val(argc, argv, &i, "--cpu", &cpu);
		if (!r)
			r = opt_val(argc, argv, &i, "--mem", &mem_s);
		if (!r)
			r = opt_val(argc, argv, &i, "--append", &append);
		if (!r)
			r = opt_val(argc, argv, &i, "--log", &logpath);
		if (!r)
			r = opt_val(argc, argv, &i, "--findings", &findings);
		if (r < 0)
			return vm_usage_error("`%s' needs a value", argv[j]);
		if (!r)
			return vm_usage_error("unknown option `%s'", argv[j]);
	}
	if (i >= argc || (strcmp(argv[i], "replay") && strcmp(argv[i], "fuzz")))
		return vm_usage_error("%s", "expected `replay' or `fuzz' after "
					    "the options");
	fuzz = !strcmp(argv[i++], "fuzz");
	if (fuzz && i < argc &&
	    opt_val(argc, argv, &i, "--seconds", &seconds_s) == 1)
		i++;
	for (j = i; j < argc; j++)
		ninputs += argv[j][0] != '-' || !argv[j][1];
	if (!kernel)
		return vm_usage_error("%s", "no --kernel IMAGE given");
	if (fuzz && (!seconds_s || parse_uint(seconds_s, &seconds)))
		return vm_usage_error("%s", "fuzz needs --seconds N (N > 0)");
	if (fuzz)
		timeout += seconds;
	if ((timeout_s && parse_uint(timeout_s, &timeout)) ||
	    (mem_s && parse_uint(mem_s, &mem)))
		return vm_usage_error("%s", "--timeout and --mem take a "
					    "positive number");
	if (accel && strcmp(accel, "kvm") && strcmp(accel, "tcg"))
		return vm_usage_error("--accel: `%s' is not kvm or tcg", accel);
	if (!fuzz && !ninputs)
		return vm_usage_error("%s", "replay: no FILE or DIR given");
	for (j = i; fuzz && j < argc; j++)
		if (argv[j][0] == '-' && argv[j][1])
			return vm_usage_error("fuzz: unknown option `%s'",
					      argv[j]);
	if (kver && !*kver)
		kver = NULL;
	if (kver) {
		struct model_config mc;
		char spec[64];

		model_config_default(&mc);
		snprintf(spec, sizeof(spec), "kver=%s", kver);
		if (engine_config_override(&mc, spec, err, sizeof(err)))
			return vm_usage_error("--kernel-version: %s", err);
	}
	errno = 0;
	if (stat(kernel, &st) || !S_ISREG(st.st_mode) || access(kernel, R_OK)) {
		fprintf(stderr, "vmadiff vm: kernel image %s: %s\n", kernel,
			errno ? strerror(errno) : "not a regular file");
		return 2;
	}
	if (find_qemu(qemu, sizeof(qemu))) {
		fprintf(stderr,
			"vmadiff vm: %s not found (Debian: apt-get install "
			"qemu-system-x86; or set VMADIFF_QEMU)\n", QEMU);
		return 2;
	}

	/* The initramfs is an unlinked temporary file that qemu opens as
	 * /proc/self/fd/N: nothing is left behind, however we end. */
	snprintf(initrd, sizeof(initrd), "/tmp/vmadiff-initrd.XXXXXX");
	fd = mkstemp(initrd);
	if (fd < 0) {
		fprintf(stderr, "vmadiff vm: %s: %s\n", initrd, strerror(errno));
		return 2;
	}
	unlink(initrd);
	c.f = fdopen(dup(fd), "w");
	if (!c.f)
		abort();
	r = pack(&c, fuzz, kver, seconds, argc, argv, i);
	for (size_t k = 0; k < c.ndirs; k++)
		free(c.dirs[k]);
	free(c.dirs);
	if (fclose(c.f) && !r) {
		fprintf(stderr, "vmadiff vm: writing the initramfs: %s\n",
			strerror(errno));
		r = -1;
	}
	if (r)
		goto out;

	con.findings = findings;
	if (logpath && !(con.log = fopen(logpath, "we"))) {
		fprintf(stderr, "vmadiff vm: %s: %s\n", logpath, strerror(errno));
		goto out;
	}
	snprintf(initrd, sizeof(initrd), "/proc/self/fd/%d", fd);
	snprintf(memarg, sizeof(memarg), "%u", mem);
	snprintf(cmdline, sizeof(cmdline),
		 "console=ttyS0 panic=-1 rdinit=/vmadiff %s -- vm-init", append);
	kvm = accel ? !strcmp(accel, "kvm") : kvm_usable();
	for (;;) {
		const char *qargv[] = {
			qemu, "-nodefaults", "-display", "none", "-no-reboot",
			"-serial", "stdio", "-m", memarg,
			"-accel", kvm ? "kvm" : "tcg",
			"-cpu", cpu ? cpu : kvm ? "host" : TCG_CPU,
			"-kernel", kernel, "-initrd", initrd,
			"-append", cmdline, NULL,
		};

		t0 = now_s();
		res = run_qemu((char *const *)qargv, &con, t0 + timeout,
			       kvm && !accel ? KVM_SILENT_S : 0);
		if (res != VM_SILENT)
			break;
		fprintf(stderr, "vmadiff vm: KVM did not run the guest (no "
			"console output); using TCG\n");
		tail_print(&con);
		console_reset(&con);
		kvm = 0;
	}
	switch (res) {
	case VM_DONE:
		fprintf(stderr,
			"vmadiff vm: kernel %s under %s: booted to init in "
			"%.1f s, %s ran %.1f s\n",
			con.release, kvm ? "KVM" : "TCG", con.t_begin - t0,
			fuzz ? "fuzz" : "replay", con.t_end - con.t_begin);
		rc = con.status;
		break;
	case VM_NOSTART:
		break;
	case VM_SILENT:
	case VM_NOBOOT:
	case VM_BOOT_TIMEOUT:
		fprintf(stderr,
			"vmadiff vm: %s did not boot to vmadiff's init (%s)\n",
			kernel, res == VM_BOOT_TIMEOUT ? "timed out"
							: "qemu exited first");
		if (!con.ntail)
			fprintf(stderr, "  (no console output at all)\n");
		tail_print(&con);
		break;
	case VM_TIMEOUT:
		fprintf(stderr, "vmadiff vm: timed out after %u s while %s "
			"ran in the VM (--timeout S); its output so far is "
			"above\n", timeout, fuzz ? "fuzz" : "replay");
		tail_print(&con);
		break;
	case VM_DIED:
		fprintf(stderr, "vmadiff vm: the VM stopped before %s "
			"finished; its output so far is above\n",
			fuzz ? "fuzz" : "replay");
		tail_print(&con);
		break;
	}
out:
	if (con.log)
		fclose(con.log);
	console_reset(&con);
	close(fd);
	return rc;
}

/* --- vmadiff vm-init: pid 1 in the VM ------------------------------------- */

/* Runs argv (absolute path) to completion, output to out_fd if >= 0.
 * Returns its exit status, 128 + signal, or 127 if it did not run. */
static int guest_run(char *const argv[], int out_fd)
{
	pid_t pid, w;
	int st;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 127;
	if (!pid) {
		if (out_fd >= 0) {
			dup2(out_fd, 1);
			dup2(out_fd, 2);
		}
		execv(argv[0], argv);
		fprintf(stderr, "vmadiff vm-init: %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	/* as pid 1 we also reap whatever gets orphaned meanwhile */
	while ((w = wait(&st)) != pid)
		if (w < 0 && errno != EINTR)
			return 127;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

struct gargs {
	char **v;
	unsigned n, cap;
};

static void gargs_push(struct gargs *a, const char *s)
{
	if (a->n + 1 >= a->cap) {
		a->cap = a->cap ? 2 * a->cap : 32;
		a->v = realloc(a->v, a->cap * sizeof(*a->v));
		if (!a->v)
			abort();
	}
	a->v[a->n] = strdup(s);
	if (!a->v[a->n])
		abort();
	a->n++;
	a->v[a->n] = NULL; /* always NULL-terminated for execv */
}

/* Copies a file to stdout. */
static void guest_cat(const char *path)
{
	char buf[4096];
	size_t n;
	FILE *f = fopen(path, "re");

	if (!f)
		return;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(f);
	fflush(stdout);
}

static int not_dot(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/*
 * Fuzzes for seconds from the seed dirs, like `make fuzz': the log, then
 * the findings replayed, then each as text between file/eof markers.
 * Returns replay's status over the findings, 2 if the fuzzer failed.
 */
static int guest_fuzz(const struct gargs *in, unsigned seconds)
{
	struct gargs fz = { 0 }, rp = { 0 };
	struct dirent **ents;
	char buf[128];
	int n, st, fst, logfd;

	mkdir("/fuzz", 0755);
	mkdir("/fuzz/corpus", 0755);
	mkdir("/fuzz/findings", 0755);
	mkdir("/fuzz/seeds", 0755);
	gargs_push(&fz, "/vmadiff_fuzzer");
	snprintf(buf, sizeof(buf), "-max_total_time=%u", seconds);
	gargs_push(&fz, buf);
	gargs_push(&fz, "-print_final_stats=1");
	gargs_push(&fz, "-artifact_prefix=/fuzz/findings/");
	gargs_push(&fz, "-max_len=4096");
	gargs_push(&fz, "-timeout=25");
	gargs_push(&fz, "/fuzz/corpus");
	for (unsigned i = 0; i < in->n; i++) {
		const char *argv[] = { "/vmadiff", "encode", in->v[i], "-o",
				       buf, NULL };

		snprintf(buf, sizeof(buf), "/fuzz/seeds/%u", i);
		if (guest_run((char *const *)argv, -1))
			return 2;
		gargs_push(&fz, buf);
	}
	logfd = open("/fuzz/log", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		     0644);
	fst = guest_run(fz.v, logfd);
	if (logfd >= 0)
		close(logfd);
	guest_cat("/fuzz/log");
	printf("fuzzer exit status %d\n", fst);
	gargs_push(&rp, "/vmadiff");
	gargs_push(&rp, "replay");
	gargs_push(&rp, "/fuzz/findings");
	st = guest_run(rp.v, -1);
	n = scandir("/fuzz/findings", &ents, not_dot, alphasort);
	for (int i = 0; i < n; i++) {
		char path[300];
		const char *argv[] = { "/vmadiff", "show", path, NULL };

		snprintf(path, sizeof(path), "/fuzz/findings/%s",
			 ents[i]->d_name);
		printf(MARK "file %s\n", ents[i]->d_name);
		guest_run((char *const *)argv, -1);
		printf(MARK "eof\n");
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
	/* no finding but the fuzzer failed: it did not fuzz */
	return st == 0 && fst ? 2 : st;
}

int cmd_vm_init(int argc, char **argv)
{
	struct gargs in = { 0 }, rp = { 0 };
	struct utsname u;
	unsigned seconds = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int fuzz = 0, status = 2;
	FILE *f;

	(void)argc;
	(void)argv;
	if (getpid() != 1) {
		fprintf(stderr, "vmadiff: vm-init is the init of the VM that "
			"`vmadiff vm' boots\n");
		return 2;
	}
	mkdir("/proc", 0555);
	mkdir("/sys", 0555);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	/* keep printk (the executor's segfault lines) off the console */
	f = fopen("/proc/sys/kernel/printk", "we");
	if (f) {
		fputs("1\n", f);
		fclose(f);
	}
	uname(&u);
	printf(MARK "begin %s\n", u.release);
	fflush(stdout);

	gargs_push(&rp, "/vmadiff");
	gargs_push(&rp, "replay");
	f = fopen("/vm.args", "re");
	while (f && (len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = 0;
		if (!strncmp(line, "env ", 4))
			putenv(strdup(line + 4));
		else if (!strcmp(line, "mode fuzz"))
			fuzz = 1;
		else if (!strncmp(line, "seconds ", 8))
			seconds = strtoul(line + 8, NULL, 10);
		else if (!strncmp(line, "arg ", 4))
			gargs_push(fuzz ? &in : &rp, line + 4);
	}
	if (!f)
		printf(MARK "error /vm.args: %s\n", strerror(errno));
	else if (access("/proc/self/maps", R_OK))
		printf(MARK "error /proc/self/maps: %s\n", strerror(errno));
	else
		status = fuzz ? guest_fuzz(&in, seconds) : guest_run(rp.v, -1);
	printf(MARK "end %d\n", status);
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	reboot(RB_AUTOBOOT); /* -no-reboot makes this an exit too */
	for (;;)
		pause();
}
