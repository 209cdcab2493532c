#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The newest kernel line: a Debian sid chroot with sid's own compiler,
# sid's kernel headers and sid's linux-source, in $CACHE/sid-chroot (scripts/cache-dir).
# Nothing is installed on the host; packages go into the chroot only.
#
# usage: sid-chroot.sh setup         debootstrap sid (idempotent)
#        sid-chroot.sh kernel        fetch sid's headers, source and image
#                                    into the chroot; print the ABI
#        sid-chroot.sh run CMD...    run CMD in the chroot, the project
#                                    bind-mounted at /src
#        sid-chroot.sh info          print line, ABI and version
#        sid-chroot.sh publish       link $CACHE/<line> to the chroot's
#                                    kernel (done by "kernel")
#
# The kernel image is unpacked (dpkg -x) to /opt/latest/sysroot inside the
# chroot, for the QEMU harness; it is never installed.

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=$("$top/scripts/cache-dir")
root=${SID_CHROOT:-$cache/sid-chroot}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
inc=gcc,make,patch,bc,bison,flex,libelf-dev,libssl-dev,kmod,cpio,xz-utils,zstd,perl,python3,rsync,git

# Every command runs in its own mount namespace: the bind mounts it needs
# exist only there and vanish with it, so concurrent invocations never
# unmount each other's /src or /proc.
enter() {
	mkdir -p "$root/src"
	cp -f /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
	unshare --mount --propagation private /bin/bash -euc '
		root=$1 top=$2
		shift 2
		mount --bind /proc "$root/proc"
		mount --bind /dev "$root/dev"
		mount --bind /sys "$root/sys"
		# the project, frame corpus (tests/corpus) included
		mount --bind "$top" "$root/src"
		exec env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
			chroot "$root" "$@"
	' sid-chroot "$root" "$top" "$@"
}

setup() {
	[ -f "$root/.complete" ] && return 0
	"$top/scripts/deps.sh" sid
	rm -rf "$root"
	mkdir -p "$root"
	echo "sid-chroot: debootstrap sid into $root" >&2
	nice debootstrap --variant=minbase --include="$inc" sid "$root" \
		"$mirror" >&2
	echo "deb $mirror sid main" >"$root/etc/apt/sources.list"
	# A mirror snapshot may serve a Release past its Valid-Until.
	echo 'Acquire::Check-Valid-Until "false";' \
		>"$root/etc/apt/apt.conf.d/99espinudp"
	touch "$root/.complete"
}

kernel() {
	setup
	if [ -f "$root/opt/latest/.complete" ]; then
		cat "$root/opt/latest/abi"
		return 0
	fi
	[ -f "$root/etc/apt/apt.conf.d/99espinudp" ] ||
		echo 'Acquire::Check-Valid-Until "false";' \
			>"$root/etc/apt/apt.conf.d/99espinudp"
	enter /bin/sh -euc '
		apt-get -qq update
		# linux-headers-amd64 names the newest ABI; linux-source the line
		abi=$(apt-cache depends linux-headers-amd64 |
		      sed -n "s/.*Depends: linux-headers-\(.*-amd64\)$/\1/p" |
		      head -1)
		src=$(apt-cache depends linux-source |
		      sed -n "s/.*Depends: \(linux-source-[0-9.]*\)$/\1/p" |
		      head -1)
		[ -n "$abi" ] && [ -n "$src" ]
		apt-get -qq install -y --no-install-recommends \
			"linux-headers-$abi" "$src" patch libpcap-dev >&2
		rm -rf /opt/latest
		mkdir -p /opt/latest/debs
		cd /opt/latest/debs
		# Newer Debian splits the image: linux-binary[-unsigned]-<abi>
		# (vmlinuz), linux-modules-<abi>, linux-base-<abi>; older
		# releases ship linux-image-<abi>-unsigned.
		for p in "linux-binary-unsigned-$abi linux-binary-$abi" \
			 "linux-modules-$abi" "linux-base-$abi" \
			 "linux-image-$abi-unsigned linux-image-$abi"; do
			for q in $p; do
				apt-get -qq download "$q" >&2 2>/dev/null && break
			done
		done
		for d in *.deb; do
			dpkg -x "$d" /opt/latest/sysroot
		done
		# The QEMU harness expects boot/vmlinuz-<abi> and
		# lib/modules/<abi>; merged-/usr packages put both under
		# usr/lib/modules/<abi>/.
		s=/opt/latest/sysroot
		m=$s/usr/lib/modules/$abi
		if [ -d "$m" ] && [ ! -e "$s/lib" ]; then
			ln -s usr/lib "$s/lib"
		fi
		if [ ! -e "$s/boot/vmlinuz-$abi" ]; then
			mkdir -p "$s/boot"
			for v in "$m/vmlinuz" "$m/vmlinuz.unsigned"; do
				if [ -f "$v" ]; then
					cp "$v" "$s/boot/vmlinuz-$abi"
					break
				fi
			done
		fi
		[ -f "$m/config" ] && cp "$m/config" "$s/boot/config-$abi"
		ls -l "$s/boot/vmlinuz-$abi" "$s/lib/modules/$abi/" >&2
		line=${src#linux-source-}
		tar -C /opt/latest -xf /usr/src/$src.tar.xz
		ln -sfn /usr/src/linux-headers-$abi /opt/latest/headers
		echo "$abi" >/opt/latest/abi
		echo "$line" >/opt/latest/line
		dpkg-query -W -f="\${Version}\n" "$src" >/opt/latest/version
		gcc --version | head -1 >/opt/latest/compiler
		touch /opt/latest/.complete
		cat /opt/latest/abi
	'
}

cmd=${1:-setup}
shift || true
# $CACHE/<line>: the layout of scripts/fetch-kernel.sh, for the QEMU
# harness on the host (abi, version, sysroot; headers only in the chroot)
publish() {
	local line

	line=$(cat "$root/opt/latest/line")
	mkdir -p "$cache/$line"
	cp "$root/opt/latest/abi" "$root/opt/latest/version" "$cache/$line/"
	ln -sfn "$root/opt/latest/sysroot" "$cache/$line/sysroot"
	ln -sfn "$root/opt/latest/linux-source-$line" \
		"$cache/$line/linux-source-$line"
	echo "$line"
}

case "$cmd" in
setup)	setup ;;
kernel)	kernel; publish >/dev/null ;;
publish) publish ;;
run)	setup; enter "$@" ;;
info)
	for f in line abi version compiler; do
		printf '%s=%s\n' "$f" "$(cat "$root/opt/latest/$f" 2>/dev/null)"
	done
	;;
*)	echo "usage: $0 setup|kernel|run CMD...|info" >&2; exit 2 ;;
esac
