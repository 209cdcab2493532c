#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Tier 31: QEMU (TCG, -smp 4) guest on Debian's stock 6.12 (bookworm-backports):
# the NAT-T selftests over x722sim and the X722 RX emulation KTAP module.
# See tests/qemu/tier.sh.  Prints TAP.
exec "$(dirname "$0")/../qemu/tier.sh" 6.12
