#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of tests/qemu: run the selftests named in $ESPINUDP_TESTS
# (from the kernel command line) and the KTAP test modules named in
# $ESPINUDP_KTAP, writing one KTAP document to fd 3.  Each selftest's
# output is copied to the console and, indented, into the KTAP stream.
# With kmemleak, a final scan is a test of its own.

tests=$(echo "${ESPINUDP_TESTS:-}" | tr ',' ' ')
ktapmods=$(echo "${ESPINUDP_KTAP:-}" | tr ',' ' ')
n=0
for t in $tests $ktapmods; do n=$((n + 1)); done
[ -e /sys/kernel/debug/kmemleak ] && n=$((n + 1))

echo "KTAP version 1" >&3
echo "1..$n" >&3
i=0

report() {	# <rc> <name> <log>
	i=$((i + 1))
	# the script's own ok/not ok lines nest; the rest become comments
	sed -E '/^(not )?ok /!s/^/# /; s/^/    /' "$3" >&3
	case $1 in
	0) echo "ok $i $2" >&3 ;;
	4) echo "ok $i $2 # SKIP $(grep -m1 'SKIP' "$3" | sed 's/.*SKIP:* *//')" >&3 ;;
	*) echo "not ok $i $2 # exit=$1" >&3 ;;
	esac
	echo "guest: $2 -> rc $1"
}

for t in $tests; do
	log=/tmp/$t.log
	echo "guest: running $t"
	if [ -x "./$t.sh" ]; then
		# busybox sh has no PIPESTATUS
		( "./$t.sh"; echo $? >"/tmp/$t.rc" ) 2>&1 | tee "$log"
		rc=$(cat "/tmp/$t.rc" 2>/dev/null || echo 1)
		if [ "$rc" != 0 ] && [ "$rc" != 4 ]; then
			echo "dmesg (last 40 lines):" >>"$log"
			dmesg | tail -n 40 >>"$log"
		fi
	else
		echo "SKIP: no such selftest $t" >"$log"
		rc=4
	fi
	report "$rc" "$t" "$log"
done

# The KTAP test modules run with the module under test loaded; loading
# fails when one of their tests failed, so the verdict is both.
[ -n "$ktapmods" ] && ! grep -qx i40e_espinudp /etc/missing &&
	modprobe i40e_espinudp
for m in $ktapmods; do
	log=/tmp/$m.log
	echo "guest: loading KTAP module $m"
	dmesg -c >/dev/null
	modprobe "$m" >"$log.mp" 2>&1
	mrc=$?
	sleep 1
	# drop timestamps and the module's pr_fmt prefix
	dmesg | sed "s/^\[[^]]*\] //; s/^$m: //" >"$log.dm"
	# forward the module's KTAP document (nested) verbatim
	sed -n '/^KTAP version/,$p' "$log.dm" >"$log"
	if [ $mrc -eq 0 ] && grep -q '^KTAP version' "$log" &&
	   ! grep -q '^not ok' "$log" && grep -qE '^ok [0-9]+' "$log"; then
		rc=0
	else
		rc=1
		cat "$log.mp" >>"$log"
	fi
	rmmod "$m" 2>/dev/null
	i=$((i + 1))
	sed 's/^/    /' "$log" >&3
	if [ $rc -eq 0 ]; then echo "ok $i $m" >&3; else echo "not ok $i $m" >&3; fi
	cat "$log"
done
rmmod i40e_espinudp 2>/dev/null

if [ -e /sys/kernel/debug/kmemleak ]; then
	log=/tmp/kmemleak.log
	echo "guest: kmemleak scan"
	# objects younger than 5 s are not reported, and a leak shows from
	# the second scan on
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	sleep 1
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak >$log
	i=$((i + 1))
	head -c 20000 "$log" | sed 's/^/    # /' >&3
	if [ -s "$log" ]; then
		echo "not ok $i kmemleak # unreferenced objects" >&3
		cat $log
	else
		echo "ok $i kmemleak" >&3
	fi
fi
echo "# espinudp-guest-done" >&3
