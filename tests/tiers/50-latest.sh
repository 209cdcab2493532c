#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tier 50 (make check-latest only; tests/run-all.sh skips 5x tiers unless
# TIERS names them): the newest kernel line, from Debian sid.
#
# scripts/sid-chroot.sh debootstraps sid into $CACHE/sid-chroot and fetches
# sid's headers, linux-source and kernel image there.  The patched i40e,
# i40e_espinudp and the test modules are built inside the chroot with sid's
# own compiler, against sid's headers; tools/espinudp-hash and the guest
# helpers are built on the host.  Then sid's kernel boots in the QEMU
# harness (tests/qemu/run-guest.sh) and runs x722_rx_test, then, on the
# emulated X722 (tests/qemu/x722/, as tiers 34 and 35), the NAT-T
# selftest, the IKE selftest with sid's strongSwan (RFC 9611 per-CPU SAs
# included) and the firmware recovery paths with the patched i40e
# (LATEST_X722=0 skips those; X722_SELFTESTS picks others; SELFTESTS=none
# skips the x722_rx_test boot), and last Debian's stock i40e of the line
# on the model (tests/qemu/x722/run-tier.sh; LATEST_STOCK=0 skips it).
# I40E_BUILD
# overrides scripts/build-i40e.sh (path relative to the project root, run
# inside the chroot).  Prints TAP.  Takes about 4 minutes on x722sim once
# $CACHE/sid-chroot exists (about 10 more the first time: debootstrap and
# sid's kernel packages), and 10 more on the emulated X722.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
n=0 fail=0
start=$(date +%s)

echo "TAP version 13"
# shellcheck source=tests/qemu/lib.sh
. "$top/tests/qemu/lib.sh"
bail() {
	echo "1..$n"
	exit 1
}

mkdir -p build/logs/latest
logs=build/logs/latest
step "host dependencies (debootstrap, qemu, build, unit)" "$logs/deps.log" \
	scripts/deps.sh sid qemu build unit || bail
step "sid chroot with sid's kernel headers, source and image" \
	"$logs/chroot.log" scripts/sid-chroot.sh kernel || bail
