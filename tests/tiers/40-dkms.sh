#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tier 40: DKMS.  Stage the DKMS source tree (scripts/dkms.sh stage) and run
# dkms add / build / install / remove against Debian's 6.1 and 6.12
# headers from the project cache, with private --dkmstree, --sourcetree
# and --installtree: the host's /lib/modules and /var/lib/dkms are never
# touched and no kernel is installed.  6.1 gets its linux-source (from the
# cache, as the tarball Debian installs in /usr/src), so dkms also builds
# the patched i40e; 6.12 gets none, so dkms builds i40e_espinudp alone.
# Both dkms.conf branches are exercised.  Then make dkms-install and
# make dkms-remove run in the same private trees.  Prints TAP.

set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=$("$top/scripts/cache-dir")
cd "$top"
T=$top/build/dkms-test
pkg=i40e-espinudp
n=0
fails=0

ok() {	# ok <status> <description> [log]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fails=$((fails + 1))
		[ -n "${3:-}" ] && [ -f "$3" ] && tail -n 25 "$3" | sed 's/^/# /'
	fi
}

skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

if ! scripts/deps.sh dkms >&2 || ! command -v dkms >/dev/null; then
	skip "dkms tier" "dkms not installable"
	echo "1..$n"
	exit 0
fi

host_state() {	# what a leaking run would leave on the host
	ls -d /var/lib/dkms/* /usr/share/dkms/modules_to_force_install/* \
		/usr/src/"$pkg"-* /lib/modules/*/updates/dkms/* 2>/dev/null |
		sort
}
host_before=$(host_state)

rm -rf "$T"
mkdir -p "$T/dkms" "$T/src" "$T/root/lib/modules" "$T/ksrc" "$T/logs"
D=(--dkmstree "$T/dkms" --sourcetree "$T/src")
I=(--installtree "$T/root/lib/modules")
export ESPINUDP_LINUX_SOURCE_DIR=$T/ksrc
# dkms signs modules when it finds sign-file, with a MOK key it creates in
# /var/lib/dkms unless told otherwise: keep that key private too.
export mok_signing_key=$T/mok.key mok_certificate=$T/mok.pub
export ESPINUDP_JOBS=${ESPINUDP_JOBS:-2}

ver=$(scripts/dkms.sh version)
scripts/dkms.sh stage "$T/src/$pkg-$ver" >"$T/logs/stage.log" 2>&1
ok $? "dkms.sh stage: source tree for version $ver" "$T/logs/stage.log"
grep -q "^PACKAGE_VERSION=\"$ver\"$" "$T/src/$pkg-$ver/dkms.conf"
ok $? "dkms.conf carries PACKAGE_VERSION=$ver from git"

dkms add -m "$pkg" -v "$ver" "${D[@]}" >"$T/logs/add.log" 2>&1
ok $? "dkms add $pkg/$ver" "$T/logs/add.log"

for line in 6.1 6.12; do
	root=$(scripts/fetch-kernel.sh "$line" 2>"$T/logs/fetch-$line.log")
	if [ -z "$root" ] || [ ! -f "$root/abi" ]; then
		skip "dkms build/install/remove on $line" "kernel $line not fetchable"
		continue
	fi
	kver=$(cat "$root/abi")
	kdir=$(readlink -f "$root/headers")
	lib=$T/root/lib/modules/$kver
	log=$T/logs/$line
	# The kernel's own modules, as far as depmod needs them to resolve
	# i40e and what it depends on (libie in 6.12).
	mkdir -p "$lib/kernel/drivers/net/ethernet"
	cp -a "$root/sysroot/lib/modules/$kver/kernel/drivers/net/ethernet/intel" \
		"$lib/kernel/drivers/net/ethernet/"
	cp -a "$root/sysroot/lib/modules/$kver"/modules.{order,builtin,builtin.modinfo} \
		"$lib/" 2>/dev/null
	with_i40e=
	if [ "$line" = 6.1 ]; then
		with_i40e=1
		# Debian's layout: /usr/src/linux-source-6.1.tar.xz
		src=$root/sysroot/usr/src/linux-source-$line.tar.xz
		if [ -f "$src" ]; then
			ln -sfn "$src" "$T/ksrc/linux-source-$line.tar.xz"
		else
			ln -sfn "$root/linux-source-$line" "$T/ksrc/linux-source-$line"
		fi
	fi
	what="i40e_espinudp${with_i40e:+ + patched i40e}"

	start=$(date +%s)
	nice dkms build -m "$pkg" -v "$ver" -k "$kver" "${D[@]}" \
		--kernelsourcedir "$kdir" >"$log-build.log" 2>&1
	rc=$?
	mlog=$(ls "$T/dkms/$pkg/$ver/$kver"/*/log/make.log 2>/dev/null | head -1)
	[ $rc -ne 0 ] && mlog=$T/dkms/$pkg/$ver/build/make.log
	[ -f "$mlog" ] && cp "$mlog" "$log-make.log"
	ok $rc "dkms build $what for $kver ($(( $(date +%s) - start ))s)" \
		"$( [ -f "$log-make.log" ] && echo "$log-make.log" || echo "$log-build.log")"
	if [ $rc -ne 0 ]; then
		dkms remove -m "$pkg" -v "$ver" -k "$kver" "${D[@]}" "${I[@]}" \
			>/dev/null 2>&1
		continue
	fi
	built=$(ls -d "$T/dkms/$pkg/$ver/$kver"/*/module)
	mod=$built/i40e_espinudp.ko
	vm=$(modinfo -F vermagic "$mod" 2>/dev/null | awk '{print $1}')
	[ "$vm" = "$kver" ]
	ok $? "$line: i40e_espinudp.ko vermagic '$vm' is $kver"
	# modinfo: description, the git version dkms.sh staged, license and
	# a description for every parameter
	mv_=$(modinfo -F version "$mod" 2>/dev/null)
	[ "$mv_" = "$ver" ]
	ok $? "$line: modinfo version '$mv_' is the package version"
	desc=$(modinfo -F description "$mod" 2>/dev/null)
	lic=$(modinfo -F license "$mod" 2>/dev/null)
	parms=$(modinfo -F parm "$mod" 2>/dev/null)
	[ -n "$desc" ] && [ "$lic" = GPL ] &&
		grep -q '^ports:..' <<<"$parms" && grep -q '^steer:..' <<<"$parms" &&
		! grep -qE '^[a-z_]+:$' <<<"$parms"
	ok $? "$line: modinfo has description, license GPL, ports= and steer= documented"
	if [ -n "$with_i40e" ]; then
		[ -f "$built/i40e.ko" ] &&
			[ "$(modinfo -F vermagic "$built/i40e.ko" | awk '{print $1}')" = "$kver" ]
		ok $? "$line: patched i40e.ko built from linux-source-$line"
		grep -q 'i40e_espinudp_register' < <(nm "$built/i40e.ko" 2>/dev/null)
		ok $? "$line: patched i40e.ko exports the espinudp hook API"
	else
		[ ! -e "$built/i40e.ko" ]
		ok $? "$line: no i40e.ko without linux-source-$line"
	fi

	mkdir -p "$lib"
	dkms install -m "$pkg" -v "$ver" -k "$kver" "${D[@]}" "${I[@]}" \
		--kernelsourcedir "$kdir" --no-depmod --force-version-override \
		>"$log-install.log" 2>&1
	ok $? "dkms install for $kver" "$log-install.log"
	dest=$(find "$lib/updates" -name 'i40e_espinudp.ko*' 2>/dev/null | head -1)
	[ -n "$dest" ]
	ok $? "$line: i40e_espinudp.ko under updates/ (${dest#$lib/})"
	if [ -n "$with_i40e" ]; then
		i40e=$(find "$lib/updates" -name 'i40e.ko*' 2>/dev/null | head -1)
		[ -n "$i40e" ]
		ok $? "$line: patched i40e.ko under updates/ (${i40e#$lib/})"
	fi
	dkms status -m "$pkg" -v "$ver" -k "$kver" "${D[@]}" "${I[@]}" \
		>"$log-status.log" 2>&1
	grep -q 'installed' "$log-status.log"
	ok $? "dkms status: installed for $kver" "$log-status.log"

	# depmod over the private tree: updates/ wins over the in-tree i40e
	depmod -b "$T/root" "$kver" >"$log-depmod.log" 2>&1
	dep=$(grep "^updates/.*i40e_espinudp.ko" "$lib/modules.dep")
	if [ -n "$with_i40e" ]; then
		echo "$dep" | grep -qE ':.* updates/[^ ]*/i40e\.ko'
		ok $? "$line: depmod resolves i40e_espinudp to updates' i40e ($dep)" \
			"$log-depmod.log"
	else
		[ -n "$dep" ]
		ok $? "$line: depmod lists i40e_espinudp ($dep)" "$log-depmod.log"
	fi

	dkms remove -m "$pkg" -v "$ver" -k "$kver" "${D[@]}" "${I[@]}" \
		--no-depmod >"$log-remove.log" 2>&1
	ok $? "dkms remove for $kver" "$log-remove.log"
	left=$(find "$lib/updates" -name '*.ko*' 2>/dev/null)
	[ -z "$left" ] && [ ! -d "$T/dkms/$pkg/$ver/$kver" ]
	ok $? "$line: modules gone from updates/ and the dkms tree${left:+ (left: $left)}"
	# Re-add for the next kernel if dkms dropped the version entirely
	[ -d "$T/dkms/$pkg/$ver" ] ||
		dkms add -m "$pkg" -v "$ver" "${D[@]}" >>"$T/logs/add.log" 2>&1
done

dkms remove -m "$pkg" -v "$ver" --all "${D[@]}" "${I[@]}" --no-depmod \
	>"$T/logs/remove-all.log" 2>&1
[ ! -d "$T/dkms/$pkg/$ver" ]
ok $? "dkms remove --all: $pkg/$ver unregistered" "$T/logs/remove-all.log"

# make dkms-install / dkms-remove themselves (scripts/dkms.sh), on the
# kernel without linux-source (the quick build), in the same private trees.
# The version is derived again at make time (commits may land meanwhile).
root=$cache/6.12
rm -rf "$T/src/$pkg-$ver"
if [ -f "$root/abi" ]; then
	kver=$(cat "$root/abi")
	lib=$T/root/lib/modules/$kver
	env=(KERNELS="$kver:$(readlink -f "$root/headers")" SRC_ROOT="$T/src"
	     FORCE_DIR="$T/force" ESPINUDP_FETCH_SOURCE=0
	     DKMS_OPTS="${D[*]} ${I[*]} --no-depmod")
	env "${env[@]}" nice make -s dkms-install >"$T/logs/make-install.log" 2>&1
	rc=$?
	staged=$(ls -d "$T/src/$pkg"-* 2>/dev/null)
	[ $rc -eq 0 ] && [ -f "$lib/updates/dkms/i40e_espinudp.ko" ] &&
		[ -f "$staged/dkms.conf" ] &&
		grep -qx "${pkg}_version-override" "$T/force/$pkg"
	ok $? "make dkms-install: staged, installed under updates/ for $kver" \
		"$T/logs/make-install.log"
	env "${env[@]}" make -s dkms-remove >"$T/logs/make-remove.log" 2>&1
	rc=$?
	left=$(ls -d "$T/src/$pkg"-* "$T/dkms/$pkg"/[0-9]* 2>/dev/null)
	[ $rc -eq 0 ] && [ ! -e "$lib/updates/dkms/i40e_espinudp.ko" ] &&
		[ -z "$left" ] && [ ! -e "$T/force/$pkg" ]
	ok $? "make dkms-remove: modules, sources and registration gone${left:+ (left: $left)}" \
		"$T/logs/make-remove.log"
else
	skip "make dkms-install / dkms-remove" "kernel 6.12 not fetched"
fi

# Nothing of this run outside build/dkms-test
leak=$(comm -13 <(echo "$host_before") <(host_state))
[ -z "$leak" ]
ok $? "host untouched (no new dkms state, key or module outside $T)${leak:+: $leak}"

echo "1..$n"
[ "$fails" -eq 0 ]
