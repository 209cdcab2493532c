#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A real IKE daemon end to end: Debian's strongSwan (charon + swanctl) in
# two network namespaces, gateway A (initiator, sender) and gateway B
# (responder, receiver), over the two ports of the emulated X722 with the
# patched i40e (NATT_DEV=x722, as the tiers run it; an x722sim pair
# otherwise), which leaves NAT-T unhashed on queue 0 like an X722.  The
# network and the checks of scenario 1 are ike_lib.sh's, shared with
# espinudp_libreswan.sh.  IKEv2 with a PSK, NAT-T forced
# (encap = yes), so IKE runs on 4500 behind the non-ESP marker and ESP runs
# in UDP; A also sits behind a stateless 1:1 NAT (tc act_nat on its own
# device: B sees it as 198.51.100.1), so that A's charon detects a NAT
# here and sends NAT keepalives, as a gateway behind a NAT does.
#
#  - IKE_NCHILD (256) CHILD_SAs, one IKE_SA, distinct traffic selectors
#    (udp port 20000 + i each way), one inner UDP flow of COUNT datagrams
#    on each (udpflow);
#  - without i40e_espinudp, >= 99% of the ESP frames are processed on the
#    queue-0 CPU;
#  - with it, every CPU 15-35%, every SA on exactly one CPU, the one
#    tools/espinudp-hash predicts from the device's key and LUT, nothing
#    lost or reordered; ethtool -S counts IKE frames (espinudp_ike) and
#    A's keepalives (espinudp_keepalive) in their own classes;
#  - rekeying under traffic with short lifetimes (IKE_REKEY_NCHILD
#    CHILD_SAs of a second IKE_SA, rekey_time IKE_REKEY_S): nothing lost;
#  - RFC 9611 per-CPU SAs (Linux >= 6.13 and strongSwan >= 6.0.2: the 7.2
#    guest with sid's strongSwan; elsewhere a loud SKIP): per_cpu_sas =
#    yes, then encap; one inner flow from each CPU of A, each on an SA of
#    its own; with the module every SA on its predicted CPU, without it
#    every datagram on the queue-0 CPU; nothing lost or reordered;
#  - neither charon logs an error (see log_errors below).
#
# Environment: IKE_NCHILD, IKE_REKEY_NCHILD, IKE_REKEY_S, IKE_REKEY_RUN_S,
# COUNT, GAP_US (natt_lib.sh).  The debug tier runs a smaller scale.
set -eE
cd "$(dirname "$0")"
TMP=${TMP:-/tmp/ike}
. ./ike_lib.sh
trap 'echo "# error: line $LINENO: $BASH_COMMAND exited $?"' ERR

# charon's plugins: what a PSK gateway with the kernel's IPsec needs
want_plugins="random nonce openssl kdf pem pkcs1 x509 pubkey kernel-netlink socket-default vici"
# 5.9's kdf plugin (PRF+ with OpenSSL 3) is gone from 6.x: load it where
# this strongSwan ships it
[ -e /usr/lib/ipsec/plugins/libstrongswan-kdf.so ] || want_plugins=${want_plugins/ kdf/}
grep -qx strongswan /etc/missing 2>/dev/null && ksft_skip "strongSwan not in the initramfs"
require_cmd /usr/lib/ipsec/charon swanctl espinudp-hash

swan() {	# <a|b> <swanctl command> [args]: swanctl on one gateway's vici
	local s=$1 c=$2 ns

	shift 2
	[ "$s" = a ] && ns=$NSA || ns=$NSB
	ip netns exec "$ns" env STRONGSWAN_CONF="$TMP/$s/strongswan.conf" \
		swanctl "$c" --uri "unix://$TMP/$s/charon.vici" "$@"
}

cleanup_ike() {
	local s p i rc=$?

	failed_logs $rc charon
	# charon first (SIGTERM: it deletes its SAs), then the scenario
	for s in a b; do
		p=$(cat "$TMP/$s/charon.pid" 2>/dev/null) || continue
		kill "$p" 2>/dev/null || continue
		for i in $(seq 50); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
	done
	cleanup_natt
}