info=$(scripts/sid-chroot.sh info)
line=$(sed -n 's/^line=//p' <<<"$info")
abi=$(sed -n 's/^abi=//p' <<<"$info")
cc=$(sed -n 's/^compiler=//p' <<<"$info")
logs=build/logs/guest-$line
mkdir -p "$logs"
cp build/logs/latest/*.log "$logs/" 2>/dev/null
echo "# newest line $line: Linux $abi, $cc"

in_chroot() {	# run a shell command in the chroot, at the project root
	scripts/sid-chroot.sh run sh -c "cd /src && $1"
}

n=$((n + 1))
if ls patches/linux-"$line"/*.patch >/dev/null 2>&1; then
	echo "ok $n - $line: patches/linux-$line series present"
else
	echo "not ok $n - $line: patches/linux-$line missing (port the series)"
	bail
fi
rm -f "build/$line/i40e/i40e.ko" "build/$line/module/i40e_espinudp.ko"
step "patched i40e.ko ($cc)" "$logs/i40e.log" in_chroot \
	"nice bash ${I40E_BUILD:-scripts/build-i40e.sh} /opt/latest/linux-source-$line /opt/latest/headers build/$line/i40e"
n=$((n + 1))
vm=$(modinfo -F vermagic "build/$line/i40e/i40e.ko" 2>/dev/null | awk '{print $1}')
if [ "$vm" = "$abi" ]; then
	echo "ok $n - $line: i40e.ko vermagic is $abi"
else
	echo "not ok $n - $line: i40e.ko vermagic '$vm', expected $abi"
	fail=1
fi
step "i40e_espinudp.ko ($cc)" "$logs/module.log" in_chroot \
	"nice scripts/build-module.sh $line /opt/latest/headers"
# the host's tool (the chroot has libpcap for it) generates test frames
step "tools/espinudp-hash" "$logs/tools.log" make -C tools
step "test modules (x722sim, x722_rx_test)" "$logs/testmods.log" in_chroot \
	"nice tests/kernel/build.sh $line /opt/latest/headers"
step "sid's strongSwan for espinudp_ike (scripts/fetch-strongswan.sh sid)" \
	"$logs/strongswan.log" scripts/fetch-strongswan.sh sid
step "udpflow (static)" "$logs/udpflow.log" \
	gcc -static -O2 -Wall -Wextra -Werror -o build/udpflow tests/selftests/udpflow.c

# every guest runs on this QEMU (the model and the TCG fixes of
# tests/qemu/x722/qemu-patches/)
xlogs=build/logs/guest-$line-x722
mkdir -p "$xlogs/recovery"
step "qemu-system-x86_64 with the emulated X722 and TCG fixes (cached by hash)" \
	"$xlogs/qemu-build.log" tests/qemu/x722/build-qemu.sh || bail
qemu=$(tail -n 1 "$xlogs/qemu-build.log")
# what only synthesized descriptors show (x722_rx_test: FD_ID, malformed
# frames), on no device
if [ "${SELFTESTS-}" != none ]; then
	QEMU=$qemu QEMU_ARGS="-L $(dirname "$qemu")/pc-bios" TAP_N0=$n \
		tests/qemu/run-guest.sh "$line" "${SELFTESTS:-cpu_flags}" \
		"${KTAP_MODS-x722_rx_test}" || fail=1
	n=$(cat "$logs/tap.count" 2>/dev/null || echo $((n + 1)))
fi

# The same line on the emulated X722 (tests/qemu/x722/): the patched i40e
# drives the model's two ports; the NAT-T selftest and the firmware
# recovery paths, at runtime and from boot.  LATEST_X722=0 skips it.
if [ "${LATEST_X722:-1}" != 0 ]; then
	rm -f "$xlogs/qemu-guest-errors.log" "$xlogs/recovery/qemu-guest-errors.log"
	QEMU=$qemu QEMU_ARGS="$(x722_qemu_args "$qemu" "" "$top/$xlogs/qemu-guest-errors.log")" \
	GUEST_LOGS=$top/$xlogs GUEST_ENV="NATT_DEV=x722 ${GUEST_ENV:-}" TIMEOUT=${TIMEOUT:-2400} TAP_N0=$n \
		tests/qemu/run-guest.sh "$line" \
		"${X722_SELFTESTS:-espinudp_natt,espinudp_ike,espinudp_fwrecovery}" "" || fail=1
	n=$(cat "$xlogs/tap.count" 2>/dev/null || echo $((n + 1)))
	QEMU=$qemu QEMU_ARGS="$(x722_qemu_args "$qemu" ",recovery-mode=on" \
		"$top/$xlogs/recovery/qemu-guest-errors.log")" \
	GUEST_LOGS=$top/$xlogs/recovery GUEST_ENV="NATT_DEV=x722" TIMEOUT=600 TAP_N0=$n \
		tests/qemu/run-guest.sh "$line" espinudp_recovery "" || fail=1
	n=$(cat "$xlogs/recovery/tap.count" 2>/dev/null || echo $((n + 1)))
	n=$((n + 1))
	x722_errors_ok $n "$line" "$xlogs/qemu-guest-errors.log" \
		"$xlogs/recovery/qemu-guest-errors.log" || fail=1
fi
# Debian's own, unpatched i40e of this line on the emulated X722 (tier
# 33's run-tier.sh: probe to rmmod, resets, the NAT-T quirk, recovery
# mode, bad input).  LATEST_STOCK=0 skips it.
if [ "${LATEST_STOCK:-1}" != 0 ]; then
	n=$((n + 1))
	rc=0
	tests/qemu/x722/run-tier.sh "$line" >"$xlogs/stock.tap" 2>&1 || rc=$?
	sed 's/^/    /' "$xlogs/stock.tap"
	if [ $rc -eq 0 ]; then
		echo "ok $n - $line: Debian's stock i40e on the emulated X722"
	else
		echo "not ok $n - $line: Debian's stock i40e on the emulated X722 (log: $xlogs/stock.tap)"
		fail=1
	fi
fi
echo "1..$n"
echo "# tier latest ($line): $(( $(date +%s) - start ))s wall"
exit $fail
