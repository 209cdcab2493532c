#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Scenario 1 of espinudp_ike.sh with the other IKE daemon gateways run:
# Debian's libreswan (pluto, whack, addconn; bookworm's 4.10) in the two
# network namespaces, gateway A (initiator, sender, behind a 1:1 NAT) and
# gateway B (responder, receiver), on the same network (ike_lib.sh).
# IKEv2 with a PSK, NAT-T forced (encapsulation = yes).
#
#  - IKE_NCHILD (256) connections with distinct traffic selectors (udp
#    port 20000 + i each way), one CHILD_SA each, negotiated by A's pluto
#    over one IKE_SA (libreswan shares an IKE_SA between connections to
#    the same peer), one inner UDP flow of COUNT datagrams on each;
#  - without i40e_espinudp, >= 99% of the ESP frames are processed on the
#    queue-0 CPU; with it, every CPU 15-35%, every SA on the CPU
#    tools/espinudp-hash predicts, nothing lost or reordered;
#  - rekeying under traffic with short lifetimes (IKE_REKEY_NCHILD
#    connections of a second IKE_SA, salifetime IKE_REKEY_S): nothing
#    lost but what xfrm counted;
#  - neither pluto logs an error.
# RFC 9611 per-CPU SAs are strongSwan's (espinudp_ike.sh): libreswan 4.10
# has none.  Not on the newest line's guest, which has sid's strongSwan
# and no libreswan.
#
# Environment: as espinudp_ike.sh.
set -eE
cd "$(dirname "$0")"
TMP=${TMP:-/tmp/lsw}
. ./ike_lib.sh
trap 'echo "# error: line $LINENO: $BASH_COMMAND exited $?"' ERR

grep -qx libreswan /etc/missing 2>/dev/null && ksft_skip "libreswan not in the initramfs"
LSW=/usr/libexec/ipsec
require_cmd $LSW/pluto $LSW/whack $LSW/addconn certutil espinudp-hash

whack() {	# <a|b> [args]: whack on one gateway's control socket
	local s=$1

	shift
	$LSW/whack --ctlsocket "$TMP/$s/pluto.ctl" "$@"
}

cleanup_lsw() {
	local s rc=$?

	failed_logs $rc pluto
	# pluto deletes its SAs on --shutdown
	for s in a b; do
		[ -S "$TMP/$s/pluto.ctl" ] && timeout 20 $LSW/whack \
			--ctlsocket "$TMP/$s/pluto.ctl" --shutdown >/dev/null 2>&1
	done
	cleanup_natt
}

# ipsec.conf of one gateway: conn <name> and <n> connections <prefix>i on
# inner UDP port <port> + i; A starts them (auto = start), B adds them.
# No updown script (the test routes itself).  TCG runs the guest 20-50x
# slower than hardware: retransmits start after 10 s, not 0.5 s.
lsw_conf() {	# <a|b> <name> <prefix> <n> <port> <salifetime | 0: no rekey>
	local s=$1 name=$2 pfx=$3 n=$4 port=$5 life=$6 i me peer laddr raddr auto

	if [ "$s" = a ]; then
		me=1 peer=2 laddr=192.0.2.1 raddr=192.0.2.2 auto=start
	else
		me=2 peer=1 laddr=192.0.2.2 raddr=$A_OUT auto=add
	fi
	cat <<EOF
conn $name
	ikev2=yes
	left=$laddr
	leftid=@$name-$s
	right=$raddr
	rightid=@$name-$([ "$s" = a ] && echo b || echo a)
	authby=secret
	encapsulation=yes
	ike=aes_gcm128-sha2_256;dh19
	esp=aes_gcm128
	type=tunnel
	leftupdown=%disabled
	retransmit-interval=10000
	retransmit-timeout=120s
	dpddelay=10s
	dpdtimeout=120s
	ikelifetime=1h
EOF
	if [ "$life" = 0 ]; then
		printf '\trekey=no\n\tsalifetime=1h\n'
	else
		printf '\trekey=yes\n\tsalifetime=%ss\n\trekeymargin=%ss\n\trekeyfuzz=25%%\n' \
			"$life" "$((life / 3))"
	fi
	printf '\tauto=ignore\n\n'
	for ((i = 0; i < n; i++)); do
		cat <<EOF
conn $pfx$i
	also=$name
	leftsubnet=10.9.0.$me/32
	rightsubnet=10.9.0.$peer/32
	leftprotoport=udp/$((port + i))
	rightprotoport=udp/$((port + i))
	auto=$auto

EOF
	done
}

lsw_secrets() {
	printf '@gw-a @gw-b : PSK "i40e-espinudp selftest PSK"\n'
	printf '@rk-a @rk-b : PSK "i40e-espinudp selftest PSK"\n'
}

start_pluto() {	# <a|b>
	local s=$1 ns d=$TMP/$1

	[ "$s" = a ] && ns=$NSA || ns=$NSB
	mkdir -p "$d/nss" "$d/ipsec.d"
	certutil -N -d "sql:$d/nss" --empty-password >"$d/certutil.out" 2>&1 ||
		{ cat "$d/certutil.out"; return 1; }
	lsw_secrets >"$d/ipsec.secrets"
	printf 'config setup\n' >"$d/ipsec.conf"
	ip netns exec "$ns" $LSW/pluto --nofork --config "$d/ipsec.conf" \
		--rundir "$d" --nssdir "$d/nss" --ipsecdir "$d/ipsec.d" \
		--secretsfile "$d/ipsec.secrets" --logfile "$d/pluto.log" \
		--dumpdir "$d" --no-dnssec --keep-alive $KEEPALIVE_S \
		>"$d/pluto.out" 2>&1 &
	echo $! >>"$TMP"/pids
	wait_line "$d/pluto.log" "listening for IKE messages" 600
	wait_line "$d/pluto.log" "adding UDP interface $([ "$s" = a ] && echo $DEVA || echo $DEVB)" 600
}

