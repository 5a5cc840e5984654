#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `vmadiff repro' round trips: the C file it writes builds with plain `cc'
# (and cleanly with -Wall -Wextra), exits 1 for programs that diverge under
# a deliberately wrong model (an errno divergence; a layout divergence
# when the model targets 6.1, before mprotect dropped VM_ACCOUNT) and 0
# for programs the model gets right: every seed, whose non-fixed
# mappings, rK references, bulk ops, faults and reads exercise the whole
# generated runtime. Needs build/vmadiff, the executor and cc.
# Ends with "N passed, N failed".
cd "$(dirname "$0")/.." || exit 2
unset VMADIFF_MODEL_CONFIG VMADIFF_KERNEL_VERSION
# shellcheck disable=SC2034 # read by tests/lib.sh
LIB_NAME=repro
# shellcheck source=tests/lib.sh
. tests/lib.sh


# repro NAME WANT_STATUS [VMADIFF OPTIONS] FILE: writes, builds and runs it
# (with $STRICT set, also checks that it builds without warnings).
repro() {
	name=$1
	want=$2
	shift 2
	if ! "$V" repro "$@" -o "$T/$name.c" >"$T/out" 2>&1; then
		bad "$name: vmadiff repro failed"
		return
	fi
	ok
	if ! cc -o "$T/$name" "$T/$name.c" >"$T/out" 2>&1; then
		bad "$name: cc failed"
		return
	fi
	ok
	if [ -z "$STRICT" ]; then
		:
	elif cc -Wall -Wextra -Werror -o "$T/$name.w" "$T/$name.c" >"$T/out" 2>&1; then
		ok
	else
		bad "$name: warnings under -Wall -Wextra"
	fi
	"$T/$name" >"$T/$name.out" 2>&1
	st=$?
	cp "$T/$name.out" "$T/out"
	if [ "$st" -eq "$want" ]; then ok; else bad "$name: exit $st, expected $want"; fi
}
# has NAME PATTERN: the run's output has a matching line.
has() {
	if grep -Eq -- "$2" "$T/$1.out"; then ok; else bad "$1: no line matching /$2/"; fi
}

# --- diverging under a wrong model: the kernel disagrees, exit 1
STRICT=1
printf '# one fixed mmap; the model thinks the map count is exhausted\nmmap W+0 4 rw PRIVATE|ANONYMOUS|FIXED\ntouch W+0 4\n' >"$T/enomem.vma"
repro enomem 1 --model-config=max_map_count=0 "$T/enomem.vma"
has enomem '^op  0  mmap W\+0 4 rw PRIVATE\|ANONYMOUS\|FIXED$'
has enomem 'kernel: ret=0x100000000000 .*model: ret=-1 ENOMEM .*DIFFERENT'
has enomem '^RESULT: the kernel DISAGREES with the model'
if grep -q '^ \* Signature:  mmap(private,fixed) errno model=ENOMEM kernel=0$' "$T/enomem.c" &&
	grep -q '^ \*  >>>  0  mmap W+0 4 rw PRIVATE|ANONYMOUS|FIXED$' "$T/enomem.c" &&
	grep -q '^ \* Found on:   Linux ' "$T/enomem.c" &&
	grep -q '^ \*     cc -o repro repro.c' "$T/enomem.c"; then
	ok
else
	bad "enomem: header comment lacks the signature, program, kernel or build line"
fi

printf 'mmap W+0 2 rw PRIVATE|ANONYMOUS|FIXED\nmprotect W+0 2 r\nmmap W+2 2 r PRIVATE|ANONYMOUS|FIXED\n' >"$T/acct.vma"
repro acct 1 --kernel-version=6.1 "$T/acct.vma"
has acct '^layout: DIFFERENT$'
has acct '^! 100000000000-100000002000 r-- p 0 anon +\| 100000000000-100000004000 r-- p 0 anon$'

# A bulk op and a read after the divergence, refs to a non-fixed mmap.
printf 'mmap 0 8 rw PRIVATE|ANONYMOUS\ntouch r0+0 8 x2/0\nmmap W+0 4 rw PRIVATE|ANONYMOUS|FIXED\nread r0+0 8\n' >"$T/late.vma"
repro late 1 --model-config=max_map_count=0 "$T/late.vma"
has late 'same class \(kernel: elsewhere, model: failed\)|DIFFERENT'

# --- agreeing programs: exit 0
STRICT=
for f in corpus/seeds/*.vma; do
	n=$(basename "$f" .vma)
	# Near vm.max_map_count the reproducer's own (more numerous) VMAs
	# leave fewer splits than the executor had: documented, not a bug.
	case $n in *map_count*) continue ;; esac
	repro "seed-$n" 0 "$f"
done
has seed-mmap_nonfixed_refs '^RESULT: the kernel agrees with the model$'
has seed-touch_segv_prot_none 'SIGSEGV .*same$'

# A read of every length class of the digest (XXH3 has five code paths).
{
	echo "mmap W+0 6000 rw PRIVATE|ANONYMOUS|FIXED"
	echo "touch W+0 3 x40/7"
	for l in 1 3 4 8 9 16 17 100 128 129 240 241 1024 1025 5000; do
		echo "read W+0 $l"
	done
} >"$T/reads.vma"
STRICT=1
repro reads 0 "$T/reads.vma"

# Files, guards and the ops without a range: memfds made as the executor
# makes them (filled, read-only), EACCES and EBADF, a guard fault, and a
# fork whose child runs the rest.
cat >"$T/files.vma" <<'EOF'
memfd f0 4 rw fill
memfd f1 b:5000 ro
mmap W+0 2 rw SHARED|FIXED fd=f0 off=0x1000
read W+0 2
mmap W+4 2 rw SHARED|FIXED fd=f1
mmap W+4 2 r SHARED|FIXED fd=f1
read W+4 2
mmap W+8 1 r SHARED|FIXED fd=f3
madvise W+0 1 GUARD_INSTALL
read W+0 1
mlockall CURRENT|FUTURE|ONFAULT
memlock_limit 16
drop_ipc_lock
fork
munlockall
mmap W+20 1 rw PRIVATE|ANONYMOUS|FIXED
EOF
repro files 0 "$T/files.vma"
has files 'kernel: ret=-1 EACCES .*same$'
has files 'kernel: ret=-1 EBADF .*same$'
has files 'SIGSEGV .*same$'
has files '^  100000000000-100000002000 rw- s 1 memfd +\| 100000000000-100000002000 rw- s 1 memfd$'
has files '^RESULT: the kernel agrees with the model$'
# a divergence after a fork: the child finds it, the parent exits with it
printf 'drop_ipc_lock\nfork\nmmap W+0 1 rw PRIVATE|ANONYMOUS|FIXED\n' >"$T/forked.vma"
repro forked 1 --model-config=max_map_count=0 "$T/forked.vma"
has forked '^RESULT: the kernel DISAGREES with the model'

# --- the command itself
if "$V" repro "$T/enomem.vma" >"$T/out" 2>&1; then bad "repro without -o succeeded"; else ok; fi
"$V" repro --model-config=mmap_base=-0x40000000 "$T/late.vma" -o "$T/placed.c" >"$T/out" 2>&1
if grep -q 'compares loosely' "$T/out"; then ok; else bad "no warning for a placement-only divergence"; fi

summary
