#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs the userspace test programs (built by the Makefile into $B) and
# prints one TAP stream, renumbered, with the plan at the end.
# Exit status 1 when any test failed.
set -u
: "${B:?} ${CORPUS:?} ${TOP:?}"
DIFF_CASES=${DIFF_CASES:-1000000}
FUZZ_RUNS=${FUZZ_RUNS:-1000000}
here=$(cd "$(dirname "$0")" && pwd)
n=0 failed=0

# emit PREFIX: renumber the TAP lines read on stdin
emit() {
	local prefix=$1 line
	while IFS= read -r line; do
		if [[ $line =~ ^(not\ )?ok\ [0-9]+\ -\ (.*)$ ]]; then
			n=$((n + 1))
			[ -n "${BASH_REMATCH[1]}" ] && failed=$((failed + 1))
			echo "${BASH_REMATCH[1]}ok $n - $prefix${BASH_REMATCH[2]}"
		else
			echo "$line"
		fi
	done
}

result() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}


if [ ! -d "$CORPUS" ]; then
	echo "# corpus not found at $CORPUS (set CORPUS=)"
fi

# 1. the core, optimised, with the full differential run
out=$("$B/test_core" "$CORPUS" "$DIFF_CASES" 2>&1); rc=$?
emit "" <<<"$out"
grep -q '^not ok' <<<"$out" || [ $rc -eq 0 ] ||
	result 1 "test_core exited $rc"

# 2. the same tests under ASan/UBSan (shorter differential run)
out=$("$B/test_core_san" "$CORPUS" 20000 2>&1); rc=$?
emit "[asan+ubsan] " <<<"$out"
grep -q '^not ok' <<<"$out" || [ $rc -eq 0 ] ||
	result 1 "test_core under ASan/UBSan exited $rc"

# 3. the core builds warning-free in userspace and passes sparse
"${CC:-gcc}" -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-I"$TOP" -c -o /dev/null "$TOP/i40e_espinudp.c" 2>"$B/wall.err"
result $? "core compiles with gcc -Wall -Wextra -Werror"
clang -O2 -Wall -Wextra -Werror -I"$TOP" -c -o /dev/null \
	"$TOP/i40e_espinudp.c" 2>"$B/clang.err"
result $? "core compiles with clang -Wall -Wextra -Werror"
if command -v sparse >/dev/null; then
	s=$(sparse -Wbitwise -Wcast-to-as -I"$TOP" "$TOP/i40e_espinudp.c" 2>&1)
	[ -z "$s" ]; result $? "sparse (userspace shim, __bitwise) reports nothing"
	[ -n "$s" ] && sed 's/^/# /' <<<"$s"
else
	n=$((n + 1)); echo "ok $n - sparse # SKIP sparse not installed"
fi

# 4. the tool
if [ -x "$TOP/tools/espinudp-hash" ]; then
	out=$("$here/test_tool.sh" "$TOP/tools/espinudp-hash" "$CORPUS" 2>&1)
	emit "espinudp-hash: " <<<"$out"
else
	result 1 "tools/espinudp-hash was not built"
fi

# 5. libFuzzer, bounded, seeds from the rules and from the corpus frames
fz=$B/fuzz-work
rm -rf "$fz"; mkdir -p "$fz/corpus" "$fz/pcap"
"$B/pcap2seeds" "$fz/pcap" "$CORPUS"/*.pcap >/dev/null 2>&1
result $? "corpus pcaps extracted as fuzzer seeds ($(ls "$fz/pcap" | wc -l) frames)"
( cd "$fz" && "$B/fuzz_classify" -runs="$FUZZ_RUNS" -seed=1 -max_len=512 \
	-print_final_stats=1 corpus "$TOP/tests/fuzz/seeds" pcap ) \
	>"$fz/log" 2>&1
rc=$?
runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$fz/log")
[ $rc -eq 0 ] && [ "${runs:-0}" -ge "$FUZZ_RUNS" ]
result $? "libFuzzer classify+hash: ${runs:-0} runs (want >= $FUZZ_RUNS), exit $rc, no crash"
if [ $rc -ne 0 ]; then
	grep -E 'ERROR|invariant|SUMMARY|crash-' "$fz/log" | head -20 | sed 's/^/# /'
fi

# 6. a fresh clone of the committed HEAD stands alone (tests/corpus, no
#    sibling shared/ directory): the tools build and the core and tool tests pass there
out=$("$here/clone-check.sh" "$TOP" 2>&1)
emit "clone: " <<<"$out"

echo "1..$n"
[ "$failed" -eq 0 ]
