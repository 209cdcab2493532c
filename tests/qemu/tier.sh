#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tier.sh <line> [x722]: one QEMU tier of make check (tests/tiers/3x-*.sh).
# Builds what the guest needs for the kernel line (6.1, 6.12: Debian's
# stock kernels; debug: the KASAN/lockdep/kmemleak kernel built from
# linux-source-6.1): the patched i40e, i40e_espinudp, the test modules and
# tools/espinudp-hash, then boots the guest (run-guest.sh) and prints TAP:
# one result per build step, per selftest, per KTAP test module, and the
# host's checks of the run.  Build logs go to build/logs/guest-<line>/.
# With "x722", the guest gets the emulated X722 (tests/qemu/x722/, built
# into Debian's QEMU by build-qemu.sh): the selftests run over its two
# ports with the patched i40e (NATT_DEV=x722) instead of x722sim; logs in
# build/logs/guest-<line>-x722/.
# Environment: SELFTESTS (comma list; default cpu_flags and,
# with x722, espinudp_natt, espinudp_ike, espinudp_libreswan (not on
# debug) and espinudp_fwrecovery;
# trivial without), KTAP_MODS
# (default x722_rx_test), BUILD_NAME (artifacts in build/<name>/ instead of
# build/<line>/), GUEST_ENV, TIMEOUT (see run-guest.sh).
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=$("$top/scripts/cache-dir")
cd "$top"
line=${1:?usage: tier.sh <line> [x722]}
dev=${2:-}
bn=${BUILD_NAME:-$line}	# artifacts in build/<bn>/
logs=build/logs/guest-$line${dev:+-$dev}
mkdir -p "$logs"
n=0 fail=0
start=$(date +%s)

echo "TAP version 13"
# shellcheck source=tests/qemu/lib.sh
. "$top/tests/qemu/lib.sh"

step "host dependencies (qemu, build, unit)" "$logs/deps.log" \
	scripts/deps.sh qemu build unit || { echo "1..$n"; exit 1; }
case $line in
debug)
	ksrc=$cache/6.1/linux-source-6.1
	step "debug kernel (KASAN, lockdep, kmemleak; cached by config hash)" \
		"$logs/kernel.log" tests/qemu/build-debug-kernel.sh ||
		{ echo "1..$n"; exit 1; }
	# the build of this checkout's debug.config (a cache hit now), not
	# whatever $cache/debug-kernel points at: another checkout's run may
	# have moved it; the scripts below take it from DEBUG_KDIR
	kdir=$(tests/qemu/build-debug-kernel.sh) || { echo "1..$n"; exit 1; }
	export DEBUG_KDIR=$kdir
	;;
*)
	step "fetch Debian $line kernel" "$logs/fetch.log" \
		scripts/fetch-kernel.sh "$line" || { echo "1..$n"; exit 1; }
	ksrc=$cache/$line/linux-source-$line
	kdir=$cache/$line/headers
	;;
esac
step "patched i40e.ko" "$logs/i40e.log" \
	scripts/build-i40e.sh "$ksrc" "$kdir" "build/$bn/i40e"
if [ -x scripts/build-module.sh ]; then
	step "i40e_espinudp.ko" "$logs/module.log" \
		scripts/build-module.sh "$bn" "$kdir"
else
	n=$((n + 1))
	echo "not ok $n - $line: i40e_espinudp.ko (scripts/build-module.sh missing)"
	fail=1
fi
step "test modules (x722sim, x722_rx_test)" "$logs/testmods.log" \
	tests/kernel/build.sh "$bn" "$kdir"
step "tools/espinudp-hash" "$logs/tools.log" make -C tools
step "Debian strongSwan for espinudp_ike (charon, swanctl)" "$logs/strongswan.log" \
	scripts/fetch-strongswan.sh
step "Debian libreswan for espinudp_libreswan (pluto, whack)" "$logs/libreswan.log" \
	scripts/fetch-strongswan.sh libreswan
step "udpflow (static)" "$logs/udpflow.log" \
	gcc -static -O2 -Wall -Wextra -Werror -o build/udpflow tests/selftests/udpflow.c
# Every guest runs on this QEMU (Debian's 7.2 with the model and the TCG
# fixes of tests/qemu/x722/qemu-patches/); cached by hash, the first run
# builds it
step "qemu-system-x86_64 with the emulated X722 and TCG fixes (cached by hash)" \
	"$logs/qemu-build.log" tests/qemu/x722/build-qemu.sh ||
	{ echo "1..$n"; exit 1; }
