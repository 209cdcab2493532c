#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: on a fresh Debian 12 machine, install what is needed, fetch
# Debian's 6.1 kernel and its source, build the patched i40e, the module,
# the test modules and the tools, build QEMU with the emulated X722
# (tests/qemu/x722/; cached by hash, the first run takes 20-40 min),
# boot the stock 6.1 kernel under it (TCG, 4 CPUs) and run the NAT-T
# scenario over the X722's two ports: first with Debian's stock i40e
# (the report: every NAT-T frame on queue 0, one CPU), then with the
# patched i40e and i40e_espinudp.  The IRQ affinity is the guest
# kernel's default.  DEMO_DEV=x722sim runs it over the x722sim stand-in
# instead (on the same QEMU, without the X722).  Prints the per-CPU table and ends with the line
#   demo: esp_frames=<n> before_max_share=<pct> after_max_share=<pct> lost=<n> reordered=<n>
# Environment: NSA4, NSA6, COUNT (scenario size; see natt_lib.sh).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
line=6.1
logs=build/logs/demo
mkdir -p "$logs"

say() { echo "demo: $*" >&2; }
tests/qemu/build-line.sh $line $line demo "$logs/build.log"
dev=${DEMO_DEV:-x722}
# shellcheck source=tests/qemu/lib.sh
. tests/qemu/lib.sh
say "building QEMU with the emulated X722 (cached; the first build takes 20-40 min)"
tests/qemu/x722/build-qemu.sh >"$logs/qemu-build.log" 2>&1 ||
	{ tail -n 20 "$logs/qemu-build.log" >&2; say "FAILED: QEMU build (log: $logs/qemu-build.log)"; exit 1; }
qemu=$(tail -n 1 "$logs/qemu-build.log")
qemu_env=(QEMU="$qemu" QEMU_ARGS="-L $(dirname "$qemu")/pc-bios")
[ "$dev" = x722 ] && qemu_env=(QEMU="$qemu" QEMU_ARGS="$(x722_qemu_args "$qemu")")
say "booting Debian's $line kernel under QEMU (TCG, 4 CPUs); takes a minute"
env_args="NATT_DEV=$dev NSA4=${NSA4:-256} NSA6=${NSA6:-32} COUNT=${COUNT:-20}"
rc=0
env "${qemu_env[@]}" GUEST_LOGS=$top/$logs GUEST_ENV="$env_args" TIMEOUT=${TIMEOUT:-600} \
	tests/qemu/run-guest.sh $line demo_natt "" >"$logs/tap.log" 2>&1 || rc=$?
out=$(sed -n 's/^ *# DEMO \{0,1\}//p' "$logs/ktap.log" 2>/dev/null || true)
table=$(grep -v '^demo: ' <<<"$out" || true)
summary=$(grep '^demo: ' <<<"$out" || true)
[ -n "$table" ] && echo "$table"
if [ "$rc" -ne 0 ] || [ -z "$summary" ]; then
	grep -E '^(not ok|#)' "$logs/tap.log" | head -n 40 >&2 || true
	say "FAILED: the guest run did not pass (logs: $logs/console.log, $logs/ktap.log)"
fi
echo "${summary:-demo: esp_frames=0 before_max_share=0 after_max_share=0 lost=-1 reordered=-1}"
exit "$rc"
