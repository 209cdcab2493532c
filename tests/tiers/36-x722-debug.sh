#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Tier 36: the product on the emulated X722 (tests/qemu/x722/) under QEMU
# (TCG, -smp 4), kernel debug: the patched i40e of patches/ and
# i40e_espinudp drive the model's two ports, and the NAT-T and IKE
# selftests run over them (NATT_DEV=x722), with the device phases (IRQ
# move, CPU offline, PF reset, FLR, i40e reload).  See tests/qemu/tier.sh.
# Prints TAP.
exec "$(dirname "$0")/../qemu/tier.sh" debug x722
