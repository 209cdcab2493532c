#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A clone must stand alone: `git clone` the committed HEAD of the checkout
# under test (local, no network) into an empty temporary directory with
# nothing beside it, then build the tools and run the core and tool unit
# tests there with their default corpus (tests/corpus).  Anything that
# still reads a file from outside the checkout (the old sibling directory
# shared/ of the development machine) fails here.
# Prints TAP lines; run.sh adds the plan.
#
# usage: clone-check.sh TOP
# Environment: CLONE_REV= commit to clone (default HEAD of TOP),
#   CLONE_DIFF_CASES= differential cases of test_core (default 2000),
#   KEEP_CLONE=1 keeps the temporary directory (its path is printed).
set -u
top=$1
rev=${CLONE_REV:-HEAD}
cases=${CLONE_DIFF_CASES:-2000}
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
if ! command -v git >/dev/null; then
	skip "clone stands alone" "git not installed"
	exit 0
fi
# $tmp: our logs; $tmp/root: the clone and nothing else
tmp=$(mktemp -d "${TMPDIR:-/tmp}/espinudp-clone.XXXXXX")
if [ -n "${KEEP_CLONE:-}" ]; then
	echo "# clone kept in $tmp/root/clone"
else
	trap 'rm -rf "$tmp"' EXIT
fi
mkdir "$tmp/root"
# CI may run as root in a checkout owned by another user: git (and the
# upload-pack of a local clone, which ignores -c) reads safe.directory
# from the global config only
printf '[safe]\n\tdirectory = *\n' >"$tmp/gitconfig"
git() { GIT_CONFIG_GLOBAL=$tmp/gitconfig command git "$@"; }

if [ ! -e "$top/.git" ]; then
	skip "clone stands alone" "$top is not a git checkout"
	exit 0
fi
if ! sha=$(git -C "$top" rev-parse --verify -q "$rev^{commit}" 2>"$tmp/git.log"); then
	nok "git rev-parse $rev in $top"
	sed 's/^/# /' "$tmp/git.log"
	exit 1
fi
[ -z "$(git -C "$top" status --porcelain --untracked-files=no 2>/dev/null)" ] ||
	echo "# note: $top has uncommitted changes; the clone tests commit ${sha:0:12}"
c=$tmp/root/clone
start=$(date +%s%N)

# 1. the clone, alone in its directory
if git clone -q --no-checkout "$top" "$c" >"$tmp/git.log" 2>&1 &&
   git -C "$c" checkout -q --detach "$sha" >>"$tmp/git.log" 2>&1 &&
   [ "$(ls -A "$tmp/root")" = clone ]; then
	ok "fresh clone of ${sha:0:12} into an empty directory ($c, nothing beside it)"
else
	nok "fresh clone of ${sha:0:12} into $c"
	sed 's/^/# /' "$tmp/git.log"
	exit 1
fi

# 2. no tracked file names a path outside the checkout
hits=$(git -C "$c" grep -nE '\.\./+shared' -- . 2>/dev/null)
if [ -z "$hits" ]; then
	ok "no tracked file refers to a sibling shared/ directory"
else
	nok "tracked files refer to a sibling shared/ directory ($(wc -l <<<"$hits") lines)"
	sed 's/^/# /' <<<"$hits" | head -20
fi

# 3. the tools
if make -s --no-print-directory -C "$c/tools" >"$tmp/tools.log" 2>&1 &&
   [ -x "$c/tools/espinudp-hash" ]; then
	ok "make -C tools in the clone builds espinudp-hash"
else
	nok "make -C tools in the clone"
	tail -n 20 "$tmp/tools.log" | sed 's/^/# /'
fi

# 4. the core tests, with the defaults of tests/unit/Makefile
#    (check-core: test_core and the tool tests on the default corpus)
make -s --no-print-directory -C "$c/tests/unit" check-core \
	DIFF_CASES="$cases" >"$tmp/core.tap" 2>"$tmp/core.err"
rc=$?
p=$(grep -c '^ok ' "$tmp/core.tap")
f=$(grep -c '^not ok ' "$tmp/core.tap")
cf=$(grep -cE '^ok [0-9]+ - corpus [^ ]+\.pcap: ' "$tmp/core.tap")
nc=$(find "$c/tests/corpus" -name '*.pcap' 2>/dev/null | wc -l)
if [ $rc -eq 0 ] && [ "$f" -eq 0 ] && [ "$p" -gt 0 ] && [ "$nc" -gt 0 ] &&
   [ "$cf" -eq "$nc" ]; then
	ok "unit core and tool tests in the clone: $p passed, 0 failed, $cf/$nc corpus pcaps read"
else
	nok "unit core and tool tests in the clone: $p passed, $f failed, $cf/$nc corpus pcaps read, exit $rc"
	{ grep -E '^not ok|corpus not found' "$tmp/core.tap"; tail -n 5 "$tmp/core.err"; } |
		head -20 | sed 's/^/# /'
fi
echo "# clone check took $(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }') s"
