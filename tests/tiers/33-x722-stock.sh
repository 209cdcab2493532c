#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Tier 33: Debian's stock, unpatched i40e on the emulated Intel X722 built
# into Debian's QEMU (tests/qemu/x722/): probe, link, ethtool, traffic
# between two namespaces over the two ports, RSS and the NAT-T quirk (on
# and off), -L/-X, PF/CORE/GLOBAL reset, FLR, rmmod/insmod, on 6.1 and
# 6.12 (and the debug kernel when built).  The first run builds QEMU
# (cached by hash).  Prints TAP.
exec "$(dirname "$0")/../qemu/x722/run-tier.sh" "$@"
