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
# make dkms-remove run in the same private trees.
#
# Versions (scripts/i40e-compat.sh): the build output must name the i40e
# source version and the kernel it was built for; dkms must refuse, with a
# message saying what to do, fake headers whose Module.symvers has another
# CRC for a symbol i40e uses, and headers of another kernel release; a
# source of another point release (SUBLEVEL) alone is reported, not
# refused.  The stock modules copied into the private install tree are the
# installed kernel (ESPINUDP_MODULES_ROOT).  Prints TAP.

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
# the "installed" kernels: the stock modules copied below
export ESPINUDP_MODULES_ROOT=$T/root/lib/modules
k61= kd61= root61=

# farm SRC DST [ENTRY...]: DST mirrors SRC with one symlink per entry; the
# ENTRYs (relative paths) become real directories, farmed one level deeper
farm() {
	local src=$1 dst=$2 e rest

	shift 2
	mkdir -p "$dst"
	for e in "$src"/* "$src"/.[!.]*; do
		[ -e "$e" ] || [ -L "$e" ] || continue
		ln -s "$e" "$dst/$(basename "$e")"
	done
	for e in "$@"; do
		rest=${e#*/}
		[ "$rest" = "$e" ] && rest=
		rm -f "$dst/${e%%/*}"
		farm "$src/${e%%/*}" "$dst/${e%%/*}" ${rest:+"$rest"}
	done
}

# maketail LOG: the lines scripts/dkms-build.sh and i40e-compat.sh wrote
said() { grep -hE '^(dkms-build|i40e-compat):' "$@" 2>/dev/null; }

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
	# The versions, as fetch-kernel.sh recorded them (Debian version of
	# linux-source-X.Y and of the image, one source package)
	deb=$(cat "$root/version")
	up=${deb%%-*}
	if [ -n "$with_i40e" ]; then
		said "$log-make.log" | grep -qF "dkms-build: built i40e from linux-source-$line $up (Debian $deb) for kernel $kver (headers of $kver: Linux $up, Debian $deb)"
		ok $? "$line: build output names the i40e source (linux-source-$line $up, Debian $deb) and the kernel ($kver)" "$log-make.log"
	else
		said "$log-make.log" | grep -qF "no i40e source: i40e_espinudp only, for kernel $kver (headers of $kver: Linux $up"
		ok $? "$line: build output says i40e_espinudp only, for kernel $kver (Linux $up)" "$log-make.log"
	fi
	said "$log-make.log" | sed "s/^/# $line: /"
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
		k61=$kver kd61=$kdir root61=$root
		cp -f "$built/i40e.ko" "$T/i40e-$line.ko" 2>/dev/null
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

