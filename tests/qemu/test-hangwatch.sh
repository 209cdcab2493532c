#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test-hangwatch.sh: host-side tests of run-guest.sh's hang watcher
# (tests/qemu/hangwatch.sh), no kernel and no QEMU needed: the patterns
# against canned consoles, then run-guest.sh itself with a stand-in QEMU
# (testdata/fake-qemu.sh) that plays a guest locking up at boot, stalling
# mid-test, staying silent, panicking, or passing.  A hung guest must be
# reported as "guest hung: <first line>" within seconds (TIMEOUT is 900 s
# here, as in make check), retried only when it hung before the tests
# started.  Prints TAP.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
data=$top/tests/qemu/testdata
# shellcheck source=tests/qemu/hangwatch.sh
. "$top/tests/qemu/hangwatch.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hangwatch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
n=0 fail=0
echo "TAP version 13"

t() {	# <description> <command...>
	local d=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $d"
	else
		echo "not ok $n - $d"
		fail=1
	fi
}

# 1. patterns
first() { hang_line "$1" | cut -d: -f2- | sed 's/^\[[^]]*\] //'; }
t "clean 6.1 boot console: no hang seen" [ -z "$(first "$data/boot-6.1.console")" ]
t "soft lockup console: first line is the lockup" \
	grep -q '^watchdog: BUG: soft lockup - CPU#0 stuck' <<<"$(first "$data/softlockup-6.1.console")"
t "RCU stall console: first line is the stall" \
	grep -q '^rcu: INFO: rcu_preempt detected stalls on CPUs/tasks' <<<"$(first "$data/rcustall-6.1.console")"
t "panic console: first line is the panic" \
	grep -q '^Kernel panic - not syncing' <<<"$(first "$data/panic-6.1.console")"
for l in 'rcu: INFO: rcu_sched self-detected stall on CPU' \
	 'INFO: task kworker/0:1:42 blocked for more than 120 seconds.' \
	 'watchdog: Watchdog detected hard LOCKUP on cpu 2' \
	 'INFO: rcu_tasks detected stalls on tasks:'; do
	printf '[   30.000000] %s\r\n' "$l" >"$tmp/one"
	t "recognised: $l" [ -n "$(hang_line "$tmp/one")" ]
done
for l in 'rcu: Preemptible hierarchical RCU implementation.' \
	 'NMI watchdog: Perf NMI watchdog permanently disabled' \
	 'watchdog: Delayed init of the lockup detector failed: -19' \
	 'espinudp-guest: tests start'; do
	printf '[    1.000000] %s\r\n' "$l" >"$tmp/one"
	t "not a hang: $l" [ -z "$(hang_line "$tmp/one")" ]
done

# the splat check of every tier (SPLAT_RE): reports match, the debug
# kernel's boot banners do not
splat() { grep -Eq "$SPLAT_RE" <<<"$1"; }
for l in 'WARNING: CPU: 1 PID: 0 at arch/x86/kernel/traps.c:1088 exc_debug_kernel+0x1c/0x2d0' \
	 'BUG: KASAN: slab-use-after-free in i40e_remove+0x40/0x500 [i40e]' \
	 'WARNING: possible circular locking dependency detected' \
	 'kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)' \
	 'BUG: sleeping function called from invalid context at mm/slab.h:742'; do
	t "splat: $l" splat "$l"
done
for l in 'rcu: 	RCU lockdep checking is enabled.' \
	 '... MAX_LOCKDEP_SUBCLASSES:  8' \
	 'kasan: KernelAddressSanitizer initialized' \
	 'kmemleak: Kernel memory leak detector initialized (mem pool available: 15001)'; do
	t "not a splat: $l" eval '! splat "$l"'
done

# the known stock bug that run-tier.sh takes out of a recovery-mode
# console (stock_devlink_warns): the real 7.2 WARNINGs are counted and
# leave no splat; another WARNING from i40e_remove(), or a devlink one
# from elsewhere, stays
dl=$data/devlink-recovery-7.2.console
t "stock devlink WARNINGs of the 7.2 recovery console: 5 known" \
	[ "$(stock_devlink_warns "$dl" "$tmp/rest")" = 5 ]
t "stock devlink WARNINGs: nothing else left that is a splat" eval '! grep -Eq "$SPLAT_RE" "$tmp/rest"'
{ cat "$dl"; printf '%s\n' '[   13.0] WARNING: drivers/net/ethernet/intel/i40e/i40e_main.c:1 at i40e_vsi_release+0x1/0x2 [i40e]' \
	'[   13.1] Call Trace:' '[   13.2]  i40e_remove+0x30/0x580 [i40e]' '[   13.3] ---[ end trace 0000000000000000 ]---'; } >"$tmp/other1"
