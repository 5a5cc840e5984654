#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# oss-fuzz/build.sh run the way OSS-Fuzz's base builder runs it (no Docker
# here): $SRC holding the source as $SRC/vmadiff, $OUT and $WORK empty
# temporary directories, CC=clang CXX=clang++ (afl-clang-fast for AFL++)
# and the builder's CFLAGS and $LIB_FUZZING_ENGINE, for four builds:
#   libfuzzer-address, libfuzzer-undefined, afl-address, and
#   none: no engine, no sanitizer, our standalone main (replays files).
# Each build's targets then get smoke runs like check_build's: libFuzzer
# `-seed=1337 -runs=4` prints "Done 4 runs"; AFL++ says "All set and ready
# to roll" and does not crash; the standalone binary replays the seeds.
# Then the bots' environment: the ASan target replays the seed corpus with
# no /dev, every file system but /tmp read-only, as nobody without
# capabilities; every seed must agree (the model is told about the missing
# capabilities). Ends with "N passed, N failed".
cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)
T=$(mktemp -d /tmp/vmadiff-ossfuzz.XXXXXX)
chmod 755 "$T" # nobody reads the targets and seeds from here
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/src"
ln -s "$ROOT" "$T/src/vmadiff"
# the targets must find the executor beside themselves, as on the bots
unset VMADIFF_EXECUTOR VMADIFF_MODEL_CONFIG VMADIFF_SNAP

passed=0
failed=0
ok() {
	passed=$((passed + 1))
	echo "ok: $*"
}
bad() {
	failed=$((failed + 1))
	echo "FAILED: $*"
	if [ -f "$T/log" ]; then
		echo "--- log:"
		tail -n 40 "$T/log"
		echo "---"
	fi
}

# Flags as infra/base-images/base-builder sets them (x86_64).
COMMON="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
ASAN="-fsanitize=address -fsanitize-address-use-after-scope"
UBSAN_CHECKS=array-bounds,bool,builtin,enum,float-divide-by-zero,function,integer-divide-by-zero,null,object-size,return,returns-nonnull-attribute,shift,signed-integer-overflow,unreachable,vla-bound
UBSAN="-fsanitize=$UBSAN_CHECKS,unsigned-integer-overflow -fno-sanitize-recover=$UBSAN_CHECKS"
# ClusterFuzz's runtime options (unsigned overflow is reported silently)
export UBSAN_OPTIONS=silence_unsigned_overflow=1:halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=abort_on_error=1:symbolize=0

# build NAME CC CXX CFLAGS LIB_FUZZING_ENGINE: runs build.sh into $T/NAME.
build() {
	name=$1
	mkdir -p "$T/$name/out" "$T/$name/work"
	if (cd "$T/src/vmadiff" && SRC="$T/src" OUT="$T/$name/out" \
		WORK="$T/$name/work" CC=$2 CXX=$3 CFLAGS=$4 CXXFLAGS=$4 \
		LIB_FUZZING_ENGINE=$5 AFL_QUIET=1 \
		bash oss-fuzz/build.sh) >"$T/log" 2>&1; then
		ok "$name: build.sh"
	else
		bad "$name: build.sh failed"
		return 1
	fi
	for f in vmadiff_fuzzer parser_fuzzer vmadiff-executor \
		vmadiff_fuzzer_seed_corpus.zip parser_fuzzer_seed_corpus.zip \
		vmadiff_fuzzer.dict parser_fuzzer.dict vmadiff_fuzzer.options \
		parser_fuzzer.options vmadiff.suppressions; do
		if [ ! -s "$T/$name/out/$f" ]; then
			bad "$name: \$OUT/$f missing"
			return 1
		fi
	done
	ok "$name: \$OUT has the targets, the executor, seeds, dicts, options"
	rm -rf "$T/$name/work"
}

# check_runs NAME TARGET: check_build's libFuzzer test, from a scratch
# directory (crash files would land in the working directory).
check_runs() {
	mkdir -p "$T/$1/cwd"
	if (cd "$T/$1/cwd" && "$T/$1/out/$2" -seed=1337 -runs=4) \
		>"$T/log" 2>&1 && grep -q '^Done 4 runs' "$T/log"; then
		ok "$1: $2 -seed=1337 -runs=4"
	else
		bad "$1: $2 -seed=1337 -runs=4 did not print Done 4 runs"
	fi
}

# seeds NAME TARGET: the target's seed corpus, unzipped.
seeds() {
	rm -rf "$T/$1/seeds.$2"
	mkdir -p "$T/$1/seeds.$2"
	unzip -q "$T/$1/out/$2_seed_corpus.zip" -d "$T/$1/seeds.$2"
}

