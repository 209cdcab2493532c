#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hang-rate.sh [boots] [parallel] [label]: boot the stock guest <boots>
# times (default 40), <parallel> guests at once (default 2: on this
# 2-core host, two 4-vCPU guests load it fully), each running the
# statickeys selftest (static keys flipped under traffic for SK_SECS,
# default 20 s; the boot itself patches static keys too), and count the
# boots that hung or crashed.  No retry (BOOTS_MAX=1): every boot is one
# sample.  A hang is caught by run-guest.sh's console watcher (soft
# lockup, RCU stall, hung task, panic), by BOOT_TIMEOUT (300 s to reach
# the tests) or by TIMEOUT (400 s; a run takes 50-200 s, by host load).
#
# hang-rate.sh --summary <label> counts an earlier run again.
# Environment: LINE (default 6.1), QEMU_ACCEL (e.g. tcg,thread=single),
# QEMU_CPU, QEMU, GUEST_ENV (extra kernel command line / guest env),
# TESTS (default statickeys).  Per-boot logs and a summary in
# build/logs/hang-rate/<label>/; prints one line per boot and then
#   hang-rate: <label> line=6.1 accel=... boots=40 hung=H crashed=C ok=K
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
resum=""
[ "${1:-}" = --summary ] && { resum=1; shift; set -- 0 0 "${1:?--summary <label>}"; }
boots=${1:-40}
par=${2:-2}
label=${3:-$(date +%Y%m%d-%H%M%S)}
line=${LINE:-6.1}
out=$top/build/logs/hang-rate/$label
mkdir -p "$out"
export QEMU_ACCEL=${QEMU_ACCEL:-tcg}
export TIMEOUT=${TIMEOUT:-400} BOOT_TIMEOUT=${BOOT_TIMEOUT:-300} BOOTS_MAX=1
export GUEST_ENV="SK_SECS=${SK_SECS:-20} ${GUEST_ENV:-}"

[ -n "$resum" ] || {
# Run a snapshot of the harness, so that editing the tree meanwhile
# cannot change (or break) the boots being counted
mkdir -p "$out/tree/tests"
cp -a "$top/scripts" "$out/tree/"
cp -a "$top/tests/qemu" "$out/tree/tests/"
run=$out/tree/tests/qemu/run-guest.sh

# one initramfs for all boots
"$top/tests/qemu/mkinitramfs.sh" "$line" "$out/initramfs.cpio.gz" 2>"$out/mkinitramfs.log" ||
	{ cat "$out/mkinitramfs.log" >&2; exit 1; }
export GUEST_INITRD=$out/initramfs.cpio.gz
}

# summary: count the results; and the boots whose TSC calibration was
# off by more than 1% from the host's TSC (tsc-khz.c), the cause of the
# hangs seen here (README.rst, "Guests that hang")
summary() {
	local h c k khz bad=0 f mhz
	h=$(grep -c ' hung ' "$out/results")
	c=$(grep -c ' crashed ' "$out/results")
	k=$(grep -c ' ok$' "$out/results")
	[ -x "$top/build/tsc-khz" ] || { mkdir -p "$top/build" &&
		gcc -O2 -o "$top/build/tsc-khz" "$top/tests/qemu/tsc-khz.c"; }
	khz=$("$top/build/tsc-khz" 2>/dev/null || echo 0)
	for f in "$out"/boot*/console.log; do
		mhz=$(grep -a -m1 -o 'tsc: Detected [0-9.]* MHz' "$f" | awk '{print $3}')
		[ -n "$mhz" ] || continue
		if awk -v m="$mhz" -v k="$khz" 'BEGIN { d = m * 1000 - k; if (d < 0) d = -d; exit !(k > 0 && d > k / 100) }'; then
			bad=$((bad + 1))
			echo "$(basename "$(dirname "$f")"): guest TSC calibrated at $mhz MHz, host $khz kHz" >>"$out/bad-tsc"
		fi
	done
	sum="hang-rate: $label line=$line accel=$QEMU_ACCEL cpu=${QEMU_CPU:-max} parallel=$par boots=$boots hung=$h crashed=$c ok=$k bad_tsc=$bad wall=${secs}s qemu=$("${QEMU:-qemu-system-x86_64}" --version | head -1 | sed 's/.*version //')"
	echo "$sum" | tee "$out/summary"
}

# --summary <label>: count an earlier run again
if [ -n "$resum" ]; then
	boots=$(wc -l <"$out/results") secs="?" par="?"
	QEMU_ACCEL=$(sed -n 's/.* accel=\([^ ]*\).*/\1/p' "$out/summary" 2>/dev/null)
	rm -f "$out/bad-tsc"
	summary
	exit 0
fi

one() {	# <i>: one boot, one result line in $out/results
	local i=$1 d=$out/boot$1 t0 r what
	mkdir -p "$d"
	t0=$(date +%s)
	GUEST_LOGS=$d "$run" "$line" "${TESTS:-statickeys}" "" \
		>"$d/tap" 2>&1
	r=$?
	if grep -q ': guest hung:' "$d/tap"; then
		what="hung $(grep -m1 ': guest hung:' "$d/tap" | sed 's/.*guest hung: //')"
	elif [ $r -ne 0 ]; then
		what="crashed $(grep -m1 '^not ok' "$d/tap")"
	else
		what=ok
	fi
	echo "boot $i: $(( $(date +%s) - t0 ))s $what" | tee -a "$out/results"
}

: >"$out/results"
start=$(date +%s)
for w in $(seq 0 $((par - 1))); do
	(
		for i in $(seq $((w + 1)) "$par" "$boots"); do one "$i"; done
	) &
done
wait
secs=$(( $(date +%s) - start ))
summary