t "another WARNING from i40e_remove() stays a splat" \
	eval '[ "$(stock_devlink_warns "$tmp/other1" "$tmp/rest")" = 5 ] && grep -Eq "$SPLAT_RE" "$tmp/rest"'
{ cat "$dl"; printf '%s\n' '[   13.0] WARNING: net/devlink/core.c:419 at devl_unregister+0x7f/0x90, CPU#2: kworker/2:1/50' \
	'[   13.1] Call Trace:' '[   13.2]  ice_remove+0x30/0x580 [ice]' '[   13.3] ---[ end trace 0000000000000000 ]---'; } >"$tmp/other2"
t "a devlink WARNING not from i40e_remove() stays a splat" \
	eval '[ "$(stock_devlink_warns "$tmp/other2" "$tmp/rest")" = 5 ] && grep -Eq "$SPLAT_RE" "$tmp/rest"'

# 2. run-guest.sh with the stand-in QEMU
run() {	# <scenario>: sets out, rc, secs, nboots
	local s=$1 t0
	rm -rf "$tmp/logs"; rm -f "$tmp/count"
	t0=$(date +%s)
	out=$(FAKE_SCENARIO=$s FAKE_COUNT=$tmp/count QEMU=$data/fake-qemu.sh \
	      GUEST_KERNEL=$data/boot-6.1.console GUEST_INITRD=$data/boot-6.1.console \
	      GUEST_LOGS=$tmp/logs GUEST_TSC_KHZ=1 TIMEOUT=900 BOOT_TIMEOUT=${BT:-300} HANG_GRACE=1 \
	      "$top/tests/qemu/run-guest.sh" fake trivial "" 2>&1)
	rc=$?
	secs=$(( $(date +%s) - t0 ))
	nboots=$(cat "$tmp/count" 2>/dev/null || echo 0)
	sed 's/^/#   /' <<<"$out" | head -n 12
}
quick() { [ "$secs" -lt 60 ]; }
has() { grep -qE -- "$1" <<<"$out"; }

run early-lockup
t "lockup at boot: reported within 60 s, not after TIMEOUT (${secs}s)" quick
t "lockup at boot: 'guest hung: ... soft lockup' and exit non-zero" \
	eval 'has "^not ok [0-9]+ - fake: guest hung: .*watchdog: BUG: soft lockup - CPU#0" && [ $rc -ne 0 ]'
t "lockup at boot: the excerpt shows the stack" has '^# .*text_poke_bp_batch'
t "lockup at boot: retried once (2 boots, saw $nboots)" [ "$nboots" -eq 2 ]

run early-then-ok
t "lockup at boot then a good boot: passes, says why it booted again" \
	eval '[ $rc -eq 0 ] && has "^# boot 1: .*soft lockup" && has "^ok [0-9]+ - fake: guest finished"'
t "lockup at boot then a good boot: 2 boots (saw $nboots)" [ "$nboots" -eq 2 ]

run late-stall
t "RCU stall after the tests started: reported within 60 s (${secs}s)" quick
t "RCU stall after the tests started: 'guest hung: ... rcu_preempt detected stalls'" \
	eval 'has "^not ok [0-9]+ - fake: guest hung: .*rcu: INFO: rcu_preempt detected stalls" && [ $rc -ne 0 ]'
t "RCU stall after the tests started: not retried (1 boot, saw $nboots)" [ "$nboots" -eq 1 ]
t "RCU stall after the tests started: the test has no result" has '^not ok [0-9]+ - fake: trivial # no result'

BT=3 run silent
t "silent boot: given up after BOOT_TIMEOUT, retried once (${secs}s, $nboots boots)" \
	eval '[ $secs -lt 60 ] && [ $nboots -eq 2 ] && has "guest hung: tests not started after 3s" && [ $rc -ne 0 ]'

run panic
t "panic before the tests: retried, reported as such ($nboots boots)" \
	eval '[ $nboots -eq 2 ] && has "guest hung: .*Kernel panic - not syncing" && [ $rc -ne 0 ]'

run clean
t "clean guest: passes in one boot ($nboots boots, rc $rc)" \
	eval '[ $rc -eq 0 ] && [ $nboots -eq 1 ] && has "^ok [0-9]+ - fake: console clean"'

echo "1..$n"
exit $fail
