#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-tier.sh [lines]: the X722 model tier.  Debian's stock, unpatched i40e
# on the emulated X722 (two ports, one hub), for each kernel line (default
# "6.1 6.12", plus "debug" when the debug kernel is built): probe, link,
# ethtool, ping/TCP/UDP between two namespaces, RSS spread and the NAT-T
# quirk, -L/-X, PF/CORE/GLOBAL reset, FLR, rmmod/insmod (guest-x722.sh),
# and the NAT-T scenario of natt_lib.sh with 256 real SAs (guest-natt.sh);
# then the same with natt-quirk=off on the first line, and firmware
# recovery mode (recovery-mode=on, guest-recovery.sh), and bad input from
# the guest (guest-badinput.sh: QEMU survives and logs a guest error).  Also the model's
# Toeplitz unit test.  Prints TAP; logs in build/logs/x722/.
# Lines: 6.1, 6.12, debug, and the newest (7.2) once tier 50's
# scripts/sid-chroot.sh has put it in the cache.
# Environment: TIMEOUT (per guest, s, default 1200).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
# shellcheck source=tests/qemu/hangwatch.sh
. "$top/tests/qemu/hangwatch.sh"
cache=$("$top/scripts/cache-dir")
logs=$top/build/logs/x722
mkdir -p "$logs"
lines=${1:-"6.1 6.12"}
if [ -z "${1:-}" ] && [ -e "$cache/debug-kernel" ]; then
	lines="$lines debug"
fi
n=0 fail=0
res() {	# <ok?> <description>
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=$((fail + 1)); fi
}
echo "TAP version 13"

"$here/toeplitz-test.sh" >"$logs/toeplitz.log" 2>&1
res $? "model Toeplitz against the Microsoft RSS vectors"
sed 's/^/    /' "$logs/toeplitz.log"

t0=$(date +%s)
qemu=$("$here/build-qemu.sh" 2>"$logs/build-qemu.log")
res $? "qemu-system-x86_64 with the X722 model ($(( $(date +%s) - t0 )) s)"
[ -x "$qemu" ] || { echo "1..$n"; exit 1; }

guest() {	# <label> <line> [extra env for boot-dev]
	local label=$1 line=$2 t rc log=$logs/$1.console qlog=$logs/$1.qemu.log
	local script=$here/guest-x722.sh
	shift 2
	case $label in
	*recovery*) script=$here/guest-recovery.sh ;;
	*natt*) script=$here/guest-natt.sh ;;
	*badinput*) script=$here/guest-badinput.sh ;;
	esac
	# the newest line comes from scripts/sid-chroot.sh (tier 50), which
	# leaves its abi and a sysroot link in the cache
	if [ "$line" != debug ] && [ ! -f "$cache/$line/.complete" ] &&
	   ! { [ -s "$cache/$line/abi" ] && [ -L "$cache/$line/sysroot" ]; }; then
		"$top/scripts/fetch-kernel.sh" "$line" >"$logs/fetch-$line.log" 2>&1 ||
			{ res 1 "$label: fetch kernel $line"; return; }
	fi
	t=$(date +%s)
	case $label in *natt*) set -- X722_NATT=1 "$@" ;; esac
	env "$@" QEMU="$qemu" TIMEOUT="${TIMEOUT:-1200}" \
		"$here/boot-dev.sh" "$line" "$script" \
		-d guest_errors -D "$qlog" >"$log" 2>&1
	rc=$?
	tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"
	# the guest's KTAP, nested
	sed -n '/^KTAP version 1/,/^1\.\.[0-9]*$/p' "$log" | sed 's/^/    /'
	grep -q '^1\.\.[0-9]' "$log" && ! grep -q '^not ok' "$log"
	res $? "$label: stock i40e on the X722 model, kernel $line ($(( $(date +%s) - t )) s, qemu rc $rc)"
	local clog=$log known fix other=
	fix=$(ls "$top"/patches/linux-"$line"/*-i40e-tear-down-devlink-on-the-firmware-recovery-mode*.patch 2>/dev/null | head -n 1)
	case $label in
	*recovery*)
		# A known bug of the stock driver, which the line's series
		# fixes: i40e_remove() of a PF in recovery mode unregisters a
		# devlink instance it never registered, and devlink warns.
		# Those WARNINGs must be there (the bug, reproduced) and are
		# taken out of the console before the splat check; any other
		# splat still fails.
		if [ -n "$fix" ]; then
			clog=$log.other other="other "
			known=$(stock_devlink_warns "$log" "$clog")
			res $(( known > 0 ? 0 : 1 )) "$label: the stock i40e's devlink WARNINGs from i40e_remove() in recovery mode ($known), the bug $(basename "$fix") fixes"
		fi
		;;
	esac
	if grep -E -q "$SPLAT_RE" "$clog"; then
		res 1 "$label: console free of ${other}WARN/BUG/KASAN/lockdep"
		grep -En -B2 -A20 -m3 "$SPLAT_RE" "$clog" | head -n 60 | sed 's/^/# /'
	else
		res 0 "$label: console free of ${other}WARN/BUG/KASAN/lockdep"
	fi
	case $label in
	*badinput*)
		local want
		for want in 'ATQ ring unreadable' 'ATQ tail 100 beyond' \
			    'unknown admin queue opcode 0x7777' \
			    'ring length 8190 out of range' \
			    'stopped: descriptor ring outside guest memory'; do
			grep -q "$want" "$qlog"
			res $? "$label: QEMU logged the guest error '$want'"
		done
		;;
	*)
		! grep -v -E '^(Invalid read|Invalid write) at addr' "$qlog" 2>/dev/null | grep -q 'x722'
		res $? "$label: the model logged no guest error"
		;;
	esac
}
first=
for line in $lines; do
	guest "x722-$line" "$line"
	guest "x722-natt-$line" "$line"
	first=${first:-$line}
done
guest "x722-$first-quirk-off" "$first" X722_PROPS=",natt-quirk=off" \
	GUEST_APPEND="X722_NATT_QUIRK=off"
guest "x722-natt-$first-quirk-off" "$first" X722_PROPS=",natt-quirk=off" \
	GUEST_APPEND="X722_NATT_QUIRK=off"
guest "x722-$first-recovery" "$first" X722_PROPS=",recovery-mode=on"
guest "x722-$first-badinput" "$first"
echo "1..$n"
[ $fail -eq 0 ]
