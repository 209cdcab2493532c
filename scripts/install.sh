#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install or remove i40e-espinudp's kernel modules.
#
# usage: install.sh install|uninstall [DESTDIR] [KVER]
#   DESTDIR  staging root ("" = the running system)
#   KVER     kernel release (default: uname -r)
#
# install: `make install` has already run kbuild's modules_install, which
# put i40e_espinudp.ko into lib/modules/KVER/updates/; if it has not (the
# script run alone), the build/<line>/module/i40e_espinudp.ko built for
# KVER is copied there.  The patched i40e.ko built for KVER
# (build/<line>/i40e/i40e.ko, matched by vermagic) goes to updates/ too, so
# that it shadows the stock driver; install.sh says which i40e source it was
# built from for which kernel (build-info of build-i40e.sh) and refuses it
# when its vermagic or modversion CRCs disagree with the kernel KVER
# (scripts/i40e-compat.sh ko; the stock i40e of KVER is the reference when
# DESTDIR/lib/modules/KVER/kernel has it).  Then /etc/modprobe.d/i40e-espinudp.conf
# (softdep: i40e first; the symbol dependency forces it anyway) and
# depmod -a KVER (-b DESTDIR when set).
#
# uninstall: removes updates/i40e_espinudp.ko, updates/i40e.ko when it is
# the patched one (it exports i40e_espinudp_register), the modprobe.d file,
# and runs depmod again.

set -euo pipefail

die() { echo "install.sh: $*" >&2; exit 1; }
say() { echo "install.sh: $*"; }

action=${1:-}
destdir=${2:-}
kver=${3:-$(uname -r)}
top=$(cd "$(dirname "$0")/.." && pwd)
moddir=$destdir/lib/modules/$kver
updates=$moddir/updates
conf=$destdir/etc/modprobe.d/i40e-espinudp.conf

# First build/<line>/<sub>/<name> whose vermagic names $kver
find_built() {
	local sub=$1 name=$2 f vm

	for f in "$top"/build/*/"$sub"/"$name"; do
		[ -f "$f" ] || continue
		vm=$(modinfo -F vermagic "$f" 2>/dev/null) || continue
		if [ "${vm%% *}" = "$kver" ]; then
			echo "$f"
			return 0
		fi
	done
	return 1
}

# A module file, possibly compressed, to stdout
ko_cat() {
	case "$1" in
	*.xz)	xz -dc "$1" ;;
	*.zst)	zstd -dcq "$1" ;;
	*.gz)	gzip -dc "$1" ;;
	*)	cat "$1" ;;
	esac
}

run_depmod() {
	command -v depmod >/dev/null || die "depmod not found (install kmod)"
	if [ -n "$destdir" ]; then
		depmod -b "$destdir" -a "$kver"
	else
		depmod -a "$kver"
	fi
}

do_install() {
	local ko i40e='' info kdir

	# The patched i40e first: refuse before installing anything
	if i40e=$(find_built i40e i40e.ko); then
		info=$(dirname "$i40e")/build-info
		kdir=$(sed -n 's/^kdir=//p' "$info" 2>/dev/null || true)
		say "$i40e: $(sed -n 's/^describe=//p' "$info" 2>/dev/null || echo "no build-info")"
		if [ -n "$kdir" ] && [ -d "$kdir" ]; then
			ESPINUDP_MODULES_ROOT=$destdir/lib/modules \
				"$top/scripts/i40e-compat.sh" ko "$i40e" "$kdir" "$kver" ||
				die "not installing for $kver: $i40e does not fit that kernel (see REFUSED above)"
		fi
	else
		i40e=
	fi

	mkdir -p "$updates"
	if ! ls "$updates"/i40e_espinudp.ko* >/dev/null 2>&1; then
		ko=$(find_built module i40e_espinudp.ko) ||
			die "no i40e_espinudp.ko for $kver in $updates nor in build/*/module/ (run make install or scripts/build-module.sh)"
		install -m 0644 "$ko" "$updates/i40e_espinudp.ko"
		say "installed $ko"
	fi

	if [ -n "$i40e" ]; then
		install -m 0644 "$i40e" "$updates/i40e.ko"
		say "installed $i40e as $updates/i40e.ko"
	else
		echo "install.sh: WARNING: no patched i40e.ko built for $kver" \
		     "(make i40e KSRC=...): i40e_espinudp loads only over a" \
		     "patched i40e" >&2
	fi

	mkdir -p "$(dirname "$conf")"
	cat > "$conf" <<-CONF
	# i40e-espinudp: the patched i40e provides the hook i40e_espinudp uses
	softdep i40e_espinudp pre: i40e
	CONF
	say "wrote $conf"

	run_depmod
	say "done; load with: modprobe i40e_espinudp [ports=4500] [steer=1]"
}

do_uninstall() {
	local f

	for f in "$updates"/i40e_espinudp.ko "$updates"/i40e_espinudp.ko.*; do
		[ -e "$f" ] || continue
		rm -f "$f"
		say "removed $f"
	done
	for f in "$updates"/i40e.ko "$updates"/i40e.ko.*; do
		[ -e "$f" ] || continue
		if ko_cat "$f" | grep -a i40e_espinudp_register >/dev/null; then
			rm -f "$f"
			say "removed $f"
		else
			say "kept $f (not the patched i40e)"
		fi
	done
	if [ -e "$conf" ]; then
		rm -f "$conf"
		say "removed $conf"
	fi
	if [ -d "$moddir" ]; then
		run_depmod
	fi
}

case "$action" in
install)	do_install ;;
uninstall)	do_uninstall ;;
*)		die "usage: install.sh install|uninstall [DESTDIR] [KVER]" ;;
esac
