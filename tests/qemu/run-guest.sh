#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-guest.sh <line> [tests] [ktap-modules]
#
# Boot one kernel line (6.1, 6.12: Debian's stock kernels; debug: the
# KASAN/lockdep/kmemleak kernel of build-debug-kernel.sh) under
# qemu-system-x86_64 -accel tcg -smp 4 with the initramfs of
# mkinitramfs.sh, run the selftests (comma list) and KTAP test modules,
# and check the run from the host.  Prints TAP version 13 on stdout: one
# top-level result per guest test (its nested KTAP indented), then the
# host checks: the guest finished (no timeout, no missing result) and its
# console shows no WARN, BUG, KASAN or lockdep splat.  Exits non-zero on
# any failure.  Logs: build/logs/guest-<line>/{console,ktap}.log.
#
# Environment: TIMEOUT (s, default 900), BOOT_TIMEOUT (s until the tests
# start, default 300; 900 on debug), QEMU_MEM (default 2G),
# GUEST_ENV (extra "KEY=value ..." for the guest's environment),
# QEMU (the qemu-system-x86_64 binary, default from PATH), QEMU_ARGS
# (extra devices, e.g. the emulated X722 of tests/qemu/x722/); for
# experiments: QEMU_ACCEL (default tcg), QEMU_CPU (default max),
# GUEST_TSC_KHZ (0: let the guest calibrate its TSC), GUEST_TIMER_CHECK
# (1: let the guest test its timer IRQ at boot), GUEST_KERNEL,
# GUEST_INITRD, BOOTS_MAX (default 2: one retry).
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=$("$top/scripts/cache-dir")
line=${1:?usage: run-guest.sh <line> [tests] [ktap-modules]}
tests=${2:-trivial}
ktap=${3:-}
timeout=${TIMEOUT:-900}
accel=${QEMU_ACCEL:-tcg}
logs=${GUEST_LOGS:-$top/build/logs/guest-$line}
mkdir -p "$logs"
# The guest runs on the QEMU of tests/qemu/x722/build-qemu.sh unless QEMU
# names another: Debian's QEMU 7.2 corrupts RFLAGS after cmpxchg16b, and
# its guests' kernels die of it now and then (x722/qemu-patches/).
if [ -z "${QEMU:-}" ]; then
	QEMU=$("$top/tests/qemu/x722/build-qemu.sh" 2>"$logs/qemu-build.log") ||
		{ echo "Bail out! tests/qemu/x722/build-qemu.sh failed: $logs/qemu-build.log"; exit 1; }
	QEMU_ARGS="-L $(dirname "$QEMU")/pc-bios ${QEMU_ARGS:-}"
fi

case $line in
debug)
	kernel=${DEBUG_KDIR:-$(readlink -f "$cache/debug-kernel")}/arch/x86/boot/bzImage
	# pci=noacpi: KASAN makes the AML interpreter so slow under TCG
	# that _PRT evaluation times out and stalls RCU
	extra="panic_on_warn=1 kmemleak=on pci=noacpi"
	boot_timeout=${BOOT_TIMEOUT:-900}
	;;
*)
	kernel=$cache/$line/sysroot/boot/vmlinuz-$(cat "$cache/$line/abi" 2>/dev/null)
	extra=""
	;;
esac
boot_timeout=${boot_timeout:-${BOOT_TIMEOUT:-300}}

# The guest's TSC is the host's (TCG reads it with RDTSC), so tell the
# guest its frequency instead of letting it calibrate against the
# emulated PIT: a vCPU preempted during that calibration on a loaded host
# got 130.9 MHz for a 2096 MHz TSC (tests/qemu/README.rst, "Guests that
# hang"), and guest time then ran 16 times too fast, into RCU stalls and
# soft lockups.  GUEST_TSC_KHZ overrides it; 0 leaves the guest to
# calibrate as it did before.
tsc_khz=${GUEST_TSC_KHZ:-}
if [ -z "$tsc_khz" ]; then
	tk=$top/build/tsc-khz
	if [ ! -x "$tk" ] || [ "$top/tests/qemu/tsc-khz.c" -nt "$tk" ]; then
		mkdir -p "$top/build"
		gcc -O2 -Wall -Wextra -o "$tk" "$top/tests/qemu/tsc-khz.c" 2>/dev/null
	fi
	tsc_khz=$("$tk" 2>/dev/null || echo 0)
