#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# NAT-T scenario shared by the selftests and the demo: two network
# namespaces, gateway A (sender) and gateway B (receiver), joined by a
# device pair (NATT_DEV=x722, as every tier and the demo run it: the two
# ports of the emulated X722 of tests/qemu/x722/, driven by the patched
# i40e; x722sim, the default when run by hand; veth), and real
# `ip xfrm` NAT-T tunnels between one pair of peers: NSA4 SAs over IPv4 and
# NSA6 over IPv6 (tunnel mode, rfc4106(gcm(aes)), encap espinudp 4500
# 4500).  SA i carries one inner UDP flow, selected by its port; its SPI
# is sa_spi 4|6 i.

. ./lib.sh

NATT_DEV=${NATT_DEV:-x722sim}
NSA4=${NSA4:-256}
NSA6=${NSA6:-32}
COUNT=${COUNT:-20}		# datagrams per flow and run
# Sender pause between rounds (one datagram per flow): every NAT-T frame
# lands on RX queue 0 (1024 entries in x722sim), which without the module
# one TCG CPU drains; "no loss at this load" means a paced load.
GAP_US=${GAP_US:-50000}
PORT4=20000
PORT6=30000
NSA=ns-gw-a
NSB=ns-gw-b
DEVA=
DEVB=
TMP=${TMP:-/tmp/natt}
NCPU=$(ncpus)

# results of the last run_traffic
declare -a SHARE=()		# per CPU, percent x10
declare -a CPUCNT=()		# per CPU, processed frames (softnet delta)
ESP_FRAMES=0
ESP_RX=0
SEND_ERR=0
LOST=0
REORD=0
DUPS=0
XFRM_ERR=0
DROPS=0
RECV=0
SENT=0

cleanup_natt() {
	local p

	for p in $(cat "$TMP"/pids 2>/dev/null); do
		kill "$p" 2>/dev/null || true
	done
	ip netns del $NSA 2>/dev/null || true
	ip netns del $NSB 2>/dev/null || true
	case $NATT_DEV in
	x722sim)
		rmmod i40e_espinudp 2>/dev/null || true
		rmmod x722sim 2>/dev/null || true
		;;
	x722)
		# NATT_KEEP_MODULE=1: the caller unloads it later
		[ -n "${NATT_KEEP_MODULE:-}" ] || rmmod i40e_espinudp 2>/dev/null || true
		# the ports go back to init_net when the namespaces die
		# (asynchronously): the next test waits for them
		;;
	esac
}