QEMU=$(tail -n 1 "$logs/qemu-build.log")
[ -x "$QEMU" ] || { echo "Bail out! no QEMU binary in $logs/qemu-build.log"; exit 1; }
export QEMU QEMU_ARGS="-L $(dirname "$QEMU")/pc-bios ${QEMU_ARGS:-}"
if [ "$dev" = x722 ]; then
	rm -f "$logs/qemu-guest-errors.log" "$logs/recovery/qemu-guest-errors.log"
	QEMU_ARGS="$(x722_qemu_args "$QEMU" "${X722_PROPS:-}" \
		"$top/$logs/qemu-guest-errors.log") ${QEMU_ARGS:-}"
	export QEMU QEMU_ARGS GUEST_LOGS=$top/$logs
fi

if [ "$line" = debug ]; then
	# KASAN + lockdep under TCG run ~8x slower: every phase and all
	# 256 + 32 SAs, but 3 datagrams per flow instead of 20 (what costs
	# there is a process's start, not an SA: 288 SAs took 3 min more
	# than 72).  espinudp_ike: all 256 CHILD_SAs (with 128 the 15-35%
	# check would miss about one run in 25), but a rekey load of 4 SAs
	# every 20 s that one IKE_SA can carry there (see espinudp_ike.sh).
	export GUEST_ENV=${GUEST_ENV-COUNT=3 NSA4=256 NSA6=32 IKE_NCHILD=256 IKE_REKEY_NCHILD=4 IKE_REKEY_S=20 IKE_REKEY_RUN_S=40}
	# the NAT-T and strongSwan selftests on the model take about 33 min
	# there on an idle host; a hang ends the guest at once (hangwatch.sh)
	[ "$dev" = x722 ] && export TIMEOUT=${TIMEOUT:-4500}
	export TIMEOUT=${TIMEOUT:-2400}
fi
[ "$dev" = x722 ] && export GUEST_ENV="NATT_DEV=x722 ${GUEST_ENV:-}"
# espinudp_natt and espinudp_ike with x722_rx_test take 8-10 min of
# guest time on a loaded 2-core host: more than run-guest.sh's 900 s
# default leaves room for
export TIMEOUT=${TIMEOUT:-1800}
# x722_rx_test needs no device: the x722sim tiers run it
ktap_def=x722_rx_test
[ "$dev" = x722 ] && ktap_def=
# The NAT-T and IKE selftests run on the emulated X722 (tiers 34, 35,
# 36), with the patched i40e; the tiers without a device keep
# x722_rx_test, what only synthesized descriptors can show (FD_ID,
# malformed frames, get_rss() on a moved IRQ).  On the debug kernel
# (KASAN, lockdep, kmemleak; 8x slower) the model runs the NAT-T selftest
# and the strongSwan one with fewer datagrams per flow and fewer rekeys
# (above), and the driver's recovery-mode paths.
# cpu_flags first: the QEMU under the guest gets RFLAGS right.  (cpu_smc,
# on demand: QEMU 7.2 still has a window of one write, README.rst.)
case $dev,$line in
x722,debug) sel_def=cpu_flags,espinudp_natt,espinudp_ike,espinudp_fwrecovery ;;
x722,*) sel_def=cpu_flags,espinudp_natt,espinudp_ike,espinudp_libreswan,espinudp_fwrecovery ;;
*) sel_def=cpu_flags,trivial ;;
esac
BUILD_NAME=$bn TAP_N0=$n tests/qemu/run-guest.sh "$line" "${SELFTESTS:-$sel_def}" \
	"${KTAP_MODS-$ktap_def}" || fail=1
n=$(cat "$logs/tap.count" 2>/dev/null || echo $((n + 1)))
if [ "$dev" = x722 ] && [ -z "${SELFTESTS:-}" ]; then
	# firmware recovery mode: a boot of its own with the model's
	# recovery-mode=on
	mkdir -p "$logs/recovery"
	QEMU_ARGS="$(x722_qemu_args "$QEMU" ",recovery-mode=on${X722_PROPS:-}" \
		"$top/$logs/recovery/qemu-guest-errors.log")" \
	GUEST_LOGS=$top/$logs/recovery TIMEOUT=600 BUILD_NAME=$bn TAP_N0=$n \
		tests/qemu/run-guest.sh "$line" espinudp_recovery "" || fail=1
	n=$(cat "$logs/recovery/tap.count" 2>/dev/null || echo $((n + 1)))
fi
if [ "$dev" = x722 ]; then
	n=$((n + 1))
	x722_errors_ok $n "$line" "$logs/qemu-guest-errors.log" \
		"$logs/recovery/qemu-guest-errors.log" || fail=1
fi
echo "1..$n"
echo "# tier guest-$line${dev:+-$dev}: $(( $(date +%s) - start ))s wall"
exit $fail
