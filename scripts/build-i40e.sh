#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Patch and build i40e.ko out of tree.
#
# usage: build-i40e.sh KSRC [KDIR] [OUT]
#   KSRC  linux-source tree, or a Debian linux-source-X.Y.tar.xz
#   KDIR  kbuild tree of the target kernel (default: $CACHE/<X.Y>/headers
#         when present, else /lib/modules/$(uname -r)/build)
#   OUT   output directory (default: build/<X.Y>/i40e)
#
# The series patches/linux-<X.Y>/*.patch is applied with patch -p1 to a
# scratch copy of the files it touches (OUT/tree); the module is then built
# with M=OUT/tree/drivers/net/ethernet/intel/i40e and -IOUT/tree/include.
# Results: OUT/i40e.ko, OUT/Module.symvers (for KBUILD_EXTRA_SYMBOLS),
# OUT/build.log, OUT/build-info (source=, kdir=, kernel=, and describe=
# "i40e from linux-source-X.Y X.Y.Z (Debian V) for kernel R (headers of R:
# Linux X.Y.Z, Debian V)", which is also printed; scripts/i40e-compat.sh).
# Extra make variables (W=1, C=2, ...) are taken from $I40E_MAKEFLAGS.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# The project cache: created only when KDIR is not given (DKMS gives it,
# and a DKMS build must not create a cache in root's home)
cache_dir() { "$ROOT/scripts/cache-dir" 2>/dev/null || true; }
cache_if_any() {
	local d=${ESPINUDP_CACHE:-${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/i40e-espinudp}

	[ -d "$d" ] && (cd "$d" && pwd) || true
}
# kernel lines with a series: patches/linux-<X.Y>/
SUPPORTED=$(cd "$ROOT/patches" 2>/dev/null && ls -d linux-*/ 2>/dev/null |
	    sed 's|^linux-||; s|/$||' | sort -V | xargs)
I40E=drivers/net/ethernet/intel/i40e

die() { echo "build-i40e: $1" >&2; exit "${2:-1}"; }

[ $# -ge 1 ] && [ $# -le 3 ] || die "usage: $0 KSRC [KDIR] [OUT]" 2
ksrc=$1
ksrc_given=$(readlink -f "$1" 2>/dev/null || echo "$1")
kdir=${2:-}
out=${3:-}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Pre-existing files a series touches: not created by one of its patches
touched() {	# touched <patch>...
	awk '/^--- / { new = ($2 == "/dev/null"); next }
	     /^\+\+\+ b\// { f = substr($2, 3)
			    if (new) created[f] = 1; else seen[f] = 1 }
	     END { for (f in seen) if (!(f in created)) print f }' "$@" |
		sort
}

# A tarball is unpacked to a temporary tree holding just what we need:
# the top Makefile, i40e and whatever any series touches.
if [ -f "$ksrc" ]; then
	case "$ksrc" in
	*.tar.xz|*.tar.gz|*.tar.bz2|*.tar.zst|*.tar) ;;
	*) die "KSRC $ksrc: not a directory or source tarball" 2 ;;
	esac
	top=$(tar -tf "$ksrc" 2>/dev/null | head -1 || true)
	top=${top%%/*}
	[ -n "$top" ] || die "cannot list $ksrc"
	# Debian's top directory names the line; else take every series
	series=("$ROOT"/patches/linux-*/*.patch)
	if [[ $top =~ ^linux-source-([0-9]+\.[0-9]+)$ ]] &&
	   [ -d "$ROOT/patches/linux-${BASH_REMATCH[1]}" ]; then
		series=("$ROOT/patches/linux-${BASH_REMATCH[1]}"/*.patch)
	fi
	members=("$top/Makefile" "$top/$I40E/*")
	for f in $(touched "${series[@]}"); do
		[[ $f == $I40E/* ]] || members+=("$top/$f")
	done
	tar -xf "$ksrc" -C "$tmp" --wildcards "${members[@]}" ||
		die "cannot unpack $ksrc"
	ksrc=$tmp/$top
fi
[ -f "$ksrc/Makefile" ] && [ -d "$ksrc/$I40E" ] ||
	die "KSRC $ksrc: no Makefile or $I40E" 2

ver=$(sed -n 's/^VERSION *= *//p' "$ksrc/Makefile" | head -1)
pl=$(sed -n 's/^PATCHLEVEL *= *//p' "$ksrc/Makefile" | head -1)
line=$ver.$pl
pdir=$ROOT/patches/linux-$line
case " $SUPPORTED " in
*" $line "*) ;;
*) die "unsupported kernel version $line (supported: $SUPPORTED)" 2 ;;
esac
shopt -s nullglob
patches=("$pdir"/*.patch)
shopt -u nullglob
[ ${#patches[@]} -gt 0 ] || die "no patches in $pdir"

cache=
if [ -z "$kdir" ]; then
	cache=$(cache_dir)
	if [ -n "$cache" ] && [ -d "$cache/$line/headers" ]; then
		kdir=$cache/$line/headers
	else
		kdir=/lib/modules/$(uname -r)/build
	fi
fi
[ -f "$kdir/Makefile" ] || die "KDIR $kdir: not a kbuild tree" 2
kdir=$(cd "$kdir" && pwd)
out=${out:-$ROOT/build/$line/i40e}
mkdir -p "$out"
out=$(cd "$out" && pwd)

# Scratch tree: i40e plus every pre-existing file the series touches.
tree=$out/tree
rm -rf "$tree"
mkdir -p "$tree/$(dirname $I40E)"
cp -a "$ksrc/$I40E" "$tree/$I40E"
for f in $(touched "${patches[@]}"); do
	if [ ! -e "$tree/$f" ]; then
		[ -e "$ksrc/$f" ] || die "KSRC $ksrc: no $f"
		mkdir -p "$tree/$(dirname "$f")"
		cp -a "$ksrc/$f" "$tree/$f"
	fi
done
for p in "${patches[@]}"; do
	patch -d "$tree" -p1 -s --forward --no-backup-if-mismatch < "$p" ||
		die "$(basename "$p") does not apply to $ksrc"
done

echo "build-i40e: $line, $(basename "$kdir"), ${#patches[@]} patches -> $out" >&2
# Which source for which kernel (the headers' own release)
krel=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
       "$kdir/include/generated/utsrelease.h" 2>/dev/null || true)
info=$(bash "$ROOT/scripts/i40e-compat.sh" describe "$ksrc_given" "$kdir" \
       "${krel:-unknown}" "$ksrc" 2>/dev/null || true)
rm -f "$out/build-info"
echo "build-i40e: ${info:-i40e from $ksrc_given against $kdir}" >&2
# shellcheck disable=SC2086 # I40E_MAKEFLAGS is a list of make variables
if ! make -C "$kdir" M="$tree/$I40E" KCFLAGS="-I$tree/include" \
	CONFIG_I40E=m ${I40E_MAKEFLAGS:-} modules 2>&1 | tee "$out/build.log" >&2; then
	die "build failed, see $out/build.log"
fi

cp "$tree/$I40E/i40e.ko" "$tree/$I40E/Module.symvers" "$out/"
printf 'source=%s\nkdir=%s\nkernel=%s\ndescribe=%s\n' "$ksrc_given" "$kdir" \
	"$krel" "$info" >"$out/build-info"
[ -n "$cache" ] || cache=$(cache_if_any)
abi=
[ -n "$cache" ] && abi=$(cat "$cache/$line/abi" 2>/dev/null || true)
vermagic=$(modinfo -F vermagic "$out/i40e.ko" 2>/dev/null || true)
echo "build-i40e: $out/i40e.ko vermagic: $vermagic" >&2
if [ -n "$abi" ] && [ "$kdir" = "$(cd "$cache/$line/headers" 2>/dev/null && pwd)" ] &&
   [ "${vermagic%% *}" != "$abi" ]; then
	die "vermagic '$vermagic' does not match ABI $abi"
fi
echo "$out/i40e.ko"