# x722_ports: the two netdevs of the i40e-driven X722 functions, in
# init_net, sorted by PCI function (the first is gateway A's).  Loads
# i40e and waits (30 s) for both: after a test, the namespace cleanup
# hands them back asynchronously.
x722_ports() {
	local i

	[ -d /sys/module/i40e ] || modprobe i40e || return 1
	for i in $(seq 60); do
		set -- $(ls -d /sys/bus/pci/drivers/i40e/0000:*/net/* 2>/dev/null)
		if [ $# -ge 2 ]; then
			DEVA=$(basename "$1") DEVB=$(basename "$2")
			return 0
		fi
		sleep 0.5
	done
	log "x722: no two i40e ports in init_net"
	return 1
}

# ports_home: after cleanup_natt, wait until the namespaces' cleanup has
# handed both i40e ports back to init_net, before a remove (rmmod, unbind).
# Stock i40e_remove() closed its VSIs without RTNL and raced cleanup_net's
# dev_close (NULL dereference in i40e_clean_tx_ring() on 6.1); the series
# closes them under RTNL, and the tests keep the order a user would.
ports_home() { x722_ports; }

# queue_irq <q>: the IRQ of $DEVB's queue vector <q>.  i40e names its
# vectors "i40e-<netdev>-TxRx-<n>" and gives combined channel n vector n.
queue_irq() {
	awk -v n="i40e-$DEVB-TxRx-$1" '$NF == n { sub(":", "", $1); print $1 }' /proc/interrupts
}

# queue_cpu <q>: the CPU that services $DEVB's RX queue <q>, as the system
# says: for an i40e port, the first CPU of its vector's effective
# affinity; for x722sim, its fixed "hardware" (CPU q % NCPU).
queue_cpu() {
	local irq

	if [ "$NATT_DEV" = x722sim ]; then
		echo $(($1 % NCPU))
		return
	fi
	irq=$(queue_irq "$1")
	[ -n "$irq" ] || { echo none; return; }
	sed 's/[-,].*//' "/proc/irq/$irq/effective_affinity_list"
}

# the queue CPUs of $DEVB, for the log
queue_cpus() {
	local q n

	n=$(ip netns exec $NSB ethtool -l $DEVB 2>/dev/null |
	    awk '/^Combined:/ { c = $2 } END { print c + 0 }')
	for ((q = 0; q < n; q++)); do
		printf 'q%d:cpu%s ' $q "$(queue_cpu $q)"
	done
	echo
}

# queue_count: $DEVB's queues (its TxRx vectors; x722sim: one per CPU)
queue_count() {
	if [ "$NATT_DEV" = x722sim ]; then
		echo "$NCPU"
		return
	fi
	awk -v p="i40e-$DEVB-TxRx-" 'index($NF, p) == 1 { n++ } END { print n + 0 }' /proc/interrupts
}

# spread: the ESP frames of the last run (SHARE, per mille) spread as the
# queues do: each CPU takes 60-140% of an equal queue's share per queue
# whose vector it services (15-35% with 4 queues, one per CPU, as the
# kernel gives i40e's vectors at boot), and a CPU that services none
# less than 1.5%.  After an i40e reload the kernel may give two vectors
# one CPU (seen on the debug kernel): that CPU then takes two queues'
# share, as it would of frames the device hashes itself.
spread() {
	local c q n nq=() N ok=0

	N=$(queue_count)
	[ "$N" -gt 0 ] || return 1
	for ((q = 0; q < N; q++)); do
		c=$(queue_cpu $q)
		[ "$c" = none ] || nq[c]=$((${nq[c]:-0} + 1))
	done
	for ((c = 0; c < NCPU; c++)); do
		n=${nq[c]:-0}
		if [ "$n" -eq 0 ]; then
			[ "${SHARE[c]:-0}" -lt 15 ] || ok=1
		elif [ "${SHARE[c]:-0}" -lt $((600 * n / N)) ] ||
		     [ "${SHARE[c]:-0}" -gt $((1400 * n / N)) ]; then
			ok=1
		fi
	done
	return $ok
}

# nsx <ns> <command...>: the command in namespace <ns>'s network stack
# only, for what reads no /sys: busybox's nsenter is static, and under
# the debug kernel costs about 0.25 s where ip netns exec costs 0.7-0.9 s
# (ip's own start, dynamically linked, plus a new /sys).  Not for ip, tc
# or ping: busybox would run its own applets of those names.
nsx() {
	local ns=$1

	shift
	nsenter --net=/run/netns/"$ns" "$@"
}

bg() {	# run in the background, remember the pid for cleanup
	"$@" &
	echo $! >>"$TMP"/pids
}

wait_line() {	# <file> <text> [tenths]
	local i

	for i in $(seq "${3:-100}"); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "# timeout waiting for '$2' in $1"
	return 1
}

sa_key() { printf '0x%08x%032x' "$1" "$1"; }	# 20 bytes: key + salt

# SPI of SA <i> of family <4|6>: distinct, non-zero, >= 256, and scattered
# over 32 bits like the random SPIs an IKE daemon allocates (Fibonacci
# hashing, a bijection).  Consecutive SPIs would not do: Toeplitz is linear
# over GF(2), so a set like 0x1000 + i splits exactly evenly over the
# queues for most keys and onto half of them for about 1 key in 80.
sa_spi() { echo $(( (($2 + 1 + ($1 == 6) * 0x10000) * 0x9E3779B1) & 0xffffffff )); }

# gw_pair: DEVA into NSA and DEVB into NSB, up with fixed MACs and the
# outer IPv4 addresses (192.0.2.1, .2), A's neighbour entry for B, the
# sender's qdisc: what setup_natt and ike_lib.sh's setup_net start from
gw_pair() {
	local n

	ip link set $DEVA netns $NSA
	ip link set $DEVB netns $NSB
	for n in $NSA $NSB; do
		ip -n $n link set lo up
		ip netns exec $n sysctl -qw net.ipv4.conf.all.rp_filter=0
	done
	sender_qdisc
	ip -n $NSA link set $DEVA address 02:00:00:00:00:0a up
	ip -n $NSB link set $DEVB address 02:00:00:00:00:0b up
	ip -n $NSA addr add 192.0.2.1/24 dev $DEVA
	ip -n $NSB addr add 192.0.2.2/24 dev $DEVB
	ip -n $NSA neigh replace 192.0.2.2 lladdr 02:00:00:00:00:0b dev $DEVA nud permanent
}

setup_natt() {
	local i spi port

	rm -rf "$TMP"
	mkdir -p "$TMP"
	for i in esp4 esp6 xfrm_user; do
		modprobe $i || ksft_skip "module $i missing"
	done
	# seqiv needs an RNG; autoloaded through /sbin/modprobe, this only
	# makes a missing one fail early
	modprobe drbg 2>/dev/null || true
	ip netns add $NSA
	ip netns add $NSB
	case $NATT_DEV in
	x722sim)
		modprobe x722sim || ksft_skip "x722sim module missing"
		DEVA=x722a0
		DEVB=x722b0
		;;
	x722)
		x722_ports || return 1
		;;
	veth)
		modprobe veth || ksft_skip "veth missing"
		DEVA=vetha
		DEVB=vethb
		ip link add $DEVA type veth peer name $DEVB
		;;
	esac
	# no DAD: the devices get the namespace's default when they move in
	for n in $NSA $NSB; do
		ip netns exec $n sysctl -qw net.ipv6.conf.all.accept_dad=0
		ip netns exec $n sysctl -qw net.ipv6.conf.default.accept_dad=0
	done
	gw_pair
	ip -n $NSA addr add 2001:db8::1/64 dev $DEVA nodad
	ip -n $NSB addr add 2001:db8::2/64 dev $DEVB nodad
	ip -n $NSB neigh replace 192.0.2.1 lladdr 02:00:00:00:00:0a dev $DEVB nud permanent
	ip -n $NSA neigh replace 2001:db8::2 lladdr 02:00:00:00:00:0b dev $DEVA nud permanent
	ip -n $NSB neigh replace 2001:db8::1 lladdr 02:00:00:00:00:0a dev $DEVB nud permanent
	# inner addresses, behind each gateway
	ip -n $NSA addr add 10.9.0.1/32 dev lo
	ip -n $NSB addr add 10.9.0.2/32 dev lo
	ip -n $NSA addr add fd00:9::1/128 dev lo nodad
	ip -n $NSB addr add fd00:9::2/128 dev lo nodad
	ip -n $NSA route add 10.9.0.2/32 via 192.0.2.2 src 10.9.0.1
	ip -n $NSB route add 10.9.0.1/32 via 192.0.2.1 src 10.9.0.2
	ip -n $NSA route add fd00:9::2/128 via 2001:db8::2 src fd00:9::1
	ip -n $NSB route add fd00:9::1/128 via 2001:db8::1 src fd00:9::2
	[ "$NATT_DEV" = x722 ] && wait_link

	# the SAs and policies, one ip -batch per side
	: >"$TMP"/xa
	: >"$TMP"/xb
	: >"$TMP"/spi4
	: >"$TMP"/spi6
	for ((i = 0; i < NSA4; i++)); do
		spi=$(sa_spi 4 $i) port=$((PORT4 + i))
		echo "$i $spi" >>"$TMP"/spi4
		echo "xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi $spi reqid $spi mode tunnel aead rfc4106(gcm(aes)) $(sa_key $spi) 128 encap espinudp 4500 4500 0.0.0.0" |
			tee -a "$TMP"/xa >>"$TMP"/xb
		echo "xfrm policy add src 10.9.0.1/32 dst 10.9.0.2/32 proto udp dport $port dir out tmpl src 192.0.2.1 dst 192.0.2.2 proto esp reqid $spi mode tunnel" >>"$TMP"/xa
		echo "xfrm policy add src 10.9.0.1/32 dst 10.9.0.2/32 proto udp dport $port dir in tmpl src 192.0.2.1 dst 192.0.2.2 proto esp reqid $spi mode tunnel" >>"$TMP"/xb
	done
	for ((i = 0; i < NSA6; i++)); do
		spi=$(sa_spi 6 $i) port=$((PORT6 + i))
		echo "$i $spi" >>"$TMP"/spi6
		echo "xfrm state add src 2001:db8::1 dst 2001:db8::2 proto esp spi $spi reqid $spi mode tunnel aead rfc4106(gcm(aes)) $(sa_key $spi) 128 encap espinudp 4500 4500 ::" |
			tee -a "$TMP"/xa >>"$TMP"/xb
		echo "xfrm policy add src fd00:9::1/128 dst fd00:9::2/128 proto udp dport $port dir out tmpl src 2001:db8::1 dst 2001:db8::2 proto esp reqid $spi mode tunnel" >>"$TMP"/xa
		echo "xfrm policy add src fd00:9::1/128 dst fd00:9::2/128 proto udp dport $port dir in tmpl src 2001:db8::1 dst 2001:db8::2 proto esp reqid $spi mode tunnel" >>"$TMP"/xb
	done
	local t0=$SECONDS
	ip -n $NSA -batch "$TMP"/xa || return 1
	ip -n $NSB -batch "$TMP"/xb || return 1
	log "$((NSA4 + NSA6)) SAs set up in $((SECONDS - t0)) s"

	# the receiver's NAT-T sockets (what an IKE daemon would open)
	bg ip netns exec $NSB ./udpflow encap >"$TMP"/encap.out 2>&1
	wait_line "$TMP"/encap.out "encap ready"
}

