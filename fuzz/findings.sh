#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# fuzz/findings.sh VMADIFF DIR: the findings in DIR (crash-… files of
# `make fuzz`, many with JOBS=N) grouped by divergence signature, one line
# per signature, most frequent first: how many files, the signature, one
# file to replay. Uses
# `vmadiff triage` when the CLI has it; else replays every file.
V=$1
DIR=$2
if "$V" triage --help >/dev/null 2>&1; then
	exec "$V" triage "$DIR"
fi
"$V" replay "$DIR" 2>&1 |
	sed -n -e 's/^FAIL \([^:]*\): \(.*\)$/\2	\1/p' \
		-e 's/^SUPPRESSED \([^:]*\): \(.*\)$/(suppressed) \2	\1/p' \
		-e 's/^PASS \(.*\)$/(does not reproduce)	\1/p' \
		-e 's/^ERROR \([^:]*\): \(.*\)$/(error: \2)	\1/p' |
	sort |
	awk -F '\t' '{ n[$1]++; if (!($1 in f)) f[$1] = $2 }
		END { for (s in n) printf "%6d  %s  (e.g. %s)\n", n[s], s, f[s] }' |
	sort -rn
