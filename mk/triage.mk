# What to do with findings (README.md, "When the fuzzer finds something"):
# bucket them, and libFuzzer's own crash minimisation and corpus merge.
# vmadiff's minimize, repro and regress commands need no make target.

.PHONY: triage fuzz-minimize-crash fuzz-merge

# make triage: the findings of `make fuzz` grouped by signature, with the
# smallest example of each.
triage: $(B)/vmadiff $(B)/vmadiff-executor
	$(B)/vmadiff triage $(FUZZ_FINDINGS)

# make fuzz-minimize-crash CRASH=build/fuzz-findings/crash-...: libFuzzer's
# -minimize_crash=1, writing CRASH.min. The target traps in a function per
# divergence class, so with handle_sigill the sanitizer's dedup token
# (in_<op>--<field>_<subclass>--diverge_<field>) keeps the minimisation on
# the same class; `vmadiff minimize` keeps the exact signature.
CRASH ?=
MINIMIZE_RUNS ?= 10000
fuzz-minimize-crash: fuzz-build
	@test -n "$(CRASH)" || { echo "usage: make fuzz-minimize-crash CRASH=FILE"; exit 2; }
	ASAN_OPTIONS=$${ASAN_OPTIONS:-detect_leaks=0:handle_sigill=1:dedup_token_length=3} \
	  $(FUZZ_BIN) -minimize_crash=1 -runs=$(MINIMIZE_RUNS) \
	  -exact_artifact_path=$(CRASH).min $(CRASH)
	$(B)/vmadiff show $(CRASH).min

# make fuzz-merge: the work corpus merged into a minimal one with the same
# coverage, $(FUZZ_CORPUS).min (libFuzzer -merge=1; the seeds count too).
fuzz-merge: fuzz-build
	@rm -rf $(FUZZ_CORPUS).min $(FUZZ_SEEDS_BIN) && mkdir -p $(FUZZ_CORPUS).min $(FUZZ_CORPUS)
	$(B)/vmadiff encode corpus/seeds -o $(FUZZ_SEEDS_BIN)
	ASAN_OPTIONS=$${ASAN_OPTIONS:-detect_leaks=0} \
	  $(FUZZ_BIN) -merge=1 $(FUZZ_CORPUS).min $(FUZZ_SEEDS_BIN) $(FUZZ_CORPUS)
	@echo "merged: $$(ls $(FUZZ_CORPUS).min | wc -l) inputs in $(FUZZ_CORPUS).min/"
