#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh <line> <out.cpio.gz>
#
# Build the guest initramfs for one kernel line (6.1, 6.12 or debug):
# busybox-static; kmod as /sbin/modprobe with a depmod'ed subset of the
# guest kernel's own modules (net, xfrm, crypto, lib, veth) so that the
# kernel can autoload crypto such as drbg; iproute2's own ip and ethtool
# with their shared libraries; our modules (patched i40e, i40e_espinudp,
# test modules) under updates/; the selftests; tools/espinudp-hash with
# libpcap when it has been built.  Missing optional pieces are listed in
# /etc/missing so the guest can SKIP loudly.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=$("$top/scripts/cache-dir")
line=${1:?usage: mkinitramfs.sh <line> <out.cpio.gz>}
out=${2:?usage: mkinitramfs.sh <line> <out.cpio.gz>}

case $line in
debug)
	kb=${DEBUG_KDIR:-$(readlink -f "$cache/debug-kernel")}
	abi=$(cat "$kb/include/config/kernel.release")
	moddir=$kb/root/lib/modules/$abi
	symvers=$kb/Module.symvers
	;;
*)
	abi=$(cat "$cache/$line/abi")
	moddir=$cache/$line/sysroot/lib/modules/$abi
	symvers=$cache/$line/headers/Module.symvers
	;;
esac
[ -d "$moddir/kernel" ] || { echo "no modules in $moddir" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/espinudp-initramfs.XXXXXX")
trap 'rm -rf "$work"' EXIT
r=$work/root
mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,etc,proc,sys,dev,tmp,run,var/run,mnt,selftests}
mkdir -p "$r/lib/modules/$abi/updates"

missing() { echo "$1" >>"$r/etc/missing"; echo "# initramfs: missing $1" >&2; }
: >"$r/etc/missing"

# busybox applets, except those replaced by real tools below
cp /bin/busybox "$r/bin/busybox"
for a in $(/bin/busybox --list); do
	case $a in
	ip|modprobe|insmod|rmmod|lsmod|depmod|modinfo|busybox) continue ;;
	esac
	ln -sf busybox "$r/bin/$a"
done

