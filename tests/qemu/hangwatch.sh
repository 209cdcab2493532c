# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034  # sets watch_* for the caller
# Sourced by run-guest.sh (and tests/qemu/test-hangwatch.sh): recognise a
# guest that hangs or dies from its serial console, while QEMU runs.
#
# A hung guest never powers off by itself: without this, run-guest.sh
# would wait out its TIMEOUT (900 s) for nothing.  The kernel tells us
# much earlier, on the console:
#   watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [swapper/0:1]
#   watchdog: Watchdog detected hard LOCKUP on cpu 2
#   rcu: INFO: rcu_sched self-detected stall on CPU
#   rcu: INFO: rcu_sched detected stalls on CPUs/tasks:
#   INFO: rcu_tasks detected stalls on tasks:
#   INFO: task kworker/0:1:42 blocked for more than 120 seconds.
#   Kernel panic - not syncing: ...
# (a panic normally ends QEMU by itself: panic=-1 and -no-reboot).

# One extended regex over the console; only these end a guest early.
# Kept narrower than run-guest.sh's splat check: a WARN or an Oops
# without a panic lets the guest finish and is reported afterwards.
HANG_RE='watchdog: BUG: soft lockup|detected hard LOCKUP|rcu: INFO: rcu_[a-z_]+ (self-)?detected stall|INFO: rcu_tasks[a-z_]* detected stalls|self-detected stall on CPU|detected stalls on CPUs/tasks|INFO: task .* blocked for more than|Kernel panic - not syncing'

# Every kernel splat the tiers fail on, once the guest has ended
# (run-guest.sh, x722/run-tier.sh).  Each alternative names a report, not a
# subsystem: "lockdep" alone would match the debug kernel's boot banner
# ("RCU lockdep checking is enabled").
SPLAT_RE='WARNING:|BUG:|BUG |KASAN|Kernel panic|Oops|general protection|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|INFO: task .* blocked|sleeping function called from invalid context|UBSAN|self-detected stall|detected stalls on CPUs|soft lockup|kmemleak: .*new suspected|Call Trace:'

# The guest's /init prints this line on the console right before it
# runs the tests (tests/qemu/init); what comes before it runs none of
# our code.
TESTS_START_MARK='espinudp-guest: tests start'

# hang_line <console>: print "<lineno>:<text>" of the first hang report,
# or nothing (status 1).
hang_line() {
	grep -a -n -m1 -E "$HANG_RE" "$1" 2>/dev/null | tr -d '\r\033'
}

# start_line <console>: line number of the tests-start mark, or nothing.
start_line() {
	grep -a -n -m1 -F "$TESTS_START_MARK" "$1" 2>/dev/null | cut -d: -f1
}

# hang_excerpt <console> <lineno>: the report and what follows it (the
# stack, other CPUs' NMI backtraces), a few lines of context before it.
hang_excerpt() {
	local from=$(( $2 > 5 ? $2 - 5 : 1 ))
	sed -n "${from},$(( $2 + ${HANG_EXCERPT:-60} ))p" "$1" | tr -d '\r\033'
}

# hang_dump: with HANG_MONITOR (a QMP unix socket of QEMU) and
# HANG_DUMP (a file), save what QEMU sees of the hung vCPUs: their
# registers and the code at each one's RIP (the console only shows what
# the guest could still print).
hang_dump() {
	[ -S "${HANG_MONITOR:-}" ] && [ -n "${HANG_DUMP:-}" ] || return 0
	command -v python3 >/dev/null || return 0
	python3 - "$HANG_MONITOR" >"$HANG_DUMP" 2>&1 <<'PY' || true
import json, re, socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(20)
s.connect(sys.argv[1])
f = s.makefile("rw")
def qmp(cmd, **args):
    f.write(json.dumps({"execute": cmd, "arguments": args}) + "\n")
    f.flush()
    while True:
        r = json.loads(f.readline())
        if "return" in r or "error" in r:
            return r.get("return", r.get("error"))
def hmp(c, cpu=None):
    a = {"command-line": c}
    if cpu is not None:
        a["cpu-index"] = cpu
    return qmp("human-monitor-command", **a)
f.readline()
qmp("qmp_capabilities")
print(hmp("info cpus"))
regs = hmp("info registers -a")
print(regs)
for cpu, ip in re.findall(r"CPU#(\d+)\s*\n.*?[ER]IP=([0-9a-f]+)", regs, re.S):
    print("CPU#%s code at RIP:" % cpu)
    print(hmp("x/8i 0x%s" % ip, int(cpu)))
PY
}

# watch_guest <pid> <console> <timeout> [boot-timeout]: wait for <pid>
# (QEMU) while watching its console.  Kills it (TERM, then KILL) on a
# hang report, after HANG_GRACE seconds (default 5) for the backtraces
# to reach the console; on <timeout> seconds in all; and, when
# <boot-timeout> is given, when the tests-start mark is not on the
# console after that many seconds (a boot that hangs in silence).
# Sets: watch_rc (QEMU's exit status; 124 on a timeout, like timeout(1)),
# watch_hang ("<lineno>:<text>" of the report, "0:<why>" for a timeout,
# empty if none), watch_secs.
watch_guest() {
	local pid=$1 con=$2 tmo=$3 btmo=${4:-0} t0 now l
	t0=$(date +%s)
	watch_hang=""
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		now=$(( $(date +%s) - t0 ))
		l=$(hang_line "$con")
		if [ -n "$l" ]; then
			watch_hang=$l
			local g=0
			while [ $g -lt "${HANG_GRACE:-5}" ] && kill -0 "$pid" 2>/dev/null; do
				sleep 1; g=$((g + 1))
			done
			hang_dump
			break
		fi
		if [ "$now" -ge "$tmo" ]; then
			watch_hang="0:no end after ${tmo}s (TIMEOUT)"
			break
		fi
		if [ "$btmo" -gt 0 ] && [ "$now" -ge "$btmo" ] &&
		   [ -z "$(start_line "$con")" ]; then
			watch_hang="0:tests not started after ${btmo}s (BOOT_TIMEOUT)"
			break
		fi
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null
		local k=0
		while [ $k -lt 10 ] && kill -0 "$pid" 2>/dev/null; do
			sleep 1; k=$((k + 1))
		done
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid"
	watch_rc=$?
	case $watch_hang in 0:*) watch_rc=124 ;; esac
	watch_secs=$(( $(date +%s) - t0 ))
}

# stock_devlink_warns <console> <rest>: the WARNING blocks of devlink
# (devl_unregister, devlink_notify, devlink_param_unregister) called from
# i40e_remove(); writes the console without them to <rest>, prints their
# number
stock_devlink_warns() {
	awk -v rest="$2" '
		/WARNING:/ { inb = 1; blk = $0; next }
		inb {
			blk = blk "\n" $0
			if (!/---\[ end trace/)
				next
			inb = 0
			if (blk ~ /at (devl_unregister|devlink_notify|devlink_param_unregister)\+/ &&
			    blk ~ /i40e_remove\+/)
				known++
			else
				print blk >rest
			next
		}
		{ print >rest }
		END { if (inb) print blk >rest; print known + 0 }' "$1"
}
