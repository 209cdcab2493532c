#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Tier 30: QEMU (TCG, -smp 4) guest on Debian's stock 6.1 (bookworm): the
# patched i40e's RX path fed synthesized X722 descriptors (x722_rx_test).
# The NAT-T and IKE selftests run on the emulated X722 (tier 34).
# See tests/qemu/tier.sh.  Prints TAP.
exec "$(dirname "$0")/../qemu/tier.sh" 6.1
