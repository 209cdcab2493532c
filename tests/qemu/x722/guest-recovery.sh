#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side: the X722 model with recovery-mode=on.  The stock i40e must
# detect firmware recovery mode, register a limited netdev, and unload.
export PATH=/sbin:/bin
n=0 fails=0
check() { local d=$1; shift; n=$((n + 1)); if "$@"; then echo "ok $n - $d"; else echo "not ok $n - $d"; fails=$((fails + 1)); fi; }
echo "KTAP version 1"
/modules/load.sh
sleep 5
dmesg | grep i40e | sed 's/^/# dmesg: /'
check "i40e detects firmware recovery mode" sh -c "dmesg | grep -q 'Firmware recovery mode detected'"
dev=$(ls /sys/bus/pci/drivers/i40e/0000:00:04.0/net 2>/dev/null)
check "a netdev is registered in recovery mode" [ -n "$dev" ]
[ -n "$dev" ] && ethtool -i $dev | sed 's/^/# /'
check "ethtool -i works in recovery mode" ethtool -i "$dev"
check "rmmod i40e in recovery mode" rmmod i40e
echo "1..$n"
