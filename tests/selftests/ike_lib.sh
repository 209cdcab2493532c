#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What the two IKE selftests share, espinudp_ike.sh (strongSwan) and
# espinudp_libreswan.sh (libreswan): the two gateways' network (as
# natt_lib.sh's, IPv4, A behind a 1:1 NAT, no hand-made SAs), B's inbound
# SAs as the daemons negotiated them, and the phases of scenario 1 (many
# CHILD_SAs without and with the module, rekeying under traffic, the
# module's counters) with their checks.  Each selftest brings its daemon:
# how it starts, its configuration, and rekeys_now (the rekeys its log
# shows).
. ./natt_lib.sh

NSA4=${IKE_NCHILD:-256}		# CHILD_SAs of the main IKE_SA = flows
NSA6=0
# The rekeying phase: RK_N CHILD_SAs rekeyed every RK_S s (minus up to
# RK_S / 4, rand_time) by A, hard life_time 3 x RK_S.  A rekey is two
# exchanges (CREATE_CHILD_SA, then INFORMATIONAL with the DELETE), and an
# IKE_SA runs one exchange at a time: under TCG one IKE_SA manages about
# 5 exchanges/s on the 6.1 guest, so RK_N / RK_S stays near 1/s.  Asking
# for more (64 SAs every 6 s, measured) queues rekeys behind each other
# until SAs hit their hard lifetime and traffic is lost.
RK_N=${IKE_REKEY_NCHILD:-8}
RK_S=${IKE_REKEY_S:-8}
RK_RUN=${IKE_REKEY_RUN_S:-32}	# traffic during the rekeying phase
PORTR=24000			# flows of the rekeying IKE_SA
A_OUT=198.51.100.1		# A as B sees it (1:1 NAT)
SETUP_TIMEOUT=${IKE_SETUP_TIMEOUT:-900}
KEEPALIVE_S=2
NAT=1

# failed_logs <exit code> <daemon>: after a failure, the end of each
# gateway's daemon log ($TMP/<a|b>/<daemon>.log)
failed_logs() {
	local s

	if [ "$1" -ne 0 ] && [ "$1" -ne $ksft_skip ] || [ $__ksft_failed -ne 0 ]; then
		for s in a b; do
			[ -f "$TMP/$s/$2.log" ] || continue
			echo "# $2 $s, last 30 log lines:"
			tail -n 30 "$TMP/$s/$2.log" | sed 's/^/#   /'
		done
	fi
}

pct() { echo "$(($1 / 10)).$(($1 % 10))%"; }
ethS() { nsx $NSB ethtool -S $DEVB | awk -v k="$1:" '$1 == k { print $2 }'; }

# --- the network: as natt_lib.sh's setup_natt, IPv4, no hand-made SAs ---
setup_net() {
	rm -rf "$TMP"
	mkdir -p "$TMP"/a "$TMP"/b
	for m in esp4 xfrm_user; do
		modprobe $m || ksft_skip "module $m missing"
	done
	modprobe drbg 2>/dev/null || true
	case $NATT_DEV in
	x722)
		x722_ports || return 1
		;;
	*)
		modprobe x722sim || ksft_skip "module x722sim missing"
		DEVA=x722a0
		DEVB=x722b0
		;;
	esac
	ip netns add $NSA
	ip netns add $NSB
	gw_pair
	# A behind a stateless 1:1 NAT: 192.0.2.1 <-> 198.51.100.1 on A's
	# own device (clsact + act_nat), so that IKE's NAT detection finds
	# a NAT at A and A's charon sends keepalives
	if modprobe sch_ingress && modprobe cls_matchall && modprobe act_nat; then
		ip netns exec $NSA tc qdisc add dev $DEVA clsact
		ip netns exec $NSA tc filter add dev $DEVA egress matchall \
			action nat egress 192.0.2.1/32 $A_OUT
		ip netns exec $NSA tc filter add dev $DEVA ingress matchall \
			action nat ingress $A_OUT/32 192.0.2.1
		ip -n $NSB route add $A_OUT/32 dev $DEVB
	else
		log "no act_nat: no NAT at A, so no keepalives"
		NAT=0
		A_OUT=192.0.2.1
	fi
	ip -n $NSB neigh replace $A_OUT lladdr 02:00:00:00:00:0a dev $DEVB nud permanent
	# inner addresses, behind each gateway
	ip -n $NSA addr add 10.9.0.1/32 dev lo
	ip -n $NSB addr add 10.9.0.2/32 dev lo
	ip -n $NSA route add 10.9.0.2/32 via 192.0.2.2 src 10.9.0.1
	ip -n $NSB route add 10.9.0.1/32 via $A_OUT src 10.9.0.2
	[ "$NATT_DEV" != x722 ] || wait_link
}

