#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A stand-in for qemu-system-x86_64 (QEMU=...) for test-hangwatch.sh:
# plays a canned guest on the console and KTAP chardevs that run-guest.sh
# passes (-chardev file,id=con,path=... / id=ktap), then behaves as a
# hung guest does (sleeps until killed) or powers off.
# FAKE_SCENARIO picks the guest, FAKE_COUNT names a file counting boots.
# A hung guest sleeps FAKE_HANG_SECS (default 120), then exits 1.
#   early-lockup	every boot locks up before the tests start
#   early-then-ok	boot 1 locks up before the tests, boot 2 passes
#   late-stall		an RCU stall after the tests started
#   silent		no output at all (hangs before printing anything)
#   panic		a panic before the tests; QEMU exits by itself
#   clean		boots, passes, powers off
set -u
data=$(dirname "$0")
con="" ktap=""
for a in "$@"; do
	case $a in
	file,id=con,path=*) con=${a#*path=} ;;
	file,id=ktap,path=*) ktap=${a#*path=} ;;
	esac
done
[ -n "$con" ] && [ -n "$ktap" ] || { echo "fake-qemu: no chardevs" >&2; exit 1; }
n=$(( $(cat "$FAKE_COUNT" 2>/dev/null || echo 0) + 1 ))
echo $n >"$FAKE_COUNT"
: >"$con"; : >"$ktap"

boot()	{ sed 's/$/\r/' "$data/boot-6.1.console" >>"$con"; }
start()	{ printf '[    5.907641] Run /init as init process\r\nespinudp-guest: tests start\r\n' >>"$con"
	  printf 'KTAP version 1\n1..1\n' >>"$ktap"; }
pass()	{ printf 'ok 1 trivial\n# espinudp-guest-done\n' >>"$ktap"
	  printf 'guest: done, powering off\r\n[    7.374576] reboot: Power down\r\n' >>"$con"
	  exit 0; }
stuck()	{ sleep "${FAKE_HANG_SECS:-120}" & sp=$!	# TERM ends it at once, as QEMU
	  trap 'kill $sp; exit 143' TERM; wait $sp; exit 1; }
hang()	{ sed 's/$/\r/' "$data/$1" >>"$con"; stuck; }

case ${FAKE_SCENARIO:-clean} in
early-lockup) boot; hang softlockup-6.1.console ;;
early-then-ok) boot; [ $n -ge 2 ] || hang softlockup-6.1.console; start; pass ;;
late-stall) boot; start; sleep 1; hang rcustall-6.1.console ;;
silent) stuck ;;
panic) boot; sed 's/$/\r/' "$data/panic-6.1.console" >>"$con"; exit 0 ;;
clean) boot; start; pass ;;
esac
