#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Harness self-check, not a product test: log a soft-lockup report as
# the kernel would, then hang for good.  run-guest.sh must stop the guest
# within seconds, report "guest hung: ... soft lockup" and not retry it
# (the tests had started).  tests/qemu/README.rst, "Guests that hang".
echo "<0>watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [fakehang.sh:$$] (fake, from tests/selftests/fakehang.sh)" >/dev/kmsg
while :; do sleep 60; done
