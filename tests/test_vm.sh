#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `vmadiff vm` for real: boots Debian's linux-image-6.1 cloud kernel
# (fetched with apt-get download into build/kernels/ once, then cached)
# under qemu, replays corpus/regressions and corpus/seeds there with the
# model targeting 6.1, and fuzzes briefly; plus the error paths (no qemu,
# no kernel, an unbootable one, a timeout). Skipped, with the reason, only
# where qemu cannot run. The 6.1 replay must show no divergence (the
# model's kver.h gates); VM_STRICT=0 only prints them.
# Needs make all fuzz-build. Ends with "N passed, N failed".
cd "$(dirname "$0")/.." || exit 2
LIB_NAME=vm
. tests/lib.sh
KDIR=$B/kernels
unset VMADIFF_MODEL_CONFIG VMADIFF_KERNEL_VERSION

# bad shows the end of both outputs of the last check.
show_out() {
	for f in "$T/out" "$T/err"; do
		[ -s "$f" ] || continue
		echo "--- $(basename "$f"):"
		tail -n 40 "$f"
	done
}
skip() {
	echo "SKIP: $*"
	echo "0 passed, 0 failed"
	exit 0
}
# check NAME EXPECTED_STATUS CMD...: stdout to $T/out, stderr to $T/err.
check() {
	name=$1
	want=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	st=$?
	if [ "$st" -eq "$want" ]; then ok; else bad "$name: status $st, expected $want"; fi
}
# has NAME FILE PATTERN: FILE has a line matching the extended regex.
has() {
	if grep -Eq -- "$3" "$2"; then ok; else bad "$1: no line matching /$3/ in $(basename "$2")"; fi
}

QEMU=${VMADIFF_QEMU:-qemu-system-x86_64}
command -v "$QEMU" >/dev/null 2>&1 ||
	skip "$QEMU not installed (Debian: apt-get install qemu-system-x86; .ci/run does)"
"$QEMU" -version >/dev/null 2>&1 || skip "$QEMU does not run here"

# The newest linux-image-6.1.0-N-cloud-amd64 that apt knows, unpacked.
kernel=$(ls "$KDIR"/linux-image-6.1.0-*/boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)
if [ -z "$kernel" ]; then
	pick() {
		apt-cache pkgnames linux-image-6.1.0- 2>/dev/null |
			grep -E '^linux-image-6\.1\.0-[0-9]+-cloud-amd64$' | sort -V | tail -n 1
	}
	pkg=$(pick)
	if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then
		apt-get update >/dev/null 2>&1
		pkg=$(pick)
	fi
	if [ -z "$pkg" ]; then
		bad "no linux-image-6.1.0-*-cloud-amd64 package known to apt (apt-get update?)"
		echo "$passed passed, $failed failed"
		exit 1
	fi
	mkdir -p "$KDIR/$pkg"
	if ! (cd "$T" && apt-get download "$pkg" >download.log 2>&1) ||
	   ! dpkg -x "$T/$pkg"_*.deb "$KDIR/$pkg"; then
		cat "$T/download.log"
		rm -rf "${KDIR:?}/$pkg"
		bad "cannot fetch $pkg"
		echo "$passed passed, $failed failed"
		exit 1
	fi
	kernel=$(ls "$KDIR/$pkg"/boot/vmlinuz-* | tail -n 1)
fi
echo "kernel: $kernel"

# --- the 6.1 replay -------------------------------------------------------
dirs=""
for d in corpus/regressions corpus/seeds; do
	[ -d "$d" ] && dirs="$dirs $d"
done
nfiles=$(find $dirs -type f ! -name '.*' | wc -l)
start=$(date +%s)
# shellcheck disable=SC2086
"$V" vm --kernel "$kernel" --kernel-version 6.1 --log "$T/console" replay $dirs \
	>"$T/out" 2>"$T/err"
