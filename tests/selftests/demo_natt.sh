#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo, guest side: the NAT-T scenario over the emulated X722
# (NATT_DEV=x722, make demo's default) first with Debian's stock i40e,
# then with the patched i40e and i40e_espinudp (over x722sim, as
# DEMO_DEV=x722sim or a run by hand gives: without, then with
# i40e_espinudp); prints a per-CPU table of ESP frame shares with
# bars, the module's counters and the "demo:" summary line (esp_frames:
# ESP frames decrypted over both runs; lost, reordered: over both runs),
# each line prefixed "DEMO " for the host to pick up.
set -eE
cd "$(dirname "$0")"
. ./natt_lib.sh
trap 'echo "# error: line $LINENO: $BASH_COMMAND exited $?"' ERR

trap cleanup_natt EXIT
if [ "$NATT_DEV" = x722 ]; then
	# the report, with Debian's own driver
	insmod /stock/i40e.ko
	drv="Debian's stock i40e"
else
	drv=x722sim
fi
setup_natt

bar() { local n=$(($1 * 30 / 1000)); printf '%*s' "$n" '' | tr ' ' '#'; printf '%*s' $((30 - n)) ''; }
pct() { printf '%3d.%d%%' $(($1 / 10)) $(($1 % 10)); }

run_traffic before
b_share=("${SHARE[@]}") b_cnt=("${CPUCNT[@]}") b_max=$(max_share)
lost=$LOST reord=$REORD frames=$ESP_RX b_ok=$((RECV == SENT))
b_q0=$(queue_cpu 0)
if [ "$NATT_DEV" = x722 ]; then
	# the same again with the patched i40e, and the module
	cleanup_natt
	ports_home
	rmmod i40e
	setup_natt
fi
modprobe i40e_espinudp
run_traffic after
a_share=("${SHARE[@]}") a_cnt=("${CPUCNT[@]}") a_max=$(max_share)
lost=$((lost + LOST)) reord=$((reord + REORD)) frames=$((frames + ESP_RX))

{
echo
echo "$NSA4 IPv4 + $NSA6 IPv6 NAT-T SAs (ESP-in-UDP 4500) between two gateways, $COUNT datagrams each;"
if [ "$NATT_DEV" = x722 ]; then
	echo "The emulated X722 leaves NAT-T unhashed on RX queue 0 (cpu$b_q0 services it) as the"
	echo "silicon does.  Share of the receive processing (softnet_stat) per CPU, before"
	echo "($drv) and after (patched i40e + i40e_espinudp); RX queue CPUs now:"
	echo "  $(queue_cpus)"
else
	echo "x722sim leaves NAT-T unhashed on RX queue 0, as the X722 does.  Share of the"
	echo "receive processing (softnet_stat) per CPU, before and after i40e_espinudp:"
fi
echo
printf '%-5s %-8s %-30s   %-8s %-30s\n' CPU before "" after ""
for ((c = 0; c < NCPU; c++)); do
	printf 'cpu%-2d %s %s   %s %s\n' $c "$(pct "${b_share[c]}")" "$(bar "${b_share[c]}")" \
		"$(pct "${a_share[c]}")" "$(bar "${a_share[c]}")"
done
echo
echo "packets processed per CPU: before ${b_cnt[*]}; after ${a_cnt[*]}"
echo "counters of $DEVB (ethtool -S), after both runs:"
ip netns exec $NSB ethtool -S $DEVB |
	awk -v n=$NCPU '/rx_queue_[0-9]+_drops/ { d += $2; next }
		/rx_queue_[0-9]+_packets/ { split($1, f, "_"); if (f[3] < n) print; next }
		/^ +rx-[0-9]+\.packets/ { split($1, f, "[-.]"); if (f[2] < n) print; next }
		/espinudp_|rx_dropped/ { print } END { if (d) print "  rx_queue_*_drops: " d }' |
	sed 's/^ */  /'
echo
echo "demo: esp_frames=$frames before_max_share=$((b_max / 10)).$((b_max % 10)) after_max_share=$((a_max / 10)).$((a_max % 10)) lost=$lost reordered=$reord"
} | sed 's/^/DEMO /'
[ "$b_max" -ge 990 ] && [ "$a_max" -le 350 ] && [ "$lost" -eq 0 ] && [ "$reord" -eq 0 ]
