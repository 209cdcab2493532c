#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms.conf's MAKE: build, in the dkms build directory (the cwd), the
# patched i40e.ko when this kernel's linux-source is available, then
# i40e_espinudp.ko against it.  The rule that decides "source available"
# is the one dkms.conf uses for BUILT_MODULE_NAME[1]; keep them in step.
#
# usage: dkms-build.sh KERNELVER KDIR
#   ESPINUDP_LINUX_SOURCE_DIR  where linux-source-<maj.min>[.tar.*] lives
#                              (default /usr/src)
#   ESPINUDP_DKMS_I40E=0       never build i40e
#   ESPINUDP_JOBS              make -j (default: number of CPUs)
#   ESPINUDP_MODULES_ROOT      the target kernel's installed modules
#                              (default /lib/modules; scripts/i40e-compat.sh)
#
# linux-source-X.Y is the newest point release in the archive, not
# necessarily the target kernel's.  scripts/i40e-compat.sh says which i40e
# source is built for which kernel, notes a different point release, and
# refuses (exit 3, with what to do) when headers, source and kernel cannot
# work together: headers of another kernel release (vermagic), another
# X.Y line, or modversion CRCs that disagree with the installed kernel.

set -euo pipefail

kver=${1:?usage: dkms-build.sh KERNELVER KDIR}
kdir=${2:?usage: dkms-build.sh KERNELVER KDIR}
here=$(pwd)
jobs=${ESPINUDP_JOBS:-$(nproc)}
mm=$(echo "$kver" | sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p')

ksrc=
if [ "${ESPINUDP_DKMS_I40E:-1}" != 0 ] && [ -n "$mm" ]; then
	for f in "${ESPINUDP_LINUX_SOURCE_DIR:-/usr/src}/linux-source-$mm"{,.tar.xz,.tar.bz2,.tar.gz}; do
		if [ -e "$f" ]; then
			ksrc=$f
			break
		fi
	done
fi

echo "dkms-build: kernel $kver, headers $kdir, i40e source ${ksrc:-none}"
refused() {
	echo "dkms-build: REFUSED to build for kernel $kver (see i40e-compat above); nothing was built." >&2
	exit 3
}
compat() { bash scripts/i40e-compat.sh "$@"; }
compat pre "$ksrc" "$kdir" "$kver" || refused
extra=()
if [ -n "$ksrc" ]; then
	rm -rf "$here/i40e-build"
	if ! bash scripts/build-i40e.sh "$ksrc" "$kdir" "$here/i40e-build"; then
		echo "dkms-build: building i40e from $ksrc for $kver failed." >&2
		echo "dkms-build: if the NOTE above names different point releases, the source may use kernel API the headers lack: upgrade the kernel and headers to the source's release, or set ESPINUDP_DKMS_I40E=0." >&2
		exit 1
	fi
	compat ko "$here/i40e-build/i40e.ko" "$kdir" "$kver" || refused
	cp -f "$here/i40e-build/i40e.ko" "$here/i40e.ko"
	echo "dkms-build: built $(sed -n 's/^describe=//p' "$here/i40e-build/build-info")"
	extra=(KBUILD_EXTRA_SYMBOLS="$here/i40e-build/Module.symvers")
else
	# No patched i40e to link against: its exports resolve at load time,
	# once a patched i40e is installed (make i40e, or linux-source).
	echo "dkms-build: no linux-source-$mm; building i40e_espinudp only"
	extra=(KBUILD_MODPOST_WARN=1)
fi
make -j"$jobs" -C "$kdir" M="$here" "${extra[@]}" modules
test -f "$here/i40e_espinudp.ko"
echo "dkms-build: built i40e_espinudp for kernel $kver, vermagic '$(modinfo -F vermagic "$here/i40e_espinudp.ko" 2>/dev/null | sed 's/ *$//')'"