# --- strongSwan ---
# strongswan.conf of one gateway: its own vici socket and log file, only
# the plugins a PSK gateway needs, no routes (the test routes itself).
swan_conf() {	# <a|b>
	cat <<EOF
charon {
	load = $want_plugins
	install_routes = no
	install_virtual_ip = no
	# no routes, so no table for them and no policy routing rule: a
	# kernel without IP_MULTIPLE_TABLES (the debug kernel) refuses the
	# rule, and charon logs that as an error.  charon.routing_table,
	# not plugins.kernel-netlink's (5.9.8 reads "%s.routing_table")
	routing_table = 0
	keep_alive = ${KEEPALIVE_S}s
	# TCG runs the guest 20-50x slower than hardware: the first
	# retransmit after 10 s, not 4 s
	retransmit_timeout = 10
	filelog {
		charon {
			path = $TMP/$1/charon.log
			time_format = %T
			ike_name = yes
			default = 1
			flush_line = yes
		}
	}
	syslog {
		daemon {
			default = -1
		}
	}
	plugins {
		vici {
			socket = unix://$TMP/$1/charon.vici
		}
	}
}
swanctl {
	load = pem pkcs1 x509 pubkey
}
EOF
}

# conn_head <a|b> <name>: a connection of gateway <a|b>, up to its
# children section; its IDs are <name>-a and <name>-b
conn_head() {
	local s=$1 name=$2 laddr raddr

	if [ "$s" = a ]; then
		laddr=192.0.2.1 raddr=192.0.2.2
	else
		laddr=192.0.2.2 raddr=$A_OUT
	fi
	cat <<EOF
	$name {
		version = 2
		local_addrs = $laddr
		remote_addrs = $raddr
		encap = yes
		proposals = aes128gcm16-prfsha256-ecp256
		rekey_time = 0
		dpd_delay = 10s
		local {
			auth = psk
			id = $name-$s
		}
		remote {
			auth = psk
			id = $name-$([ "$s" = a ] && echo b || echo a)
		}
		children {
EOF
}

# swanctl.conf: connection <name> with <n> children <prefix>0.. on inner
# UDP port <port> + i (both ports: the flow's source and destination).
# A initiates every child at load (start_action = start); B responds.
swan_conn() {	# <a|b> <name> <prefix> <n> <port> <rekey_time> <life_time>
	local s=$1 name=$2 pfx=$3 n=$4 port=$5 rk=$6 lt=$7 i me peer start

	if [ "$s" = a ]; then
		me=1 peer=2 start=start
	else
		me=2 peer=1 start=none
	fi
	conn_head "$s" "$name"
	for ((i = 0; i < n; i++)); do
		cat <<EOF
			$pfx$i {
				local_ts = 10.9.0.$me/32[udp/$((port + i))]
				remote_ts = 10.9.0.$peer/32[udp/$((port + i))]
				mode = tunnel
				esp_proposals = aes128gcm16
				rekey_time = $rk
				life_time = $lt
				rand_time = $(( ${rk%s} > 0 ? ${rk%s} / 4 : 0 ))s
				start_action = $start
			}
EOF
	done
	cat <<EOF
		}
	}
EOF
}

swan_secrets() {
	cat <<EOF
secrets {
	ike-gw {
		id-a = gw-a
		id-b = gw-b
		id-ra = rk-a
		id-rb = rk-b
		id-pa = pc-a
		id-pb = pc-b
		secret = "i40e-espinudp selftest PSK"
	}
}
EOF
}

start_charon() {	# <a|b>
	local s=$1 ns d=$TMP/$1

	[ "$s" = a ] && ns=$NSA || ns=$NSB
	swan_conf "$s" >"$d/strongswan.conf"
	# swanctl reads credentials from directories next to its file
	mkdir -p "$d"/{x509,x509ca,x509ocsp,x509aa,x509ac,x509crl,pubkey,private,rsa,ecdsa,bliss,pkcs8,pkcs12}
	# charon's pid file is /var/run/charon.pid: a tmpfs of its own
	# there, in the mount namespace ip netns exec made for it
	ip netns exec "$ns" sh -c "mount -t tmpfs tmpfs /var/run &&
		exec env STRONGSWAN_CONF=$d/strongswan.conf /usr/lib/ipsec/charon" \
		>"$d/charon.out" 2>&1 &
	echo $! >"$d/charon.pid"
	echo $! >>"$TMP"/pids
	wait_line "$d/charon.log" "spawning .* worker threads" 600
}

