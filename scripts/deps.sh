#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the host tools a target needs, with apt, only when missing.
# Never installs a kernel and never touches the host's apt sources.
# usage: deps.sh <group>...   groups: build unit qemu qemu-build dkms all
set -euo pipefail

pkgs=()
for g in "$@"; do
	case "$g" in
	# dwarves: pahole, for module BTF (Debian's headers ship vmlinux)
	build) pkgs+=(make gcc libc6-dev bc flex bison libelf-dev libssl-dev
		      sparse dwarves kmod cpio xz-utils zstd perl python3 git) ;;
	unit) pkgs+=(make gcc clang libclang-rt-14-dev libpcap-dev sparse) ;;
	qemu) pkgs+=(qemu-system-x86 busybox-static iproute2 ethtool cpio
		     zstd xz-utils kmod) ;;
	# QEMU with the emulated X722, built from Debian's source package
	# (tests/qemu/x722/build-qemu.sh); seabios: Debian's source has no
	# BIOS binary
	qemu-build) pkgs+=(gcc make meson ninja-build pkg-config libglib2.0-dev
			   libpixman-1-dev libfdt-dev zlib1g-dev flex bison
			   python3-venv dpkg-dev seabios) ;;
	dkms) pkgs+=(dkms dwarves) ;;
	sid) pkgs+=(debootstrap) ;;
	all) exec "$0" build unit qemu dkms ;;
	*) echo "deps.sh: unknown group '$g'" >&2; exit 2 ;;
	esac
done

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: need root to install: ${missing[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2 || true
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
