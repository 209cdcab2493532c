#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-guest.sh: the measured RX cost per frame, in a guest (part of
# make bench).  Builds, as demo.sh and tier.sh do with the same scripts,
# the patched i40e, i40e_espinudp and the test modules for Debian's 6.1
# into build/bench/ (BUILD_NAME=bench: nothing shared with make check),
# boots the stock 6.1 kernel under QEMU (run-guest.sh) and loads
# x722_rx_test with bench=POLLS: after its usual tests it times POLLS NAPI
# polls of 64 ESP-in-UDP frames through i40e_process_skb_fields(), the
# patched inline i40e_espinudp_rx() and the flush, in three modes:
#   untouched   FLTSTAT=RSS, a descriptor hash: the hook's one branch
#   hash_local  no hash (the X722 NAT-T case): classified, hashed, kept
#   steer       no hash: hashed and queued to another CPU's backlog,
#               one batched IPI per poll
# The skbs are built before the clock starts; the stack after the
# hand-over is not timed.  Median poll / 64, in ns.  Then the consumer
# side of "steer", on the target CPU, with the test netdev's NETIF_F_GRO
# on (steer_gro_on) and off (steer_gro_off): median time from the first
# to the last of a poll's 64 frames reaching the test's rx_handler, / 63
# (the module's backlog NAPI poll: napi_gro_receive(), the stack).  Prints
# the guest's "# bench:" lines, then ends with
#   bench-guest: kernel=6.1 untouched_ns=<n> hash_local_ns=<n> steer_ns=<n>
#     gro_on_consumer_ns=<n> gro_off_consumer_ns=<n>   (one line)
# QEMU TCG (no KVM) inflates absolute times several-fold and unevenly:
# compare the modes (ratios), not the numbers with hardware.
# Environment: POLLS (default 200), TIMEOUT (s, default 900).
# Logs: build/logs/bench/.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
line=6.1
bn=bench
logs=build/logs/bench
polls=${POLLS:-200}
mkdir -p "$logs"

say() { echo "bench-guest: $*" >&2; }
tests/qemu/build-line.sh $line $bn bench-guest "$logs/build.log"
say "booting Debian's $line kernel under QEMU (TCG, 4 CPUs), x722_rx_test bench=$polls"
rc=0
# kmod's modprobe takes x722_rx_test.bench= from the kernel command line
BUILD_NAME=$bn GUEST_LOGS=$top/$logs GUEST_ENV="x722_rx_test.bench=$polls" \
	TIMEOUT=${TIMEOUT:-900} nice tests/qemu/run-guest.sh $line trivial \
	x722_rx_test >"$logs/tap.log" 2>&1 || rc=$?

bench=$(sed -n 's/^ *# bench: //p' "$logs/ktap.log" 2>/dev/null || true)
ns() {	# <mode>: its ns_per_frame, or -1
	local v

	v=$(sed -n "s/^mode=$1 ns_per_frame=\([0-9]*\).*/\1/p" <<<"$bench")
	echo "${v:--1}"
}
consumer() {	# <mode>: its consumer_ns_per_frame, or -1
	local v

	v=$(sed -n "s/^mode=$1 consumer_ns_per_frame=\([0-9]*\).*/\1/p" <<<"$bench")
	echo "${v:--1}"
}
[ -z "$bench" ] || while IFS= read -r l; do echo "bench-guest: $l"; done <<<"$bench"
if [ "$rc" -ne 0 ] || [ -z "$bench" ]; then
	grep -E '^ *(not ok|# bench)' "$logs/tap.log" | head -n 20 >&2 || true
	say "FAILED: the guest run did not pass (logs: $logs/tap.log, $logs/console.log)"
	rc=1
fi
echo "bench-guest: note: QEMU TCG (no KVM) on a shared host inflates absolute times; compare the modes"
echo "bench-guest: kernel=$line untouched_ns=$(ns untouched) hash_local_ns=$(ns hash_local) steer_ns=$(ns steer) gro_on_consumer_ns=$(consumer steer_gro_on) gro_off_consumer_ns=$(consumer steer_gro_off)"
exit "$rc"
