#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Firmware recovery mode with the product loaded (NATT_DEV=x722, the
# emulated X722 booted with recovery-mode=on): the patched i40e probes
# into recovery mode, i40e_espinudp loads beside it, then both functions
# are unbound and both modules unloaded.  i40e_remove() of a PF in
# recovery mode takes its own exit path: it must tear down what the
# series registered (no splat, nothing leaked: the debug guest's
# kmemleak scan follows).  Also a bind again and a second unbind.
set -eE
cd "$(dirname "$0")"
. ./lib.sh
trap 'echo "# error: line $LINENO: $BASH_COMMAND exited $?"' ERR

[ "${NATT_DEV:-}" = x722 ] || ksft_skip "needs the emulated X722 (NATT_DEV=x722)"
drv=/sys/bus/pci/drivers/i40e
check "modprobe i40e (patched)" modprobe i40e
for i in $(seq 20); do
	dmesg | grep -q 'Firmware recovery mode detected' && break
	sleep 0.5
done
dmesg | grep i40e | sed 's/^/# dmesg: /'
check "i40e detects firmware recovery mode" \
	sh -c "dmesg | grep -q 'Firmware recovery mode detected'"
check "modprobe i40e_espinudp beside a PF in recovery mode" modprobe i40e_espinudp
fns=$(cd $drv && ls -d 0000:* 2>/dev/null | tr '\n' ' ')
log "i40e functions: $fns"
check "both functions bound ($fns)" [ "$(echo $fns | wc -w)" -eq 2 ]
check "unbind both functions with i40e_espinudp loaded" i40e_each_fn unbind $fns
check "bind them again (recovery mode again)" i40e_each_fn bind $fns
sleep 2
check "rmmod i40e_espinudp" rmmod i40e_espinudp
check "modprobe i40e_espinudp again" modprobe i40e_espinudp
check "unbind both functions again" i40e_each_fn unbind $fns
check "rmmod i40e_espinudp" rmmod i40e_espinudp
check "rmmod i40e" rmmod i40e
ksft_exit