fi
[ "$tsc_khz" -gt 0 ] 2>/dev/null && extra="$extra tsc_early_khz=$tsc_khz"
# no_timer_check: before the TSC is calibrated, check_timer() waits
# 40 ms for 4 timer ticks, and panics with "IO-APIC + timer doesn't
# work!" when QEMU, starved on a loaded host, delivers fewer.  KVM
# guests skip that check the same way (kvm.c).  GUEST_TIMER_CHECK=1
# keeps it.
[ "${GUEST_TIMER_CHECK:-0}" = 1 ] || extra="$extra no_timer_check"
kernel=${GUEST_KERNEL:-$kernel}
[ -f "$kernel" ] || { echo "Bail out! no kernel image $kernel"; exit 1; }

if [ -n "${GUEST_INITRD:-}" ]; then
	initrd=$GUEST_INITRD
else
	initrd=$logs/initramfs.cpio.gz
	"$top/tests/qemu/mkinitramfs.sh" "$line" "$initrd" 2>"$logs/mkinitramfs.log" ||
		{ sed 's/^/# /' "$logs/mkinitramfs.log"; echo "Bail out! initramfs"; exit 1; }
fi

console=$logs/console.log
ktaplog=$logs/ktap.log
rm -f "$console" "$ktaplog" "$logs"/console.boot*.log "$logs"/hang-cpus*.log
# shellcheck source=tests/qemu/hangwatch.sh
. "$top/tests/qemu/hangwatch.sh"
boot() {
	# tsc=reliable: TCG's TSC is judged unstable otherwise, and the
	# clocksource watchdog then WARNs under load.  It also keeps that
	# watchdog from catching a TSC calibrated wrong: hence
	# tsc_early_khz= above.
	# QEMU runs in the background while watch_guest (hangwatch.sh) reads
	# the console: a soft lockup, RCU stall, hung task or panic ends it
	# at once instead of after TIMEOUT.
	"${QEMU:-qemu-system-x86_64}" -accel "$accel" -cpu "${QEMU_CPU:-max}" -smp 4 \
		-m "${QEMU_MEM:-2G}" -nographic -no-reboot -nodefaults \
		-kernel "$kernel" -initrd "$initrd" \
		-chardev file,id=con,path="$console" -serial chardev:con \
		-chardev file,id=ktap,path="$ktaplog" -serial chardev:ktap \
		-device virtio-rng-pci ${QEMU_ARGS:-} \
		-qmp unix:"$logs/qmp.sock",server=on,wait=off \
		-append "console=ttyS0 panic=-1 oops=panic softlockup_panic=0 \
tsc=reliable mitigations=off loglevel=7 $extra \
ESPINUDP_TESTS=$tests ESPINUDP_KTAP=$ktap ${GUEST_ENV:-}" \
		</dev/null >"$logs/qemu.out" 2>&1 &
	HANG_MONITOR=$logs/qmp.sock HANG_DUMP=$logs/hang-cpus.log \
		watch_guest $! "$console" "$timeout" "$boot_timeout"
	qrc=$watch_rc
	tr -d '\r' <"$ktaplog" >"$ktaplog.tmp" 2>/dev/null &&
		mv "$ktaplog.tmp" "$ktaplog"
	tr -d '\r' <"$console" >"$console.tmp" 2>/dev/null &&
		mv "$console.tmp" "$console"
	# a panic ends QEMU by itself (panic=-1, -no-reboot), maybe before
	# the watcher's next look
	[ -n "$watch_hang" ] ||
		grep -q '^# espinudp-guest-done' "$ktaplog" 2>/dev/null ||
		watch_hang=$(hang_line "$console")
}