# dynamically linked host binaries with their libraries
copy_bin() {	# <host path> <guest path>
	local lib
	install -D -m 0755 "$1" "$r$2"
	for lib in $(ldd "$1" | grep -o '/[^ ]*'); do
		[ -e "$r$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$r$lib"
	done
}
rm -f "$r/bin/bash"
copy_bin /bin/bash /bin/bash
copy_bin /bin/ip /sbin/ip
copy_bin /usr/sbin/ethtool /sbin/ethtool
copy_bin /bin/kmod /sbin/kmod
for a in modprobe insmod rmmod lsmod depmod modinfo; do
	ln -sf kmod "$r/sbin/$a"
done
if [ -x "$top/tools/espinudp-hash" ]; then
	copy_bin "$top/tools/espinudp-hash" /bin/espinudp-hash
else
	missing espinudp-hash
fi

copy_bin /sbin/tc /sbin/tc	# espinudp_ike.sh: act_nat, a 1:1 NAT

cp /etc/protocols /etc/services "$r/etc/"	# ip xfrm ... proto udp

# sid_swan: sid's strongSwan from the sid chroot, for the newest line
sid_swan() {
	local sr ld lp f lib b

	sr=$(readlink -f "$croot")
	ld=$sr/lib64/ld-linux-x86-64.so.2
	lp=$sr/usr/lib/ipsec:$sr/usr/lib/x86_64-linux-gnu:$sr/lib/x86_64-linux-gnu
	mkdir -p "$r/usr/lib/ipsec" "$r/usr/sbin" "$r/opt/sid/lib"
	cp -a "$sr/usr/lib/ipsec/." "$r/usr/lib/ipsec/"
	cp -a "$sr/usr/sbin/swanctl" "$r/usr/lib/ipsec/swanctl.sid"
	mv "$r/usr/lib/ipsec/charon" "$r/usr/lib/ipsec/charon.sid"
	install -m 0755 "$(readlink -f "$ld")" "$r/opt/sid/ld.so"
	# every library the binaries and plugins load, resolved by sid's
	# own loader inside the chroot's tree; one outside it is an error
	for f in "$r"/usr/lib/ipsec/charon.sid "$r"/usr/lib/ipsec/swanctl.sid \
		 "$r"/usr/lib/ipsec/*.so.* "$r"/usr/lib/ipsec/plugins/*.so; do
		for lib in $("$ld" --list --library-path "$lp" "$f" |
			     grep -o '=> /[^ ]*' | cut -c4-); do
			case $lib in
			"$sr"/usr/lib/ipsec/*) continue ;;
			"$sr"/*) ;;
			*) echo "mkinitramfs: $f needs $lib, not in the sid chroot" >&2
			   exit 1 ;;
			esac
			b=$(basename "$lib")
			[ -e "$r/opt/sid/lib/$b" ] ||
				install -m 0755 "$(readlink -f "$lib")" "$r/opt/sid/lib/$b"
		done
	done
	# dlopen()ed by glibc (pthread_cancel) and by OpenSSL (providers)
	install -m 0755 "$(readlink -f "$sr/usr/lib/x86_64-linux-gnu/libgcc_s.so.1")" \
		"$r/opt/sid/lib/libgcc_s.so.1"
	[ -d "$sr/usr/lib/x86_64-linux-gnu/ossl-modules" ] &&
		cp -a "$sr/usr/lib/x86_64-linux-gnu/ossl-modules" "$r/opt/sid/"
	for b in charon swanctl; do
		f=/usr/lib/ipsec/$b
		[ $b = swanctl ] && f=/usr/sbin/swanctl
		cat >"$r$f" <<EOS
#!/bin/sh
# sid's $b ($(cat "$sr/opt/strongswan/version")) with sid's libraries
OPENSSL_MODULES=/opt/sid/ossl-modules exec /opt/sid/ld.so \\
	--library-path /opt/sid/lib:/usr/lib/ipsec /usr/lib/ipsec/$b.sid "\$@"
EOS
		chmod 0755 "$r$f"
	done
	cat "$sr/opt/strongswan/version" >"$r/etc/strongswan-version"
}

# Debian's strongSwan (scripts/fetch-strongswan.sh, bookworm's 5.9.8):
# charon, swanctl, libstrongswan/libcharon/libvici and the plugins at
# their Debian paths (the binaries' RUNPATH is /usr/lib/ipsec); the other
# libraries from the host (Debian 12 as well), found with ldd.  The
# selftest writes its own strongswan.conf (STRONGSWAN_CONF).
#
# The newest line (its sysroot is in the sid chroot) gets sid's strongSwan
# instead (scripts/fetch-strongswan.sh sid: 6.x, with RFC 9611's per-CPU
# SAs), with sid's glibc and libraries under /opt/sid: charon and swanctl
# are small scripts that run the real binaries through sid's dynamic
# loader with that library path, so that nothing else in the guest sees
# sid's libraries.
sw=$cache/strongswan/root
croot=${SID_CHROOT:-$cache/sid-chroot}
# the newest line: its sysroot lives in the sid chroot
sid_line=""
case $(readlink -f "$cache/$line/sysroot" 2>/dev/null) in
"$(readlink -f "$croot")"/*) [ -d "$croot" ] && sid_line=1 ;;
esac
if [ -n "$sid_line" ] && [ -f "$croot/opt/strongswan/.complete" ]; then
	sid_swan
elif [ -f "$cache/strongswan/.complete" ] && [ -x "$sw/usr/lib/ipsec/charon" ]; then
	mkdir -p "$r/usr/lib/ipsec/plugins" "$r/usr/sbin"
	cp -a "$sw/usr/lib/ipsec/." "$r/usr/lib/ipsec/"
	cp -a "$sw/usr/sbin/swanctl" "$r/usr/sbin/"
	for f in "$sw"/usr/lib/ipsec/charon "$sw"/usr/sbin/swanctl \
		 "$sw"/usr/lib/ipsec/*.so.* "$sw"/usr/lib/ipsec/plugins/*.so; do
		for lib in $(LD_LIBRARY_PATH=$sw/usr/lib/ipsec ldd "$f" |
			     grep -o '=> /[^ ]*' | cut -c4-); do
			case $lib in "$sw"/*) continue ;; esac
			[ -e "$r$lib" ] ||
				install -D -m 0755 "$(readlink -f "$lib")" "$r$lib"
		done
	done
	# glibc dlopen()s libgcc_s for pthread_cancel(), which charon
	# and swanctl use
	gcc_s=$(readlink -f /lib/x86_64-linux-gnu/libgcc_s.so.1)
	install -D -m 0755 "$gcc_s" "$r/lib/x86_64-linux-gnu/libgcc_s.so.1"
	# OpenSSL 3 providers: the openssl plugin loads "legacy"
	ossl=/usr/lib/x86_64-linux-gnu/ossl-modules
	[ -d $ossl ] && mkdir -p "$r$ossl" && cp -a $ossl/. "$r$ossl/"
	cat "$cache/strongswan/version" >"$r/etc/strongswan-version"
else
	missing strongswan
fi

# Debian's libreswan (scripts/fetch-strongswan.sh libreswan, bookworm's
# 4.10), the other IKE daemon of espinudp_ike.sh: pluto, whack, addconn
# at their Debian paths, NSS's certutil, and their libraries, from the
# fetched packages where they come with them (NSS, libevent, ldns...),
# else from the host.  NSS dlopen()s its softoken and freebl, which ldd
# does not list.  Bookworm's own, so not in the newest line's guest.
lr=$cache/libreswan/root
lrlib=$lr/usr/lib/x86_64-linux-gnu
if [ -f "$cache/libreswan/.complete" ] && [ -x "$lr/usr/libexec/ipsec/pluto" ] &&
   [ -z "$sid_line" ]; then
	for f in usr/libexec/ipsec/pluto usr/libexec/ipsec/whack \
		 usr/libexec/ipsec/addconn usr/bin/certutil \
		 usr/lib/x86_64-linux-gnu/libsoftokn3.so \
		 usr/lib/x86_64-linux-gnu/libfreeblpriv3.so \
		 usr/lib/x86_64-linux-gnu/libfreebl3.so \
		 usr/lib/x86_64-linux-gnu/libnssdbm3.so; do
		install -D -m 0755 "$lr/$f" "$r/$f"
		for lib in $(LD_LIBRARY_PATH=$lrlib ldd "$lr/$f" |
			     grep -o '=> /[^ ]*' | cut -c4-); do
			g=${lib#"$lr"}
			[ -e "$r$g" ] ||
				install -D -m 0755 "$(readlink -f "$lib")" "$r$g"
		done
	done
	cat "$cache/libreswan/version" >"$r/etc/libreswan-version"
	# pluto's resolver (libunbound) reads both at start and logs an
	# error where they are missing; a host without DNS has them too
	printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost\n' >"$r/etc/hosts"
	: >"$r/etc/resolv.conf"
else
	missing libreswan
fi

# stock modules: a subset of the guest kernel's tree, dependencies
# resolved by depmod below (checked against the kernel's Module.symvers)
for d in kernel/crypto kernel/arch/x86/crypto kernel/lib kernel/net/ipv4 \
	 kernel/net/ipv6 kernel/net/xfrm kernel/net/key kernel/net/core \
	 kernel/drivers/ptp kernel/drivers/pps kernel/drivers/net/veth.ko \
	 kernel/drivers/net/veth.ko.xz kernel/drivers/net/dummy.ko \
	 kernel/drivers/net/dummy.ko.xz kernel/drivers/char/hw_random kernel/drivers/virtio \
	 kernel/drivers/net/ethernet/intel/libie \
	 kernel/drivers/net/ethernet/intel/libeth \
	 kernel/net/sched/sch_ingress.ko kernel/net/sched/sch_ingress.ko.xz \
	 kernel/net/sched/cls_matchall.ko kernel/net/sched/cls_matchall.ko.xz \
	 kernel/net/sched/act_nat.ko kernel/net/sched/act_nat.ko.xz \
	 kernel/net/sched/act_gact.ko kernel/net/sched/act_gact.ko.xz; do
	[ -e "$moddir/$d" ] || continue
	mkdir -p "$r/lib/modules/$abi/$(dirname "$d")"
	cp -a "$moddir/$d" "$r/lib/modules/$abi/$(dirname "$d")/"
done
cp "$moddir"/modules.builtin* "$moddir"/modules.order "$r/lib/modules/$abi/" 2>/dev/null || true

# our modules; BUILD_NAME picks another build/<name>/ than build/<line>/
b=$top/build/${BUILD_NAME:-$line}
for ko in "$b/i40e/i40e.ko" "$b/module/i40e_espinudp.ko" $(ls "$b"/tests/*.ko 2>/dev/null); do
	if [ -f "$ko" ]; then
		cp "$ko" "$r/lib/modules/$abi/updates/"
	else
		missing "$(basename "$ko" .ko)"
	fi
done
# Debian's own, unpatched i40e, outside the module tree (modprobe loads
# the patched one): make demo shows the report with it first
for ko in "$moddir"/kernel/drivers/net/ethernet/intel/i40e/i40e.ko*; do
	[ -f "$ko" ] || continue
	mkdir -p "$r/stock"
	case $ko in
	*.xz) xz -dc "$ko" >"$r/stock/i40e.ko" ;;
	*.zst) zstd -qdc "$ko" >"$r/stock/i40e.ko" ;;
	*) cp "$ko" "$r/stock/i40e.ko" ;;
	esac
done
mkdir -p "$work/depmod.d"
echo "search updates built-in" >"$work/depmod.d/search.conf"
dm_args=(-b "$r" -C "$work/depmod.d")
[ -f "$symvers" ] && dm_args+=(-e -E "$symvers")
depmod "${dm_args[@]}" "$abi" 2>"$work/depmod.err" || true
if grep -q 'unknown symbol' "$work/depmod.err"; then
	# Only our modules must resolve: stock leaf modules whose
	# dependencies were left out are never loaded.
	grep 'unknown symbol' "$work/depmod.err" | grep '/updates/' >&2 &&
		{ echo "mkinitramfs: unresolved symbols in our modules" >&2; exit 1; }
fi

# selftests, the guest runner and the static helper
cp -a "$top/tests/selftests/." "$r/selftests/"
rm -f "$r/selftests/udpflow.c"
ufl=$top/build/udpflow
if [ ! -x "$ufl" ] || [ "$top/tests/selftests/udpflow.c" -nt "$ufl" ]; then
	mkdir -p "$top/build"
	gcc -static -O2 -Wall -Wextra -o "$ufl" "$top/tests/selftests/udpflow.c"
fi
cp "$ufl" "$r/selftests/udpflow"
rm -f "$r/selftests/cpuflags.c"
cfl=$top/build/cpuflags
if [ ! -x "$cfl" ] || [ "$top/tests/selftests/cpuflags.c" -nt "$cfl" ]; then
	gcc -static -O2 -Wall -Wextra -o "$cfl" "$top/tests/selftests/cpuflags.c"
fi
cp "$cfl" "$r/selftests/cpuflags"
rm -f "$r/selftests/smc.c"
smc=$top/build/smc
if [ ! -x "$smc" ] || [ "$top/tests/selftests/smc.c" -nt "$smc" ]; then
	gcc -static -O2 -Wall -Wextra -pthread -o "$smc" "$top/tests/selftests/smc.c"
fi
cp "$smc" "$r/selftests/smc"
install -m 0755 "$top/tests/qemu/init" "$r/init"
echo "$line" >"$r/etc/espinudp-line"

(cd "$r" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$out"
echo "# initramfs: $out ($(du -h "$out" | cut -f1), kernel $abi)" >&2
