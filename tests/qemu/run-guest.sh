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
# Environment: TIMEOUT (s, default 900), QEMU_MEM (default 2G),
# GUEST_ENV (extra "KEY=value ..." for the guest's environment),
# QEMU (the qemu-system-x86_64 binary, default from PATH), QEMU_ARGS
# (extra devices, e.g. the emulated X722 of tests/qemu/x722/).
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=$("$top/scripts/cache-dir")
line=${1:?usage: run-guest.sh <line> [tests] [ktap-modules]}
tests=${2:-trivial}
ktap=${3:-}
timeout=${TIMEOUT:-900}
logs=${GUEST_LOGS:-$top/build/logs/guest-$line}
mkdir -p "$logs"

case $line in
debug)
	kernel=$(readlink -f "$cache/debug-kernel")/arch/x86/boot/bzImage
	# pci=noacpi: KASAN makes the AML interpreter so slow under TCG
	# that _PRT evaluation times out and stalls RCU
	extra="panic_on_warn=1 kmemleak=on pci=noacpi"
	;;
*)
	kernel=$cache/$line/sysroot/boot/vmlinuz-$(cat "$cache/$line/abi")
	extra=""
	;;
esac
[ -f "$kernel" ] || { echo "Bail out! no kernel image $kernel"; exit 1; }

initrd=$logs/initramfs.cpio.gz
"$top/tests/qemu/mkinitramfs.sh" "$line" "$initrd" 2>"$logs/mkinitramfs.log" ||
	{ sed 's/^/# /' "$logs/mkinitramfs.log"; echo "Bail out! initramfs"; exit 1; }

console=$logs/console.log
ktaplog=$logs/ktap.log
rm -f "$console" "$ktaplog" "$logs"/console.boot*.log
boot() {
	# tsc=reliable: TCG's TSC is judged unstable otherwise, and the
	# clocksource watchdog then WARNs under load.
	timeout --foreground -k 10 "$timeout" \
		"${QEMU:-qemu-system-x86_64}" -accel tcg -cpu max -smp 4 \
		-m "${QEMU_MEM:-2G}" -nographic -no-reboot -nodefaults \
		-kernel "$kernel" -initrd "$initrd" \
		-chardev file,id=con,path="$console" -serial chardev:con \
		-chardev file,id=ktap,path="$ktaplog" -serial chardev:ktap \
		-device virtio-rng-pci ${QEMU_ARGS:-} \
		-append "console=ttyS0 panic=-1 oops=panic softlockup_panic=0 \
tsc=reliable mitigations=off loglevel=7 $extra \
ESPINUDP_TESTS=$tests ESPINUDP_KTAP=$ktap ${GUEST_ENV:-}" \
		</dev/null >"$logs/qemu.out" 2>&1
	qrc=$?
	tr -d '\r' <"$ktaplog" >"$ktaplog.tmp" 2>/dev/null &&
		mv "$ktaplog.tmp" "$ktaplog"
	tr -d '\r' <"$console" >"$console.tmp" 2>/dev/null &&
		mv "$console.tmp" "$console"
}

# A kernel that dies while booting, before it starts /init, has run none
# of our code (no module is loaded yet): under MTTCG, Debian's 6.12 now and
# then takes an int3 Oops while patching a static key at boot.  Such a
# boot is retried once; the crash stays in console.boot1.log and is
# reported below as a diagnostic.  Anything after /init started counts.
start=$(date +%s)
boots=0
while :; do
	boots=$((boots + 1))
	boot
	[ "$boots" -lt 2 ] || break
	[ -s "$ktaplog" ] && break
	grep -q 'Run /init as init process' "$console" 2>/dev/null && break
	grep -Eq 'Kernel panic|Oops' "$console" 2>/dev/null || break
	mv "$console" "$logs/console.boot$boots.log"
done
secs=$(( $(date +%s) - start ))

# TAP_N0=<n>: continue the numbering of a tier that printed n results
# and the TAP header; the tier prints the plan.
n=${TAP_N0:-0}
[ -n "${TAP_N0:-}" ] || echo "TAP version 13"
fail=0
if [ -f "$logs/console.boot1.log" ]; then
	echo "# boot 1 of $line crashed before /init (no test had run); booted again:"
	grep -E -m3 'Oops|RIP:|Kernel panic' "$logs/console.boot1.log" | sed 's/^/#   /'
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
if grep -q '^# espinudp-guest-done' "$ktaplog" 2>/dev/null; then
	echo "ok $n - $line: guest finished in ${secs}s"
else
	echo "not ok $n - $line: guest did not finish (qemu rc $qrc after ${secs}s, timeout ${timeout}s)"
	{ tail -n 30 "$console" 2>/dev/null; echo; } | tr -d '\033' |
		sed '/^$/d; s/^/# /'
	fail=1
fi

n=$((n + 1))
splat='WARNING:|BUG:|BUG |KASAN|Kernel panic|Oops|general protection|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|INFO: task .* blocked|sleeping function called from invalid context|UBSAN|self-detected stall|detected stalls on CPUs|soft lockup|kmemleak: .*new suspected|Call Trace:'
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
