#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Tier 15: the QEMU harness itself, on the host, in seconds: run-guest.sh
# must stop a guest that hangs (soft lockup, RCU stall, hung task,
# panic, silence) at once with "guest hung: <line>", and retry only a
# boot that hung before the tests started (tests/qemu/test-hangwatch.sh
# with a stand-in QEMU playing canned consoles).  Prints TAP.
exec "$(dirname "$0")/../qemu/test-hangwatch.sh"
