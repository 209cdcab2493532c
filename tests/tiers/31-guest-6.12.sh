#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Tier 31: QEMU (TCG, -smp 4) guest on Debian's stock 6.12
# (bookworm-backports): x722_rx_test, as tier 30.  The NAT-T and IKE
# selftests run on the emulated X722 (tier 35).
# See tests/qemu/tier.sh.  Prints TAP.
exec "$(dirname "$0")/../qemu/tier.sh" 6.12
