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
extra=()
if [ -n "$ksrc" ]; then
	rm -rf "$here/i40e-build"
	bash scripts/build-i40e.sh "$ksrc" "$kdir" "$here/i40e-build"
	cp -f "$here/i40e-build/i40e.ko" "$here/i40e.ko"
	extra=(KBUILD_EXTRA_SYMBOLS="$here/i40e-build/Module.symvers")
else
	# No patched i40e to link against: its exports resolve at load time,
	# once a patched i40e is installed (make i40e, or linux-source).
	echo "dkms-build: no linux-source-$mm; building i40e_espinudp only"
	extra=(KBUILD_MODPOST_WARN=1)
fi
make -j"$jobs" -C "$kdir" M="$here" "${extra[@]}" modules
test -f "$here/i40e_espinudp.ko"
