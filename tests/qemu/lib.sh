# SPDX-License-Identifier: GPL-2.0
# Sourced by the guest tiers (tests/qemu/tier.sh, tests/tiers/50-latest.sh).

# step <description> <log> <command...>: one TAP result per build step,
# labelled with the kernel line ($line, or "latest" before it is known).
# Counts in $n; a failure sets fail=1, shows the log's tail and returns 1.
step() {
	local desc=$1 log=$2

	shift 2
	n=$((n + 1))
	if "$@" >"$log" 2>&1; then
		echo "ok $n - ${line:-latest}: $desc"
	else
		echo "not ok $n - ${line:-latest}: $desc (see $log)"
		tail -n 15 "$log" | sed 's/^/# /'
		fail=1
		return 1
	fi
}