# Mismatches, on 6.1 (the kernel with linux-source)
if [ -n "$k61" ] && [ -f "$T/i40e-6.1.ko" ]; then
	[ -d "$T/dkms/$pkg/$ver" ] ||
		dkms add -m "$pkg" -v "$ver" "${D[@]}" >>"$T/logs/add.log" 2>&1
	stock=$(ls "$ESPINUDP_MODULES_ROOT/$k61"/kernel/drivers/net/ethernet/intel/i40e/i40e.ko* | head -1)
	# A symbol both the stock and the built i40e import
	sym=$(comm -12 <(modprobe --dump-modversions "$stock" | awk '{ print $2 }' | sort) \
		       <(modprobe --dump-modversions "$T/i40e-6.1.ko" | awk '{ print $2 }' | sort) |
	      grep -x napi_gro_receive || true)
	[ -n "$sym" ] || sym=$(modprobe --dump-modversions "$stock" | awk 'NR == 1 { print $2 }')
	# 1. headers whose Module.symvers has another CRC for $sym
	fake=$T/fake-crc
	rm -rf "$fake"
	farm "$kd61" "$fake"
	rm -f "$fake/Module.symvers"
	awk -v s="$sym" 'BEGIN { FS = OFS = "\t" }
		$2 == s { $1 = ($1 == "0xdeadbeef") ? "0x12345678" : "0xdeadbeef" } { print }' \
		"$kd61/Module.symvers" >"$fake/Module.symvers"
	start=$(date +%s)
	dkms build -m "$pkg" -v "$ver" -k "$k61" "${D[@]}" \
		--kernelsourcedir "$fake" >"$T/logs/fake-crc-build.log" 2>&1
	rc=$?
	cp "$T/dkms/$pkg/$ver/build/make.log" "$T/logs/fake-crc-make.log" 2>/dev/null
	m=$(said "$T/logs/fake-crc-make.log")
	[ $rc -ne 0 ] && grep -q "REFUSED: .*Module.symvers.*disagrees with the installed kernel $k61.*$sym: kernel 0x[0-9a-f]*, headers 0x" <<<"$m" &&
		grep -qF "apt-get install --reinstall linux-headers-$k61" <<<"$m" &&
		! grep -q 'CC \[M\]' "$T/logs/fake-crc-make.log"
	ok $? "6.1: dkms build refuses headers whose Module.symvers has another CRC for $sym, before compiling ($(( $(date +%s) - start ))s)" \
		"$T/logs/fake-crc-make.log"
	grep REFUSED -A3 <<<"$m" | sed 's/^/# /'
	ESPINUDP_MODULES_ROOT=$T/none scripts/i40e-compat.sh ko "$T/i40e-6.1.ko" "$fake" "$k61" \
		>"$T/logs/fake-crc-ko.log" 2>&1
	rc=$?
	[ $rc -eq 3 ] && grep -q "REFUSED: .*disagrees with kernel $k61 about 1 symbol version(s): $sym: i40e.ko 0x" "$T/logs/fake-crc-ko.log"
	ok $? "6.1: the built i40e.ko's __versions CRC of $sym disagrees with those headers: refused (exit $rc)" \
		"$T/logs/fake-crc-ko.log"

	# 2. headers of another kernel release (vermagic)
	fake=$T/fake-rel
	rm -rf "$fake"
	farm "$kd61" "$fake" include/generated
	rm -f "$fake/include/generated/utsrelease.h"
	echo '#define UTS_RELEASE "6.1.0-999-amd64"' >"$fake/include/generated/utsrelease.h"
	dkms build -m "$pkg" -v "$ver" -k "$k61" "${D[@]}" \
		--kernelsourcedir "$fake" >"$T/logs/fake-rel-build.log" 2>&1
	rc=$?
	cp "$T/dkms/$pkg/$ver/build/make.log" "$T/logs/fake-rel-make.log" 2>/dev/null
	m=$(said "$T/logs/fake-rel-make.log")
	[ $rc -ne 0 ] && grep -qF "REFUSED: the headers in $fake are for kernel 6.1.0-999-amd64, not for $k61" <<<"$m" &&
		grep -qF "apt-get install linux-headers-$k61" <<<"$m"
	ok $? "6.1: dkms build refuses headers of kernel 6.1.0-999-amd64 for $k61 (vermagic)" \
		"$T/logs/fake-rel-make.log"
	scripts/i40e-compat.sh ko "$T/i40e-6.1.ko" "$kd61" 6.1.0-999-amd64 \
		>"$T/logs/rel-ko.log" 2>&1
	rc=$?
	[ $rc -eq 3 ] && grep -q "REFUSED: .* has vermagic '$k61 .*', not for kernel 6.1.0-999-amd64" "$T/logs/rel-ko.log"
	ok $? "6.1: the built i40e.ko (vermagic $k61) is refused for kernel 6.1.0-999-amd64 (exit $rc)" \
		"$T/logs/rel-ko.log"

	# 3. another point release of the source: reported, not refused
	src=$root61/linux-source-6.1
	if [ -f "$src/Makefile" ]; then
		fake=$T/fake-src/linux-source-6.1
		rm -rf "$T/fake-src"
		farm "$src" "$fake"
		rm -f "$fake/Makefile"
		sed 's/^SUBLEVEL = .*/SUBLEVEL = 250/' "$src/Makefile" >"$fake/Makefile"
		up=$(awk '/^VERSION =/ { a = $3 } /^PATCHLEVEL =/ { b = $3 }
			  /^SUBLEVEL =/ { print a "." b "." $3; exit }' "$src/Makefile")
		scripts/i40e-compat.sh pre "$fake" "$kd61" "$k61" >"$T/logs/sublevel.log" 2>&1 &&
			scripts/i40e-compat.sh ko "$T/i40e-6.1.ko" "$kd61" "$k61" >>"$T/logs/sublevel.log" 2>&1
		rc=$?
		[ $rc -eq 0 ] &&
			grep -qF "building i40e from linux-source-6.1 6.1.250 for kernel $k61 (headers of $k61: Linux $up" "$T/logs/sublevel.log" &&
			grep -qF "NOTE: different point releases: the i40e source is Linux 6.1.250, kernel $k61 is Linux $up (SUBLEVEL 250 vs ${up##*.})" "$T/logs/sublevel.log" &&
			! grep -q REFUSED "$T/logs/sublevel.log"
		ok $? "6.1: source 6.1.250 for kernel $k61 (Linux $up): SUBLEVEL reported, not refused" \
			"$T/logs/sublevel.log"
		grep NOTE "$T/logs/sublevel.log" | head -1 | sed 's/^/# /'
	else
		skip "6.1: SUBLEVEL-only mismatch" "no unpacked linux-source-6.1 in $root61"
	fi

	# 4. a source of another line
	src=$cache/6.12/linux-source-6.12
	if [ -f "$src/Makefile" ]; then
		scripts/i40e-compat.sh pre "$src" "$kd61" "$k61" >"$T/logs/line.log" 2>&1
		rc=$?
		[ $rc -eq 3 ] && grep -qF "apt-get install linux-source-6.1" "$T/logs/line.log"
		ok $? "6.1: linux-source-6.12 for kernel $k61 refused: install linux-source-6.1 (exit $rc)" \
			"$T/logs/line.log"
	fi
else
	skip "version mismatches refused" "no 6.1 build with i40e"
fi

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
	grep -qF "dkms: $kver: i40e-compat: no i40e source: i40e_espinudp only, for kernel $kver (headers of $kver: Linux" \
		"$T/logs/make-install.log"
	ok $? "make dkms-install output says what was built for which kernel ($kver)" \
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
