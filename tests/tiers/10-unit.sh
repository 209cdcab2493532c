#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Tier 10: userspace tests of the core, the tool and the fuzzer (TAP).
# Build output goes to stderr; stdout is TAP with a final plan.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
if ! "$top/scripts/deps.sh" unit >&2; then
	echo "1..1"
	echo "ok 1 - unit tests # SKIP could not install gcc clang libclang-rt-14-dev libpcap-dev sparse"
	exit 0
fi
if ! make -s --no-print-directory -C "$top/tests/unit" all >&2; then
	echo "not ok 1 - build of the unit tests, tool and fuzzer (see stderr)"
	echo "1..1"
	exit 1
fi
make -s --no-print-directory -C "$top/tests/unit" check
