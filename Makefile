# vmadiff: see README.md. `make test` is what CI runs.
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

.PHONY: all test clean
all: $(B)/vmadiff-executor $(B)/vmadiff $(TEST_BIN)

$(B)/%.o: %.c $(wildcard */*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(OPT) $(EXTRA_CFLAGS) -c $< -o $@

$(B)/libvmadiff.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

# The executor is built with gcc -static so that it has a tiny, stable
# layout and no sanitizer runtime whatever the fuzz target is built with.
$(B)/vmadiff-executor: $(EXEC_SRC) $(wildcard */*.h)
	@mkdir -p $(B)
	gcc $(CSTD) $(WARN) -O2 -g -static $(EXEC_SRC) -lxxhash -o $@

$(B)/vmadiff: $(wildcard cli/*.c) $(B)/libvmadiff.a
	$(CC) $(CSTD) $(WARN) $(OPT) $(wildcard cli/*.c) $(B)/libvmadiff.a -lxxhash -o $@

$(B)/tests/%: tests/%.c $(B)/libvmadiff.a
	@mkdir -p $(B)/tests
	$(CC) $(CSTD) $(WARN) $(OPT) $< $(B)/libvmadiff.a -lxxhash -o $@

clean:
	rm -rf $(B)
