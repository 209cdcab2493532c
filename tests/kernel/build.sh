#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the in-kernel test modules (x722sim.ko, x722_rx_test.ko).
#
# usage: tests/kernel/build.sh LINE [KDIR]
#   LINE  kernel line: 6.1, 6.12, debug, ... (output: build/LINE/tests/)
#   KDIR  kbuild tree (default: $CACHE/LINE/headers, from
#         scripts/fetch-kernel.sh LINE)
# Environment:
#   I40E_OUT  patched i40e build (default build/LINE/i40e, made by
#             scripts/build-i40e.sh): its Module.symvers resolves the hook
#             exports and its tree/ gives the exact i40e structures.
#   I40E_SRC  patched i40e source directory for x722_rx_test (default
#             I40E_OUT/tree/drivers/net/ethernet/intel/i40e)
#   CORPUS    frame corpus (default tests/corpus, read in place)
#   TEST_MAKEFLAGS  extra make variables (default W=1; e.g. "W=1 C=2")
# Without I40E_OUT/Module.symvers the modules are compiled but modpost only
# warns about the hook symbols ("stub build"): they cannot be loaded.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cache=$("$ROOT/scripts/cache-dir")
I40E_DIR=drivers/net/ethernet/intel/i40e

die() { echo "tests/kernel/build.sh: $*" >&2; exit "${2:-1}"; }

[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: $0 LINE [KDIR]" 2
line=$1
kdir=${2:-$cache/$line/headers}
[ -f "$kdir/Makefile" ] || die "KDIR $kdir: not a kbuild tree (scripts/fetch-kernel.sh $line?)" 2
kdir=$(cd "$kdir" && pwd)

i40e_out=${I40E_OUT:-$ROOT/build/$line/i40e}
corpus=${CORPUS:-$ROOT/tests/corpus}
out=$ROOT/build/$line/tests
mkdir -p "$out/include/linux/net/intel"

# The ABI header i40e.ko was built with, else the project's copy
abi=$i40e_out/tree/include/linux/net/intel/i40e_espinudp.h
[ -f "$abi" ] || abi=$ROOT/include/linux/net/intel/i40e_espinudp.h
cp "$abi" "$out/include/linux/net/intel/"
cp "$HERE/Kbuild" "$HERE"/*.c "$out/"

# Patched i40e sources for x722_rx_test; without them it is not built
stub=
mods=(x722sim)
src=${I40E_SRC:-$i40e_out/tree/$I40E_DIR}
if grep -qs i40e_espinudp_rx "$src/i40e_txrx_common.h"; then
	src=$(cd "$src" && pwd)
	mods+=(x722_rx_test)
else
	echo "tests/kernel/build.sh: WARNING: no patched i40e sources at $src (scripts/build-i40e.sh or I40E_SRC=): x722_rx_test not built" >&2
	src=
	stub=1
fi

symvers=$i40e_out/Module.symvers
extra=()
if [ -f "$symvers" ]; then
	extra=(KBUILD_EXTRA_SYMBOLS="$symvers")
else
	echo "tests/kernel/build.sh: WARNING: no $symvers: stub build, the modules will not load" >&2
	extra=(KBUILD_MODPOST_WARN=1)
	stub=1
fi

# Frames and expected values (tools/espinudp-hash, userspace)
tool=$ROOT/tools/espinudp-hash
if [ ! -x "$tool" ] || [ "$tool" -ot "$ROOT/tools/espinudp-hash.c" ] ||
   [ "$tool" -ot "$ROOT/i40e_espinudp.c" ]; then
	make -s -C "$ROOT/tools" >&2 || die "cannot build $tool (make tools)"
fi
shopt -s nullglob
pcaps=("$corpus"/*.pcap)
shopt -u nullglob
[ ${#pcaps[@]} -gt 0 ] || die "no pcaps in $corpus (set CORPUS=)" 2
python3 "$HERE/gen-frames.py" "$tool" "$out" "${pcaps[@]}" ||
	die "gen-frames.py failed"

# shellcheck disable=SC2086 # TEST_MAKEFLAGS is a list of make variables
nice make -C "$kdir" M="$out" I40E_SRC="$src" "${extra[@]}" \
	${TEST_MAKEFLAGS-W=1} modules >&2 || die "build failed"

for m in "${mods[@]}"; do
	[ -f "$out/$m.ko" ] || die "$m.ko not built"
	echo "$out/$m.ko"
done
[ -z "$stub" ] || echo "tests/kernel/build.sh: stub build (see warnings above)" >&2
