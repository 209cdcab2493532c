#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The firmware falls into recovery mode at runtime, under the product
# (NATT_DEV=x722, the emulated X722): NAT-T traffic through the patched
# i40e and i40e_espinudp first (so the main VSI is registered with the
# hook), then the model's test hook puts its firmware into recovery mode
# and a CORE reset lets i40e_rebuild() find it.  i40e_remove() of a PF in
# recovery mode takes its own exit path; the VSI registered with the hook
# must be withdrawn on it too: unbind both functions with the module
# loaded, unload both (KASAN and kmemleak on the debug kernel: a VSI left
# on the registry is a use after free when the module walks it).
set -eE
cd "$(dirname "$0")"
. ./natt_lib.sh
trap 'echo "# error: line $LINENO: $BASH_COMMAND exited $?"' ERR

[ "$NATT_DEV" = x722 ] || ksft_skip "needs the emulated X722 (NATT_DEV=x722)"
NSA4=${FWR_NSA:-32} NSA6=0 COUNT=${FWR_COUNT:-4}
trap cleanup_natt EXIT
setup_natt
modprobe i40e_espinudp
run_traffic before
esp=$(ip netns exec $NSB ethtool -S $DEVB | awk '/espinudp_esp:/ { print $2 }')
check "NAT-T through the hook before ($RECV/$SENT, espinudp_esp ${esp:-none})" \
	[ "${esp:-0}" -ge "$SENT" -a "$RECV" -eq "$SENT" ]
bdf=$(ip netns exec $NSB ethtool -i $DEVB | awk '/^bus-info:/ { print $2 }')
fns=$(cd /sys/bus/pci/drivers/i40e && ls -d 0000:* | tr '\n' ' ')

# the model's test hook (tests/qemu/x722/x722.c, X722_CFG_TEST_HOOK):
# "RVCR" at config offset 0xfc; then a CORE reset, as i40e requests it
dmesg -c >/dev/null
printf 'RVCR' | dd of=/sys/bus/pci/devices/$bdf/config bs=4 seek=63 count=1 \
	conv=notrunc 2>/dev/null
dbg=/sys/kernel/debug/i40e/$bdf/command
check "i40e's debugfs command file" [ -w "$dbg" ]
echo corer >"$dbg"
for i in $(seq 60); do
	[ "$(dmesg | grep -c 'Firmware recovery mode detected')" -ge 2 ] && break
	sleep 0.5
done
dmesg | grep -E 'i40e|espinudp' | head -n 20 | sed 's/^/# dmesg: /'
check "after the CORE reset i40e finds both PFs in firmware recovery mode" \
	[ "$(dmesg | grep -c 'Firmware recovery mode detected')" -ge 2 ]

# the namespaces go, the module stays
trap - EXIT
NATT_KEEP_MODULE=1 cleanup_natt
check "both ports back in init_net after the namespaces" ports_home
check "unbind both PFs in recovery mode with i40e_espinudp loaded ($fns)" \
	i40e_each_fn unbind $fns
check "rmmod i40e_espinudp after them" rmmod i40e_espinudp
check "rmmod i40e" rmmod i40e
ksft_exit