st=$?
echo "boot + replay of $nfiles programs: $(($(date +%s) - start)) s wall"
sed -n 's/^vmadiff vm: /  /p' "$T/err"
if [ "$st" -eq 0 ] || [ "$st" -eq 1 ]; then ok; else bad "6.1 replay: status $st (the VM run did not complete)"; fi
has "6.1 boot" "$T/err" '^vmadiff vm: kernel 6\.1\.[0-9]+-[^ ]* under (KVM|TCG): booted to init'
has "6.1 summary" "$T/out" '^[0-9]+ passed, [0-9]+ failed$'
nverd=$(grep -Ec '^(PASS|FAIL|ERROR) ' "$T/out")
if [ "$nverd" -eq "$nfiles" ]; then ok; else bad "6.1 replay: $nverd verdicts for $nfiles programs"; fi
if grep -q '^ERROR ' "$T/out"; then bad "6.1 replay: errors"; else ok; fi
# Layouts come from /proc/self/maps text: 6.1 has no PROCMAP_QUERY.
if grep -q '^FAIL ' "$T/out"; then
	has "6.1 text snapshots" "$T/out" '^model: +6\.1\.0 +snapshots: text'
fi
ndiv=$(grep -c '^FAIL ' "$T/out")
echo "divergences on 6.1 with the model targeting 6.1: $ndiv"
grep '^FAIL ' "$T/out" | sed 's/^/  /'
if [ "${VM_STRICT:-1}" = 1 ]; then
	if [ "$ndiv" -eq 0 ]; then ok; else bad "6.1 replay: $ndiv divergences (VM_STRICT=1)"; fi
fi

# --- fuzz in the VM -----------------------------------------------------------
"$V" vm --kernel "$kernel" --kernel-version 6.1 --findings "$T/findings" \
	fuzz --seconds 5 corpus/seeds >"$T/out" 2>"$T/err"
st=$?
if [ "$st" -eq 0 ] || [ "$st" -eq 1 ]; then ok; else bad "6.1 fuzz: status $st"; fi
has "fuzz ran" "$T/out" '^fuzzer exit status [0-9]+$'
has "fuzz summary" "$T/out" '^[0-9]+ passed, [0-9]+ failed$'
if grep -q '^FAIL ' "$T/out"; then
	n=$(ls "$T/findings" 2>/dev/null | wc -l)
	saved=1
	for f in "$T/findings"/*; do
		"$V" show "$f" >/dev/null || saved=0
	done
	if [ "$n" -gt 0 ] && [ "$saved" = 1 ]; then ok; else bad "fuzz: findings not saved as text"; fi
fi

# --- errors ---------------------------------------------------------------------
check "no qemu" 2 env VMADIFF_QEMU=/nonexistent/qemu "$V" vm --kernel "$kernel" replay corpus/seeds
has "no qemu message" "$T/err" 'qemu-system-x86_64 not found \(Debian: apt-get install qemu-system-x86'
check "no kernel" 2 "$V" vm --kernel "$T/nokernel" replay corpus/seeds
has "no kernel message" "$T/err" "kernel image $T/nokernel: No such file"
head -c 65536 /dev/zero >"$T/junk"
check "unbootable" 2 "$V" vm --kernel "$T/junk" --accel tcg replay corpus/seeds
has "unbootable message" "$T/err" "did not boot to vmadiff's init"
has "unbootable console" "$T/err" '^  \| qemu'
check "timeout" 2 "$V" vm --kernel "$kernel" --accel tcg --timeout 1 replay corpus/seeds
has "timeout message" "$T/err" 'did not boot to vmadiff.s init \(timed out\)'
check "usage" 2 "$V" vm --kernel "$kernel" replay
check "bad version" 2 "$V" vm --kernel "$kernel" --kernel-version 6.x replay corpus/seeds
check "replay bad version" 2 "$V" replay --kernel-version=six corpus/seeds

summary
