#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tsc-calib-rate.sh [boots] [parallel] [label]: how often the guest
# kernel gets its TSC frequency wrong or panics in check_timer(), with
# run-guest.sh's old command line and with tsc_early_khz= no_timer_check
# (README.rst, "Guests that hang").  Boots the stock
# kernel (no initramfs) <boots> times per mode, <parallel> guests at once
# (default 2), the two modes interleaved so that both see the same host
# load, each only until it prints "tsc: Detected ... MHz" (60 s at most),
# and counts the boots more than 1% off the host's TSC (tsc-khz.c), and
# those that panicked before (check_timer: "IO-APIC + timer doesn't
# work!").  Prints one line per mode:
#   tsc-calib: <label> mode=old|fixed boots=N wrong_mhz=B panic=P
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=$("$top/scripts/cache-dir")
boots=${1:-50}
par=${2:-2}
label=${3:-tsc-calib}
line=${LINE:-6.1}
out=$top/build/logs/hang-rate/$label
mkdir -p "$out"
kernel=$cache/$line/sysroot/boot/vmlinuz-$(cat "$cache/$line/abi")
mkdir -p "$top/build"
gcc -O2 -o "$top/build/tsc-khz" "$top/tests/qemu/tsc-khz.c" || exit 1
khz=$("$top/build/tsc-khz")

one() {	# <i> <mode>
	local con=$out/$2-$1.console extra="" t=0 pid mhz bad
	# fixed: what run-guest.sh passes now; old: what it passed before
	[ "$2" = fixed ] && extra="tsc_early_khz=$khz no_timer_check"
	: >"$con"
	"${QEMU:-qemu-system-x86_64}" -accel "${QEMU_ACCEL:-tcg}" -cpu max -smp 4 -m 2G \
		-nographic -no-reboot -nodefaults -kernel "$kernel" \
		-serial file:"$con" -append "console=ttyS0 panic=-1 tsc=reliable \
mitigations=off loglevel=7 $extra" </dev/null >/dev/null 2>&1 &
	pid=$!
	while [ $t -lt 600 ] && ! grep -aqE 'tsc: Detected|Kernel panic' "$con"; do
		sleep 0.1; t=$((t + 1))
	done
	kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
	mhz=$(grep -a -m1 -o 'tsc: Detected [0-9.]* MHz' "$con" | awk '{print $3}')
	bad=$(awk -v m="${mhz:-0}" -v k="$khz" 'BEGIN { d = m * 1000 - k; if (d < 0) d = -d; print (d > k / 100) ? "bad" : "ok" }')
	# before tsc_init: a failed early calibration leaves mdelay() on an
	# uncalibrated loop, and check_timer() then sees no tick and panics
	grep -aq 'Kernel panic' "$con" && bad="panic $(grep -a -m1 -o 'Kernel panic.*' "$con" | cut -c1-60)"
	echo "$2 $1 ${mhz:-none} $bad" >>"$out/results"
}

: >"$out/results"
for w in $(seq 0 $((par - 1))); do
	(
		for i in $(seq $((w + 1)) "$par" "$boots"); do
			if [ $((i % 2)) -eq 0 ]; then
				one "$i" old; one "$i" fixed
			else
				one "$i" fixed; one "$i" old
			fi
		done
	) &
done
wait
for m in old fixed; do
	n=$(grep -c "^$m " "$out/results")
	b=$(grep -c "^$m .* bad$" "$out/results")
	p=$(grep -c "^$m .* panic " "$out/results")
	echo "tsc-calib: $label mode=$m boots=$n wrong_mhz=$b panic=$p host_khz=$khz" | tee -a "$out/summary"
done
grep -E ' bad$| panic ' "$out/results" | sed 's/^/# /'
