#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-line.sh <line> <build-name> <tag> <log>: install the host packages,
# fetch Debian's <line> kernel and source, and build what a guest run needs
# into build/<build-name>/: the patched i40e, i40e_espinudp, the test
# modules and tools/espinudp-hash.  Progress goes to stderr as
# "<tag>: ...", build output to <log>.  Used by demo.sh and bench-guest.sh
# (the tiers report the same steps as TAP, see tier.sh).
set -euo pipefail

line=${1:?usage: build-line.sh <line> <build-name> <tag> <log>}
bn=${2:?} tag=${3:?} log=${4:?}
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=$("$top/scripts/cache-dir")
cd "$top"
kdir=$cache/$line/headers

run() {	# <what> <command...>
	local what=$1

	shift
	echo "$tag: $what" >&2
	nice "$@" >>"$log" 2>&1 || {
		tail -n 20 "$log" >&2
		echo "$tag: FAILED: $what (log: $log)" >&2
		exit 1
	}
}

: >"$log"
run "installing host packages" scripts/deps.sh qemu build unit
run "fetching Debian's $line kernel and source" scripts/fetch-kernel.sh "$line"
run "building the patched i40e" scripts/build-i40e.sh \
	"$cache/$line/linux-source-$line" "$kdir" "build/$bn/i40e"
run "building i40e_espinudp" scripts/build-module.sh "$bn" "$kdir"
run "building the test modules" tests/kernel/build.sh "$bn" "$kdir"
run "building tools" make -C tools
