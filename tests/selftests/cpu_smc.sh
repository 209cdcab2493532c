#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The CPU under the guest (QEMU's TCG) never runs code older than what
# another CPU wrote and published (smc.c: cross-modifying code, as
# text_poke_bp() does it for static keys).  QEMU 7.2 did: a block
# translated while its code was written could be linked with the old
# bytes, and Linux guests then hit "Oops: int3" at patched sites;
# tests/qemu/x722/qemu-patches/0002 and 0004 close all but a window of
# one write (see tests/qemu/README.rst), so no tier runs this by default:
# SELFTESTS=cpu_smc tests/qemu/tier.sh 6.1.
. ./lib.sh
[ "$(nproc)" -ge 2 ] || ksft_skip "smc needs 2 CPUs"
./smc "${SMC_SECS:-10}" || ksft_fail "a CPU ran stale code after a cross-modification: a known QEMU 7.2 bug, see tests/qemu/README.rst"
ksft_pass