# What counts as an error in a charon log.  charon has no severity field
# (every line is "time thread[group] <conn|id> text", all at level 1
# here); these words are how it words a problem: failed/failure/unable/
# error/invalid (e.g. "unable to install inbound and outbound IPsec SA
# (SAD) in kernel", "received netlink error", "querying SAD entry with
# SPI ... failed", "vici header read error"), IKEv2 error notifies
# (NO_PROPOSAL_CHOSEN, AUTHENTICATION_FAILED, TS_UNACCEPTABLE, INVALID_*),
# an exchange given up or a peer not responding, a plugin that did not
# load, an unknown or missing SA or config.  One exclusion: "retransmit N
# of request with message ID M" is charon waiting longer than
# retransmit_timeout for an answer, a matter of TCG's speed on a loaded
# host, not an error; they are counted and shown, and a retransmit that
# stays unanswered ends in "giving up after N retransmits", an error.
log_errors() {	# <log>
	grep -iE 'fail|unable|error|invalid|denied|abort|critical|timeout|timed out|giving up|not responding|no proposal|NO_PROP|TS_UNACCEPT|not found|unknown|cannot|could not|exceed|missing' "$1" || true
}

setup_net
trap cleanup_ike EXIT
t0=$SECONDS
start_charon a
start_charon b
log "both charons up in $((SECONDS - t0)) s"
for s in a b; do
	log "$s: $(sed -n 's/.*\] //p' "$TMP/$s/charon.log" | grep -m1 'Starting IKE')"
done
plugins=$(grep -m1 'loaded plugins:' "$TMP/a/charon.log" | sed 's/.*loaded plugins: //')
log "charon plugins: $plugins"
all_loaded() {
	local p

	for p in $want_plugins; do
		[[ " $plugins " == *" $p "* ]] || { log "plugin $p did not load"; return 1; }
	done
}
check "charon loaded every plugin of its load list ($want_plugins)" all_loaded

for s in b a; do
	{
		echo "connections {"
		swan_conn $s gw c "$NSA4" "$PORT4" 0 0
		echo "}"
		swan_secrets
	} >"$TMP/$s/swanctl.conf"
	swan $s --load-all --file "$TMP/$s/swanctl.conf" >"$TMP/$s/load.out" 2>&1 ||
		{ cat "$TMP/$s/load.out"; ksft_fail "swanctl --load-all on $s"; }
done
check "$NSA4 CHILD_SAs established by A's charon (start_action = start)" \
	wait_children "$PORT4" "$NSA4"
spi_map "$PORT4" "$NSA4" >"$TMP/spi4"
nike=$(swan a --list-sas --ike gw | grep -c ESTABLISHED || true)
log "IKE_SAs of gw: $nike"
swan a --list-sas --ike gw >"$TMP/sas" 2>&1 || true	# no pipe into head:
head -n 5 "$TMP/sas" | sed 's/^/#   /'		# charon would log a reset
check "one IKE_SA carries them" [ "$nike" -eq 1 ]
nat=$(ip -n $NSB xfrm state list dst 192.0.2.2 | grep -c 'encap type espinudp sport 4500 dport 4500' || true)
check "B's $NSA4 inbound SAs are ESP-in-UDP 4500/4500 ($nat)" [ "$nat" -eq "$NSA4" ]
check "IKE floated to 4500 (A's log: sending from ...[4500])" \
	grep -q 'sending packet: from 192.0.2.1\[4500\] to 192.0.2.2\[4500\]' "$TMP/a/charon.log"
if [ $NAT -eq 1 ]; then
	check "A's charon found the NAT and sends keepalives" \
		grep -q 'local host is behind NAT, sending keep alives' "$TMP/a/charon.log"
