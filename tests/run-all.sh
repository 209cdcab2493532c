#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: run every tier in tests/tiers/ (sorted), each printing TAP or
# KTAP, and end with the single line "N passed, N failed[, N skipped]".
# A tier that exits non-zero without reporting a failure counts as one
# failure; a tier's "# SKIP" results count as skipped, never as passed.
# TIERS="10-unit 30-guest-6.1" restricts the run; 5x tiers (the newest
# kernel line) and 33-x722-stock run only when TIERS names them (make
# check-latest, make check-x722).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
mkdir -p build/logs
pass=0 fail=0 skip=0
for t in tests/tiers/*.sh; do
	name=$(basename "$t" .sh)
	if [ -n "${TIERS:-}" ]; then
		grep -qw -- "$name" <<<"$TIERS" || continue
	elif [[ $name == 5* ]]; then
		continue	# newest kernel line: make check-latest only
	elif [[ $name == 33-x722-stock ]]; then
		# make check-x722: Debian's stock i40e on the model; the
		# product tiers 34, 35 cover the device in make check
		continue
	fi
	log=build/logs/$name.tap
	start=$(date +%s)
	echo "# tier $name"
	bash "$t" 2>build/logs/$name.err | tee "$log"
	rc=${PIPESTATUS[0]}
	secs=$(( $(date +%s) - start ))
	# Only top-level results count; nested KTAP subtests are indented.
	p=0 s=0 f=0
	if [ -f "$log" ]; then
		p=$(grep -E '^ok ' "$log" | grep -vc '# SKIP')
		s=$(grep -E '^ok ' "$log" | grep -c '# SKIP')
		f=$(grep -cE '^not ok ' "$log")
	else
		echo "not ok - tier $name: its log $log vanished (make clean while it ran?)"
		f=1
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - tier $name exited $rc (see build/logs/$name.err)"
		tail -n 20 "build/logs/$name.err" | sed 's/^/# /'
		f=1
	fi
	echo "# tier $name: $p passed, $f failed, $s skipped in ${secs}s"
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
done
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
