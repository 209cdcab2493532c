#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# boot-dev.sh <line> <guest-script> [extra qemu args]
#
# Development boot: the line's stock kernel on the X722 model (two ports on
# one hub), guest script run from /init, console on stdout.
# Environment: QEMU (binary; default: build-qemu.sh's), TIMEOUT (600),
# X722_PROPS (extra ",prop=value" for both functions), SMP (4),
# GUEST_APPEND (kernel command line additions; KEY=value reach /init).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
cache=$("$top/scripts/cache-dir")
line=${1:?usage: boot-dev.sh <line> <guest-script> [qemu args]}
script=${2:?guest script}
shift 2
qemu=${QEMU:-$("$here/build-qemu.sh")}
case $line in
debug) kernel=${DEBUG_KDIR:-$(readlink -f "$cache/debug-kernel")}/arch/x86/boot/bzImage
       extra="pci=noacpi" ;;
*) kernel=$cache/$line/sysroot/boot/vmlinuz-$(cat "$cache/$line/abi")
   extra="" ;;
esac
initrd=$(mktemp "${TMPDIR:-/tmp}/x722-initrd.XXXXXX")
trap 'rm -f "$initrd"' EXIT
"$here/mkinitramfs-x722.sh" "$line" "$script" "$initrd"
# shellcheck source=tests/qemu/lib.sh
. "$top/tests/qemu/lib.sh"
# shellcheck disable=SC2046 # x722_qemu_args prints words without blanks
exec timeout --foreground -k 10 "${TIMEOUT:-600}" "$qemu" \
	-accel tcg -cpu max -smp "${SMP:-4}" -m 1G -nographic -no-reboot \
	-nodefaults -serial stdio -kernel "$kernel" -initrd "$initrd" \
	$(x722_qemu_args "$qemu" "${X722_PROPS:-}") \
	"$@" \
	-append "console=ttyS0 panic=-1 tsc=reliable mitigations=off loglevel=7 $extra ${GUEST_APPEND:-}"