# load_conns <a|b> <conf>: the connections of a config, started as it
# says (addconn --autoall: add, and initiate those with auto = start)
load_conns() {
	local s=$1 conf=$2 ns

	[ "$s" = a ] && ns=$NSA || ns=$NSB
	ip netns exec "$ns" $LSW/addconn --config "$conf" \
		--ctlsocket "$TMP/$s/pluto.ctl" --autoall >"$conf.out" 2>&1 ||
		{ cat "$conf.out"; return 1; }
}

# What counts as an error in a pluto log: as for charon (espinudp_ike.sh's
# log_errors), in pluto's words: "ERROR:", "failed", "unable"...,
# IKEv2 error notifies, a peer that stopped answering.  Retransmits are
# counted and shown, not errors.
log_errors() {	# <log>
	grep -iE 'error|fail|unable|invalid|denied|abort|critical|timeout|timed out|giving up|not responding|NO_PROPOSAL|TS_UNACCEPT|AUTHENTICATION_FAILED|cannot|could not|exceed|missing|discarding|dropping|rejected|unacceptable|no connection' "$1" |
		grep -v 'retransmission' || true
}

setup_net
trap cleanup_lsw EXIT
log "libreswan $(cat /etc/libreswan-version 2>/dev/null)"
t0=$SECONDS
start_pluto a
start_pluto b
log "both plutos up in $((SECONDS - t0)) s"

for s in b a; do
	lsw_conf $s gw c "$NSA4" "$PORT4" 0 >"$TMP/$s/gw.conf"
	load_conns $s "$TMP/$s/gw.conf" || ksft_fail "addconn on $s"
done
check "$NSA4 CHILD_SAs established by A's pluto (auto = start)" \
	wait_children "$PORT4" "$NSA4"
spi_map "$PORT4" "$NSA4" >"$TMP/spi4"
whack a --trafficstatus >"$TMP/traffic" 2>&1 || true
head -n 3 "$TMP/traffic" | sed 's/^/#   /'
whack a --showstates >"$TMP/states" 2>&1 || true
nike=$(grep -c 'ESTABLISHED_IKE_SA' "$TMP/states" || true)
log "IKE_SAs of A: $nike"
check "one IKE_SA carries them ($nike)" [ "$nike" -eq 1 ]
nat=$(ip -n $NSB xfrm state list dst 192.0.2.2 | grep -c 'encap type espinudp sport 4500 dport 4500' || true)
check "B's $NSA4 inbound SAs are ESP-in-UDP 4500/4500 ($nat)" [ "$nat" -eq "$NSA4" ]

# --- 1. baseline: no module ---
s1_baseline

# --- 2. with the module ---
s1_module

# keepalives: a quiet window of 3 keepalive intervals
sleep $((3 * KEEPALIVE_S + 1))

# --- 3. rekeying under traffic, short lifetimes ---
# A second IKE_SA (its own IDs, rk-a and rk-b) whose RK_N connections A
# rekeys RK_S s (less rekeymargin and fuzz) into their SAs; B never
# rekeys them on its own (rekey = no, salifetime 1 h).
lsw_conf b rk r "$RK_N" "$PORTR" 0 >"$TMP/b/rk.conf"
load_conns b "$TMP/b/rk.conf" || ksft_fail "addconn rk on b"
lsw_conf a rk r "$RK_N" "$PORTR" "$RK_S" >"$TMP/a/rk.conf"
load_conns a "$TMP/a/rk.conf" || ksft_fail "addconn rk on a"
SETUP_TIMEOUT=$((SETUP_TIMEOUT / 2))
check "$RK_N CHILD_SAs with salifetime ${RK_S}s established" wait_children "$PORTR" "$RK_N"
# rekeys: the children of rk that A's pluto rekeyed ("initiator rekeyed
# Child SA #n", when the CREATE_CHILD_SA exchange completed)
rekeys_now() { grep -cE '"r[0-9]+" #[0-9]+: initiator rekeyed Child SA' "$TMP/a/pluto.log" || true; }
s1_rekey
s1_counters

# --- 4. the daemons' logs ---
for s in a b; do
	errs=$(log_errors "$TMP/$s/pluto.log")
	[ -z "$errs" ] || echo "$errs" | head -n 20 | sed "s/^/# $s: /"
	rtx=$(grep -c 'retransmission' "$TMP/$s/pluto.log" || true)
	check "pluto $s: no error in its log ($(wc -l <"$TMP/$s/pluto.log") lines, $rtx retransmits)" [ -z "$errs" ]
	# pluto says on stderr how it took --nssdir and --ipsecdir
	# ("adjusting nssdir to ..."): nothing else may be there
	out=$(grep -vE "pluto: +adjusting (nssdir|ipsec.d) to $TMP/$s/" "$TMP/$s/pluto.out" || true)
	[ -z "$out" ] || echo "$out" | head -n 10 | sed "s/^/# $s stderr: /"
	check "pluto $s: nothing else on stdout/stderr" [ -z "$out" ]
done
log "espinudp_libreswan.sh: $SECONDS s"
ksft_exit
