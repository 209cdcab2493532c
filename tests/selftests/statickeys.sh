#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Stress for the harness (tests/qemu/hang-rate.sh), not a product test:
# flip static keys over and over for SK_SECS seconds (default 20) while
# all four CPUs run the code being patched.  Each flip rewrites kernel
# text with text_poke_bp() (int3, IPI sync to every CPU, as the product's
# static key in i40e's RX path does); under MTTCG that is where Debian's
# stock guests locked up.  Keys flipped: rps_needed (rps_cpus of lo,
# checked for every packet of the UDP traffic below), bpf_stats_enabled_key
# (kernel.bpf_stats_enabled) and the test keys of test_static_keys.ko
# (its init also checks that each branch follows its key).
. ./lib.sh
secs=${SK_SECS:-20}
rps=/sys/class/net/lo/queues/rx-0/rps_cpus
ip link set lo up
pids=""
for c in 0 1 2 3; do
	# UDP to a closed port of lo, from each CPU: every datagram (and
	# its ICMP error) goes through netif_rx(), which tests rps_needed
	# at nice 19, so that the flips below still get their CPU
	taskset $((1 << c)) bash -c 'renice -n 19 $$ >/dev/null
		exec 3<>/dev/udp/127.0.0.1/9; while :; do echo x >&3; done' \
		>/dev/null 2>&1 &
	pids="$pids $!"
done
t0=$(date +%s)
flips=0 modfail=0
while [ $(( $(date +%s) - t0 )) -lt "$secs" ]; do
	[ -w $rps ] && { echo f >$rps; echo 0 >$rps; }
	echo 1 >/proc/sys/kernel/bpf_stats_enabled 2>/dev/null
	echo 0 >/proc/sys/kernel/bpf_stats_enabled 2>/dev/null
	if modprobe test_static_keys; then
		rmmod test_static_keys test_static_key_base
	else
		modfail=$((modfail + 1))
	fi
	flips=$((flips + 1))
done
kill $pids 2>/dev/null
echo "$flips rounds of static key flips in ${secs}s; packets per CPU: $(softnet_processed)"
check "test_static_keys loads and checks its keys ($modfail failures)" [ "$modfail" -eq 0 ]
check "static keys flipped ($flips rounds)" [ "$flips" -gt 0 ]
ksft_exit
