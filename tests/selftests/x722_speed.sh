#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# x722_speed (make bench, tests/qemu/x722/bench-x722.sh): how many frames
# per second the emulated X722 moves from one port to the other under TCG.
# Debian's stock i40e drives both ports, each in its own namespace.  The
# frames come from the kernel's own generator, pktgen (64-byte UDP, one
# kpktgend thread per direction on a CPU of its own, straight to the
# driver's xmit), so that what is measured is the device and the driver,
# not the guest's socket layer under TCG.  The ports' own counters are read
# over WINDOWS windows of WINDOW_S seconds: port.tx_unicast of the sender
# (what the model sent), port.rx_unicast of the receiver (what reached its
# port) and rx_packets of the receiver's netdev (what i40e took off its RX
# rings).  The receiver drops the frames at tc ingress, right after i40e
# (matchall, action drop): the guest's UDP/ICMP stack is not measured.
# One direction at a time, then both at once (naive_*: the generators on
# fixed CPUs; both_*: each on a CPU that receives neither direction).
# Prints, per direction, the median frames per second:
#   # speed: dir=<a2b|b2a|naive_a2b|naive_b2a|both_a2b|both_b2a> tx_fps=<n> rx_fps=<n> drv_fps=<n> (...)
# Environment: WINDOWS (default 5), WINDOW_S (default 3).
. ./natt_lib.sh

NS0=spd0 NS1=spd1
W=${WINDOWS:-5} WS=${WINDOW_S:-3}

cleanup() {
	local p

	pg_stop
	for p in $(jobs -p); do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del $NS0 2>/dev/null
	ip netns del $NS1 2>/dev/null
}
trap cleanup EXIT

modprobe pktgen || ksft_skip "no pktgen module in this kernel"
insmod /stock/i40e.ko 2>/dev/null || modprobe i40e ||
	ksft_fail "no i40e to load"
x722_ports || ksft_fail "no two i40e ports"
P0=$DEVA P1=$DEVB
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

# pktgen, per namespace: /proc/net/pktgen is the namespace's own
pgw() {	# <ns> <file> <command>
	ip netns exec "$1" sh -c "echo '$3' >/proc/net/pktgen/$2" ||
		log "pktgen: '$3' to $2 in $1 failed"
}
# pg_start <ns> <dev> <cpu> <dst ip> <dst mac>: 64-byte UDP, no end
pg_start() {
	pgw "$1" "kpktgend_$3" rem_device_all
	pgw "$1" "kpktgend_$3" "add_device $2"
	pgw "$1" "$2" "count 0"
	pgw "$1" "$2" "pkt_size 60"
	pgw "$1" "$2" "delay 0"
	pgw "$1" "$2" "burst 16"
	pgw "$1" "$2" "dst $4"
	pgw "$1" "$2" "dst_mac $5"
	pgw "$1" "$2" "udp_dst_min 9"
	pgw "$1" "$2" "udp_dst_max 9"
	if [ -n "${QMAP:-}" ]; then
		pgw "$1" "$2" "queue_map_min $QMAP"
		pgw "$1" "$2" "queue_map_max $QMAP"
	fi
	ip netns exec "$1" sh -c 'echo start >/proc/net/pktgen/pgctrl' 2>/dev/null &
}
pg_stop() {
	local ns

	for ns in $NS0 $NS1; do
		[ -e /run/netns/$ns ] &&
			ip netns exec $ns sh -c 'echo stop >/proc/net/pktgen/pgctrl' 2>/dev/null
	done
	wait 2>/dev/null
}
mac() { ip -n "$1" -br link show "$2" | awk '{ print $3 }'; }
# vec_cpu <dev> <q>: the CPU that services <dev>'s queue vector <q> (i40e
# names it i40e-<dev>-TxRx-<q>): the first of its effective affinity
vec_cpu() {
	local irq

	irq=$(awk -v n="i40e-$1-TxRx-$2" '$NF == n { sub(":", "", $1); print $1 }' /proc/interrupts)
	[ -n "$irq" ] && sed 's/[,-].*//' "/proc/irq/$irq/effective_affinity_list"
}
# rxq_top <ns> <dev>: the RX queue of <dev> that took the most frames
rxq_top() {
	ip netns exec "$1" ethtool -S "$2" | awk '$1 ~ /^rx-[0-9]+\.packets:$/ {
		q = $1; sub(/^rx-/, "", q); sub(/\..*/, "", q)
		if ($2 + 0 >= m) { m = $2 + 0; b = q } } END { print b }'
}
# txq_on <dev> <cpu>: a queue of <dev> whose vector <cpu> services
txq_on() {
	local q

	for ((q = 0; q < $(nproc); q++)); do
		[ "$(vec_cpu "$1" $q)" = "$2" ] && { echo $q; return; }
	done
}