# sender_qdisc: on the X722, gateway A's qdisc is a plain FIFO, long
# enough for a TX ring that stalls while the device resets or TCG starves
# it (Debian's 6.12 defaults to fq_codel, whose 5 ms target drops on an
# emulated NIC); what it drops still counts (drops_now).  The debug
# kernel has no packet scheduler (noqueue): its default stays.
sender_qdisc() {
	[ "$NATT_DEV" = x722 ] || return 0
	ip -n $NSA link set $DEVA txqueuelen 20000
	ip netns exec $NSA tc qdisc replace dev $DEVA root pfifo limit 20000 2>/dev/null ||
		log "$DEVA: no pfifo qdisc in this kernel, its default stays"
}

# wait_link: both ports report link (a real device's autonegotiation),
# and A's pings to B over IPv4 (and IPv6 when A has it) are answered:
# i40e programs a new MAC address into the device's filters from its
# service task, after ip link set address returns
wait_link() {
	local i v6

	for i in $(seq 100); do
		ip netns exec $NSA ethtool $DEVA 2>/dev/null | grep -q 'Link detected: yes' &&
			ip netns exec $NSB ethtool $DEVB 2>/dev/null | grep -q 'Link detected: yes' &&
			break
		sleep 0.2
	done
	v6=0
	ip -n $NSA -6 addr show dev $DEVA 2>/dev/null | grep -q 2001:db8::1 && v6=1
	for i in $(seq 50); do
		ip netns exec $NSA ping -q -c 1 -W 1 192.0.2.2 >/dev/null 2>&1 &&
			{ [ $v6 -eq 0 ] ||
			  ip netns exec $NSA ping -q -c 1 -W 1 2001:db8::2 >/dev/null 2>&1; } &&
			return 0
		sleep 0.2
	done
	log "$DEVA/$DEVB: no link, or no answer to A's pings, after 30 s"
	return 1
}

