#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch a Debian kernel image, its headers and the matching linux-source
# into a project-local cache, using a private apt state so that the host's
# apt configuration is never touched.  Nothing is installed on the host:
# packages are unpacked with dpkg -x.
#
# usage: fetch-kernel.sh <flavour>      flavour: 6.1 | 6.12
# prints: the root of the unpacked tree (CACHE/<flavour>)

set -euo pipefail

flavour=${1:?usage: fetch-kernel.sh 6.1|6.12}
top=$(cd "$(dirname "$0")/.." && pwd)
cache=$("$top/scripts/cache-dir")
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
secmirror=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

case "$flavour" in
6.1)
	suites="deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $secmirror bookworm-security main"
	srcpkg=linux-source-6.1
	;;
6.12)
	suites="deb $mirror bookworm main
deb $mirror bookworm-backports main"
	srcpkg=linux-source-6.12
	;;
*)
	echo "fetch-kernel: unsupported kernel line '$flavour' (6.1 or 6.12)" >&2
	exit 2
	;;
esac

root=$cache/$flavour
apt=$cache/apt/$flavour
done_stamp=$root/.complete
if [ -f "$done_stamp" ]; then
	echo "$root"
	exit 0
fi

mkdir -p "$apt/lists/partial" "$apt/archives/partial" "$apt/etc" "$root/debs"
echo "$suites" >"$apt/etc/sources.list"
: >"$apt/status"
aptopts=(-o "Dir::Etc::SourceList=$apt/etc/sources.list"
	 -o "Dir::Etc::SourceParts=/nonexistent"
	 -o "Dir::State=$apt" -o "Dir::State::Lists=$apt/lists"
	 -o "Dir::State::Status=$apt/status"
	 -o "Dir::Cache=$apt" -o "Dir::Cache::Archives=$apt/archives"
	 -o "APT::Default-Release=" -o "Debug::NoLocking=1"
	 -o "Acquire::Languages=none" -o "APT::Get::List-Cleanup=0")

apt-get "${aptopts[@]}" -qq update >&2

# Newest linux-source of the line decides the exact ABI we fetch.
srcver=$(apt-cache "${aptopts[@]}" madison "$srcpkg" | awk '{print $3}' |
	 sort -V | tail -1)
[ -n "$srcver" ] || { echo "fetch-kernel: no $srcpkg found" >&2; exit 1; }

# Find the unsigned image package built from the same source version.
img=$(apt-cache "${aptopts[@]}" search --names-only \
	"^linux-image-$flavour[.0-9+a-z~-]*-amd64-unsigned\$" | awk '{print $1}' |
	grep -v -e '-rt-' -e '-cloud-' |
	while read -r p; do
		v=$(apt-cache "${aptopts[@]}" madison "$p" | awk '{print $3}' |
		    sort -V | tail -1)
		if [ "$v" = "$srcver" ]; then echo "$p"; fi
	done | sort -V | tail -1)
[ -n "$img" ] || { echo "fetch-kernel: no image for $srcpkg $srcver" >&2; exit 1; }
abi=${img#linux-image-}
abi=${abi%-unsigned}          # e.g. 6.1.0-40-amd64
deps=$(apt-cache "${aptopts[@]}" show "linux-headers-$abi=$srcver" |
       sed -n 's/^Depends: //p' | head -1 | tr ',' '\n')
common=$(echo "$deps" | grep -o 'linux-headers-[^ ]*-common' | head -1)
kbuild=$(echo "$deps" | grep -o 'linux-kbuild-[^ ]*' | head -1)

rm -f "$root"/debs/*.deb
cd "$root/debs"
for p in "$img=$srcver" "linux-headers-$abi=$srcver" "$common=$srcver" \
	 "$kbuild=$srcver" "$srcpkg=$srcver"; do
	apt-get "${aptopts[@]}" -qq download "$p" >&2
done
cd "$root"
rm -rf sysroot
mkdir sysroot
for d in debs/*.deb; do
	dpkg -x "$d" sysroot
done
tar -C "$root" -xf sysroot/usr/src/linux-source-*.tar.* 2>/dev/null ||
	true
# Debian's headers include their -common tree by absolute path: point the
# wrapper Makefile into the unpacked tree instead.
sed -i "s|^include /usr/src/|include $root/sysroot/usr/src/|" \
	"sysroot/usr/src/linux-headers-$abi/Makefile"
ln -sfn "sysroot/usr/src/linux-headers-$abi" "$root/headers"
echo "$abi" >"$root/abi"
echo "$srcver" >"$root/version"
touch "$done_stamp"
echo "$root"
