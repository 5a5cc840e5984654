# SPDX-License-Identifier: GPL-2.0
# Set-up shared by the shell tests, sourced from the repository root after
# the script's own `cd' there:
#	LIB_NAME=cli
#	. tests/lib.sh
# Sets B (build directory), V (the vmadiff binary) and exports
# VMADIFF_EXECUTOR; makes a temporary directory $T (/tmp/vmadiff-$LIB_NAME.*)
# removed on exit; defines the counters and ok/bad; `summary' prints the
# final "N passed, N failed" line and fails if anything failed (end the
# script with it so that its status is the script's).
B=${B:-build}
# shellcheck disable=SC2034 # used by the scripts
V=$B/vmadiff
VMADIFF_EXECUTOR=${VMADIFF_EXECUTOR:-$B/vmadiff-executor}
export VMADIFF_EXECUTOR
T=$(mktemp -d "/tmp/vmadiff-${LIB_NAME:-test}.XXXXXX")
trap 'rm -rf "$T"' EXIT

passed=0
failed=0
ok() {
	passed=$((passed + 1))
}
# show_out: what bad prints of $T/out (a script may redefine it).
show_out() {
	[ -f "$T/out" ] && sed -n '1,40p' "$T/out"
}
bad() {
	failed=$((failed + 1))
	echo "FAILED: $*"
	show_out
}
summary() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
