#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# x722_speed (make bench, tests/qemu/x722/bench-x722.sh): how many frames
# per second the emulated X722 moves from one port to the other under TCG.
# Debian's stock i40e drives both ports, each in its own namespace; one
# udpflow sender per direction (64-byte UDP, 8 flows, pinned to a CPU of
# its own) sends as fast as it can, and the ports' own counters (ethtool
# -S port.tx_unicast on the sender, port.rx_unicast on the receiver) are
# read over WINDOWS windows of WINDOW_S seconds.  One direction at a time,
# then both at once.  Prints, per direction, the median frames per second:
#   # speed: dir=<a2b|b2a|both_a2b|both_b2a> tx_fps=<n> rx_fps=<n> (median of <w>)
# Environment: WINDOWS (default 5), WINDOW_S (default 3).
. ./lib.sh

NS0=spd0 NS1=spd1
W=${WINDOWS:-5} WS=${WINDOW_S:-3}

cleanup() {
	local p

	for p in $(jobs -p); do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del $NS0 2>/dev/null
	ip netns del $NS1 2>/dev/null
}
trap cleanup EXIT

[ -x ./udpflow ] || ksft_skip "no udpflow"
insmod /stock/i40e.ko 2>/dev/null || modprobe i40e ||
	ksft_fail "no i40e to load"
for i in $(seq 60); do
	set -- $(ls -d /sys/bus/pci/drivers/i40e/0000:*/net/* 2>/dev/null)
	[ $# -ge 2 ] && break
	sleep 0.5
done
[ $# -ge 2 ] || ksft_fail "no two i40e ports"
P0=$(basename "$1") P1=$(basename "$2")
ip netns add $NS0
ip netns add $NS1
ip link set "$P0" netns $NS0
ip link set "$P1" netns $NS1
ip -n $NS0 addr add 192.168.73.1/24 dev "$P0"
ip -n $NS1 addr add 192.168.73.2/24 dev "$P1"
ip -n $NS0 link set "$P0" up
ip -n $NS1 link set "$P1" up
for i in $(seq 30); do
	ip netns exec $NS0 ping -c 1 -W 1 192.168.73.2 >/dev/null 2>&1 && break
	sleep 1
done
check "ping over the two ports" ip netns exec $NS0 ping -c 1 -W 2 192.168.73.2

pc() {	# <ns> <dev> <counter>
	ip netns exec "$1" ethtool -S "$2" | awk -v k="$3:" '$1 == k { print $2 }'
}
median() { sort -n | awk '{ a[NR] = $1 } END { print NR ? a[int((NR + 1) / 2)] : 0 }'; }

# measure <label> <tx ns> <tx dev> <rx ns> <rx dev>: W windows of the
# ports' counters while the senders run; median fps each way
measure() {
	local label=$1 tns=$2 tdev=$3 rns=$4 rdev=$5 k t0 r0 t1 r1 s0 s1 ms
	local tx=() rx=()

	for ((k = 0; k < W; k++)); do
		t0=$(pc "$tns" "$tdev" port.tx_unicast) r0=$(pc "$rns" "$rdev" port.rx_unicast)
		s0=${EPOCHREALTIME/./}
		sleep "$WS"
		t1=$(pc "$tns" "$tdev" port.tx_unicast) r1=$(pc "$rns" "$rdev" port.rx_unicast)
		s1=${EPOCHREALTIME/./}
		ms=$(((s1 - s0) / 1000))
		tx+=($(((t1 - t0) * 1000 / ms)))
		rx+=($(((r1 - r0) * 1000 / ms)))
	done
	log "speed: dir=$label tx_fps=$(printf '%s\n' "${tx[@]}" | median)" \
	    "rx_fps=$(printf '%s\n' "${rx[@]}" | median) (median of $W windows of ${WS} s;" \
	    "tx ${tx[*]}; rx ${rx[*]})"
	RX_MED=$(printf '%s\n' "${rx[@]}" | median)
}

send() {	# <ns> <cpu> <local> <peer>: background sender
	ip netns exec "$1" taskset -c "$2" ./udpflow send "$3" "$4" 6000 8 2000000000 \
		>/dev/null 2>&1 &
}

send $NS0 3 192.168.73.1 192.168.73.2
s=$!
sleep 1
measure a2b $NS0 "$P0" $NS1 "$P1"
check "port 0 to port 1: frames arrive (median ${RX_MED} fps)" [ "$RX_MED" -gt 0 ]
kill $s; wait $s 2>/dev/null

send $NS1 2 192.168.73.2 192.168.73.1
s=$!
sleep 1
measure b2a $NS1 "$P1" $NS0 "$P0"
check "port 1 to port 0: frames arrive (median ${RX_MED} fps)" [ "$RX_MED" -gt 0 ]

send $NS0 3 192.168.73.1 192.168.73.2
sleep 1
measure both_b2a $NS1 "$P1" $NS0 "$P0"
measure both_a2b $NS0 "$P0" $NS1 "$P1"
ksft_exit
