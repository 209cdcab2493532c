#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Tier 32: QEMU (TCG, -smp 4) guest on the debug kernel (KASAN, PROVE_LOCKING, DEBUG_ATOMIC_SLEEP, kmemleak; panic_on_warn=1):
# the NAT-T selftests over x722sim and the X722 RX emulation KTAP module.
# See tests/qemu/tier.sh.  Prints TAP.
exec "$(dirname "$0")/../qemu/tier.sh" debug
