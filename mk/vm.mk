# `vmadiff vm` (cli/vm.c) packs static tools into the VM's initramfs:
# the CLI and a libFuzzer build without ASan (ASan cannot link statically),
# beside the executor (static already).
VM_FB = $(B)/vmfuzz
# the sources of $(FUZZ_BIN) (Makefile, mk/fuzz.mk)
VM_FUZZ_SRC = $(LIB_SRC) fuzz/vmadiff_fuzzer.c $(wildcard fuzz/mutator.c)
VM_FUZZ_OBJ = $(patsubst %.c,$(VM_FB)/%.o,$(VM_FUZZ_SRC))
LIBFUZZER_A = $(shell $(FUZZ_CC) -print-resource-dir)/lib/linux/libclang_rt.fuzzer-x86_64.a

.PHONY: vm-build
all: $(B)/vmadiff-static
fuzz-build: $(B)/vmadiff_fuzzer-static
vm-build: $(B)/vmadiff-static $(B)/vmadiff-executor $(B)/vmadiff_fuzzer-static

$(B)/vmadiff-static: $(wildcard cli/*.c) $(B)/libvmadiff.a $(HDRS)
	$(CC) $(CSTD) $(WARN) $(OPT) -static $(wildcard cli/*.c) $(B)/libvmadiff.a -lxxhash -o $@

$(VM_FB)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CSTD) $(WARN) $(FUZZ_OPT) -fsanitize=fuzzer-no-link -c $< -o $@

# Linked by hand: -fsanitize=fuzzer would add the interceptor and UBSan
# runtimes, which crash in a static binary (they find libc via dlsym).
$(B)/vmadiff_fuzzer-static: $(VM_FUZZ_OBJ)
	$(FUZZ_CC) -static $^ -Wl,--whole-archive $(LIBFUZZER_A) -Wl,--no-whole-archive -lstdc++ -lm -lxxhash -o $@

# `make vm KERNEL=path/to/bzImage`: the corpus replayed inside that kernel
# (README "Testing your own kernel"); VM_CMD and VM_OPTS as documented there.
KERNEL ?=
VM_CMD ?= replay corpus/regressions corpus/seeds
VM_OPTS ?=
.PHONY: vm
vm: all vm-build
	@test -n "$(KERNEL)" || { echo "usage: make vm KERNEL=path/to/bzImage [VM_CMD='fuzz --seconds 60 corpus/seeds'] [VM_OPTS='--kernel-version 6.1']"; exit 2; }
	$(B)/vmadiff vm --kernel $(KERNEL) $(VM_OPTS) $(VM_CMD)
