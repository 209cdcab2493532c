#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Tier 32: QEMU (TCG, -smp 4) guest on the debug kernel built from
# linux-source-6.1 (KASAN, PROVE_LOCKING, DEBUG_ATOMIC_SLEEP, kmemleak;
# booted with panic_on_warn=1; kmemleak scan at the end): the patched
# i40e's RX path fed synthesized X722 descriptors (x722_rx_test) under
# KASAN.  The NAT-T selftest runs on the emulated X722 (tier 36).
# See tests/qemu/tier.sh.  Prints TAP.
exec "$(dirname "$0")/../qemu/tier.sh" debug
