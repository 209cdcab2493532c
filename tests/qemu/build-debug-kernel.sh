#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the debug guest kernel (KASAN, lockdep, DEBUG_ATOMIC_SLEEP,
# kmemleak) from Debian's linux-source-6.1: tinyconfig + debug.config,
# out of tree in $CACHE/debug-kernel-<hash>/ (scripts/cache-dir), where <hash> covers the
# fragment and the source version, so only the first run pays.
# Prints the build directory (usable as KDIR for external modules).
# Modules are installed to <dir>/root/lib/modules/<release>/.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=$("$top/scripts/cache-dir")
frag=$top/tests/qemu/debug.config
ksrc=${KSRC:-$cache/6.1/linux-source-6.1}
jobs=${JOBS:-2}

[ -f "$ksrc/Makefile" ] || "$top/scripts/fetch-kernel.sh" 6.1 >&2
hash=$( (cat "$frag"; cat "$cache/6.1/version" 2>/dev/null || true) |
	sha256sum | cut -c1-12)
out=$cache/debug-kernel-$hash
if [ -f "$out/.done" ]; then
	# debug-kernel: the one last asked for, for tools run by hand
	ln -sfn "debug-kernel-$hash" "$cache/debug-kernel"
	echo "$out"
	exit 0
fi
mkdir -p "$out"
log=$out/build.log
echo "# building debug kernel in $out (log: $log)" >&2
{
	make -C "$ksrc" O="$out" tinyconfig
	"$ksrc/scripts/kconfig/merge_config.sh" -m -O "$out" \
		"$out/.config" "$frag"
	make -C "$ksrc" O="$out" olddefconfig
	# Every option of the fragment must have survived olddefconfig.
	miss=0
	while IFS= read -r l; do
		case $l in
		CONFIG_*=n) o=${l%%=*}
			! grep -q "^$o=" "$out/.config" || { echo "missing: $l"; miss=1; } ;;
		CONFIG_*) grep -qxF -- "$l" "$out/.config" || { echo "missing: $l"; miss=1; } ;;
		esac
	done <"$frag"
	[ $miss -eq 0 ]
	nice -n 10 make -C "$ksrc" O="$out" -j"$jobs" bzImage modules
	rm -rf "$out/root"
	make -C "$ksrc" O="$out" INSTALL_MOD_PATH="$out/root" \
		INSTALL_MOD_STRIP=1 modules_install
} >"$log" 2>&1 || { tail -n 30 "$log" >&2; exit 1; }
touch "$out/.done"
ln -sfn "debug-kernel-$hash" "$cache/debug-kernel"
echo "$out"
