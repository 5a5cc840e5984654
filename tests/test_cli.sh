#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The vmadiff command line end to end: replay verdict lines, exit codes,
# text vs binary files, directory walking, show, encode, help and usage
# errors. Needs build/vmadiff and build/vmadiff-executor (make all).
# Ends with "N passed, N failed".
cd "$(dirname "$0")/.." || exit 2
unset VMADIFF_MODEL_CONFIG
# shellcheck disable=SC2034 # read by tests/lib.sh
LIB_NAME=cli
# shellcheck source=tests/lib.sh
. tests/lib.sh

# show_out: what bad prints of $T/out.
show_out() {
	if [ -f "$T/out" ]; then
		echo "--- output:"
		sed -n '1,60p' "$T/out"
		echo "---"
	fi
}
# check NAME EXPECTED_STATUS CMD...: runs CMD (stdout+stderr to $T/out).
check() {
	name=$1
	want=$2
	shift 2
	"$@" >"$T/out" 2>&1
	st=$?
	if [ "$st" -eq "$want" ]; then ok; else bad "$name: status $st, expected $want"; fi
}
# has NAME PATTERN: $T/out has a line matching the extended regex.
has() {
	if grep -Eq -- "$2" "$T/out"; then ok; else bad "$1: no line matching /$2/"; fi
}
hasnt() {
	if grep -Eq -- "$2" "$T/out"; then bad "$1: unexpected line matching /$2/"; else ok; fi
}

# A program both sides agree on (fixed mappings in the window only).
cat >"$T/good.vma" <<'EOF'
# map, change, touch, read, unmap
mmap W+0 4 rw PRIVATE|ANONYMOUS|FIXED
mprotect W+1 1 r
touch W+0 1
read W+0 4
munmap W+0 4
EOF
printf 'mmap W+0 1 rw PRIVATE|ANONYMOUS|FIXED\nmunmap W+0 1\n' >"$T/good2.vma"
printf 'mmap W+0 4 rw PRIVATE|ANONYMOUS|FIXED\nfrobnicate W+0 1\n' >"$T/bad.vma"
# A program whose one non-fixed mmap lands below mmap_base.
printf 'mmap 0 1 rw PRIVATE|ANONYMOUS\n' >"$T/placed.vma"

# --- help and usage errors
check "top help" 0 "$V" --help
has "top help" '^  replay'
has "top help" '^  show'
check "-h" 0 "$V" -h
check "replay --help" 0 "$V" replay --help
has "replay --help" '^usage: vmadiff replay'
check "show -h" 0 "$V" show -h
has "show -h" '^usage: vmadiff show'
check "encode --help" 0 "$V" encode --help
has "encode --help" '^usage: vmadiff encode'
check "no command" 2 "$V"
check "unknown command" 2 "$V" frob
has "unknown command" "unknown command .frob."
check "replay without files" 2 "$V" replay
has "replay without files" 'no FILE or DIR given'
check "replay bad option" 2 "$V" replay --frob "$T/good.vma"
has "replay bad option" "unknown option .--frob."
check "replay bad snap" 2 "$V" replay --snap=foo "$T/good.vma"
check "replay bad model config" 2 "$V" replay --model-config=nope=1 "$T/good.vma"
has "replay bad model config" "unknown model config key"
check "encode without -o" 2 "$V" encode "$T/good.vma"

# --- replay: pass, parse error, missing file; others still replayed
check "replay good" 0 "$V" replay "$T/good.vma"
has "replay good" "^PASS $T/good.vma\$"
has "replay good" '^1 passed, 0 failed$'
check "replay --snap=text" 0 "$V" replay --snap=text "$T/good.vma"
has "replay --snap=text" "^PASS $T/good.vma\$"
check "replay mixed" 1 "$V" replay "$T/bad.vma" "$T/missing.vma" "$T/good.vma"
has "replay mixed" "^ERROR $T/bad.vma:2: "
has "replay mixed" "^ERROR $T/missing.vma: No such file or directory\$"
has "replay mixed" "^PASS $T/good.vma\$"
has "replay mixed" '^1 passed, 2 failed$'
has "replay mixed" "^  ERROR $T/bad.vma:2: "

# --- binary programs: encode, replay, show
check "encode" 0 "$V" encode "$T/good.vma" -o "$T/good.bin"
if [ -s "$T/good.bin" ]; then ok; else bad "encode wrote nothing"; fi
check "replay binary" 0 "$V" replay "$T/good.bin"
has "replay binary" "^PASS $T/good.bin\$"
check "show text" 0 "$V" show "$T/good.vma"
cp "$T/out" "$T/show-text"
check "show binary" 0 "$V" show "$T/good.bin"
if cmp -s "$T/out" "$T/show-text"; then ok; else bad "show binary != show text"; fi
has "show text" '^mprotect W\+1 1 r$'
hasnt "show text" '^#'
check "show bad" 1 "$V" show "$T/bad.vma"
has "show bad" "$T/bad.vma:2: "
check "show missing" 1 "$V" show "$T/missing.vma"
# Random bytes are a (binary) program too.
printf '\000\377\023\200\001\002\003' >"$T/junk.bin"
check "show junk" 0 "$V" show "$T/junk.bin"

# --- directories: sorted, recursive, dotfiles skipped; encode DIR
mkdir -p "$T/dir/sub"
cp "$T/good2.vma" "$T/dir/b.vma"
cp "$T/good.vma" "$T/dir/a.vma"
cp "$T/good.vma" "$T/dir/sub/c.vma"
echo "not a program" >"$T/dir/.hidden"
check "replay dir" 0 "$V" replay "$T/dir"
grep -E '^PASS' "$T/out" >"$T/order"
printf 'PASS %s\nPASS %s\nPASS %s\n' "$T/dir/a.vma" "$T/dir/b.vma" \
	"$T/dir/sub/c.vma" >"$T/order.want"
if cmp -s "$T/order" "$T/order.want"; then ok; else bad "replay dir order"; fi
has "replay dir" '^3 passed, 0 failed$'
check "encode dir" 0 "$V" encode "$T/dir" -o "$T/bin"
if [ -f "$T/bin/a" ] && [ -f "$T/bin/b" ] && [ ! -e "$T/bin/.hidden" ]; then
	ok
else
	bad "encode dir outputs: $(ls -A "$T/bin" | tr '\n' ' ')"
fi
check "replay encoded dir" 0 "$V" replay "$T/bin"
has "replay encoded dir" '^2 passed, 0 failed$'

# --- a failure: a deliberately wrong model (mmap_base 1 GiB too low)
check "replay placed" 0 "$V" replay "$T/placed.vma"
check "replay wrong model" 1 "$V" replay --model-config=mmap_base=-0x40000000 \
	"$T/placed.vma" "$T/good.vma"
has "replay wrong model" "^FAIL $T/placed.vma: mmap\\(private,nonfixed\\) ret model=other kernel=other \\(kernel higher\\)\$"
has "replay wrong model" '^>>>  0  mmap 0 1 rw PRIVATE\|ANONYMOUS'
has "replay wrong model" '^signature: mmap\(private,nonfixed\) ret'
has "replay wrong model" "^PASS $T/good.vma\$"
has "replay wrong model" '^1 passed, 1 failed$'
check "env model config" 1 env VMADIFF_MODEL_CONFIG=mmap_base=-0x40000000 \
	"$V" replay "$T/placed.vma"

summary
