#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Signatures bucket findings: under a model that is wrong in two unrelated
# ways (it refuses fixed mappings below a raised mmap_min_addr, and places
# non-fixed ones 1 GiB too low), crash files of the same bug share a
# signature however they differ otherwise, and the two bugs do not;
# `vmadiff triage' counts them and names the smallest example of each.
# The text report shows the VmFlags that differ. Suppressions: replay says
# SUPPRESSED (not passed, not failed; exit 0), triage marks the bucket, the
# fuzz target does not crash, a malformed file is an error. The fuzz
# target traps in the frames of the divergence's class. JSON of replay and
# triage parses (python3). Needs build/vmadiff and the executor (and
# build/vmadiff_fuzzer for its part). Ends with "N passed, N failed".
cd "$(dirname "$0")/.." || exit 2
unset VMADIFF_MODEL_CONFIG VMADIFF_KERNEL_VERSION VMADIFF_SUPPRESSIONS
# shellcheck disable=SC2034 # read by tests/lib.sh
LIB_NAME=triage
# shellcheck source=tests/lib.sh
. tests/lib.sh
C=--model-config=mmap_min_addr=0x200000000000,cap_sys_rawio=0,mmap_base=-0x40000000
SIG_A='mmap(private,fixed) errno model=EPERM kernel=0'
SIG_B='mmap(private,nonfixed) ret model=other kernel=other (kernel higher)'

has() {
	if grep -Fq -- "$2" "$T/out"; then ok; else bad "$1: no line with '$2'"; fi
}
sig_of() {
	"$V" replay $C "$1" | sed -n 's/^FAIL [^:]*: //p'
}

# Crash files as libFuzzer writes them (bytes), two per bug, one passing.
mkdir "$T/crashes"
printf 'mmap W+0 1 rw PRIVATE|ANONYMOUS|FIXED\n' >"$T/a1.vma"
printf 'mprotect W+3 1 r\nmmap W+50 8 rwx PRIVATE|ANONYMOUS|FIXED|POPULATE x3/8\nmunmap W+50 8\n' >"$T/a2.vma"
printf 'mmap 0 4 rw PRIVATE|ANONYMOUS\n' >"$T/b1.vma"
printf 'munmap W+9 2\nmmap 0 16 r PRIVATE|ANONYMOUS|NORESERVE\ntouch r1+0 1\n' >"$T/b2.vma"
printf 'read W+0 1\n' >"$T/ok.vma"
for n in a1 a2 b1 b2 ok; do
	"$V" encode "$T/$n.vma" -o "$T/crashes/crash-$n" || bad "encode $n"
done

# --- same bug, same signature; different bugs, different signatures
a1=$(sig_of "$T/crashes/crash-a1")
a2=$(sig_of "$T/crashes/crash-a2")
b1=$(sig_of "$T/crashes/crash-b1")
b2=$(sig_of "$T/crashes/crash-b2")
if [ "$a1" = "$SIG_A" ] && [ "$a2" = "$SIG_A" ]; then ok; else bad "bug A: '$a1' / '$a2'"; fi
if [ "$b1" = "$SIG_B" ] && [ "$b2" = "$SIG_B" ]; then ok; else bad "bug B: '$b1' / '$b2'"; fi
if [ "$a1" != "$b1" ]; then ok; else bad "two bugs share a signature"; fi

# --- triage: two buckets of two, smallest example each, the pass counted
"$V" triage $C "$T/crashes" >"$T/out" 2>&1 || bad "triage exit status"
has triage "    2  $SIG_A"
has triage "       smallest: $T/crashes/crash-a1 (1 op)"
has triage "    2  $SIG_B"
has triage "       smallest: $T/crashes/crash-b1 (1 op)"
has triage "5 files: 4 divergent in 2 signatures (0 suppressed), 1 passed, 0 errors"

"$V" triage --json $C "$T/crashes" >"$T/triage.json" 2>"$T/out" || bad "triage --json"
if python3 - "$T/triage.json" "$SIG_A" "$T/crashes/crash-a1" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
s = {b["signature"]: b for b in d["signatures"]}
a = s[sys.argv[2]]
assert d["files"] == 5 and d["passed"] == 1 and d["errors"] == []
assert len(s) == 2 and a["count"] == 2 and a["smallest"] == sys.argv[3]
assert a["smallest_ops"] == 1 and a["suppressed"] is None
assert sorted(a["files"]) == sorted([sys.argv[3], sys.argv[3][:-1] + "2"])
EOF
then ok; else bad "triage --json"; cat "$T/triage.json"; fi

