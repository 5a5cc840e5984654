#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs the whole test suite after `make all` (make test does both):
#   - every build/tests/test_* binary (unit and end-to-end tests),
#   - every tests/test_*.sh script,
#   - `build/vmadiff replay` over corpus/seeds and corpus/regressions
#     (an empty directory is skipped),
#   - if build/vmadiff_fuzzer exists (make test builds it), a smoke run:
#     it starts, runs the encoded seeds once (-runs=0) and says "Done".
# Each prints "N passed, N failed" as its last such line; this script adds
# them up and ends with ONE total line "N passed, N failed". A runner that
# crashes or exits non-zero without failures counted is one failure.
# Output of each runner is prefixed with its name.
cd "$(dirname "$0")/.." || exit 2
B=${B:-build}
VMADIFF_EXECUTOR=${VMADIFF_EXECUTOR:-$B/vmadiff-executor}
export VMADIFF_EXECUTOR B

total_p=0
total_f=0
log=$(mktemp /tmp/vmadiff-run.XXXXXX)
trap 'rm -f "$log" "$log.fuzz"' EXIT

# run NAME CMD...: runs CMD, prefixes its output, adds its counts.
run() {
	name=$1
	shift
	"$@" >"$log" 2>&1
	st=$?
	sed "s|^|[$name] |" "$log"
	counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -n "$counts" ]; then
		p=$(echo "$counts" | sed -E 's/^([0-9]+) passed, ([0-9]+) failed.*/\1/')
		f=$(echo "$counts" | sed -E 's/^([0-9]+) passed, ([0-9]+) failed.*/\2/')
	else
		p=0
		f=0
	fi
	if [ "$st" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "[$name] exited with status $st"
		f=1
	fi
	total_p=$((total_p + p))
	total_f=$((total_f + f))
}

found=0
for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	found=1
	run "$(basename "$t")" "$t"
done
for t in tests/test_*.sh; do
	[ -f "$t" ] || continue
	found=1
	run "$(basename "$t" .sh)" sh "$t"
done
if [ "$found" = 0 ]; then
	echo "no test binaries in $B/tests: run make first"
	total_f=$((total_f + 1))
fi

dirs=""
for d in corpus/seeds corpus/regressions; do
	if [ -d "$d" ] && [ -n "$(ls -A "$d" 2>/dev/null | grep -v '^\.')" ]; then
		dirs="$dirs $d"
	else
		echo "[replay] $d is empty: skipped"
	fi
done
if [ -n "$dirs" ]; then
	# shellcheck disable=SC2086
	run replay "$B/vmadiff" replay $dirs
fi

# fuzz_smoke: the libFuzzer target initialises (starts the executor) and
# runs every seed once, as OSS-Fuzz's check_build would.
fuzz_smoke() {
	dir=$(mktemp -d /tmp/vmadiff-fuzz.XXXXXX)
	if ls corpus/seeds/* >/dev/null 2>&1; then
		"$B/vmadiff" encode corpus/seeds -o "$dir" || { rm -rf "$dir"; return 1; }
	fi
	ASAN_OPTIONS=detect_leaks=0 "$B/vmadiff_fuzzer" -runs=0 "$dir" 2>&1
	st=$?
	rm -rf "$dir"
	return $st
}
if [ -x "$B/vmadiff_fuzzer" ]; then
	fuzz_smoke >"$log.fuzz" 2>&1
	st=$?
	sed "s|^|[fuzzer] |" "$log.fuzz" | grep -E 'vmadiff_fuzzer:|Done|DIVERGENCE|ERROR' 
	if [ "$st" -eq 0 ] && grep -q '^Done [0-9]* runs' "$log.fuzz"; then
		total_p=$((total_p + 1))
	else
		echo "[fuzzer] smoke run failed (status $st); log:"
		sed "s|^|[fuzzer] |" "$log.fuzz" | tail -n 60
		total_f=$((total_f + 1))
	fi
	rm -f "$log.fuzz"
else
	echo "[fuzzer] $B/vmadiff_fuzzer not built (make fuzz-build): skipped"
fi

echo "$total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
