#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `vmadiff minimize': padded divergent programs (unrelated ops before and
# after, a bulk op, big lengths, extra flags and prot bits, high window
# pages, raw and rK addresses) shrink to the known minimal program with the
# same signature, deterministically; --signature; a program that does not
# diverge is refused. Also `vmadiff regress' (it takes only passing
# programs). Needs build/vmadiff and the executor.
# Ends with "N passed, N failed".
cd "$(dirname "$0")/.." || exit 2
unset VMADIFF_MODEL_CONFIG VMADIFF_KERNEL_VERSION
# shellcheck disable=SC2034 # read by tests/lib.sh
LIB_NAME=min
# shellcheck source=tests/lib.sh
. tests/lib.sh

# program FILE: the program lines of FILE (comments dropped).
program() {
	grep -v '^#' "$1"
}
# expect NAME FILE WANT: the minimised program in FILE is WANT.
expect() {
	printf '%s\n' "$3" >"$T/want"
	program "$2" >"$T/got"
	if cmp -s "$T/want" "$T/got"; then
		ok
	else
		bad "$1: minimised to:"
		cat "$T/got"
		echo "--- expected:"
		cat "$T/want"
	fi
}

# --- the model believes the map count is exhausted: any mmap fails
cat >"$T/padded.vma" <<'EOF'
# unrelated ops around the mmap that diverges
munmap W+5 3
mprotect W+100 2 r
read W+0 1
touch W+7 2 x3/4
mmap 0x100000307000 64 rw|GROWSUP PRIVATE|ANONYMOUS|FIXED|NORESERVE|POPULATE off=0x3000 x5/70
munmap W+777 64
read W+777 1
EOF
C=--model-config=max_map_count=0
if "$V" minimize $C "$T/padded.vma" -o "$T/min.vma" >"$T/out" 2>&1; then ok; else bad "minimize padded"; fi
expect padded "$T/min.vma" 'mmap W+0 1 none PRIVATE|ANONYMOUS|FIXED'
if grep -q '^# signature: mmap(private,fixed) errno model=ENOMEM kernel=0$' "$T/min.vma"; then
	ok
else
	bad "no signature line in the output"
fi
if grep -q '^minimize: run [0-9]*: dropped ops' "$T/out" &&
	grep -q '^minimize: 7 ops -> 1 in [0-9]* runs' "$T/out"; then
	ok
else
	bad "no progress lines"
fi
"$V" replay $C "$T/min.vma" >"$T/out" 2>&1
if grep -q "^FAIL $T/min.vma: mmap(private,fixed) errno model=ENOMEM kernel=0\$" "$T/out"; then
	ok
else
	bad "the minimised program does not fail with the same signature"
fi
# Deterministic: the binary form of the same program gives the same.
"$V" encode "$T/padded.vma" -o "$T/padded.bin"
"$V" minimize $C "$T/padded.bin" -o "$T/min2.vma" >"$T/out" 2>&1
program "$T/min.vma" >"$T/a"
program "$T/min2.vma" >"$T/b"
if cmp -s "$T/a" "$T/b"; then ok; else bad "binary input minimised differently"; fi

# --- rK references renumbered when ops before them go; a bulk mprotect
# that splits until the (overridden, tiny) map count runs out.
cat >"$T/refs.vma" <<'EOF'
mprotect W+3 1 r
munmap W+9 2
mmap W+40 16 rw PRIVATE|ANONYMOUS|FIXED
touch r2+0 16
mprotect r2+1 1 r x7/2
munmap W+40 16
EOF
"$V" minimize $C "$T/refs.vma" -o "$T/refs.min" >"$T/out" 2>&1
expect refs "$T/refs.min" 'mmap W+0 1 none PRIVATE|ANONYMOUS|FIXED'
"$V" minimize --signature 'mprotect*' $C "$T/refs.vma" -o "$T/x" >"$T/out" 2>&1
if [ $? -eq 1 ] && grep -q 'does not diverge as wanted' "$T/out"; then
	ok
else
	bad "--signature PATTERN that never matches is not refused"
fi

# --- a model targeting 6.1 (before mprotect dropped VM_ACCOUNT): the
# merge it misses needs a writable mapping made read-only and a read-only
# neighbour; the padding goes. (Which of their bits stay is the model's
# business: only the count and the signature are checked.)
cat >"$T/acct.vma" <<'EOF'
touch W+300 1
mmap W+400 8 rwx PRIVATE|ANONYMOUS|FIXED|NORESERVE
mmap W+100 2 rw PRIVATE|ANONYMOUS|FIXED
mprotect W+100 2 r
read W+100 2
mmap W+102 3 r PRIVATE|ANONYMOUS|FIXED|POPULATE
munmap W+400 8
EOF
"$V" minimize --kernel-version=6.1 "$T/acct.vma" -o "$T/acct.min" >"$T/out" 2>&1
if [ "$(program "$T/acct.min" | wc -l)" -eq 3 ] &&
	grep -q '^# signature: mmap(private,fixed) layout vmas model=more kernel=fewer$' "$T/acct.min"; then
	ok
else
	bad "acct: not 3 ops with the same signature"
	cat "$T/acct.min"
fi

# --- usage
"$V" minimize "$T/padded.vma" -o "$T/x" >"$T/out" 2>&1
if [ $? -eq 1 ] && grep -q 'does not diverge' "$T/out"; then ok; else bad "agreeing program not refused"; fi
"$V" minimize "$T/padded.vma" >"$T/out" 2>&1
if [ $? -eq 2 ]; then ok; else bad "missing -o is no usage error"; fi

# --- regress: only passing programs go in, with the header
mkdir "$T/reg"
"$V" regress $C "$T/min.vma" --why "x" --dir "$T/reg" >"$T/out" 2>&1
if [ $? -eq 1 ] && grep -q 'still diverges' "$T/out" && [ -z "$(ls "$T/reg")" ]; then
	ok
else
	bad "regress took a diverging program"
fi
"$V" regress "$T/min.vma" --why "map count check (test)" \
	--function "do_mmap() (mm/mmap.c)" --dir "$T/reg" --name mc >"$T/out" 2>&1
if [ $? -eq 0 ] && [ -f "$T/reg/mc.vma" ] &&
	grep -q '^# Regression: map count check (test)$' "$T/reg/mc.vma" &&
	grep -q '^# Diverged as: mmap(private,fixed) errno model=ENOMEM kernel=0$' "$T/reg/mc.vma" &&
	grep -q '^# Explained by: do_mmap() (mm/mmap.c)$' "$T/reg/mc.vma"; then
	ok
else
	bad "regress entry"
	cat "$T/reg/mc.vma"
fi
"$V" replay "$T/reg" >"$T/out" 2>&1
if grep -q '^1 passed, 0 failed$' "$T/out"; then ok; else bad "the entry does not replay"; fi
"$V" regress "$T/min.vma" --why "again" --dir "$T/reg" --name mc >"$T/out" 2>&1
if [ $? -eq 1 ] && grep -q 'exists' "$T/out"; then ok; else bad "regress overwrote an entry"; fi

summary