else
	skip_check "A's charon sends keepalives" "no act_nat, no NAT"
fi

# --- 1. baseline: no module ---
s1_baseline

# --- 2. with the module ---
s1_module

# keepalives: A's charon sends one after KEEPALIVE_S without outbound
# traffic, DPD (dpd_delay) after 10 s without inbound: a quiet window
sleep $((3 * KEEPALIVE_S + 1))

# --- 3. rekeying under traffic, short lifetimes ---
# A second IKE_SA whose RK_N children rekey every RK_S s (minus up to a
# third, rand_time) on A, life_time twice that; B's copy never rekeys on
# its own, so that A's rekeys do not collide with B's.  Its own IDs
# (rk-a, rk-b): B picks the peer config by ID, and with gw's IDs it would
# pick gw, whose children do not match these traffic selectors.
for s in b a; do
	{
		echo "connections {"
		swan_conn $s gw c "$NSA4" "$PORT4" 0 0
		if [ $s = a ]; then
			swan_conn $s rk r "$RK_N" "$PORTR" "${RK_S}s" "$((3 * RK_S))s"
		else
			swan_conn $s rk r "$RK_N" "$PORTR" 0 0
		fi
		echo "}"
		swan_secrets
	} >"$TMP/$s/swanctl.conf"
	swan $s --load-conns --file "$TMP/$s/swanctl.conf" >"$TMP/$s/load2.out" 2>&1 ||
		{ cat "$TMP/$s/load2.out"; ksft_fail "swanctl --load-conns on $s"; }
done
SETUP_TIMEOUT=$((SETUP_TIMEOUT / 2))
check "$RK_N CHILD_SAs with rekey_time ${RK_S}s established" wait_children "$PORTR" "$RK_N"
# rekeys: A's CREATE_CHILD_SA requests carrying REKEY_SA in IKE_SA rk
rekeys_now() { grep -c '<rk|[0-9]*> generating CREATE_CHILD_SA request [0-9]* \[.*N(REKEY_SA)' "$TMP/a/charon.log" || true; }
s1_rekey
s1_counters

# --- 4. RFC 9611 per-CPU SAs (Linux >= 6.13, strongSwan >= 6.0.2) ---
# Connection pc: one child, per_cpu_sas = <mode>, start_action = trap on
# A.  Inner flow c (UDP port PORTP + c) leaves A on CPU c: its acquire
# makes A's charon negotiate CPU c's own SA, beside the fallback SA.  B
# receives NCPU + 1 SAs with distinct SPIs.  Flow c sends (c + 1) x COUNT
# datagrams, so that B's per-SPI counters tell which SA carried it.
PORTP=26000
ver_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]; }
swver=$(cat /etc/strongswan-version 2>/dev/null || echo none)
kver=$(uname -r)
pcpu_conn() {	# <a|b> <mode>
	local s=$1 mode=$2 me peer start

	if [ "$s" = a ]; then
		me=1 peer=2 start=trap
	else
		me=2 peer=1 start=none
	fi
	conn_head "$s" pc
	cat <<EOF
			p {
				local_ts = 10.9.0.$me/32[udp]
				remote_ts = 10.9.0.$peer/32[udp]
				mode = tunnel
				esp_proposals = aes128gcm16
				rekey_time = 0
				per_cpu_sas = $mode
				start_action = $start
			}
		}
	}
