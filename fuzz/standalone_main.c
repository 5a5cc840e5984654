// SPDX-License-Identifier: GPL-2.0
/*
 * A fuzzing-engine stand-in that only replays: main() calls
 * LLVMFuzzerInitialize (if the target has one), then LLVMFuzzerTestOneInput
 * once per file named on the command line, walking directories (sorted);
 * flags (-runs=...) are ignored. It is the $LIB_FUZZING_ENGINE of the plain
 * (no engine, no sanitizer) build that tests/test_ossfuzz.sh checks, like
 * OSS-Fuzz's StandaloneFuzzTargetMain. Ends "Done N runs"; exits 1 if a
 * file cannot be read.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long runs;

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0;

	if (!f) {
		perror(path);
		return -1;
	}
	for (;;) {
		size_t r;

		if (n == cap) {
			uint8_t *nb;

			cap = cap ? 2 * cap : 4096;
			nb = realloc(buf, cap);
			if (!nb)
				abort();
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n, f);
		if (!r)
			break;
		n += r;
	}
	fclose(f);
	fprintf(stderr, "Running: %s (%zu bytes)\n", path, n);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	runs++;
	return 0;
}

static int run_path(const char *path)
{
	struct dirent **ents;
	struct stat st;
	int n, bad = 0;

	if (stat(path, &st)) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	n = scandir(path, &ents, NULL, alphasort);
	if (n < 0) {
		perror(path);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char sub[4096];

		if (ents[i]->d_name[0] != '.' &&
		    snprintf(sub, sizeof(sub), "%s/%s", path,
			     ents[i]->d_name) < (int)sizeof(sub) &&
		    run_path(sub))
			bad = 1;
		free(ents[i]);
	}
	free(ents);
	return bad ? -1 : 0;
}

int main(int argc, char **argv)
{
	int bad = 0;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++)
		if (argv[i][0] != '-' && run_path(argv[i]))
			bad = 1;
	fprintf(stderr, "Done %lu runs\n", runs);
	return bad;
}