# Frames dropped anywhere on the receiving side: the device's queues
# (x722sim rx_queue_N_drops; i40e's rx_dropped and rx_missed_errors,
# which also hold the module's backlog drops), the CPUs' backlogs
# (softnet column 2), UDP
# socket buffers.  The module's own espinudp_backlog_drop is read apart,
# as it restarts from 0 when the module is reloaded.
drops_now() {
	local d=0 v

	if [ "$NATT_DEV" = x722sim ]; then
		for v in $(ip netns exec $NSB ethtool -S $DEVB 2>/dev/null |
			   awk '/rx_queue_[0-9]+_drops/ { print $2 }'); do
			d=$((d + v))
		done
	elif [ "$NATT_DEV" = x722 ]; then
		# rx_dropped + rx_missed_errors and rx_fifo_errors: the
		# "drop" and "fifo" columns of /proc/net/dev
		v=$(nsx $NSB awk -v d="$DEVB:" '$1 == d { print $5 + $6 }' /proc/net/dev)
		d=$((d + ${v:-0}))
		# the port's drops (GLPRT_RDPC), and what the sender's
		# qdiscs dropped (a TX ring that stalls fills them)
		v=$(nsx $NSB ethtool -S $DEVB 2>/dev/null |
		    awk '$1 == "port.rx_dropped:" { print $2 }')
		d=$((d + ${v:-0}))
		v=$(ip netns exec $NSA tc -s qdisc show dev $DEVA 2>/dev/null |
		    awk '/^qdisc/ { r = / root / } r && /dropped/ { sub(",", "", $7); print $7; exit }')
		d=$((d + ${v:-0}))
	fi
	while read -r _ v _; do
		d=$((d + 0x$v))
	done </proc/net/softnet_stat
	v=$(nsx $NSB awk '/^Udp: [0-9]/ { print $6 }' /proc/net/snmp)
	d=$((d + ${v:-0}))
	v=$(nsx $NSB awk '/^Udp6RcvbufErrors/ { print $2 }' /proc/net/snmp6)
	echo $((d + ${v:-0}))
}