EOF
}
# pc_reqid <ns> <dir> <src> <dst>: the reqid of pc's policy (the one
# without ports; gw's children have theirs)
pc_reqid() {
	ip -n "$1" xfrm policy list dir "$2" src "$3"/32 dst "$4"/32 |
		awk '/^src/ { nodp = ($0 !~ /port/) }
		     nodp && /reqid/ { for (i = 1; i < NF; i++) if ($i == "reqid") { print $(i + 1); exit } }'
}
# B's inbound SAs of pc: "<spi> <packets>"
pc_states() {
	local req

	req=$(pc_reqid $NSB in 10.9.0.1 10.9.0.2)
	[ -n "$req" ] || return 0
	ip -n $NSB -s xfrm state list dst 192.0.2.2 reqid "$req" |
		awk '/spi/ { for (i = 1; i < NF; i++) if ($i == "spi") spi = $(i + 1)
			     sub(/\(.*/, "", spi) }	# -s: "0x<hex>(<decimal>)"
		     /\(packets\)/ { sub(/\(packets\)/, "", $2); print spi, $2 }' |
		while read -r x p; do echo "$((x)) $p"; done
}
# A's outbound SAs of pc: their UDP source ports
pc_sports() {
	local req

	req=$(pc_reqid $NSA out 10.9.0.1 10.9.0.2)
	ip -n $NSA xfrm state list src 192.0.2.1 reqid "${req:-0}" |
		awk '/encap type espinudp/ { for (i = 1; i < NF; i++) if ($i == "sport") print $(i + 1) }' |
		sort -n | tr '\n' ' '
}
# pc_run <label>: flow c from CPU c of A, (c + 1) x COUNT datagrams;
# fills SENT RECV LOST REORD DUPS DROPS SHARE, $TMP/<label>.cpu ("<spi>
# <n CPUs> <CPU>" per SA, as run_traffic) and $TMP/<label>.pcap
pc_run() {
	local label=$1 c x n tot=0 cnt d0
	local -a after snd=()
	local -A p0=() p1=()

	rm -f "$TMP/$label".*
	for ((c = 0; c < NCPU; c++)); do
		bg ip netns exec $NSB ./udpflow recv 10.9.0.2 10.9.0.1 $((PORTP + c)) 1 \
			$(((c + 1) * COUNT)) 3000 >"$TMP/$label.recv$c"
		wait_line "$TMP/$label.recv$c" "recv ready"
	done
	bg ip netns exec $NSB ./udpflow capture $DEVB "$TMP/$label.pcap" "$NCPU" 180000 >"$TMP/$label.cap"
	wait_line "$TMP/$label.cap" "capture ready"
	while read -r x n; do [ -z "$x" ] || p0[$x]=$n; done <<<"$(pc_states)"
	d0=$(drops_now)
	for ((c = 0; c < NCPU; c++)); do
		ip netns exec $NSA taskset -c $c ./udpflow send 10.9.0.1 10.9.0.2 $((PORTP + c)) 1 \
			$(((c + 1) * COUNT)) "$GAP_US" >"$TMP/$label.send$c" &
		snd+=($!)
	done
	wait "${snd[@]}"
	for ((c = 0; c < NCPU; c++)); do
		wait_line "$TMP/$label.recv$c" '^total' 1800 || true
	done
	wait_line "$TMP/$label.cap" captured 1800 || true
	read -r -a after <<<"$(softnet_processed)"	# one entry per CPU
	DROPS=$(( $(drops_now) - d0 ))
	while read -r x n; do [ -z "$x" ] || p1[$x]=$n; done <<<"$(pc_states)"
	# each CPU's share of the ESP datagrams: every flow (one SA) counted
	# on the CPU that delivered it.  Not the softnet counters: at this
	# small scale IKE, keepalives and rk's rekeys would weigh in.
	SHARE=()
	CPUCNT=()
	for ((c = 0; c < ${#after[@]}; c++)); do
		CPUCNT[c]=$(cat "$TMP/$label".recv* | awk -v c=$c '/^flow/ && $16 == c { s += $6 } END { print s + 0 }')
		tot=$((tot + CPUCNT[c]))
	done
	for ((c = 0; c < ${#after[@]}; c++)); do
		SHARE[c]=$(( tot ? CPUCNT[c] * 1000 / tot : 0 ))
	done
	flow_totals "$label"
	# flow c -> the SA whose counter moved by (c + 1) x COUNT -> the
	# CPU that delivered the flow
	: >"$TMP/$label.cpu"
	for ((c = 0; c < NCPU; c++)); do
		cnt=$(((c + 1) * COUNT))
		for x in "${!p1[@]}"; do
			[ $((p1[$x] - ${p0[$x]:-0})) -eq $cnt ] || continue
			awk -v s="$x" '/^flow/ { print s, $14, $16 }' "$TMP/$label.recv$c" >>"$TMP/$label.cpu"
		done
	done
	local line

	line="$label: sent $SENT recv $RECV lost $LOST reordered $REORD dup $DUPS drops $DROPS; $(wc -l <"$TMP/$label.cpu") of $NCPU flows each on an SA of its own; shares"
	for ((c = 0; c < ${#SHARE[@]}; c++)); do
		line+=" cpu$c=$((SHARE[c] / 10)).$((SHARE[c] % 10))%"
	done
	log "$line"
	sed "s/^/#   $label: SA (spi, CPUs, CPU) /" "$TMP/$label.cpu"
}
# pc_probe: one datagram from each CPU of A, in turn; true when each
# went through an SA of its own (the SA of that CPU, not the fallback)
pc_probe() {
	local c i x n moved used=""
	local -A c0 c1

	for ((c = 0; c < NCPU; c++)); do
		c0=()
		while read -r x n; do [ -z "$x" ] || c0[$x]=$n; done <<<"$(pc_states)"
		ip netns exec $NSA taskset -c $c ./udpflow send 10.9.0.1 10.9.0.2 \
			$((PORTP + c)) 1 1 0 >/dev/null 2>&1 || true
		for i in $(seq 20); do
			c1=()
			while read -r x n; do [ -z "$x" ] || c1[$x]=$n; done <<<"$(pc_states)"
			moved=$(for x in "${!c1[@]}"; do
					[ "${c1[$x]}" -gt "${c0[$x]:-0}" ] && echo "$x"
				done | tr '\n' ' ')
			[ -n "$moved" ] && break
			sleep 0.1
		done
		[ "$(wc -w <<<"$moved")" -eq 1 ] || return 1
		used+="$moved"
	done
	[ "$(tr ' ' '\n' <<<"$used" | sort -u | grep -c .)" -eq "$NCPU" ]
}
# pc_up <mode>: load pc on both gateways, send from every CPU of A until
# each CPU's datagrams go through an SA of its own (A's charon negotiates
# the fallback SA, then one SA per CPU).  A sink on B takes the
# datagrams: a closed port would make B answer with ICMP errors, which
# match pc's policy on B and make B's kernel ask charon for SAs.
pc_up() {
	local mode=$1 s t0=$SECONDS n=0 c ok=1

	for s in b a; do
		{
			echo "connections {"
			swan_conn $s gw c "$NSA4" "$PORT4" 0 0
			swan_conn $s rk r "$RK_N" "$PORTR" "$([ $s = a ] && echo "${RK_S}s" || echo 0)" \
				"$([ $s = a ] && echo "$((3 * RK_S))s" || echo 0)"
			pcpu_conn $s "$mode"
			echo "}"
			swan_secrets
		} >"$TMP/$s/swanctl.conf"
		swan $s --load-conns --file "$TMP/$s/swanctl.conf" >"$TMP/$s/load-pc.out" 2>&1 ||
			{ cat "$TMP/$s/load-pc.out"; return 1; }
	done
	bg ip netns exec $NSB ./udpflow recv 10.9.0.2 10.9.0.1 $PORTP "$NCPU" 1000000 30000 \
		>"$TMP/pc_sink.recv"
	local sink=$!
	wait_line "$TMP/pc_sink.recv" "recv ready"
	while [ $((SECONDS - t0)) -lt "$SETUP_TIMEOUT" ]; do
		n=$(pc_states | wc -l)
		if [ "$n" -ge $((NCPU + 1)) ] && pc_probe; then
			ok=0
			break
		fi
		for ((c = 0; c < NCPU; c++)); do
			ip netns exec $NSA taskset -c $c ./udpflow send 10.9.0.1 10.9.0.2 \
				$((PORTP + c)) 1 1 0 >/dev/null 2>&1 || true
		done
		sleep 1
	done
	kill "$sink" 2>/dev/null
	wait "$sink" 2>/dev/null || true
	log "per_cpu_sas = $mode: $n SAs of pc on B after $((SECONDS - t0)) s; each CPU of A on an SA of its own: $([ $ok = 0 ] && echo yes || echo no)"
	return $ok
}
pc_down() {
	swan a --terminate --ike pc >/dev/null 2>&1 || true
	# B deletes its side when A's DELETE arrives
	local i

	for i in $(seq 30); do
		[ -z "$(pc_states)" ] && return 0
		sleep 1
	done
	return 1
}
pc_ok() {	# <label>: sent = received, nothing lost or reordered, one SA per flow
	[ "$SENT" -eq $((NCPU * (NCPU + 1) / 2 * COUNT)) ] && [ "$RECV" -eq "$SENT" ] &&
		[ "$LOST" -eq 0 ] && [ "$DROPS" -eq 0 ] && [ "$REORD" -eq 0 ] && [ "$DUPS" -eq 0 ] &&
		[ "$(wc -l <"$TMP/$1.cpu")" -eq "$NCPU" ] &&
		[ "$(awk '{ print $1 }' "$TMP/$1.cpu" | sort -u | wc -l)" -eq "$NCPU" ]
}
# shellcheck disable=SC2034 # predicted() reads them
pc_predicted() { local NSA4=$NCPU NSA6=0; predicted "$1"; }
ncpus_used() { awk '{ print $3 }' "$TMP/$1.cpu" | sort -u | wc -l; }

if ! ver_ge "${kver%%-*}" 6.13 || ! ver_ge "${swver%%-*}" 6.0.2; then
	skip_check "per-CPU SAs (RFC 9611)" "needs Linux >= 6.13 and strongSwan >= 6.0.2; this guest: Linux $kver, strongSwan $swver"
else
	for mode in yes encap; do
		check "per_cpu_sas = $mode: a fallback SA and an SA for each CPU of A" pc_up $mode
		pc_run pc_$mode
		check "per_cpu_sas = $mode, module: each CPU's flow on an SA of its own, nothing lost, no reorder ($RECV/$SENT)" \
			pc_ok pc_$mode
		check "per_cpu_sas = $mode, module: every SA on exactly one CPU" one_cpu_per_sa pc_$mode
		check "per_cpu_sas = $mode, module: every SA on the CPU espinudp-hash predicts" \
			pc_predicted pc_$mode
		log "per_cpu_sas = $mode, module: $NCPU SAs on $(ncpus_used pc_$mode) CPUs of B"
		[ $mode = encap ] && log "per_cpu_sas = encap: UDP source ports of A's SAs: $(pc_sports)"
		rmmod i40e_espinudp
		pc_run pc_${mode}_nomod
		q0=$(queue_cpu 0)
		check "per_cpu_sas = $mode, no module: >= 99% of ESP datagrams on the queue-0 CPU (cpu$q0 $(pct "${SHARE[q0]:-0}"))" \
			[ "${SHARE[q0]:-0}" -ge 990 ]
		check "per_cpu_sas = $mode, no module: nothing lost, no reorder ($RECV/$SENT)" pc_ok pc_${mode}_nomod
		modprobe i40e_espinudp
		check "per_cpu_sas = $mode: A's IKE_SA pc closed, B's SAs of it gone" pc_down
	done
fi

# --- 5. the daemons' logs ---
for s in a b; do
	errs=$(log_errors "$TMP/$s/charon.log")
	[ -z "$errs" ] || echo "$errs" | head -n 20 | sed "s/^/# $s: /"
	rtx=$(grep -c 'retransmit [0-9]* of request' "$TMP/$s/charon.log" || true)
	[ "$rtx" -eq 0 ] || grep 'retransmit [0-9]* of request' "$TMP/$s/charon.log" |
		head -n 5 | sed "s/^/# $s: /"
	check "charon $s: no error in its log ($(wc -l <"$TMP/$s/charon.log") lines, $rtx retransmits)" [ -z "$errs" ]
	[ -s "$TMP/$s/charon.out" ] && sed "s/^/# $s stderr: /" "$TMP/$s/charon.out" | head -n 10
	check "charon $s: nothing on stdout/stderr" [ ! -s "$TMP/$s/charon.out" ]
done
log "espinudp_ike.sh: $SECONDS s"
ksft_exit
