#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Tier 32: QEMU (TCG, -smp 4) guest on the debug kernel built from
# linux-source-6.1 (KASAN, PROVE_LOCKING, DEBUG_ATOMIC_SLEEP, kmemleak;
# booted with panic_on_warn=1; kmemleak scan at the end): x722_rx_test and
# the NAT-T selftest over x722sim (the module's data path, reloads and
# parameter races under KASAN).  See tests/qemu/tier.sh.  Prints TAP.
exec "$(dirname "$0")/../qemu/tier.sh" debug
