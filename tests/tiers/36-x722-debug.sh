#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Tier 36: the patched i40e and i40e_espinudp on the emulated X722
# (tests/qemu/x722/) under the debug kernel (KASAN, lockdep, kmemleak):
# probe, the admin queue, the NAT-T selftest (256 + 32 SAs: every phase,
# resets, hotplug and reloads included), the strongSwan selftest (256
# child SAs, rekeying under traffic), then the firmware falls into
# recovery mode at runtime, and a boot that probes into it; unbind, bind
# and unload with the module loaded, kmemleak scan at the end.
# See tests/qemu/tier.sh.  Prints TAP.
exec "$(dirname "$0")/../qemu/tier.sh" debug x722
