# Fuzzing at scale: the structure-aware mutator, the parser target, the
# plain-mutator baseline, AFL++, and `make fuzz JOBS=N`. README.md
# ("Fuzzing", "On OSS-Fuzz / ClusterFuzzLite") explains them; the OSS-Fuzz
# build itself is oss-fuzz/build.sh (tests/test_ossfuzz.sh checks it).

# afl++ for `make afl` and the AFL++ tests; zip for the seed corpora.
DEBS += afl++ zip unzip

# The libFuzzer target links the mutator (its recipe links $^).
$(FUZZ_BIN): $(FB)/fuzz/mutator.o

# The text parser's target (fuzz/parser_fuzzer.c): needs no executor.
$(B)/parser_fuzzer: fuzz/parser_fuzzer.c $(FUZZ_OBJ)
	$(FUZZ_CC) $(CSTD) $(WARN) $(FUZZ_OPT) -fsanitize=fuzzer $(FUZZ_SAN) $^ -lxxhash -o $@

fuzz-build: $(B)/parser_fuzzer

# The same target with libFuzzer's byte mutations only: the baseline that
# `make fuzz-compare` measures the custom mutator against.
$(B)/vmadiff_fuzzer_plain: fuzz/vmadiff_fuzzer.c $(FUZZ_OBJ)
	$(FUZZ_CC) $(CSTD) $(WARN) $(FUZZ_OPT) -DVMADIFF_PLAIN_MUTATOR -fsanitize=fuzzer $(FUZZ_SAN) $^ -lxxhash -o $@

# `make fuzz` mutates bytes with the dictionary too (half of the custom
# mutator's mutations are libFuzzer's byte mutations).
override FUZZ_ARGS += -dict=fuzz/vmadiff_fuzzer.dict

# make fuzz JOBS=N: libFuzzer's fork mode, N fuzzing processes sharing one
# corpus ($(FUZZ_CORPUS)); it keeps going after a finding, and the summary
# groups the findings by signature (fuzz/findings.sh).
JOBS ?=
ifneq ($(JOBS),)
override FUZZ_ARGS += -fork=$(JOBS) -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1
endif

# make fuzz-compare: FUZZ_SECONDS with the custom mutator, then as long
# with byte mutations only, each from the seeds into a fresh corpus; prints
# the last cov/ft/exec/s of each, then how many edges of model/ each final
# corpus covers, both replayed by the plain binary (independent of how
# busy the machine was). One at a time: they share the cores. The binaries
# run from private copies, which a rebuild during the run cannot replace.
CMP = $(B)/fuzz-compare
CMP_ENV = VMADIFF_EXECUTOR=$(CMP)/bin/vmadiff-executor \
	  VMADIFF_SUPPRESSIONS=corpus/suppressions ASAN_OPTIONS=detect_leaks=0
fuzz-compare: fuzz-build $(B)/vmadiff_fuzzer_plain
	@rm -rf $(CMP) && mkdir -p $(CMP)/seeds $(CMP)/bin
	@cp $(B)/vmadiff_fuzzer $(B)/vmadiff_fuzzer_plain $(B)/vmadiff-executor $(CMP)/bin/
	@$(B)/vmadiff encode corpus/seeds -o $(CMP)/seeds
	@for t in vmadiff_fuzzer vmadiff_fuzzer_plain; do \
	  mkdir -p $(CMP)/$$t.corpus $(CMP)/$$t.findings; \
	  echo "$$t: $(FUZZ_SECONDS) s"; \
	  $(CMP_ENV) \
	    $(CMP)/bin/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -seed=$${FUZZ_SEED:-1} -timeout=25 -max_len=4096 \
	    -dict=fuzz/vmadiff_fuzzer.dict -fork=1 -ignore_crashes=1 \
	    -ignore_timeouts=1 -ignore_ooms=1 \
	    -artifact_prefix=$(CMP)/$$t.findings/ \
	    $(CMP)/$$t.corpus $(CMP)/seeds >$(CMP)/$$t.log 2>&1; \
	done
	@echo "=== $(FUZZ_SECONDS) s each, libFuzzer -fork=1 (keeps going after findings) ==="
	@for t in vmadiff_fuzzer vmadiff_fuzzer_plain; do \
	  printf '%-22s %s  findings: %s\n' $$t \
	    "$$(grep -E '^#[0-9]+: cov:' $(CMP)/$$t.log | tail -n 1)" \
	    "$$(ls $(CMP)/$$t.findings | wc -l)"; \
	done
	@echo "=== model/ edges the final corpora cover (replayed by one binary) ==="
	@for t in vmadiff_fuzzer vmadiff_fuzzer_plain; do \
	  $(CMP_ENV) $(CMP)/bin/vmadiff_fuzzer_plain -runs=0 -print_coverage=1 \
	    $(CMP)/$$t.corpus 2>&1 | grep -E '^(UN)?COVERED_FUNC:.* /[^ ]*/model/' | \
	    sed -E 's|.*edges: ([0-9]+)/([0-9]+) .*|\1 \2|' | \
	    awk -v t=$$t '{ c += $$1; n += $$2 } END { printf "%-22s %d of %d\n", t, c, n }'; \
	done

.PHONY: fuzz-compare afl

# --- AFL++ ----------------------------------------------------------------
# The same target built with afl-clang-fast and libAFLDriver.a (Debian's
# afl++), the executor and the suppressions beside it, and the mutator as
# an AFL++ custom mutator library (fuzz/afl_mutator.c).
# AFL_SAN=-fsanitize=address for ASan.
AFL_CC ?= afl-clang-fast
AFL_SAN ?=
AFL_DRIVER ?= /usr/lib/afl/libAFLDriver.a
AB = $(B)/afl
AFL_OBJ = $(patsubst %.c,$(AB)/%.o,$(LIB_SRC) fuzz/mutator.c fuzz/vmadiff_fuzzer.c)
PIC_OBJ = $(patsubst %.c,$(B)/pic/%.o,$(LIB_SRC) fuzz/mutator.c fuzz/afl_mutator.c)

$(AB)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	AFL_QUIET=1 $(AFL_CC) $(CSTD) $(WARN) -O2 -g $(AFL_SAN) -c $< -o $@

$(AB)/vmadiff_fuzzer: $(AFL_OBJ)
	AFL_QUIET=1 $(AFL_CC) $(AFL_SAN) $^ $(AFL_DRIVER) -lxxhash -o $@

$(AB)/vmadiff-executor: $(B)/vmadiff-executor
	@mkdir -p $(AB)
	cp $< $@

# afl-fuzz dlopen()s the library: position-independent, uninstrumented.
$(B)/pic/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(OPT) -fPIC -c $< -o $@

$(AB)/vmadiff-mutator.so: $(PIC_OBJ)
	@mkdir -p $(AB)
	$(CC) -shared -Wl,-z,defs $^ -lxxhash -o $@

# the target looks for its suppressions beside itself, too
$(AB)/vmadiff.suppressions: corpus/suppressions
	@mkdir -p $(AB)
	cp $< $@

afl: $(AB)/vmadiff_fuzzer $(AB)/vmadiff-executor $(AB)/vmadiff-mutator.so \
	$(AB)/vmadiff.suppressions

# tests/test_mutator.c includes the mutator (white-box).
$(B)/tests/test_mutator: fuzz/mutator.c
