#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmadiff bench end to end, quickly: `bench --seconds 3 --json` prints one
# JSON object in which all four modes ran programs, none diverged, and
# `bench --model-scale --json` reports the three sizes with every op
# succeeding. Timings are printed, never asserted.
# Needs build/vmadiff and build/vmadiff-executor (make all).
# Ends with "N passed, N failed".
cd "$(dirname "$0")/.." || exit 2
B=${B:-build}
VMADIFF_EXECUTOR=${VMADIFF_EXECUTOR:-$B/vmadiff-executor}
export VMADIFF_EXECUTOR
unset VMADIFF_MODEL_CONFIG
T=$(mktemp -d /tmp/vmadiff-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT

passed=0
failed=0
# check NAME FILE PYTHON: runs the python check on the JSON in FILE.
check() {
	name=$1
	file=$2
	if python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
$3
" "$file" >"$T/why" 2>&1; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAILED: $name"
		sed 's/^/  /' "$T/why" | tail -n 5
		echo "  output: $(cat "$file")"
	fi
}

if "$B/vmadiff" bench --seconds 3 --json >"$T/bench.json" 2>"$T/bench.err"; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
	echo "FAILED: vmadiff bench --seconds 3 --json exited with $?"
	cat "$T/bench.err"
fi
cat "$T/bench.json"
check "four modes, each > 0 programs/s" "$T/bench.json" '
for m in ("bare", "full", "isolation_first", "model"):
    assert d["modes"][m]["programs_per_s"] > 0, m
assert d["programs"] >= 100
assert d["full_over_bare"] > 0 and d["full_over_isolation_first"] > 0'
check "no divergences, executor errors or snapshot rechecks" \
	"$T/bench.json" '
assert d["divergences"] == 0 and d["infra_errors"] == 0, d
assert d["rechecks"] == 0, "per-op snapshots missed changes"'

if "$B/vmadiff" bench --model-scale --json >"$T/scale.json" 2>"$T/scale.err"; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
	echo "FAILED: vmadiff bench --model-scale --json exited with $?"
	cat "$T/scale.err"
fi
cat "$T/scale.json"
check "model scale: 100, 10000 and 65530 VMAs, every op succeeded" \
	"$T/scale.json" '
assert [l["vmas"] for l in d["levels"]] == [100, 10000, 65530]
assert all(l["ok"] and l["median_ns"] >= 0 for l in d["levels"])'

if "$B/vmadiff" bench --seconds 0 >/dev/null 2>&1; then
	failed=$((failed + 1))
	echo "FAILED: bench --seconds 0 was accepted"
else
	passed=$((passed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