# --- suppressions
cat >"$T/supp" <<'EOF'
# test suppressions
mmap(private,nonfixed) ret * | placement is predicted for another layout (test)
EOF
"$V" replay $C --suppressions="$T/supp" "$T/crashes" >"$T/out" 2>&1
st=$?
has "replay suppressed" "SUPPRESSED $T/crashes/crash-b1: $SIG_B (placement is predicted for another layout (test))"
has "replay suppressed" "FAIL $T/crashes/crash-a1: $SIG_A"
has "replay suppressed" "1 passed, 2 failed, 2 suppressed"
if [ "$st" -eq 1 ]; then ok; else bad "replay with failures exited $st"; fi
# Suppressed alone does not fail the run.
VMADIFF_SUPPRESSIONS="$T/supp" "$V" replay $C "$T/crashes/crash-b1" >"$T/out" 2>&1
st=$?
has "only suppressed" "0 passed, 0 failed, 1 suppressed"
if [ "$st" -eq 0 ]; then ok; else bad "a suppressed divergence failed the run ($st)"; fi
"$V" triage $C --suppressions="$T/supp" "$T/crashes" >"$T/out" 2>&1
has "triage suppressed" "       suppressed: placement is predicted for another layout (test)"
has "triage suppressed" "(1 suppressed)"
# --no-suppressions, and a malformed file
"$V" replay $C --suppressions="$T/supp" --no-suppressions "$T/crashes/crash-b1" >"$T/out" 2>&1
has "no-suppressions" "FAIL $T/crashes/crash-b1: $SIG_B"
printf 'no bar here\n' >"$T/badsupp"
"$V" replay --suppressions="$T/badsupp" "$T/ok.vma" >"$T/out" 2>&1
st=$?
if [ "$st" -eq 2 ]; then ok; else bad "malformed suppressions: exit $st"; fi
has "malformed suppressions" "$T/badsupp:1: expected"

# --- the text report: kernel and model versions, the marked op, the diff
# and the VmFlags that explain it (6.1 kept VM_ACCOUNT on mprotect)
printf 'mmap W+0 2 rw PRIVATE|ANONYMOUS|FIXED\nmprotect W+0 2 r\nmmap W+2 2 r PRIVATE|ANONYMOUS|FIXED\n' >"$T/acct.vma"
"$V" replay --kernel-version=6.1 "$T/acct.vma" >"$T/out" 2>&1
has report "signature: mmap(private,fixed) layout vmas model=more kernel=fewer"
has report "model:     6.1.0"
has report ">>>  2  mmap W+2 2 r PRIVATE|ANONYMOUS|FIXED"
has report "! 100000000000-100000002000 r-- p 0 anon             | 100000000000-100000004000 r-- p 0 anon"
has report "~   VmFlags only in model: ac; only in kernel: -"

# --- replay --json: one object per program and line
printf 'frob\n' >"$T/bad.vma"
"$V" replay --json $C --suppressions="$T/supp" "$T/crashes" "$T/bad.vma" \
	"$T/it's \"odd\"\\.vma" >"$T/replay.json" 2>"$T/out"
has "replay --json count on stderr" "1 passed, 4 failed, 2 suppressed"
if python3 - "$T/replay.json" "$SIG_A" <<'EOF'
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
v = {o["file"].rsplit("/", 1)[1]: o for o in objs}
assert len(objs) == 7, len(objs)
a = v["crash-a2"]
assert a["verdict"] == "fail" and a["signature"] == sys.argv[2]
assert a["field"] == "errno" and a["divergent_op"] == 1
assert a["subclass"] == "model_fails" and a["kernel"] and a["model_kver"]
assert a["ops"][1]["differ"] and a["ops"][1]["model"]["errno"] == "EPERM"
assert a["ops"][1]["kernel"]["errno"] is None
assert a["ops"][1]["text"].startswith("mmap W+50 8 rwx")
assert a["program"].splitlines()[1] == a["ops"][1]["text"]
k = a["layout_after"]["kernel"]
assert k[0]["start"] == "0x100000032000" and "rd" in k[0]["vmflags"]
assert v["crash-b1"]["verdict"] == "suppressed" and v["crash-b1"]["reason"]
assert v["crash-ok"]["verdict"] == "pass"
assert v["bad.vma"]["verdict"] == "error"
assert v["bad.vma"]["message"].startswith("1: unknown op")
assert v["it's \"odd\"\\.vma"]["verdict"] == "error"
EOF
then ok; else bad "replay --json"; head -c 3000 "$T/replay.json"; fi

# --- the fuzz target: suppressed signatures are no crash; others trap in
# the frames that name their class (in_<op> <- <field>_<subclass> <-
# diverge_<field>), which the sanitizer's dedup token shows.
F=$B/vmadiff_fuzzer
if [ -x "$F" ]; then
	VMADIFF_MODEL_CONFIG=${C#--model-config=} VMADIFF_SUPPRESSIONS="$T/supp" \
		ASAN_OPTIONS=detect_leaks=0 $F "$T/crashes/crash-b1" >"$T/out" 2>&1
	st=$?
	if [ "$st" -eq 0 ]; then ok; else bad "fuzzer crashed on a suppressed divergence ($st)"; fi
	has "fuzzer suppressed" "suppressed divergence #1 (not a finding): $SIG_B"
	VMADIFF_MODEL_CONFIG=${C#--model-config=} VMADIFF_SUPPRESSIONS= \
		ASAN_OPTIONS=detect_leaks=0:handle_sigill=1:dedup_token_length=3 \
		$F "$T/crashes/crash-a1" >"$T/out" 2>&1
	st=$?
	if [ "$st" -ne 0 ]; then ok; else bad "fuzzer did not crash on a divergence"; fi
	has "fuzzer frames" "==vmadiff== DIVERGENCE: $SIG_A"
	has "fuzzer frames" "DEDUP_TOKEN: in_mmap--errno_model_fails--diverge_errno"
else
	echo "$F not built (make fuzz-build): fuzz target checks skipped"
fi

summary
