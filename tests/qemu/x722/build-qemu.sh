#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-qemu.sh: build qemu-system-x86_64 with the emulated X722 (x722.c)
# from Debian's QEMU source package, with the fixes of qemu-patches/ (TCG
# bugs of QEMU 7.2 that crash guests), and print the path of the binary
# (run it with -L <its directory>/pc-bios).  Every guest of the tests
# runs on it.
#
# The source is fetched with apt-get source through a private apt state
# and a private sources.list (the host's apt configuration is untouched),
# into $(scripts/cache-dir)/qemu/.  The built binary is cached under
# qemu/bin-<hash>, where <hash> covers the QEMU source version, the model's
# files and this script: only the first run with a given hash pays.  A
# changed model rebuilds incrementally in the per-version build tree.
#
# Environment: QEMU_SUITE (bookworm, default), DEBIAN_MIRROR, JOBS (2).
# Host tools: scripts/deps.sh qemu-build installs what is missing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
cache=$("$top/scripts/cache-dir")/qemu
suite=${QEMU_SUITE:-bookworm}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
secmirror=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
jobs=${JOBS:-2}
model_files=(x722.c x722_regs.h x722_rss.c x722_rss.h trace-events)

"$top/scripts/deps.sh" qemu-build >&2

apt=$cache/apt-$suite
mkdir -p "$apt/lists/partial" "$apt/etc"
case $suite in
bookworm) src="deb-src $mirror bookworm main
deb-src $mirror bookworm-updates main
deb-src $secmirror bookworm-security main" ;;
*) src="deb-src $mirror $suite main" ;;
esac
echo "$src" >"$apt/etc/sources.list"
: >"$apt/status"
aptopts=(-o "Dir::Etc::SourceList=$apt/etc/sources.list"
	 -o "Dir::Etc::SourceParts=/nonexistent"
	 -o "Dir::State=$apt" -o "Dir::State::Lists=$apt/lists"
	 -o "Dir::State::Status=$apt/status"
	 -o "Dir::Cache=$apt" -o "APT::Default-Release="
	 -o "Debug::NoLocking=1" -o "Acquire::Languages=none"
	 -o "APT::Get::List-Cleanup=0")

# The source version: pinned once per suite in the cache (so that a new
# upload does not silently force a cold rebuild); QEMU_REFRESH=1 re-reads.
verfile=$cache/version-$suite
if [ ! -s "$verfile" ] || [ -n "${QEMU_REFRESH:-}" ]; then
	apt-get "${aptopts[@]}" -qq update >&2
	apt-cache "${aptopts[@]}" showsrc qemu | sed -n 's/^Version: //p' |
		sort -V | tail -1 >"$verfile"
fi
ver=$(cat "$verfile")
[ -n "$ver" ] || { echo "build-qemu: no qemu source in $suite" >&2; exit 1; }

