#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side (initramfs of mkinitramfs-x722.sh with X722_NATT=1): the
# NAT-T scenario of tests/selftests/natt_lib.sh (real ip xfrm SAs, ESP in
# UDP/4500, udpflow) run over the two ports of the emulated X722 with
# Debian's stock i40e and without i40e_espinudp: the seed's bug.  With
# natt-quirk=on (the default) >= 99% of the ESP frames land on RX queue 0
# and one CPU; with X722_NATT_QUIRK=off they spread.  Prints KTAP.
export PATH=/sbin:/bin
cd /selftests || exit 1
. ./natt_lib.sh
echo "KTAP version 1"
/modules/load.sh
NATT_DEV=x722
x722_ports	# the stock i40e's two ports (setup_natt finds them again)
NSA6=${NSA6_X722:-0}
COUNT=${COUNT_X722:-4}
GAP_US=${GAP_X722:-20000}
log "ports: $DEVA (gateway A), $DEVB (gateway B); $NSA4 IPv4 SAs, $COUNT datagrams each"
check "NAT-T setup over the two X722 ports ($NSA4 SAs, link up)" setup_natt
rxq() { ip netns exec $NSB ethtool -S $DEVB | awk -F: '/^ +rx-[0-9]+\.packets/ { printf "%d ", $2 }'; }
b=($(rxq))
run_traffic natt
a=($(rxq))
tot=0; d=
for i in "${!a[@]}"; do v=$(( a[i] - ${b[i]:-0} )); d+="$v "; tot=$((tot + v)); done
q0=$(( a[0] - ${b[0]:-0} ))
log "RX queue packets during the run: $d(total $tot, ESP frames sent $SENT)"
log "per-CPU share of the received frames (x10 %): ${SHARE[*]}"
check "every datagram decrypted and delivered" [ "$RECV" -eq "$SENT" -a "$SENT" -gt 0 ]
if [ "${X722_NATT_QUIRK:-on}" = on ]; then
	check "the bug: >= 99% of ESP frames on RX queue 0" [ $(( q0 * 100 )) -ge $(( SENT * 99 )) ]
	check "the bug: >= 99% of frames processed on one CPU" [ "$(max_share)" -ge 990 ]
else
	check "quirk off: ESP frames spread over the RX queues" [ $(( q0 * 100 )) -lt $(( SENT * 90 )) ]
	check "quirk off: no CPU has more than 90% of the frames" [ "$(max_share)" -lt 900 ]
fi
cleanup_natt
# let the namespace cleanup hand the ports back to init_net and unload
# the driver before /init powers off: i40e's .shutdown racing a pending
# netns cleanup frees the IRQs twice (a stock-driver race, not the model)
for i in $(seq 40); do
	[ -e /sys/class/net/$DEVA ] && [ -e /sys/class/net/$DEVB ] && break
	sleep 0.5
done
rmmod i40e
echo "1..$__ksft_n"
