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

# x722_qemu_args <qemu-binary> [props] [error-log]: the QEMU arguments of
# the emulated X722 (tests/qemu/x722/): two functions of one device at
# 00:04.0 and 00:04.1, their ports on one hub, so that two namespaces
# talk over real i40e netdevs; <props> (",prop=value...") go to both
# functions; with <error-log>, QEMU logs there what the model finds wrong
# in the driver (LOG_GUEST_ERROR).  With the firmware directory of
# build-qemu.sh's binary.
# x722_errors_ok <n> <line> <error-log...>: TAP result <n>, that the
# model logged no guest error in any of the logs of x722_qemu_args; the
# most frequent errors are printed
x722_errors_ok() {
	local n=$1 line=$2

	shift 2
	if cat "$@" 2>/dev/null | grep -q x722; then
		echo "not ok $n - $line: the X722 model logged guest errors"
		cat "$@" 2>/dev/null | grep x722 | sort | uniq -c | sort -rn |
			head -n 10 | sed 's/^/# /'
		return 1
	fi
	echo "ok $n - $line: the X722 model logged no guest error"
}

x722_qemu_args() {
	echo "-L $(dirname "$1")/pc-bios" \
	     "-netdev hubport,id=x722p0,hubid=722 -netdev hubport,id=x722p1,hubid=722" \
	     "-device x722,addr=4.0,multifunction=on,netdev=x722p0,mac=52:54:00:72:20:00${2:-}" \
	     "-device x722,addr=4.1,netdev=x722p1,mac=52:54:00:72:20:01${2:-}" \
	     "${3:+-d guest_errors -D $3}"
}
