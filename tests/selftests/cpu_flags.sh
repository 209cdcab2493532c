#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The CPU under the guest (QEMU's TCG) computes RFLAGS right after
# cmpxchg8b and cmpxchg16b (cpuflags.c).  QEMU 7.2 did not: its guests
# died now and then with arbitrary EFLAGS bits (TF, NT, IOPL) after
# SLUB's this_cpu_cmpxchg16b; tests/qemu/x722/qemu-patches/ fixes the
# QEMU that build-qemu.sh builds, and every guest runs on that one.
. ./lib.sh
./cpuflags || ksft_fail "wrong RFLAGS after cmpxchg8b/16b: is this QEMU built with tests/qemu/x722/qemu-patches/?"
ksft_pass