# inbound SAs of B: "<flow> <spi>" for the children on <port>..<port+n-1>,
# from B's policies (dir in: dport -> reqid) and states (reqid -> SPI)
spi_map() {	# <port> <n>
	{
		ip -n $NSB xfrm policy list dir in
		echo "--states--"
		ip -n $NSB xfrm state list dst 192.0.2.2
	} | awk -v p0="$1" -v n="$2" '
		/^--states--/ { st = 1; next }
		!st && /^src/ { dp = ""; for (i = 1; i < NF; i++) if ($i == "dport") dp = $(i + 1) }
		!st && /reqid/ { for (i = 1; i < NF; i++) if ($i == "reqid") req[$(i + 1)] = dp }
		st && /reqid/ { spi = ""; r = "";
			for (i = 1; i < NF; i++) {
				if ($i == "spi") spi = $(i + 1)
				if ($i == "reqid") r = $(i + 1)
			}
			if ((r in req) && req[r] >= p0 && req[r] < p0 + n)
				print req[r] - p0, spi }' |
	while read -r f x; do echo "$f $((x))"; done | sort -n
}

# wait until B holds <n> inbound SAs of the children on <port>..
wait_children() {	# <port> <n>
	local t0=$SECONDS got=0

	while [ $((SECONDS - t0)) -lt "$SETUP_TIMEOUT" ]; do
		got=$(spi_map "$1" "$2" | awk '{ print $1 }' | sort -u | wc -l)
		[ "$got" -ge "$2" ] && break
		sleep 1
	done
	log "$got/$2 CHILD_SAs (ports $1..$(($1 + $2 - 1))) up in $((SECONDS - t0)) s"
	[ "$got" -ge "$2" ]
}

no_loss() {
	[ "$SENT" -eq $((NSA4 * COUNT)) ] && [ "$RECV" -eq "$SENT" ] &&
		[ "$LOST" -eq 0 ] && [ "$DROPS" -eq 0 ]
}

# s1_baseline: no module, every ESP frame on the queue-0 CPU
s1_baseline() {
	local q0

	run_traffic baseline
	q0=$(queue_cpu 0)
	check "baseline: >= 99% of ESP frames on the queue-0 CPU (cpu$q0 $(pct "${SHARE[q0]:-0}"), max $(pct "$(max_share)"))" \
		[ "$(max_share)" -ge 990 -a "${SHARE[q0]:-0}" -ge "$(max_share)" ]
	check "baseline: every datagram went through an SA ($ESP_RX/$SENT)" [ "$ESP_RX" -eq "$SENT" ]
	check "baseline: nothing lost ($RECV/$SENT, drops $DROPS)" no_loss
}

# s1_module: the module loaded; sets ike0 and ka0, its counters before
s1_module() {
	local c shares="" esp

	grep -qx i40e_espinudp /etc/missing 2>/dev/null &&
		ksft_fail "i40e_espinudp.ko was not built"
	modprobe i40e_espinudp || ksft_fail "modprobe i40e_espinudp"
	ike0=$(ethS espinudp_ike) ka0=$(ethS espinudp_keepalive)
	CAPTURE=1 run_traffic module

	for ((c = 0; c < NCPU; c++)); do shares+=" cpu$c $(pct "${SHARE[c]}")"; done
	check "module: every CPU processes 15-35% of ESP frames per queue it services ($shares; $(queue_cpus))" spread
	check "module: every SA on exactly one CPU" one_cpu_per_sa module
	check "module: every SA on the CPU espinudp-hash predicts" predicted module
	check "module: nothing lost ($RECV/$SENT, drops $DROPS)" no_loss
	check "module: no flow reordered ($REORD, dup $DUPS)" [ "$REORD" -eq 0 -a "$DUPS" -eq 0 ]
	check "module: /proc/net/xfrm_stat did not move ($XFRM_ERR)" [ "$XFRM_ERR" -eq 0 ]
	esp=$(ethS espinudp_esp)
	check "module: ethtool -S espinudp_esp counts the ESP frames (${esp:-none})" \
		[ "${esp:-0}" -ge $((NSA4 * COUNT)) ]
}