# Fixes to QEMU itself (TCG bugs that crash the guests), applied in order
patches=("$here"/qemu-patches/*.patch)
hash=$( { echo "$ver"; for f in "${model_files[@]}" meson.build Kconfig; do
	[ -f "$here/$f" ] && { echo "$f"; cat "$here/$f"; }; done;
	cat "${patches[@]}" "$0"; } | sha256sum | cut -c1-16)
bin=$cache/bin-$hash/qemu-system-x86_64
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi

vdir=$cache/$(echo "$ver" | tr ":~" "__")
srcdir=$vdir/src
if [ ! -f "$vdir/.unpacked" ]; then
	rm -rf "$vdir"; mkdir -p "$vdir/dl"
	[ -d "$apt/lists" ] && ls "$apt/lists"/*Sources* >/dev/null 2>&1 ||
		apt-get "${aptopts[@]}" -qq update >&2
	(cd "$vdir/dl" && apt-get "${aptopts[@]}" -q --download-only \
		source "qemu=$ver" >&2)
	dpkg-source -x "$vdir"/dl/qemu_*.dsc "$srcdir" >&2
	touch "$vdir/.unpacked"
fi

# QEMU fixes.  The source tree is shared by every checkout on this
# machine: each patch applied is kept in $srcdir/.espinudp-patches/, and a
# patch that changed or went away since is taken out before the current
# ones go in (a patch found already applied, by an older build-qemu.sh
# that kept no copy, is recorded as such).
applied=$srcdir/.espinudp-patches
mkdir -p "$applied"
for old in $(ls -r "$applied"/*.patch 2>/dev/null); do
	cmp -s "$old" "$here/qemu-patches/$(basename "$old")" && continue
	patch -d "$srcdir" -p1 -R -s -f <"$old" >&2 ||
		{ echo "build-qemu: cannot take $(basename "$old") out of $srcdir" >&2; exit 1; }
	rm -f "$old"
done
for p in "${patches[@]}"; do
	[ -f "$applied/$(basename "$p")" ] && continue
	patch -d "$srcdir" -p1 -R -s -f --dry-run <"$p" >/dev/null 2>&1 ||
		patch -d "$srcdir" -p1 -s -f <"$p" >&2 ||
		{ echo "build-qemu: $p does not apply to QEMU $ver" >&2; exit 1; }
	cp "$p" "$applied/"
done

# Add the model to hw/net (idempotent; files are re-copied every run so a
# changed model rebuilds incrementally; cmp keeps unchanged files' mtimes).
for f in "${model_files[@]}"; do
	[ "$f" = trace-events ] && continue
	[ -f "$here/$f" ] || continue
	cmp -s "$here/$f" "$srcdir/hw/net/$f" || cp "$here/$f" "$srcdir/hw/net/$f"
done
[ -f "$srcdir/hw/net/trace-events.orig" ] ||
	cp "$srcdir/hw/net/trace-events" "$srcdir/hw/net/trace-events.orig"
cat "$srcdir/hw/net/trace-events.orig" "$here/trace-events" >"$srcdir/hw/net/trace-events.new"
cmp -s "$srcdir/hw/net/trace-events.new" "$srcdir/hw/net/trace-events" ||
	cp "$srcdir/hw/net/trace-events.new" "$srcdir/hw/net/trace-events"
if ! grep -q x722 "$srcdir/hw/net/meson.build"; then
	cat >>"$srcdir/hw/net/meson.build" <<'EOM'
# i40e-espinudp: emulated Intel X722 (tests/qemu/x722)
softmmu_ss.add(when: 'CONFIG_PCI', if_true: files('x722.c', 'x722_rss.c'))
EOM
fi
# QEMU 7.2's pc-bios/meson.build unpacks the EDK2 blobs whenever bzip2 is
# installed, but Debian's tarball does not ship them (x86_64 with SeaBIOS
# does not need them): turn the unpacking off.
sed -i "s/^if unpack_edk2_blobs$/if false and unpack_edk2_blobs/" \
	"$srcdir/pc-bios/meson.build"

# Only the devices the guests use (make check builds this QEMU cold on
# a clean machine): the i440fx PC, with virtio-rng-pci besides the model;
# --without-default-devices drops what the boards merely imply.
dm=$srcdir/configs/devices/x86_64-softmmu/default.mak
[ -f "$dm.orig" ] || cp "$dm" "$dm.orig"
printf '%s\n' '# i40e-espinudp: the boards and devices the tests use' \
	'CONFIG_I440FX=y' 'CONFIG_VIRTIO_PCI=y' 'CONFIG_VIRTIO_RNG=y' \
	'CONFIG_SERIAL_ISA=y' >"$dm.new"
cmp -s "$dm.new" "$dm" || cp "$dm.new" "$dm"

b=$vdir/build
if [ ! -f "$b/build.ninja" ]; then
	rm -rf "$b"; mkdir -p "$b"
	start=$(date +%s)
	(cd "$b" && PATH=/usr/bin:$PATH "$srcdir/configure" --target-list=x86_64-softmmu \
		--without-default-devices \
		--disable-docs --disable-werror --disable-gtk --disable-sdl \
		--disable-vnc --disable-spice --disable-opengl --disable-xen \
		--disable-curses --disable-libusb --disable-usb-redir \
		--disable-virglrenderer --disable-gnutls --disable-nettle \
		--disable-gcrypt --disable-curl --disable-rbd --disable-glusterfs \
		--disable-libssh --disable-libiscsi --disable-libnfs \
		--disable-capstone --disable-slirp --disable-tools \
		--disable-guest-agent --disable-vhost-user-blk-server \
		--disable-linux-io-uring --disable-brlapi --disable-alsa \
		--disable-pa --disable-jack --disable-oss --disable-sndio \
		--disable-seccomp --disable-bpf --disable-vde --disable-smartcard \
		--disable-fuse --disable-lzo --disable-snappy --disable-bzip2 \
		--disable-zstd --disable-vte --disable-cocoa --disable-xkbcommon \
		--disable-libudev --disable-numa --disable-rdma --disable-pvrdma \
		--disable-virtfs --disable-vfio-user-server --enable-trace-backends=log \
		--meson=/usr/bin/meson >&2)
	echo "$start" >"$b/.configure-start"
fi
start=$(date +%s)
nice -n 10 ninja -C "$b" -j "$jobs" qemu-system-x86_64 >&2
end=$(date +%s)
if [ -f "$b/.configure-start" ]; then
	echo "build-qemu: cold build took $((end - $(cat "$b/.configure-start")))s" >&2
	echo "$((end - $(cat "$b/.configure-start")))" >"$vdir/cold-build-seconds"
	rm -f "$b/.configure-start"
else
	echo "build-qemu: incremental build took $((end - start))s" >&2
fi
# Firmware: Debian's source tarball has no SeaBIOS binary (Debian builds
# it in the seabios package: install it on the host) and builds the option
# ROMs (linuxboot_dma.bin for -kernel) apart; build them here with the
# host compiler.
ob=$b/pc-bios/optionrom
if [ ! -f "$ob/linuxboot_dma.bin" ]; then
	printf 'TOPSRC_DIR=%s\nEXTRA_CFLAGS=-m32\nCC=cc\nCCAS=cc\nAR=ar\nAS=as\nLD=ld\nNM=nm\nOBJCOPY=objcopy\nRANLIB=ranlib\nSTRIP=strip\n' \
		"$srcdir" >"$ob/config.mak"
	make -C "$ob" -j "$jobs" >&2
fi
[ -f /usr/share/seabios/bios-256k.bin ] ||
	{ echo "build-qemu: install the seabios package (apt-get install seabios)" >&2; exit 1; }
mkdir -p "$cache/bin-$hash/pc-bios"
fw=$cache/bin-$hash/pc-bios
for f in "$ob"/*.bin; do ln -sf "$f" "$fw/"; done
ln -sf /usr/share/seabios/bios-256k.bin "$fw/"
for f in "$srcdir"/pc-bios/*; do
	[ -e "$fw/$(basename "$f")" ] || ln -sf "$f" "$fw/"
done
cp "$b/qemu-system-x86_64" "$bin.tmp" && mv "$bin.tmp" "$bin"
echo "$bin"
