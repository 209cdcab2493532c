#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Which i40e source is built against which kernel, and whether the result
# can load there.  Debian ships one linux-source-X.Y per line, the newest
# point release in the archive; the kernel it is built for may be another
# point release.  That is fine as long as the module's vermagic and the
# modversion CRCs of the symbols i40e uses agree with the target kernel;
# this script says which versions meet and refuses the build when they
# cannot work together.
#
# usage: i40e-compat.sh describe KSRC KDIR KVER [TREE]  one line: which
#                                             source for which kernel (TREE:
#                                             KSRC unpacked, to read it once)
#        i40e-compat.sh pre KSRC KDIR KVER    before the build (KSRC "":
#                                             no i40e, the headers only)
#        i40e-compat.sh ko I40E_KO KDIR KVER  after the build
#   KSRC  linux-source tree or tarball the i40e source comes from
#   KDIR  kbuild tree (headers) the module is built against
#   KVER  release of the target kernel (dkms's kernelver)
# Environment:
#   ESPINUDP_MODULES_ROOT  where the target kernel's own modules live
#       (default /lib/modules): ROOT/KVER/kernel/.../i40e/i40e.ko* is the
#       stock i40e, built by Debian for exactly that kernel; its vermagic
#       and CRCs are the reference the headers must agree with.
#
# pre: prints the versions ("i40e source ... built against kernel ...") and
#      refuses when the headers are for another kernel release, the source
#      is of another X.Y line, or the headers' Module.symvers disagrees with
#      the installed kernel on a symbol the stock i40e uses.  A different
#      point release (SUBLEVEL) alone is reported, not refused.
# ko:  refuses when the built i40e.ko's vermagic is not the target's, or a
#      CRC in its __versions differs from the headers' Module.symvers or
#      from the installed kernel's (the stock i40e's), or names a symbol
#      the headers do not export.
# Exit status: 0 fine, 3 refused (the message, with what to do, on
# stderr), 2 usage or unreadable input.
set -euo pipefail

me=i40e-compat
say() { echo "$me: $*"; }
die() { echo "$me: $1" >&2; exit "${2:-2}"; }
refuse() {	# refuse <what is wrong> <what to do>...
	local l

	echo "$me: REFUSED: $1" >&2
	shift
	for l in "$@"; do
		echo "$me:   $l" >&2
	done
	exit 3
}

modroot=${ESPINUDP_MODULES_ROOT:-/lib/modules}

# The Debian package owning FILE and its version, from dpkg or from the
# changelog next to it (/usr/src/X -> /usr/share/doc/<pkg>/): "Debian V"
debian_version() {	# debian_version FILE PKG-GUESS
	local f=$1 pkg=$2 p v='' cl

	f=$(readlink -f "$f")
	if command -v dpkg-query >/dev/null &&
	   p=$(dpkg-query -S "$f" 2>/dev/null | head -1 | cut -d: -f1 | cut -d, -f1) &&
	   [ -n "$p" ]; then
		v=$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || true)
		[ -n "$v" ] && { echo "$p $v"; return; }
	fi
	for cl in "$(dirname "$f")/../share/doc/$pkg/changelog.Debian.gz" \
		  "$(dirname "$f")/../../share/doc/$pkg/changelog.Debian.gz"; do
		[ -f "$cl" ] || continue
		v=$(gzip -dc "$cl" 2>/dev/null | head -1 |
		    sed -n 's/^[^ ]* (\([^)]*\)).*/\1/p' || true)
		[ -n "$v" ] && { echo "$pkg $v"; return; }
	done
	echo ""
}