# s1_rekey: traffic on the RK_N children of IKE_SA rk while the daemon
# rekeys them (rekeys_now: the rekeys so far); sets rekeys
s1_rekey() {
	local est0 rk_count t0 rk_secs nsa4=$NSA4 port4=$PORT4

	est0=$(rekeys_now)
	rk_count=$((RK_RUN * 1000000 / GAP_US))
	t0=$SECONDS
	NSA4=$RK_N PORT4=$PORTR COUNT=$rk_count run_traffic rekey
	rk_secs=$((SECONDS - t0))
	NSA4=$nsa4 PORT4=$port4
	rekeys=$(($(rekeys_now) - est0))
	log "rekey: $rekeys CHILD_SA rekeys in $rk_secs s of traffic ($RK_N SAs, $rk_count datagrams each, rekey_time ${RK_S}s)"
	check "rekey: CHILD_SAs rekeyed under traffic ($rekeys, >= $RK_N)" [ "$rekeys" -ge "$RK_N" ]
	# A datagram the peer sent on the old SA just before the responder
	# deleted it is dropped by xfrm and counted in /proc/net/xfrm_stat
	# (XfrmInNoStates): the rekey race of any IKE daemon, wider under TCG.
	# Such a counted drop is allowed, at most one per rekey; a silent loss
	# is not.
	check "rekey: nothing lost but what xfrm counted ($RECV/$SENT, lost $LOST, drops $DROPS, xfrm_stat +$XFRM_ERR)" \
		[ "$SENT" -eq $((RK_N * rk_count)) -a "$DROPS" -eq 0 -a \
		  "$LOST" -le "$XFRM_ERR" -a $((RECV + XFRM_ERR)) -ge "$SENT" ]
	check "rekey: xfrm_stat moved at most once per rekey (+$XFRM_ERR, $rekeys rekeys)" \
		[ "$XFRM_ERR" -le "$rekeys" ]
	# A flow's datagrams cross from the old SA to the new one; with the
	# module the two SAs may be on two CPUs.
	check "rekey: no flow reordered ($REORD, dup $DUPS)" [ "$REORD" -eq 0 -a "$DUPS" -eq 0 ]
}

# s1_counters: what ethtool -S counted while the module was loaded
s1_counters() {
	local ike1 ka1

	ike1=$(ethS espinudp_ike) ka1=$(ethS espinudp_keepalive)
	log "ethtool -S $DEVB while the module was loaded: espinudp_ike +$((ike1 - ike0)), espinudp_keepalive +$((ka1 - ka0))"
	ip netns exec $NSB ethtool -S $DEVB | grep espinudp_ | tr -s ' ' | sed 's/^/# /'
	if [ "$NATT_DEV" = x722 ]; then
		# The emulated X722 leaves only ESP in UDP unhashed (natt-quirk,
		# tests/qemu/x722/README.md): it hashes IKE and keepalives on
		# their 4-tuple, and i40e offers a hashed frame to no hook.
		check "the device hashed IKE on 4500 itself: i40e did not offer it to the hook (espinudp_ike +$((ike1 - ike0)), $rekeys rekeys)" \
			[ $((ike1 - ike0)) -eq 0 -a "$rekeys" -gt 0 ]
		check "the device hashed A's keepalives itself (espinudp_keepalive +$((ka1 - ka0)))" \
			[ $((ka1 - ka0)) -eq 0 ]
	else
		check "IKE on 4500 (non-ESP marker) counted as espinudp_ike (+$((ike1 - ike0)))" \
			[ $((ike1 - ike0)) -gt 0 ]
		if [ $NAT -eq 1 ]; then
			check "A's keepalives counted as espinudp_keepalive (+$((ka1 - ka0)))" \
				[ $((ka1 - ka0)) -gt 0 ]
		else
			skip_check "keepalives counted" "no act_nat, no NAT"
		fi
	fi
}
