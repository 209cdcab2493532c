#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make dkms-install / make dkms-remove: register i40e-espinudp with DKMS
# and build and install it for every installed kernel that has headers.
#
# usage: dkms.sh install     copy the sources to /usr/src/i40e-espinudp-<ver>,
#                            dkms add, then dkms install for each kernel in
#                            /lib/modules/* that has a build/ directory
#        dkms.sh remove      dkms remove every version, delete the sources
#        dkms.sh stage DIR   only write the DKMS source tree into DIR
#                            (tests use it with private dkms trees)
#        dkms.sh version     print the package version derived from git
#
# Environment:
#   ESPINUDP_FETCH_SOURCE=0   do not apt-get install linux-source-<maj.min>
#                             for installed kernels (it is needed to build
#                             the patched i40e; it is source, not a kernel)
#   KERNELS="<kver>[:<kdir>]..."  only these kernels; kdir is passed to
#                             dkms as --kernelsourcedir (default: dkms's
#                             /lib/modules/<kver>/build)
#   DKMS_OPTS="..."           extra options for every dkms call, e.g.
#                             --dkmstree/--sourcetree/--installtree/--no-depmod
#   SRC_ROOT=/usr/src         where the source tree is staged (the dkms
#                             --sourcetree)
#   FORCE_DIR=/usr/share/dkms/modules_to_force_install

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
pkg=i40e-espinudp
force_dir=${FORCE_DIR:-/usr/share/dkms/modules_to_force_install}
src_root=${SRC_ROOT:-/usr/src}
# shellcheck disable=SC2206 # DKMS_OPTS is a list of options
dopts=(${DKMS_OPTS:-})

dk() {
	dkms "$@" "${dopts[@]}"
}

version() {
	"$top/scripts/version.sh"
}

stage() {
	local dst=$1 ver

	ver=$(version)
	rm -rf "$dst"
	mkdir -p "$dst/scripts"
	cd "$top"
	cp -a Kbuild ./*.c ./*.h include patches "$dst/"
	cp -a scripts/*.sh scripts/cache-dir "$dst/scripts/"
	[ -f Makefile ] && cp -a Makefile "$dst/"
	echo "$ver" >"$dst/VERSION"
	sed "s/@PKGVER@/$ver/" dkms.conf >"$dst/dkms.conf"
	echo "$ver"
}

kernels() {
	local k

	if [ -n "${KERNELS:-}" ]; then
		echo "$KERNELS" | tr ' ' '\n'
		return
	fi
	for k in /lib/modules/*; do
		[ -e "$k/build/Makefile" ] && basename "$k"
	done
}

fetch_source() {
	# linux-source-<maj.min> for each kernel; never a kernel image
	local k mm

	[ "${ESPINUDP_FETCH_SOURCE:-1}" = 0 ] && return 0
	for k in "$@"; do
		mm=$(echo "$k" | sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p')
		[ -n "$mm" ] || continue
		ls /usr/src/linux-source-"$mm"* >/dev/null 2>&1 && continue
		if apt-cache show "linux-source-$mm" >/dev/null 2>&1; then
			echo "dkms: installing linux-source-$mm (to build the patched i40e)"
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				--no-install-recommends "linux-source-$mm" ||
				echo "dkms: linux-source-$mm not installed; i40e_espinudp only" >&2
		else
			echo "dkms: no linux-source-$mm package; i40e_espinudp only for $k" >&2
		fi
	done
}

# The dkms tree (--dkmstree in DKMS_OPTS, else dkms's default)
dkms_tree() {
	local i

	for ((i = 0; i < ${#dopts[@]}; i++)); do
		if [ "${dopts[i]}" = --dkmstree ]; then
			echo "${dopts[i + 1]}"
			return
		fi
	done
	echo /var/lib/dkms
}

# What dkms-build.sh said for KVER: which i40e source for which kernel,
# notes, refusals (make.log of the build, kept by dkms)
report() {	# report VER KVER
	local log

	log=$(ls "$(dkms_tree)/$pkg/$1/$2"/*/log/make.log 2>/dev/null | head -1)
	[ -n "$log" ] || log=$(dkms_tree)/$pkg/$1/build/make.log
	[ -f "$log" ] || return 0
	grep -E '^(dkms-build|i40e-compat):' "$log" | sed "s|^|dkms: $2: |"
}

install() {
	local ver ks k kd failed=

	"$top/scripts/deps.sh" dkms
	ver=$(version)
	mapfile -t ks < <(kernels)
	[ ${#ks[@]} -gt 0 ] || { echo "dkms: no kernel with headers in /lib/modules" >&2; exit 1; }
	fetch_source "${ks[@]%%:*}"
	if dk status -m "$pkg" -v "$ver" 2>/dev/null | grep -q .; then
		dk remove -m "$pkg" -v "$ver" --all
	fi
	stage "$src_root/$pkg-$ver" >/dev/null
	# The patched i40e has the in-tree i40e's (empty) version; let
	# autoinstall replace it on future kernels too.
	mkdir -p "$force_dir"
	echo "${pkg}_version-override" >"$force_dir/$pkg"
	dk add -m "$pkg" -v "$ver"
	for k in "${ks[@]}"; do
		kd=
		[[ $k == *:* ]] && kd=${k#*:}
		if dk install -m "$pkg" -v "$ver" -k "${k%%:*}" \
			--force-version-override ${kd:+--kernelsourcedir "$kd"}; then
			report "$ver" "${k%%:*}"
		else
			echo "dkms: $pkg/$ver not installed for ${k%%:*}:" >&2
			report "$ver" "${k%%:*}" >&2
			failed=1
		fi
	done
	dk status -m "$pkg"
	[ -z "$failed" ]
}

remove() {
	local v

	for v in $(dk status -m "$pkg" 2>/dev/null |
		   sed -n "s|^$pkg/\([^,:]*\)[,:].*|\1|p" | sort -u); do
		dk remove -m "$pkg" -v "$v" --all
		rm -rf "${src_root:?}/$pkg-$v"
	done
	rm -f "$force_dir/$pkg"
}

case "${1:-}" in
install) install ;;
remove) remove ;;
stage) stage "${2:?usage: dkms.sh stage DIR}" ;;
version) version ;;
*) echo "usage: $0 install|remove|stage DIR|version" >&2; exit 2 ;;
esac
