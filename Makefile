# vmadiff: see README.md. `make test` is what CI runs; `make fuzz` fuzzes.
CC ?= clang
ifeq ($(origin CC),default)
CC = clang
endif
OPT ?= -O2 -g
WARN = -Wall -Wextra -Werror
CSTD = -std=c11 -D_GNU_SOURCE
B = build

# harness/exec_*.c make up the kernel executor (static, uninstrumented);
# everything else in model/ oracle/ harness/ engine/ is the library that
# the fuzz targets, the CLI and the tests link.
EXEC_SRC = $(wildcard harness/exec_*.c) harness/prog.c oracle/snapshot.c
LIB_SRC = $(wildcard model/*.c oracle/*.c engine/*.c) \
	  $(filter-out $(wildcard harness/exec_*.c),$(wildcard harness/*.c))
LIB_OBJ = $(patsubst %.c,$(B)/%.o,$(LIB_SRC))
TEST_SRC = $(wildcard tests/test_*.c)
TEST_BIN = $(patsubst tests/%.c,$(B)/tests/%,$(TEST_SRC))
HDRS = $(wildcard */*.h)

# The libFuzzer target: the library rebuilt with coverage instrumentation
# (and ASan unless FUZZ_SAN is overridden) under $(B)/fuzz/.
FUZZ_CC ?= clang
FUZZ_SAN ?= -fsanitize=address
FUZZ_OPT ?= -O1 -g
FB = $(B)/fuzz
FUZZ_OBJ = $(patsubst %.c,$(FB)/%.o,$(LIB_SRC))
FUZZ_BIN = $(B)/vmadiff_fuzzer
# `make fuzz`: seconds to fuzz, extra libFuzzer flags, and its directories.
FUZZ_SECONDS ?= 60
FUZZ_ARGS ?=
FUZZ_CORPUS ?= $(B)/fuzz-corpus
FUZZ_SEEDS_BIN = $(B)/fuzz-seeds
FUZZ_FINDINGS ?= $(B)/fuzz-findings
# Debian packages `make fuzz` and `make test` install (as root) when missing.
DEBS = clang libclang-rt-14-dev libxxhash-dev gcc libc6-dev

.PHONY: all test fuzz fuzz-build deps clean
all: $(B)/vmadiff-executor $(B)/vmadiff $(TEST_BIN)

$(B)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(OPT) $(EXTRA_CFLAGS) -c $< -o $@

$(B)/libvmadiff.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

# The executor is built with gcc -static so that it has a tiny, stable
# layout and no sanitizer runtime whatever the fuzz target is built with.
$(B)/vmadiff-executor: $(EXEC_SRC) $(HDRS)
	@mkdir -p $(B)
	gcc $(CSTD) $(WARN) -O2 -g -static $(EXEC_SRC) -lxxhash -o $@

$(B)/vmadiff: $(wildcard cli/*.c) $(B)/libvmadiff.a
	$(CC) $(CSTD) $(WARN) $(OPT) $(wildcard cli/*.c) $(B)/libvmadiff.a -lxxhash -o $@

# Tests may include model-internal headers as "vma.h" (white-box tests).
$(B)/tests/%: tests/%.c $(B)/libvmadiff.a $(HDRS)
	@mkdir -p $(B)/tests
	$(CC) $(CSTD) $(WARN) $(OPT) -Imodel $< $(B)/libvmadiff.a -lxxhash -o $@

# tests/run.sh runs every $(B)/tests/test_* binary, tests/test_*.sh,
# `vmadiff replay` over corpus/seeds and corpus/regressions and a smoke run
# of the fuzz target, and prints one total `N passed, N failed' line.
test: deps
	$(MAKE) all fuzz-build
	sh tests/run.sh

# --- fuzzing ----------------------------------------------------------------

$(FB)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CSTD) $(WARN) $(FUZZ_OPT) -fsanitize=fuzzer-no-link $(FUZZ_SAN) -c $< -o $@

$(FUZZ_BIN): fuzz/vmadiff_fuzzer.c $(FUZZ_OBJ)
	$(FUZZ_CC) $(CSTD) $(WARN) $(FUZZ_OPT) -fsanitize=fuzzer $(FUZZ_SAN) $^ -lxxhash -o $@
	cp fuzz/vmadiff_fuzzer.options $(B)/

fuzz-build: $(FUZZ_BIN) $(B)/vmadiff-executor $(B)/vmadiff

# Installs the Debian packages that are missing (root only; others get the
# command to run).
deps:
	@missing=""; for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	  else \
	    echo "missing Debian packages:$$missing (as root: apt-get install -y$$missing)"; exit 1; \
	  fi; \
	fi

# Installs what is missing, builds, turns
# the text seeds into bytes, and fuzzes for FUZZ_SECONDS into
# $(FUZZ_CORPUS) (the seeds stay untouched); findings land in
# $(FUZZ_FINDINGS). libFuzzer stops at the first finding; to keep going,
# FUZZ_ARGS='-fork=1 -ignore_crashes=1'. The summary replays the findings.
fuzz: deps
	$(MAKE) fuzz-build
	@rm -rf $(FUZZ_SEEDS_BIN) && mkdir -p $(FUZZ_SEEDS_BIN) $(FUZZ_CORPUS) $(FUZZ_FINDINGS)
	@if ls corpus/seeds/* >/dev/null 2>&1; then \
	  $(B)/vmadiff encode corpus/seeds -o $(FUZZ_SEEDS_BIN) || exit 1; \
	fi
	@echo "fuzzing for $(FUZZ_SECONDS) s: corpus $(FUZZ_CORPUS), seeds $(FUZZ_SEEDS_BIN) ($$(ls $(FUZZ_SEEDS_BIN) | wc -l) files), findings $(FUZZ_FINDINGS)/"
	@{ VMADIFF_EXECUTOR=$(B)/vmadiff-executor ASAN_OPTIONS=$${ASAN_OPTIONS:-detect_leaks=0} \
	  $(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	  -artifact_prefix=$(FUZZ_FINDINGS)/ -max_len=4096 -timeout=25 $(FUZZ_ARGS) \
	  $(FUZZ_CORPUS) $(FUZZ_SEEDS_BIN); echo $$? >$(B)/fuzz.status; } 2>&1 | tee $(B)/fuzz.log; \
	echo; echo "=== fuzz summary (log: $(B)/fuzz.log, libFuzzer exit $$(cat $(B)/fuzz.status)) ==="; \
	grep -E 'stat::(number_of_executed_units|average_exec_per_sec|new_units_added)' $(B)/fuzz.log || \
	  grep -oE 'exec/s:? [0-9]+' $(B)/fuzz.log | tail -n 1; \
	echo "corpus: $$(ls $(FUZZ_CORPUS) | wc -l) inputs in $(FUZZ_CORPUS)/"; \
	n=$$(ls $(FUZZ_FINDINGS) | wc -l); echo "findings: $$n in $(FUZZ_FINDINGS)/"; \
	if [ "$$n" -gt 0 ]; then \
	  sh fuzz/findings.sh $(B)/vmadiff $(FUZZ_FINDINGS); \
	  echo "full report: $(B)/vmadiff replay $(FUZZ_FINDINGS)/FILE"; \
	fi

clean:
	rm -rf $(B)

# Feature-specific targets live in mk/*.mk (one file per area).
-include $(wildcard mk/*.mk)