# packets decrypted by the receiver's SAs
xfrm_rx_now() {
	ip -n $NSB -s xfrm state | awk '/\(packets\)/ { sub(/\(packets\)/, "", $2); s += $2 } END { print s + 0 }'
}

xfrm_err_now() { nsx $NSB awk '{ s += $2 } END { print s + 0 }' /proc/net/xfrm_stat; }

# flow_cpu <label> <4|6>: "<spi> <number of CPUs> <first CPU>" of every
# flow of a run's receiver (udpflow numbers flows from 0, as sa_spi)
flow_cpu() {
	awk 'NR == FNR { spi[$1] = $2; next }
	     /^flow/ { print spi[$2], $14, $16 }' "$TMP/spi$2" "$TMP/$1.recv$2"
}

# flow_totals <label>: SENT SEND_ERR SEND_MS RECV LOST REORD DUPS, summed
# over a run's $TMP/<label>.send* and .recv* (udpflow's "sent" and
# "total" lines)
flow_totals() {
	SENT=$(cat "$TMP/$1".send* | awk '/^sent/ { s += $2 - $4 } END { print s + 0 }')
	SEND_ERR=$(cat "$TMP/$1".send* | awk '/^sent/ { s += $4 } END { print s + 0 }')
	# how long the senders sent (ms; the senders run at the same time)
	SEND_MS=$(cat "$TMP/$1".send* | awk '/^sent/ && $6 > m { m = $6 } END { print m + 0 }')
	RECV=$(cat "$TMP/$1".recv* | awk '/^total/ { s += $3 } END { print s + 0 }')
	LOST=$(cat "$TMP/$1".recv* | awk '/^total/ { s += $5 } END { print s + 0 }')
	REORD=$(cat "$TMP/$1".recv* | awk '/^total/ { s += $7 } END { print s + 0 }')
	DUPS=$(cat "$TMP/$1".recv* | awk '/^total/ { s += $9 } END { print s + 0 }')
}