# replay_seeds NAME [PREFIX...]: the main target runs every seed once;
# none may diverge.
replay_seeds() {
	name=$1
	shift
	seeds "$name" vmadiff_fuzzer
	n=$(ls "$T/$name/seeds.vmadiff_fuzzer" | wc -l)
	if (cd "$T/$name/cwd" && "$@" "$T/$name/out/vmadiff_fuzzer" -runs=0 \
		"$T/$name/seeds.vmadiff_fuzzer") >"$T/log" 2>&1 &&
		grep -q '^Done [0-9]* runs' "$T/log" &&
		! grep -q DIVERGENCE "$T/log"; then
		ok "$name: $n seeds replayed without a divergence${*:+ ($*)}"
	else
		bad "$name: seed replay${*:+ ($*)}"
	fi
}

# --- libFuzzer + ASan, + UBSan --------------------------------------------
for san in address undefined; do
	name=libfuzzer-$san
	if [ $san = address ]; then flags="$COMMON $ASAN"; else flags="$COMMON $UBSAN"; fi
	build $name clang clang++ "$flags -fsanitize=fuzzer-no-link" \
		-fsanitize=fuzzer || continue
	check_runs $name vmadiff_fuzzer
	check_runs $name parser_fuzzer
	replay_seeds $name
	# layouts from /proc/self/maps, as on kernels before 6.11
	replay_seeds $name env VMADIFF_SNAP=text
	seeds $name parser_fuzzer
	if "$T/$name/out/parser_fuzzer" -runs=20000 -seed=1 \
		-dict="$T/$name/out/parser_fuzzer.dict" \
		"$T/$name/seeds.parser_fuzzer" >"$T/log" 2>&1; then
		ok "$name: parser_fuzzer 20000 runs"
	else
		bad "$name: parser_fuzzer 20000 runs"
	fi
done

# --- the bots' environment --------------------------------------------------
# Root can build it: a private mount namespace with an empty read-only
# /dev and / remounted read-only (/tmp bound to itself stays writable),
# then nobody with no capabilities. Others can only skip it.
bots() {
	unshare -m sh -c '
		mount --bind /tmp /tmp &&
		mount -t tmpfs -o ro,mode=755 none /dev &&
		mount -o remount,bind,ro / &&
		exec setpriv --reuid=65534 --regid=65534 --clear-groups \
			--inh-caps=-all --bounding-set=-all "$@"' bots "$@"
}
name=libfuzzer-address
if [ -x "$T/$name/out/vmadiff_fuzzer" ]; then
	if [ "$(id -u)" = 0 ] && bots true 2>/dev/null; then
		chmod 777 "$T/$name/cwd"
		replay_seeds $name bots
		if grep -q 'unprivileged (CAP_IPC_LOCK 0, CAP_SYS_RAWIO 0)' \
			"$T/log"; then
			ok "$name: the executor saw no capabilities"
		else
			bad "$name: the banner does not say unprivileged"
		fi
	else
		echo "skipped: the bots' environment needs root and unshare -m"
	fi
fi

# --- AFL++ ---------------------------------------------------------------------
if command -v afl-clang-fast >/dev/null && command -v afl-fuzz >/dev/null &&
	[ -f /usr/lib/afl/libAFLDriver.a ]; then
	name=afl-address
	if build $name afl-clang-fast afl-clang-fast++ "$COMMON $ASAN" \
		/usr/lib/afl/libAFLDriver.a; then
		seeds $name vmadiff_fuzzer
		# check_build's AFL++ test: ready to roll, no crash
		AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
			AFL_FORKSRV_INIT_TMOUT=30000 AFL_NO_AFFINITY=1 \
			timeout 60 afl-fuzz -V 10 -m none -t 5000+ \
			-i "$T/$name/seeds.vmadiff_fuzzer" -o "$T/$name/afl-out" \
			-- "$T/$name/out/vmadiff_fuzzer" >"$T/log" 2>&1
		execs=$(sed -n 's/^execs_done *: *//p' \
			"$T/$name/afl-out/default/fuzzer_stats" 2>/dev/null)
		if grep -q 'All set and ready to roll' "$T/log" &&
			! grep -qi 'target binary crashed' "$T/log" &&
			[ "${execs:-0}" -gt 0 ]; then
			ok "$name: afl-fuzz -V 10: ready to roll, $execs execs"
		else
			bad "$name: afl-fuzz -V 10"
		fi
	fi
else
	echo "skipped: AFL++ (afl-clang-fast, afl-fuzz, libAFLDriver.a) is not installed"
fi

# --- no engine, no sanitizer: the standalone main --------------------------------
name=none
clang -O1 -c fuzz/standalone_main.c -o "$T/standalone_main.o"
if build $name clang clang++ "-O1 -gline-tables-only" "$T/standalone_main.o"; then
	seeds $name vmadiff_fuzzer
	seeds $name parser_fuzzer
	if "$T/$name/out/vmadiff_fuzzer" "$T/$name/seeds.vmadiff_fuzzer" \
		>"$T/log" 2>&1 && grep -q '^Done [0-9]* runs' "$T/log" &&
		! grep -q DIVERGENCE "$T/log" &&
		"$T/$name/out/parser_fuzzer" "$T/$name/seeds.parser_fuzzer" \
			>"$T/log" 2>&1; then
		ok "$name: the standalone targets replay their seed corpora"
	else
		bad "$name: standalone replay"
	fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