# measure <label> <tx ns> <tx dev> <rx ns> <rx dev>: W windows of the
# ports' counters while the generators run; median fps each way
measure() {
	local label=$1 tns=$2 tdev=$3 rns=$4 rdev=$5 k t0 r0 d0 t1 r1 d1 s0 s1 ms
	local tx=() rx=() drv=()

	for ((k = 0; k < W; k++)); do
		t0=$(pc "$tns" "$tdev" port.tx_unicast) r0=$(pc "$rns" "$rdev" port.rx_unicast)
		d0=$(pc "$rns" "$rdev" rx_packets)
		s0=${EPOCHREALTIME/./}
		sleep "$WS"
		t1=$(pc "$tns" "$tdev" port.tx_unicast) r1=$(pc "$rns" "$rdev" port.rx_unicast)
		d1=$(pc "$rns" "$rdev" rx_packets)
		s1=${EPOCHREALTIME/./}
		ms=$(((s1 - s0) / 1000))
		tx+=($(((t1 - t0) * 1000 / ms)))
		rx+=($(((r1 - r0) * 1000 / ms)))
		drv+=($(((d1 - d0) * 1000 / ms)))
	done
	RX_MED=$(printf '%s\n' "${rx[@]}" | median)
	log "speed: dir=$label tx_fps=$(printf '%s\n' "${tx[@]}" | median) rx_fps=$RX_MED" \
	    "drv_fps=$(printf '%s\n' "${drv[@]}" | median) (median of $W windows of ${WS} s;" \
	    "tx ${tx[*]}; rx ${rx[*]}; drv ${drv[*]})"
}

M0=$(mac $NS0 "$P0") M1=$(mac $NS1 "$P1")
for x in "$NS0 $P0" "$NS1 $P1"; do
	set -- $x
	ip netns exec "$1" tc qdisc add dev "$2" ingress &&
		ip netns exec "$1" tc filter add dev "$2" ingress protocol ip \
			matchall action drop ||
		log "tc ingress drop on $2: not available, the stack takes the frames"
done
pg_start $NS0 "$P0" 3 192.168.73.2 "$M1"
sleep 1
measure a2b $NS0 "$P0" $NS1 "$P1"
check "port 0 to port 1: frames arrive (median ${RX_MED} fps)" [ "$RX_MED" -gt 0 ]
pg_stop

pg_start $NS1 "$P1" 2 192.168.73.1 "$M0"
sleep 1
measure b2a $NS1 "$P1" $NS0 "$P0"
check "port 1 to port 0: frames arrive (median ${RX_MED} fps)" [ "$RX_MED" -gt 0 ]

# Both at once, first as before: generators on cpu3 and cpu2, whatever
# the receiving queues' CPUs are (measured 2026-12-03: 95.6k and 43.0k)
pg_start $NS0 "$P0" 3 192.168.73.2 "$M1"
sleep 1
measure naive_b2a $NS1 "$P1" $NS0 "$P0"
measure naive_a2b $NS0 "$P0" $NS1 "$P1"

# Then each generator on a CPU of its own that services neither
# direction's receiving queue, sending on the TX queue whose vector that
# CPU services (so that its TX cleanup stays there too).  The receiving
# queues are the ones that took the frames above; their CPUs, the
# vectors' effective affinity, as the system says.
RA=$(vec_cpu "$P1" "$(rxq_top $NS1 "$P1")")
RB=$(vec_cpu "$P0" "$(rxq_top $NS0 "$P0")")
set -- $(for ((c = 0; c < $(nproc); c++)); do
	[ "$c" != "$RA" ] && [ "$c" != "$RB" ] && echo $c; done)
CA=${1:-3} CB=${2:-2}
QA=$(txq_on "$P0" "$CA") QB=$(txq_on "$P1" "$CB")
log "both: receiving on cpu${RA:-?} (port 1) and cpu${RB:-?} (port 0);" \
    "generators on cpu$CA (port 0, TX queue ${QA:-any}) and cpu$CB (port 1, TX queue ${QB:-any})"
pg_stop
QMAP=$QA pg_start $NS0 "$P0" "$CA" 192.168.73.2 "$M1"
QMAP=$QB pg_start $NS1 "$P1" "$CB" 192.168.73.1 "$M0"
sleep 1
measure both_b2a $NS1 "$P1" $NS0 "$P0"
measure both_a2b $NS0 "$P0" $NS1 "$P1"
pg_stop
ksft_exit
