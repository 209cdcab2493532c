#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch Debian bookworm's strongSwan (charon, swanctl, libstrongswan and
# its standard plugins) and the libraries they need that the host lacks,
# into the project cache, with a private apt state (as fetch-kernel.sh:
# the host's apt configuration is never touched, nothing is installed).
# The packages are unpacked with dpkg -x into CACHE/strongswan/root;
# tests/qemu/mkinitramfs.sh copies charon, swanctl, the plugins and their
# libraries from there into the guest.
#
# usage: fetch-strongswan.sh            prints: CACHE/strongswan/root
#        fetch-strongswan.sh libreswan  bookworm's libreswan (pluto,
#                                       whack, addconn) and NSS's
#                                       certutil, with the libraries
#                                       they load; prints
#                                       CACHE/libreswan/root
#        fetch-strongswan.sh sid        sid's strongSwan (6.x, RFC 9611
#                                       per-CPU SAs) for the newest line:
#                                       installed into the project's sid
#                                       chroot (scripts/sid-chroot.sh),
#                                       never on the host; prints the
#                                       chroot's root
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=$("$top/scripts/cache-dir")
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
secmirror=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
# strongSwan's packages; strongswan-charon: /usr/lib/ipsec/charon;
# strongswan-libcharon: libcharon and the IKE plugins (socket-default,
# kernel-netlink, vici...); libstrongswan: libstrongswan and the basic
# crypto plugins; libstrongswan-standard-plugins: openssl and friends.
pkgs="strongswan-charon strongswan-libcharon strongswan-swanctl libstrongswan
libstrongswan-standard-plugins"

if [ "${1:-}" = sid ]; then
	# Into the chroot with its own apt: sid's libraries come with it.
	# No service starts (policy-rc.d); mkinitramfs.sh takes charon,
	# swanctl and the libraries they load from the chroot.
	"$top/scripts/sid-chroot.sh" setup
	croot=${SID_CHROOT:-$cache/sid-chroot}
	if [ ! -f "$croot/opt/strongswan/.complete" ]; then
		# shellcheck disable=SC2086 # one word per package
		"$top/scripts/sid-chroot.sh" run /bin/sh -euc '
			printf "#!/bin/sh\nexit 101\n" >/usr/sbin/policy-rc.d
			chmod 0755 /usr/sbin/policy-rc.d
			apt-get -qq update
			apt-get -qq install -y --no-install-recommends "$@" >&2
			mkdir -p /opt/strongswan
			dpkg-query -W -f="\${Version}\n" strongswan-charon \
				>/opt/strongswan/version
			touch /opt/strongswan/.complete
		' sh $pkgs
	fi
	echo "# sid strongSwan $(cat "$croot/opt/strongswan/version")" >&2
	echo "$croot"
	exit 0
fi

name=strongswan
# the binaries that must find every library they need
bins="usr/lib/ipsec usr/sbin"
libpath=usr/lib/ipsec:usr/lib/ipsec/plugins
if [ "${1:-}" = libreswan ]; then
	# The other IKE daemon espinudp_ike.sh runs.  pluto links NSS,
	# NSPR, libevent, ldns and unbound, and dlopen()s NSS's softokn and
	# freebl (libnss3); certutil (libnss3-tools) makes its NSS database.
	# These come from here, not from the host, which may lack them.
	name=libreswan
	pkgs="libreswan libnss3 libnss3-tools libnspr4 libevent-core-2.1-7
libevent-pthreads-2.1-7 libldns3 libunbound8 libcurl3-nss libcap-ng0"
	bins="usr/libexec/ipsec/pluto usr/libexec/ipsec/whack
usr/libexec/ipsec/addconn usr/bin/certutil"
	libpath=usr/lib/x86_64-linux-gnu
fi
base=$cache/$name
apt=$cache/apt/$name
root=$base/root
if [ -f "$base/.complete" ]; then
	echo "$root"
	exit 0
fi

mkdir -p "$apt/lists/partial" "$apt/archives/partial" "$apt/etc" "$base/debs"
cat >"$apt/etc/sources.list" <<EOS
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $secmirror bookworm-security main
EOS
: >"$apt/status"
aptopts=(-o "Dir::Etc::SourceList=$apt/etc/sources.list"
	 -o "Dir::Etc::SourceParts=/nonexistent"
	 -o "Dir::State=$apt" -o "Dir::State::Lists=$apt/lists"
	 -o "Dir::State::Status=$apt/status"
	 -o "Dir::Cache=$apt" -o "Dir::Cache::Archives=$apt/archives"
	 -o "APT::Default-Release=" -o "Debug::NoLocking=1"
	 -o "Acquire::Languages=none" -o "APT::Get::List-Cleanup=0")
apt-get "${aptopts[@]}" -qq update >&2

rm -f "$base"/debs/*.deb
cd "$base/debs"
for p in $pkgs; do
	apt-get "${aptopts[@]}" -qq download "$p" >&2
done
rm -rf "$root"
mkdir -p "$root"
for d in *.deb; do
	dpkg -x "$d" "$root"
done

# Every other library comes from the host (Debian 12 as well) when
# mkinitramfs.sh copies them: say which are missing, fail.
libpath=$root/${libpath//:/:$root/}
# shellcheck disable=SC2086 # one word per path
miss=$(cd "$root" && find $bins -type f -perm -u+x |
       while read -r f; do
	       LD_LIBRARY_PATH=$libpath ldd "$root/$f" 2>/dev/null |
		       awk -v f="/$f" '/not found/ { print f ": " $1 }'
       done | sort -u)
if [ -n "$miss" ]; then
	echo "fetch-strongswan: libraries missing on the host:" >&2
	echo "$miss" >&2
	exit 1
fi
# the version of the list's first package, the daemon's
apt-cache "${aptopts[@]}" show "${pkgs%% *}" | sed -n 's/^Version: //p' | head -1 >"$base/version"
touch "$base/.complete"
echo "$root"
