#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-x722.sh (part of make bench): how fast the emulated X722 is.
#  1. Forwarding: Debian's stock 6.1 kernel and i40e on the model
#     (QEMU of build-qemu.sh, TCG, 4 CPUs); 64-byte UDP from pktgen, from
#     one port to the other, one direction, the other, then both at once;
#     median frames per second from the ports' own counters and the
#     receiving i40e's rx_packets (tests/selftests/x722_speed.sh).
#  2. The NAT-T scenario (make demo's: 256 IPv4 + 32 IPv6 SAs, the
#     patched i40e and i40e_espinudp) through the model and through the
#     x722sim stand-in, NATT_RUNS (3) boots of each, alternating, in the
#     same run: how long the senders take for the same datagrams (the
#     medians), and the ratio of the medians, model/x722sim.
# Ends with the line
#   bench-x722: a2b_fps=<n> b2a_fps=<n> naive_a2b_fps=<n> naive_b2a_fps=<n>
#     both_a2b_fps=<n> both_b2a_fps=<n>
#     natt_x722_ms=<n> natt_x722sim_ms=<n> ratio=<x.yy>        (one line)
# TCG on a shared host: absolute numbers move with the host's load;
# the ratio of two runs made together means more.
# Environment: TIMEOUT (s, default 900), WINDOWS, WINDOW_S (x722_speed),
# X722_BENCH (default "speed,natt": which parts run), NATT_RUNS (3).
# Logs: build/logs/bench-x722/.
set -euo pipefail

top=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$top"
# shellcheck source=tests/qemu/lib.sh
. tests/qemu/lib.sh
line=6.1
bn=bench
logs=build/logs/bench-x722
mkdir -p "$logs"

say() { echo "bench-x722: $*" >&2; }
tests/qemu/build-line.sh $line $bn bench-x722 "$logs/build.log"
say "building QEMU with the emulated X722 (cached)"
tests/qemu/x722/build-qemu.sh >"$logs/qemu-build.log" 2>&1 ||
	{ tail -n 20 "$logs/qemu-build.log" >&2; say "FAILED: QEMU build"; exit 1; }
qemu=$(tail -n 1 "$logs/qemu-build.log")

rc=0
# no figure of an earlier run in this one's summary
rm -rf "$logs"/speed "$logs"/natt-*
# guest <name> <dev> <tests>: one boot; its KTAP in $logs/<name>/
guest() {
	local name=$1 dev=$2 tests=$3 qenv=()

	mkdir -p "$logs/$name"
	[ "$dev" = x722 ] && qenv=(QEMU="$qemu" QEMU_ARGS="$(x722_qemu_args "$qemu")")
	say "$name: booting Debian's $line kernel ($dev), running $tests"
	env "${qenv[@]}" BUILD_NAME=$bn GUEST_LOGS="$top/$logs/$name" \
		GUEST_ENV="NATT_DEV=$dev NSA4=256 NSA6=32 COUNT=20 WINDOWS=${WINDOWS:-5} WINDOW_S=${WINDOW_S:-3}" \
		TIMEOUT=${TIMEOUT:-900} tests/qemu/run-guest.sh $line "$tests" "" \
		>"$logs/$name/tap.log" 2>&1 || {
		grep -E '^ *(not ok|# error)' "$logs/$name/tap.log" | head -n 20 >&2 || true
		say "FAILED: $name (logs: $logs/$name/)"
		rc=1
	}
}
parts=${X722_BENCH:-speed,natt}
[[ ,$parts, == *,speed,* ]] && guest speed x722 x722_speed
# NAT-T: NATT_RUNS boots of each, alternating, so that both see the
# same host load; the medians and their ratio are reported
nruns=${NATT_RUNS:-3}
if [[ ,$parts, == *,natt,* ]]; then
	for ((i = 1; i <= nruns; i++)); do
		guest natt-x722-$i x722 demo_natt
		guest natt-x722sim-$i x722sim demo_natt
	done
fi

fps() {	# <dir>: the median fps of x722_speed the receiving i40e took, or -1
	local v

	v=$(sed -n "s/^[ #]*speed: dir=$1 .* drv_fps=\([0-9]*\).*/\1/p" "$logs/speed/ktap.log" 2>/dev/null | head -n 1)
	echo "${v:--1}"
}
natt_ms() {	# <name>: the senders' time of the run with the module, or -1
	local v

	v=$(sed -n 's/^[ #]*after: sent [0-9]* in \([0-9]*\) ms .*/\1/p' "$logs/$1/ktap.log" 2>/dev/null | head -n 1)
	echo "${v:--1}"
}
median() {	# <numbers...>: their median (the lower middle one), or -1
	printf '%s\n' "$@" | grep -E '^[0-9]+$' | sort -n |
		awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : -1 }'
}
sed -n 's/^[ #]*speed: /bench-x722: /p' "$logs/speed/ktap.log" 2>/dev/null || true
all_x=() all_s=()
for ((i = 1; i <= nruns; i++)); do
	for n in natt-x722-$i natt-x722sim-$i; do
		sed -n "s/^[ #]*\(before\|after\): /bench-x722: $n: \1: /p" "$logs/$n/ktap.log" 2>/dev/null || true
	done
	all_x+=("$(natt_ms natt-x722-$i)") all_s+=("$(natt_ms natt-x722sim-$i)")
done
[[ ,$parts, == *,natt,* ]] &&
	echo "bench-x722: natt senders' ms, $nruns runs each: x722 ${all_x[*]}; x722sim ${all_s[*]}"
mx=$(median "${all_x[@]}") ms=$(median "${all_s[@]}")
ratio=-1
[ "$mx" -gt 0 ] && [ "$ms" -gt 0 ] && ratio=$(awk -v a="$mx" -v b="$ms" 'BEGIN { printf "%.2f", a / b }')
echo "bench-x722: note: TCG on a shared host; compare runs made together"
echo "bench-x722: a2b_fps=$(fps a2b) b2a_fps=$(fps b2a) naive_a2b_fps=$(fps naive_a2b) naive_b2a_fps=$(fps naive_b2a) both_a2b_fps=$(fps both_a2b) both_b2a_fps=$(fps both_b2a) natt_x722_ms=$mx natt_x722sim_ms=$ms ratio=$ratio"
exit "$rc"
