#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build i40e_espinudp.ko out of tree for one kernel line.
#
# usage: build-module.sh <line> [KDIR]
#   line   6.1, 6.12, debug, ... (artifacts go to build/<line>/module/)
#   KDIR   kbuild headers (default $CACHE/<line>/headers, made by
#          scripts/fetch-kernel.sh <line>)
#
# The module sources (Kbuild, *.c, *.h, include/) are copied into
# build/<line>/module/ with a VERSION file from scripts/version.sh (the
# version DKMS uses too),
# and built there against KDIR with
# KBUILD_EXTRA_SYMBOLS=build/<line>/i40e/Module.symvers, the exports of
# the patched i40e (scripts/build-i40e.sh).  Without that file the build
# fails, unless ALLOW_MISSING_I40E=1 (compile check only: modpost then
# only warns about the i40e_espinudp_* symbols).
#
# Environment: W=1, C=1|2 (sparse, with CF=-D__CHECK_ENDIAN__ unless CF is
# set) are passed to kbuild; EXTRA_MAKEFLAGS is appended verbatim;
# JOBS (default 1) is make -j.  Output: build/<line>/module/i40e_espinudp.ko

set -euo pipefail

die() { echo "build-module.sh: $*" >&2; exit 1; }

line=${1:-}
[ -n "$line" ] || die "usage: build-module.sh <line> [KDIR]"
top=$(cd "$(dirname "$0")/.." && pwd)
cache=$("$top/scripts/cache-dir")
kdir=${2:-$cache/$line/headers}
out=$top/build/$line/module
symvers=$top/build/$line/i40e/Module.symvers

[ -d "$kdir" ] ||
	die "KDIR $kdir not found: run scripts/fetch-kernel.sh $line or pass KDIR"
kdir=$(cd "$kdir" && pwd -P)

margs=()
if [ -f "$symvers" ]; then
	margs+=("KBUILD_EXTRA_SYMBOLS=$symvers")
elif [ "${ALLOW_MISSING_I40E:-0}" = 1 ]; then
	echo "build-module.sh: WARNING: $symvers missing (patched i40e not built);" \
	     "ALLOW_MISSING_I40E=1: compile check only, the module will not load" >&2
	margs+=("KBUILD_MODPOST_WARN=1")
else
	die "$symvers missing: build the patched i40e first
  (make i40e KSRC=$cache/$line/linux-source-$line KDIR=$kdir), or set
  ALLOW_MISSING_I40E=1 for a compile-only check"
fi

[ -n "${W:-}" ] && margs+=("W=$W")
if [ -n "${C:-}" ]; then
	margs+=("C=$C" "CF=${CF:--D__CHECK_ENDIAN__}")
fi

# Fresh copy of the sources; objects of an earlier build stay for make
mkdir -p "$out"
rm -rf "$out/include"
rm -f "$out"/*.c "$out"/*.h "$out/Kbuild" "$out/VERSION"
cp "$top/Kbuild" "$top"/*.c "$top"/*.h "$out/"
cp -r "$top/include" "$out/"

ver=$("$top/scripts/version.sh") || ver=
echo "${ver:-unknown}" > "$out/VERSION"

# shellcheck disable=SC2086 # EXTRA_MAKEFLAGS is a list of words
nice -n 10 make -j"${JOBS:-1}" -C "$kdir" M="$out" "${margs[@]}" \
	${EXTRA_MAKEFLAGS:-} modules

[ -f "$out/i40e_espinudp.ko" ] || die "no $out/i40e_espinudp.ko produced"
echo "build-module.sh: $out/i40e_espinudp.ko ($line, version ${ver:-unknown})"
