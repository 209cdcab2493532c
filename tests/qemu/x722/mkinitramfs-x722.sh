#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs-x722.sh <line> <guest-script> <out.cpio.gz>
#
# A small initramfs for the emulated X722: busybox, ip, ethtool, bash and
# the line's *stock* i40e.ko (Debian's own, unpatched), with
# <guest-script> run as the payload of /init.  The guest script's output
# goes to the console; /init powers the guest off afterwards.
set -euo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
cache=$("$top/scripts/cache-dir")
line=${1:?usage: mkinitramfs-x722.sh <line> <guest-script> <out>}
script=${2:?guest script}
out=${3:?output}

case $line in
debug)
	kb=${DEBUG_KDIR:-$(readlink -f "$cache/debug-kernel")}
	abi=$(cat "$kb/include/config/kernel.release")
	moddir=$kb/root/lib/modules/$abi
	;;
*)
	abi=$(cat "$cache/$line/abi")
	moddir=$cache/$line/sysroot/lib/modules/$abi
	;;
esac
ko=$(ls "$moddir"/kernel/drivers/net/ethernet/intel/i40e/i40e.ko* | head -1)
[ -f "$ko" ] || { echo "no stock i40e.ko in $moddir" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/x722-initramfs.XXXXXX")
trap 'rm -rf "$work"' EXIT
r=$work/root
mkdir -p "$r"/{bin,sbin,lib,lib64,etc,proc,sys,dev,tmp,run,mnt,modules}
cp /bin/busybox "$r/bin/busybox"
for a in $(/bin/busybox --list); do
	case $a in ip|busybox) continue ;; esac
	ln -sf busybox "$r/bin/$a"
done
copy_bin() {
	local lib
	install -D -m 0755 "$1" "$r$2"
	for lib in $(ldd "$1" | grep -o '/[^ ]*'); do
		[ -e "$r$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$r$lib"
	done
}
rm -f "$r/bin/bash"
copy_bin /bin/bash /bin/bash
copy_bin /bin/ip /sbin/ip
copy_bin /usr/sbin/ethtool /sbin/ethtool
copy_bin /usr/bin/chrt /bin/chrt
[ -x "$top/tools/espinudp-hash" ] && copy_bin "$top/tools/espinudp-hash" /bin/espinudp-hash
cp /etc/protocols /etc/services "$r/etc/"
# udpflow (tests/selftests) as a fast UDP sender for the speed check
ufl=$top/build/x722/udpflow
if [ ! -x "$ufl" ] || [ "$top/tests/selftests/udpflow.c" -nt "$ufl" ]; then
	mkdir -p "$(dirname "$ufl")"
	gcc -static -O2 -o "$ufl" "$top/tests/selftests/udpflow.c"
fi
cp "$ufl" "$r/bin/udpflow"
# i40e and the modules it depends on (6.12: libie, libeth), dependencies
# first; /modules/load.sh inserts them
: >"$work/order"
add_mod() {	# <path of .ko*>
	local f=$1 name dep
	name=$(basename "$f"); name=${name%%.ko*}
	grep -qx "$name" "$work/order" && return 0
	for dep in $(modinfo -F depends "$f" | tr ',' ' '); do
		add_mod "$(find "$moddir/kernel" -name "$dep.ko*" | head -1)"
	done
	case $f in
	*.xz) xz -dc "$f" >"$r/modules/$name.ko" ;;
	*.zst) zstd -qdc "$f" >"$r/modules/$name.ko" ;;
	*) cp "$f" "$r/modules/$name.ko" ;;
	esac
	echo "$name" >>"$work/order"
}
add_mod "$ko"
{
	echo '#!/bin/sh'
	echo '# insert i40e and its dependencies; extra arguments go to i40e'
	while read -r m; do
		if [ "$m" = i40e ]; then
			echo 'insmod /modules/i40e.ko "$@"'
		else
			echo "grep -q '^$m ' /proc/modules || insmod /modules/$m.ko"
		fi
	done <"$work/order"
} >"$r/modules/load.sh"
chmod +x "$r/modules/load.sh"
# X722_NATT=1: what the NAT-T scenario of tests/selftests/natt_lib.sh
# needs (IPsec modules, kmod, the selftests' shell libraries and udpflow)
if [ -n "${X722_NATT:-}" ]; then
	mkdir -p "$r/lib/modules/$abi" "$r/selftests"
	for d in kernel/crypto kernel/arch/x86/crypto kernel/lib kernel/net/ipv4 \
		 kernel/net/ipv6 kernel/net/xfrm kernel/net/key kernel/net/core \
		 kernel/drivers/char/hw_random; do
		[ -e "$moddir/$d" ] || continue
		mkdir -p "$r/lib/modules/$abi/$(dirname "$d")"
		cp -a "$moddir/$d" "$r/lib/modules/$abi/$(dirname "$d")/"
	done
	cp "$moddir"/modules.builtin* "$moddir"/modules.order "$r/lib/modules/$abi/" 2>/dev/null || true
	depmod -b "$r" "$abi" 2>/dev/null || true
	copy_bin /bin/kmod /sbin/kmod
	for a in modprobe lsmod depmod modinfo; do ln -sf kmod "$r/sbin/$a"; done
	rm -f "$r/bin/modprobe" "$r/bin/lsmod" "$r/bin/depmod" "$r/bin/modinfo"
	cp "$top/tests/selftests/lib.sh" "$top/tests/selftests/natt_lib.sh" "$r/selftests/"
	cp "$ufl" "$r/selftests/udpflow"
fi
install -m 0755 "$script" "$r/guest.sh"
cat >"$r/init" <<'EOI'
#!/bin/sh
export PATH=/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tmpfs tmpfs /tmp
mkdir -p /var/run/netns /run/netns
ip link set lo up
/bin/bash /guest.sh
echo "x722-guest: done"
sync
poweroff -f
EOI
chmod +x "$r/init"
(cd "$r" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$out"
