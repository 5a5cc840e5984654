#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `make afl` and the AFL++ custom mutator library: builds
# build/afl/{vmadiff_fuzzer,vmadiff-executor,vmadiff-mutator.so}, runs
# afl-fuzz for 10 s on the encoded seeds with every mutation made by the
# library (AFL_CUSTOM_MUTATOR_ONLY), and checks that afl-fuzz got going,
# nothing crashed, and the library's mutations found new inputs. Skipped
# without AFL++. Ends with "N passed, N failed".
cd "$(dirname "$0")/.." || exit 2
B=${B:-build}
unset VMADIFF_EXECUTOR VMADIFF_MODEL_CONFIG VMADIFF_SNAP
if ! command -v afl-clang-fast >/dev/null || ! command -v afl-fuzz >/dev/null; then
	echo "skipped: AFL++ is not installed"
	echo "0 passed, 0 failed"
	exit 0
fi
T=$(mktemp -d /tmp/vmadiff-afl.XXXXXX)
trap 'rm -rf "$T"' EXIT
passed=0
failed=0

if make -s B="$B" afl >"$T/log" 2>&1; then
	passed=$((passed + 1))
	echo "ok: make afl"
else
	failed=$((failed + 1))
	echo "FAILED: make afl"
	tail -n 30 "$T/log"
	echo "$passed passed, $failed failed"
	exit 1
fi

"$B/vmadiff" encode corpus/seeds -o "$T/in" >/dev/null
AFL_CUSTOM_MUTATOR_LIBRARY=$PWD/$B/afl/vmadiff-mutator.so \
	AFL_CUSTOM_MUTATOR_ONLY=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 \
	AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 \
	timeout 90 afl-fuzz -V 10 -t 10000 -i "$T/in" -o "$T/out" \
	-- "$B/afl/vmadiff_fuzzer" >"$T/log" 2>&1
stats=$T/out/default/fuzzer_stats
execs=$(sed -n 's/^execs_done *: *//p' "$stats" 2>/dev/null)
found=$(ls "$T/out/default/queue" 2>/dev/null | grep -c 'op:vmadiff-mutator.so')
if grep -q 'All set and ready to roll' "$T/log" &&
	! grep -qi 'target binary crashed' "$T/log" &&
	[ "${execs:-0}" -gt 0 ] && [ "$found" -gt 0 ]; then
	passed=$((passed + 1))
	echo "ok: afl-fuzz with the custom mutator: $execs execs," \
		"$found new inputs from it"
else
	failed=$((failed + 1))
	echo "FAILED: afl-fuzz with the custom mutator (execs ${execs:-0}," \
		"$found inputs from it)"
	tail -n 30 "$T/log"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
