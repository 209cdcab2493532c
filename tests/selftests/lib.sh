#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers of the i40e_espinudp selftests (kselftest conventions).
# Each script prints its checks as "ok N - ..."/"not ok N - ..." (nested
# into the guest's KTAP by guest-run.sh) and exits 0, 1 or ksft_skip.

ksft_pass=0
ksft_fail=1
ksft_skip=4

__ksft_n=0
__ksft_failed=0

log()	{ echo "# $*"; }

check() {	# <description> <command...>: one nested result
	local desc=$1
	shift
	__ksft_n=$((__ksft_n + 1))
	if "$@"; then
		echo "ok $__ksft_n - $desc"
	else
		echo "not ok $__ksft_n - $desc"
		__ksft_failed=1
	fi
}

skip_check() {	# <description> <reason>
	__ksft_n=$((__ksft_n + 1))
	echo "ok $__ksft_n - $1 # SKIP $2"
}

ksft_fail()	{ echo "FAIL: $*"; exit $ksft_fail; }
ksft_skip()	{ echo "SKIP: $*"; exit $ksft_skip; }

ksft_exit() {
	if [ $__ksft_failed -ne 0 ]; then
		echo "FAIL"
		exit $ksft_fail
	fi
	echo "PASS"
	exit $ksft_pass
}

# ksft_pass: a script with no nested checks
ksft_pass()	{ echo "PASS"; exit $ksft_pass; }

require_cmd() {
	local c
	for c; do
		command -v "$c" >/dev/null || ksft_skip "$c not found"
	done
}

ncpus() { grep -c '^processor' /proc/cpuinfo; }

# softnet_stat: column 1 (hex) is the packets processed by each CPU
softnet_processed() {
	local l
	while read -r l _; do
		printf '%d ' "0x$l"
	done </proc/net/softnet_stat
	echo
}

xfrm_stat_sum() { awk '{ s += $2 } END { print s + 0 }' /proc/net/xfrm_stat; }

# i40e_each_fn <unbind|bind> <pci functions...>: write each function to
# i40e's driver <unbind|bind> file; fails if any write failed
i40e_each_fn() {
	local op=$1 f ok=0

	shift
	for f; do echo "$f" >/sys/bus/pci/drivers/i40e/$op || ok=1; done
	return $ok
}
