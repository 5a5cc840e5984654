#!/bin/bash -eu
# SPDX-License-Identifier: GPL-2.0
#
# The OSS-Fuzz / ClusterFuzzLite build (the base-builder contract): compiles
# the library and the targets with $CC $CFLAGS, links them with $CXX
# $CXXFLAGS $LIB_FUZZING_ENGINE, and writes to $OUT:
#   vmadiff_fuzzer, parser_fuzzer          the fuzz targets
#   vmadiff-executor                       the kernel side: the fuzzer runs it
#                                          as a child, found beside itself;
#                                          gcc -static, never instrumented
#   <target>_seed_corpus.zip, .dict, .options
#   vmadiff.suppressions                   known divergences (corpus/)
# The source is $SRC/vmadiff (the Dockerfiles put it there). xxHash is used
# header-only (XXH_INLINE_ALL): nothing to link, so nothing missing on the
# bots; $SRC/xxhash (a pinned clone, see Dockerfile) wins over the system's.
# tests/test_ossfuzz.sh runs this script the way the base builder does.
set -eu # also when run as `bash build.sh`, which ignores the #! flags

VMADIFF=${VMADIFF_SRC:-$SRC/vmadiff}
BUILD=${WORK:-/tmp}/vmadiff-build
XXH=(-DXXH_INLINE_ALL)
if [ -f "$SRC/xxhash/xxhash.h" ]; then
	XXH+=("-I$SRC/xxhash")
fi
STD=(-std=c11 -D_GNU_SOURCE)

cd "$VMADIFF"
rm -rf "$BUILD"
mkdir -p "$BUILD" "$OUT"

# The library: what the Makefile's LIB_SRC is (harness/exec_*.c make up
# the executor), plus the mutator.
LIB_SRC=()
for f in model/*.c oracle/*.c engine/*.c harness/*.c fuzz/mutator.c; do
	case $f in
	harness/exec_*) ;;
	*) LIB_SRC+=("$f") ;;
	esac
done

# compile FILE...: $CC $CFLAGS, one job per core.
compile() {
	local f jobs=0
	for f in "$@"; do
		mkdir -p "$BUILD/$(dirname "$f")"
		# shellcheck disable=SC2086 # CFLAGS is a list of flags
		$CC $CFLAGS "${STD[@]}" "${XXH[@]}" -c "$f" -o "$BUILD/${f%.c}.o" &
		jobs=$((jobs + 1))
		if [ "$jobs" -ge "$(nproc)" ]; then
			wait -n
			jobs=$((jobs - 1))
		fi
	done
	while [ "$jobs" -gt 0 ]; do
		wait -n
		jobs=$((jobs - 1))
	done
}
compile "${LIB_SRC[@]}" fuzz/vmadiff_fuzzer.c fuzz/parser_fuzzer.c
LIB_OBJ=()
for f in "${LIB_SRC[@]}"; do
	LIB_OBJ+=("$BUILD/${f%.c}.o")
done

for t in vmadiff_fuzzer parser_fuzzer; do
	# shellcheck disable=SC2086 # CXXFLAGS and LIB_FUZZING_ENGINE are lists
	$CXX $CXXFLAGS "$BUILD/fuzz/$t.o" "${LIB_OBJ[@]}" $LIB_FUZZING_ENGINE \
		-o "$OUT/$t"
	cp "fuzz/$t.dict" "fuzz/$t.options" "$OUT/"
done
# known divergences: the fuzzer does not abort on them (oracle/suppress.h)
cp corpus/suppressions "$OUT/vmadiff.suppressions"

# The executor: no sanitizer, no coverage, static (the runner image lacks
# build-time packages), whatever engine the targets are built for.
EXEC_CC=${EXEC_CC:-$(command -v gcc || echo cc)}
$EXEC_CC "${STD[@]}" "${XXH[@]}" -O2 -static harness/exec_*.c harness/prog.c \
	oracle/snapshot.c -o "$OUT/vmadiff-executor"

# Seed corpora: the text seeds as they are for the parser, encoded to
# fuzzer bytes by a host build of `vmadiff encode` for the main target.
HOST_SRC=()
for f in cli/*.c "${LIB_SRC[@]}"; do
	case $f in
	fuzz/*) ;;
	*) HOST_SRC+=("$f") ;;
	esac
done
$EXEC_CC "${STD[@]}" "${XXH[@]}" -O0 "${HOST_SRC[@]}" -o "$BUILD/vmadiff"
mkdir -p "$BUILD/seeds"
"$BUILD/vmadiff" encode corpus/seeds -o "$BUILD/seeds" >/dev/null
rm -f "$OUT/vmadiff_fuzzer_seed_corpus.zip" "$OUT/parser_fuzzer_seed_corpus.zip"
zip -q -j "$OUT/vmadiff_fuzzer_seed_corpus.zip" "$BUILD"/seeds/*
zip -q -j "$OUT/parser_fuzzer_seed_corpus.zip" corpus/seeds/*.vma