# run_traffic <label>: NSA4 + NSA6 flows of COUNT datagrams; fills the
# result globals and $TMP/<label>.{recv4,recv6,cpu}
run_traffic() {
	local label=$1 c tot=0 i
	local -a before after

	rm -f "$TMP/$label".*
	bg nsx $NSB ./udpflow recv 10.9.0.2 10.9.0.1 $PORT4 $NSA4 $COUNT 3000 >"$TMP/$label.recv4"
	[ "$NSA6" -gt 0 ] &&
		bg nsx $NSB ./udpflow recv fd00:9::2 fd00:9::1 $PORT6 $NSA6 $COUNT 3000 >"$TMP/$label.recv6"
	wait_line "$TMP/$label.recv4" "recv ready"
	[ "$NSA6" -gt 0 ] && wait_line "$TMP/$label.recv6" "recv ready"
	if [ -n "${CAPTURE:-}" ]; then
		bg nsx $NSB ./udpflow capture $DEVB "$TMP/$label.pcap" $((NSA4 + NSA6)) 180000 >"$TMP/$label.cap"
		wait_line "$TMP/$label.cap" "capture ready"
	fi
	local x0 d0 e0
	x0=$(xfrm_err_now)
	e0=$(xfrm_rx_now)
	d0=$(drops_now)
	read -r -a before <<<"$(softnet_processed)"
	# pinned, so that on veth the sending CPU is one CPU
	nsx $NSA taskset -c $((NCPU - 1)) ./udpflow send 10.9.0.1 10.9.0.2 $PORT4 $NSA4 $COUNT $GAP_US >"$TMP/$label.send4" &
	local s4=$!
	if [ "$NSA6" -gt 0 ]; then
		nsx $NSA taskset -c $((NCPU - 1)) ./udpflow send fd00:9::1 fd00:9::2 $PORT6 $NSA6 $COUNT $GAP_US >"$TMP/$label.send6"
	fi
	wait $s4
	# receivers stop when complete or idle for 3 s; one that died
	# (killed by a cleanup) ends the wait too
	wait_line "$TMP/$label.recv4" '^total' 1800 || true
	[ "$NSA6" -gt 0 ] && { wait_line "$TMP/$label.recv6" '^total' 1800 || true; }
	[ -n "${CAPTURE:-}" ] && wait_line "$TMP/$label.cap" captured 1800
	read -r -a after <<<"$(softnet_processed)"
	XFRM_ERR=$(( $(xfrm_err_now) - x0 ))
	ESP_RX=$(( $(xfrm_rx_now) - e0 ))
	DROPS=$(( $(drops_now) - d0 ))
	CPUCNT=()
	for ((c = 0; c < ${#after[@]}; c++)); do
		CPUCNT[c]=$(( after[c] - before[c] ))
		tot=$((tot + CPUCNT[c]))
	done
	ESP_FRAMES=$tot
	SHARE=()
	for ((c = 0; c < ${#after[@]}; c++)); do
		SHARE[c]=$(( tot ? CPUCNT[c] * 1000 / tot : 0 ))
	done
	flow_totals "$label"
	# flow -> CPU: "<spi> <number of CPUs> <first CPU>"
	flow_cpu "$label" 4 >"$TMP/$label.cpu"
	[ "$NSA6" -gt 0 ] && flow_cpu "$label" 6 >>"$TMP/$label.cpu"
	local line="$label: sent $SENT in $SEND_MS ms send_err $SEND_ERR esp_rx $ESP_RX recv $RECV lost $LOST reordered $REORD dup $DUPS drops $DROPS xfrm_err $XFRM_ERR frames $ESP_FRAMES shares"
	for ((c = 0; c < ${#SHARE[@]}; c++)); do
		line+=" cpu$c=$((SHARE[c] / 10)).$((SHARE[c] % 10))%"
	done
	log "$line (at ${SECONDS}s)"
	if [ "$RECV" -ne "$SENT" ] || [ "$SEND_ERR" -ne 0 ]; then
		log "$label: receivers and senders:"
		grep -hv '^flow' "$TMP/$label".recv* "$TMP/$label".send* | sed 's/^/#   /'
		grep -h '^flow' "$TMP/$label".recv* | awk '$6 != '"$COUNT" | head -n 5 | sed 's/^/#   /'
		ip netns exec $NSB cat /proc/net/snmp | grep -E '^(Ip|Udp):' | sed 's/^/#   /'
		if [ "$NATT_DEV" = x722 ]; then
			# where a real device loses frames: every non-zero
			# drop, error, busy or discard counter of both ports
			ip netns exec $NSA ethtool -S $DEVA | awk -v d=$DEVA '/drop|discard|err|busy|miss|timeout|restart/ && $2 != 0 { print "#   " d ": " $0 }'
			ip netns exec $NSB ethtool -S $DEVB | awk -v d=$DEVB '/drop|discard|err|busy|miss|timeout|restart/ && $2 != 0 { print "#   " d ": " $0 }'
			ip netns exec $NSA tc -s qdisc show dev $DEVA | grep -B1 -E 'dropped [1-9]' | head -n 8 | sed 's/^/#   /'
		fi
	fi
	declare -p SENT SEND_ERR SEND_MS ESP_RX RECV LOST REORD DUPS DROPS XFRM_ERR ESP_FRAMES SHARE \
		CPUCNT >"$TMP/$label.result"
	return 0
}

max_share() {	# percent x10
	local m=0 s

	for s in "${SHARE[@]}"; do
		[ "$s" -gt "$m" ] && m=$s
	done
	echo $m
}

# every flow seen on exactly one CPU
one_cpu_per_sa() {
	local bad

	bad=$(awk '$2 != 1' "$TMP/$1.cpu" | wc -l)
	[ "$bad" -eq 0 ] || { log "$bad SAs on more than one CPU (or none)"; return 1; }
}

# predicted <label>: the CPU tools/espinudp-hash predicts for every SA of
# a run (from its capture and ethtool -x) is the CPU that delivered it:
# the CPU that services the predicted queue (queue_cpu).
predicted() {	# <label>
	local label=$1 spi q n=0 bad=0 obs
	local -A qc=()

	command -v espinudp-hash >/dev/null || { log "espinudp-hash missing"; return 1; }
	nsx $NSB ethtool -x $DEVB >"$TMP/$label.rss"
	espinudp-hash --lut-file "$TMP/$label.rss" "$TMP/$label.pcap" \
		>"$TMP/$label.pred" 2>"$TMP/$label.hist" || {
		cat "$TMP/$label.hist"; return 1; }
	declare -A want=()
	while read -r _ class spi _ q; do
		[ "$class" = esp ] || continue
		[ -n "${qc[$q]:-}" ] || qc[$q]=$(queue_cpu "$q")
		want[$((0x$spi))]=${qc[$q]}
	done <"$TMP/$label.pred"
	log "$label: queue CPUs $(for q in "${!qc[@]}"; do printf 'q%s:cpu%s ' "$q" "${qc[$q]}"; done)"
	while read -r spi _ obs; do
		n=$((n + 1))
		if [ "${want[$spi]:-x}" != "$obs" ]; then
			bad=$((bad + 1))
			[ $bad -le 5 ] && log "SPI $spi: predicted cpu ${want[$spi]:-none}, observed $obs"
		fi
	done <"$TMP/$label.cpu"
	log "$label: $((n - bad))/$n SAs on the predicted CPU (${#want[@]} SPIs captured)"
	[ $bad -eq 0 ] && [ $n -eq $((NSA4 + NSA6)) ]
}
