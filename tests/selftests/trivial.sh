#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Pipeline check: the guest runs, has ip with xfrm, modprobe, ethtool.
. ./lib.sh
modprobe xfrm_user || ksft_fail "modprobe xfrm_user"
ip xfrm state list >/dev/null || ksft_fail "ip xfrm unavailable"
modprobe esp4 || ksft_fail "modprobe esp4"
ethtool --version || ksft_fail "no ethtool"
echo "cpus: $(grep -c ^processor /proc/cpuinfo) kernel: $(uname -r)"
ksft_pass