# early_failure: did this boot hang or die before the tests started
# (/init prints TESTS_START_MARK right before guest-run.sh)?  Nothing of
# ours had run then: no module of ours is loaded before the tests.  Such
# a boot is retried once; what it showed is reported as a diagnostic.
# Under MTTCG, Debian's 6.12 now and then took an int3 Oops and 6.1 a
# soft lockup while patching a static key at boot (README.rst, "Guests
# that hang").  Anything after the mark counts and is never retried.
# Sets why (the first line of the failure).
early_failure() {
	local s f
	why=""
	[ -s "$ktaplog" ] && return 1		# guest-run.sh had started
	s=$(start_line "$console")
	if [ -n "$watch_hang" ]; then
		f=${watch_hang%%:*} why=${watch_hang#*:}
	elif ! grep -q '^# espinudp-guest-done' "$ktaplog" 2>/dev/null; then
		f=$(grep -a -n -m1 -E 'Kernel panic|Oops|BUG:' "$console" | cut -d: -f1)
		[ -n "$f" ] || return 1			# ended, no crash shown
		why=$(sed -n "${f}p" "$console")
	else
		return 1
	fi
	[ -z "$s" ] || { [ "$f" -gt 0 ] && [ "$f" -lt "$s" ]; }
}

start=$(date +%s)
boots=0
retried=""
while :; do
	boots=$((boots + 1))
	boot
	[ "$boots" -lt "${BOOTS_MAX:-2}" ] || break
	early_failure || break
	retried=$why
	mv "$console" "$logs/console.boot$boots.log"
	[ -f "$logs/hang-cpus.log" ] && mv "$logs/hang-cpus.log" "$logs/hang-cpus.boot$boots.log"
done
secs=$(( $(date +%s) - start ))

# TAP_N0=<n>: continue the numbering of a tier that printed n results
# and the TAP header; the tier prints the plan.
n=${TAP_N0:-0}
[ -n "${TAP_N0:-}" ] || echo "TAP version 13"
fail=0
if [ -n "$retried" ]; then
	echo "# boot 1 of $line hung or crashed before the tests started; booted again."
	echo "# boot 1: $retried"
	f=$(grep -a -n -m1 -F -- "$retried" "$logs/console.boot1.log" | cut -d: -f1)
	[ -n "$f" ] && HANG_EXCERPT=25 hang_excerpt "$logs/console.boot1.log" "$f" |
		sed 's/^/#   /'
	echo "# (full console of boot 1: $logs/console.boot1.log)"
fi
# The guest's own results: top level lines become ours, nested ones
# stay indented.
declare -A seen=()
if [ -f "$ktaplog" ]; then
	while IFS= read -r l; do
		case $l in
		"ok "*|"not ok "*)
			n=$((n + 1))
			name=$(sed -E 's/^(not )?ok [0-9]+ (- )?//; s/ #.*//' <<<"$l")
			seen[$name]=1
			res=${l%%ok *}ok
			rest=$(sed -E 's/^(not )?ok [0-9]+ (- )?//' <<<"$l")
			echo "$res $n - $line: $rest"
			[ "$res" = "not ok" ] && fail=1
			;;
		"KTAP version"*|"1.."*|"# espinudp-guest-done") ;;
		*) echo "$l" ;;
		esac
	done <"$ktaplog"
fi
for t in ${tests//,/ } ${ktap//,/ }; do
	if [ -z "${seen[$t]:-}" ]; then
		n=$((n + 1))
		echo "not ok $n - $line: $t # no result (timeout or crash)"
		fail=1
	fi
done

n=$((n + 1))
if [ -n "$watch_hang" ] && [ "${watch_hang%%:*}" != 0 ]; then
	# killed on a soft lockup, RCU stall, hung task or panic
	echo "not ok $n - $line: guest hung: ${watch_hang#*:} (killed after ${secs}s, boot $boots)"
	hang_excerpt "$console" "${watch_hang%%:*}" | sed '/^$/d; s/^/# /'
	fail=1
elif [ -n "$watch_hang" ]; then
	echo "not ok $n - $line: guest hung: ${watch_hang#*:}, killed after ${secs}s"
	{ tail -n 30 "$console" 2>/dev/null; echo; } | tr -d '\033' |
		sed '/^$/d; s/^/# /'
	fail=1
elif grep -q '^# espinudp-guest-done' "$ktaplog" 2>/dev/null; then
	echo "ok $n - $line: guest finished in ${secs}s"
else
	echo "not ok $n - $line: guest did not finish (qemu rc $qrc after ${secs}s)"
	{ tail -n 30 "$console" 2>/dev/null; echo; } | tr -d '\033' |
		sed '/^$/d; s/^/# /'
	fail=1
fi

n=$((n + 1))
splat=$SPLAT_RE
if grep -Eq "$splat" "$console" 2>/dev/null; then
	echo "not ok $n - $line: console shows a kernel splat"
	grep -En -B2 -A20 -m3 "$splat" "$console" | head -n 80 | sed 's/^/# /'
	fail=1
else
	echo "ok $n - $line: console clean (no WARN/BUG/KASAN/lockdep)"
fi
[ -n "${TAP_N0:-}" ] || echo "1..$n"
echo "$n" >"$logs/tap.count"
exit $fail