# The i40e source: sets src_mm (X.Y), src_ver (X.Y.Z[extra]), src_deb.
# TREE, when given, is KSRC already unpacked (its top Makefile is read).
source_version() {	# source_version KSRC [TREE]
	local ksrc=$1 tree=${2:-} mk top v p s e

	if [ -n "$tree" ] && [ -f "$tree/Makefile" ]; then
		mk=$(head -n 8 "$tree/Makefile")
	elif [ -d "$ksrc" ]; then
		[ -f "$ksrc/Makefile" ] || die "KSRC $ksrc: no Makefile"
		mk=$(head -n 8 "$ksrc/Makefile")
	elif [ -f "$ksrc" ]; then
		top=$(tar -tf "$ksrc" 2>/dev/null | head -1 || true)
		top=${top%%/*}
		[ -n "$top" ] || die "KSRC $ksrc: cannot list"
		mk=$(tar -xOf "$ksrc" --occurrence=1 "$top/Makefile" 2>/dev/null |
		     head -n 8 || true)
	else
		die "KSRC $ksrc: not found"
	fi
	v=$(sed -n 's/^VERSION *= *//p' <<<"$mk" | head -1)
	p=$(sed -n 's/^PATCHLEVEL *= *//p' <<<"$mk" | head -1)
	s=$(sed -n 's/^SUBLEVEL *= *//p' <<<"$mk" | head -1)
	e=$(sed -n 's/^EXTRAVERSION *= *//p' <<<"$mk" | head -1)
	[ -n "$v" ] && [ -n "$p" ] || die "KSRC $ksrc: no VERSION/PATCHLEVEL in its Makefile"
	src_mm=$v.$p
	src_ver=$v.$p.${s:-0}$e
	src_deb=$(debian_version "$ksrc" "linux-source-$src_mm")
}

# The headers: sets hdr_rel (kernel release), hdr_ver (X.Y.Z), hdr_mm, hdr_deb
headers_version() {	# headers_version KDIR
	local kdir=$1 vh code

	[ -f "$kdir/Makefile" ] || die "KDIR $kdir: not a kbuild tree"
	hdr_rel=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
		  "$kdir/include/generated/utsrelease.h" 2>/dev/null || true)
	[ -n "$hdr_rel" ] ||
		hdr_rel=$(cat "$kdir/include/config/kernel.release" 2>/dev/null || true)
	[ -n "$hdr_rel" ] || die "KDIR $kdir: no include/generated/utsrelease.h"
	vh=$kdir/include/generated/uapi/linux/version.h
	hdr_ver=$(awk '/define LINUX_VERSION_MAJOR/ { a = $3 }
		       /define LINUX_VERSION_PATCHLEVEL/ { b = $3 }
		       /define LINUX_VERSION_SUBLEVEL/ { c = $3 }
		       END { if (a != "") print a "." b "." c }' "$vh" 2>/dev/null || true)
	if [ -z "$hdr_ver" ]; then
		code=$(sed -n 's/^#define LINUX_VERSION_CODE //p' "$vh" 2>/dev/null || true)
		[ -n "$code" ] &&
			hdr_ver=$((code >> 16)).$(((code >> 8) & 255)).$((code & 255))
	fi
	[ -n "$hdr_ver" ] ||
		hdr_ver=$(sed -n 's/^\([0-9]*\.[0-9]*\(\.[0-9]*\)\?\).*/\1/p' <<<"$hdr_rel")
	hdr_mm=$(cut -d. -f1,2 <<<"$hdr_ver")
	hdr_deb=$(debian_version "$kdir" \
		  "linux-headers-$hdr_rel")
}

# The stock i40e.ko of the installed target kernel, if any
stock_i40e() {	# stock_i40e KVER
	local f

	for f in "$modroot/$1"/kernel/drivers/net/ethernet/intel/i40e/i40e.ko \
		 "$modroot/$1"/kernel/drivers/net/ethernet/intel/i40e/i40e.ko.*; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}

dump_versions() {	# "crc symbol" lines of a module's __versions
	modprobe --dump-modversions "$1" 2>/dev/null | awk 'NF >= 2 { print $1, $2 }'
}

vermagic() {
	modinfo -F vermagic "$1" 2>/dev/null | sed 's/ *$//'
}

# CRC disagreements: "sym a b" for symbols in both lists with other CRCs;
# with "missing", also the symbols of $1 absent from $2 ("sym a -")
crc_diff() {	# crc_diff VERSIONS SYMVERS [missing]
	awk -v missing="${3:-}" '
		NR == FNR { crc[$2] = $1; next }
		{ want = ($2 in crc) ? crc[$2] : ""
		  if (want == "") { if (missing != "") print $2, $1, "-"; next }
		  if (tolower(want) != tolower($1)) print $2, $1, want }' \
		<(awk 'NF >= 2 { print $1, $2 }' "$2") "$1"
}

# One line: which i40e source for which kernel
describe() {
	local deb_s='' deb_h=''

	[ -n "$src_deb" ] && deb_s=" (Debian ${src_deb#* })"
	[ -n "$hdr_deb" ] && deb_h=", Debian ${hdr_deb#* }"
	echo "i40e from linux-source-$src_mm $src_ver$deb_s for kernel $kver (headers of $hdr_rel: Linux $hdr_ver$deb_h)"
}

pre() {
	local stock tmp d n

	headers_version "$kdir"
	if [ -n "$ksrc" ]; then
		source_version "$ksrc"
		say "i40e source: $ksrc"
		say "headers: $kdir"
		say "building $(describe)"
	else
		say "headers: $kdir"
		say "no i40e source: i40e_espinudp only, for kernel $kver (headers of $hdr_rel: Linux $hdr_ver${hdr_deb:+, Debian ${hdr_deb#* }})"
	fi
	[ "$hdr_rel" = "$kver" ] ||
		refuse "the headers in $kdir are for kernel $hdr_rel, not for $kver: a module built there has vermagic $hdr_rel and $kver would not load it." \
			"Install the headers of the target kernel: apt-get install linux-headers-$kver" \
			"(or point the build at them: dkms --kernelsourcedir /usr/src/linux-headers-$kver)."
	[ -z "$ksrc" ] || [ "$src_mm" = "$hdr_mm" ] ||
		refuse "the i40e source is Linux $src_ver ($ksrc) but kernel $kver is Linux $hdr_ver: another kernel line." \
			"Install the source of the kernel's line: apt-get install linux-source-$hdr_mm" \
			"(or set ESPINUDP_DKMS_I40E=0 to build i40e_espinudp alone)."
	[ -s "$kdir/Module.symvers" ] ||
		refuse "$kdir has no Module.symvers: modversion CRCs cannot be checked." \
			"Reinstall the headers: apt-get install --reinstall linux-headers-$kver"
	if [ -n "$ksrc" ] && [ "$src_ver" != "$hdr_ver" ]; then
		say "NOTE: different point releases: the i40e source is Linux $src_ver, kernel $kver is Linux $hdr_ver (SUBLEVEL ${src_ver#"$src_mm".} vs ${hdr_ver#"$hdr_mm".})."
		say "NOTE: that is fine when vermagic and the modversion CRCs of the symbols i40e uses agree, which is checked here and after the build."
		say "NOTE: for i40e from the kernel's own point release, upgrade the kernel and headers to the source's (apt-get install linux-image-amd64 linux-headers-amd64, then reboot), or install linux-source-$src_mm ${hdr_deb:+${hdr_deb#* } }to match the kernel."
	fi
	if stock=$(stock_i40e "$kver"); then
		tmp=$(mktemp)
		dump_versions "$stock" >"$tmp"
		n=$(wc -l <"$tmp")
		d=$(crc_diff "$tmp" "$kdir/Module.symvers" missing)
		rm -f "$tmp"
		[ -z "$d" ] ||
			refuse "the headers' Module.symvers ($kdir) disagrees with the installed kernel $kver on $(wc -l <<<"$d") of the $n symbols i40e uses: $(head -n 3 <<<"$d" | awk '{ printf "%s%s: kernel %s, headers %s", sep, $1, $2, $3; sep = "; " }')." \
				"These headers are not those of the installed kernel $kver (stock i40e: $stock); a module built against them would fail to load (disagrees about symbol version)." \
				"Install the headers of the same Debian version as the kernel image: apt-get install --reinstall linux-headers-$kver linux-image-$kver" \
				"(or upgrade both: apt-get install linux-image-amd64 linux-headers-amd64, and reboot)."
		say "headers' Module.symvers agrees with the installed kernel $kver on the $n symbols the stock i40e uses"
	else
		say "no installed modules of $kver under $modroot: CRCs are checked against the headers only"
	fi
}

ko() {
	local vm want stock tmp d n ref=

	[ -f "$ko" ] || die "$ko: not found"
	headers_version "$kdir"
	vm=$(vermagic "$ko")
	[ "${vm%% *}" = "$kver" ] ||
		refuse "$ko has vermagic '$vm', not for kernel $kver." \
			"Build against the headers of $kver: apt-get install linux-headers-$kver"
	if stock=$(stock_i40e "$kver"); then
		want=$(vermagic "$stock")
		[ "$vm" = "$want" ] ||
			refuse "$ko has vermagic '$vm', the installed kernel $kver expects '$want' ($stock)." \
				"Build against the headers of the installed kernel: apt-get install --reinstall linux-headers-$kver"
		ref=" and the installed kernel's stock i40e"
	fi
	[ -s "$kdir/Module.symvers" ] ||
		refuse "$kdir has no Module.symvers: modversion CRCs cannot be checked." \
			"Reinstall the headers: apt-get install --reinstall linux-headers-$kver"
	tmp=$(mktemp -d)
	dump_versions "$ko" >"$tmp/ko"
	n=$(wc -l <"$tmp/ko")
	if [ "$n" -eq 0 ]; then
		rm -rf "$tmp"
		say "NOTE: $ko has no modversions (__versions): vermagic checked only"
		return 0
	fi
	d=$(crc_diff "$tmp/ko" "$kdir/Module.symvers" missing)
	if [ -z "$d" ] && [ -n "$stock" ]; then
		dump_versions "$stock" >"$tmp/stock"
		d=$(crc_diff "$tmp/ko" <(awk '{ print $1, $2 }' "$tmp/stock"))
	fi
	rm -rf "$tmp"
	[ -z "$d" ] ||
		refuse "$ko disagrees with kernel $kver about $(wc -l <<<"$d") symbol version(s): $(head -n 3 <<<"$d" | awk '{ printf "%s%s: i40e.ko %s, kernel %s", sep, $1, $2, ($3 == "-" ? "not exported" : $3); sep = "; " }')." \
			"The headers ($kdir) do not match kernel $kver; the module would fail to load (disagrees about symbol version / unknown symbol)." \
			"Install the headers of the same Debian version as the kernel image: apt-get install --reinstall linux-headers-$kver linux-image-$kver" \
			"(or upgrade both: apt-get install linux-image-amd64 linux-headers-amd64, and reboot)."
	say "$(basename "$ko"): vermagic '$vm' and the CRCs of its $n imported symbols agree with the headers' Module.symvers$ref"
}

cmd=${1:-}
case "$cmd" in
describe) [ $# -ge 4 ] && [ $# -le 5 ] || die "usage: $0 describe KSRC KDIR KVER [TREE]"
	ksrc=$2 kdir=$3 kver=$4
	source_version "$ksrc" "${5:-}"
	headers_version "$kdir"
	describe ;;
pre)	[ $# -eq 4 ] || die "usage: $0 pre KSRC KDIR KVER"
	ksrc=$2 kdir=$3 kver=$4
	pre ;;
ko)	[ $# -eq 4 ] || die "usage: $0 ko I40E_KO KDIR KVER"
	ko=$2 kdir=$3 kver=$4
	ko ;;
*)	die "usage: $0 describe|pre KSRC KDIR KVER | ko I40E_KO KDIR KVER" ;;
esac
