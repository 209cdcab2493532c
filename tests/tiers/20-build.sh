#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tier 20: the i40e patch series and the builds, for Debian 6.1 and 6.12.
#
# For each kernel line: the series applies with git am to a pristine git
# copy of i40e and with patch -p1 --fuzz=0 (and both give the same tree),
# every patch is checkpatch --strict clean, the ABI header the series adds
# is byte-identical to include/, the patched i40e.ko builds against the
# Debian headers with W=1 and sparse (C=2) with no warning in i40e, its
# vermagic and modversions CRCs match the Debian kernel, it exports the
# hook API, and the static-key hook site in the RX path is a NOP.  Then
# scripts/build-module.sh builds i40e_espinudp.ko with W=1 and C=2.
#
# I40E_BISECT=1 also builds every prefix of each series (slow).
# LINES="6.1" restricts the kernel lines.  Prints TAP.

set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=$("$top/scripts/cache-dir")
cd "$top"
I40E=drivers/net/ethernet/intel/i40e
HDR=include/linux/net/intel/i40e_espinudp.h
n=0

ok() {	# ok <status> <description> [log]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ -n "${3:-}" ] && [ -f "$3" ] && tail -n 25 "$3" | sed 's/^/# /'
	fi
	return 0
}

skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

diag() { sed 's/^/# /'; }

if ! scripts/deps.sh build >&2; then
	ok 1 "scripts/deps.sh build"
	echo "1..$n"
	exit 1
fi

# Check that every i40e_espinudp_active jump-table site in i40e.ko is a
# NOP, and that one of them sits between the calls to
# i40e_process_skb_fields() and napi_gro_receive().
nop_check() {	# nop_check <i40e.ko>
	python3 - "$1" <<'EOF'
import re, subprocess, sys

ko = sys.argv[1]

def run(*a):
    return subprocess.run(a, check=True, capture_output=True,
                          text=True).stdout

# relocations: section -> list of (offset, symbol, addend)
rel = {}
sec = None
for l in run('readelf', '-rW', ko).splitlines():
    m = re.match(r"Relocation section '\.rela(\S+)'", l)
    if m:
        sec = m.group(1)
        rel[sec] = []
        continue
    m = re.match(r'([0-9a-f]+)\s+[0-9a-f]+\s+(\S+)\s+[0-9a-f]+\s+(\S+)'
                 r'(?:\s*([+-])\s*([0-9a-f]+))?', l)
    if sec and m:
        add = int(m.group(5) or '0', 16) * (-1 if m.group(4) == '-' else 1)
        rel[sec].append((int(m.group(1), 16), m.group(3), add))

jt = {off: (s, a) for off, s, a in rel.get('__jump_table', [])}
sites = []
for off, (s, a) in sorted(jt.items()):
    if s != 'i40e_espinudp_active':
        continue
    # struct jump_entry { s32 code; s32 target; long key; }
    code = jt.get(off - 8)
    if code is None:
        sys.exit('no code relocation for jump entry at %#x' % off)
    sites.append(code)
if not sites:
    sys.exit('no jump-table entry uses i40e_espinudp_active')

# function symbols, to name the sites
funcs = []
for l in run('nm', '-n', '--defined-only', ko).splitlines():
    p = l.split()
    if len(p) == 3 and p[1] in 'tT':
        funcs.append((int(p[0], 16), p[2]))

def where(addr):
    best = None
    for a, name in funcs:
        if a <= addr:
            best = (name, addr - a)
    return '%s+%#x' % best if best else hex(addr)

calls = {}
for off, s, a in rel.get('.text', []):
    calls.setdefault(s, []).append(off)

bad = 0
hook = None
for s, a in sites:
    if s != '.text':
        print('site in %s+%#x (not checked)' % (s, a))
        continue
    dis = run('objdump', '-d', '--start-address=%d' % a,
              '--stop-address=%d' % (a + 8), ko).splitlines()
    insn = [l for l in dis if re.match(r'\s+[0-9a-f]+:\t', l)]
    text = insn[0].split('\t', 2) if insn else ['', '', '?']
    isnop = bool(re.match(r'(nop|xchg\s+%ax,%ax)', text[2].strip()))
    nbytes = len(text[1].split())
    before = [o for o in calls.get('i40e_process_skb_fields', [])
              if a - 64 <= o < a]
    after = [o for o in calls.get('napi_gro_receive', [])
             if a < o <= a + 64]
    tag = ''
    if before and after:
        tag = ' (hook: after i40e_process_skb_fields, before napi_gro_receive)'
        hook = (a, nbytes)
    print('site %s: %d-byte %s%s' % (where(a), nbytes, text[2].strip(), tag))
    bad += not isnop
if hook is None:
    sys.exit('no i40e_espinudp_active site between i40e_process_skb_fields '
             'and napi_gro_receive')
sys.exit(1 if bad else 0)
EOF
}

for line in ${LINES:-6.1 6.12}; do
	T=$top/build/tier20/$line
	rm -rf "$T"
	mkdir -p "$T"
	src=$cache/$line/linux-source-$line
	pdir=$top/patches/linux-$line
	out=$top/build/$line/i40e

	scripts/fetch-kernel.sh "$line" >"$T/fetch.log" 2>&1
	ok $? "$line: scripts/fetch-kernel.sh $line" "$T/fetch.log"
	if [ ! -d "$src/$I40E" ]; then
		skip "$line: remaining checks" "no linux-source-$line"
		continue
	fi
	patches=("$pdir"/*.patch)
	echo "# $line: ${#patches[@]} patches, $(cat "$cache/$line/version" 2>/dev/null)"

	# Pristine copy of what the series touches, as a git repository
	files=$(sed -n 's|^+++ b/||p' "${patches[@]}" | sort -u)
	mkdir -p "$T/am" "$T/p1"
	for f in $I40E $files; do
		[ -e "$src/$f" ] || continue
		for d in am p1; do
			mkdir -p "$T/$d/$(dirname "$f")"
			cp -a "$src/$f" "$T/$d/$f"
		done
	done
	(cd "$T/am" && git init -q && git add -A &&
	 git -c user.name=t -c user.email=t@example.org commit -qm pristine &&
	 git -c user.name=t -c user.email=t@example.org am -q "${patches[@]}") \
		>"$T/am.log" 2>&1
	ok $? "$line: git am of the series onto pristine i40e" "$T/am.log"

	rc=0
	for p in "${patches[@]}"; do
		patch -d "$T/p1" -p1 --fuzz=0 --no-backup-if-mismatch <"$p" \
			>>"$T/p1.log" 2>&1 || { rc=1; break; }
	done
	ok $rc "$line: patch -p1 --fuzz=0 applies every patch" "$T/p1.log"
	diff -r -x .git "$T/am" "$T/p1" >"$T/am-p1.diff" 2>&1
	ok $? "$line: git am and patch -p1 give the same tree" "$T/am-p1.diff"

	cmp "$HDR" "$T/am/$HDR" >"$T/cmp.log" 2>&1
	ok $? "$line: $HDR in the series is identical to the project's" "$T/cmp.log"

	cp=$src/scripts/checkpatch.pl
	for p in "${patches[@]}"; do
		(cd "$src" && perl "$cp" --strict --quiet "$p") \
			>"$T/checkpatch-$(basename "$p").log" 2>&1
		ok $? "$line: checkpatch --strict $(basename "$p")" \
			"$T/checkpatch-$(basename "$p").log"
		grep -q '^Subject: \[PATCH net-next [0-9]*/[0-9]*\] i40e: ' "$p"
		ok $? "$line: subject of $(basename "$p") is [PATCH net-next N/M] i40e: ..."
	done

	# The build: 6.1 from the Debian source tarball when present, 6.12
	# from the unpacked tree, so both KSRC forms of build-i40e.sh run.
	ksrc=$src
	tarball=$(ls "$cache/$line"/sysroot/usr/src/linux-source-"$line".tar.* 2>/dev/null | head -1)
	[ "$line" = 6.1 ] && [ -n "$tarball" ] && ksrc=$tarball
	touch "$T/stamp"
	sleep 1
	I40E_MAKEFLAGS="W=1 C=2 CF=-D__CHECK_ENDIAN__" nice \
		scripts/build-i40e.sh "$ksrc" >"$T/build.log" 2>&1
	rc=$?
	[ "$out/i40e.ko" -nt "$T/stamp" ] || rc=1
	ok $rc "$line: build-i40e.sh $(basename "$ksrc") (W=1 C=2) builds i40e.ko" "$T/build.log"
	if [ $rc -ne 0 ]; then
		skip "$line: checks of i40e.ko" "i40e.ko not built"
		continue
	fi

	grep -E "$I40E/[^ :]*:[0-9]+(:[0-9]+)?: (warning|error):.*\[-W" \
		"$T/build.log" >"$T/w1.log"
	[ ! -s "$T/w1.log" ]
	ok $? "$line: W=1: no compiler warning in i40e ($(wc -l <"$T/w1.log"))" "$T/w1.log"

	grep -E "(i40e_espinudp|i40e_txrx_common)[^ :]*:[0-9]+(:[0-9]+)?: (warning|error):" \
		"$T/build.log" >"$T/sparse-hook.log"
	rc=0
	[ -s "$T/sparse-hook.log" ] && rc=1
	grep -q "CHECK .*i40e_espinudp_hook.c" "$T/build.log" || {
		echo "sparse did not run on i40e_espinudp_hook.c" >>"$T/sparse-hook.log"
		rc=1
	}
	ok $rc "$line: sparse C=2 clean on the hook code" "$T/sparse-hook.log"
	grep -E "$I40E/[^ :]*:[0-9]+(:[0-9]+)?: warning:" "$T/build.log" |
		grep -v '\[-W' >"$T/sparse-all.log"
	echo "# $line: sparse warnings in all of i40e: $(wc -l <"$T/sparse-all.log")"
	diag <"$T/sparse-all.log" | head -n 10

	abi=$(cat "$cache/$line/abi")
	vm=$(modinfo -F vermagic "$out/i40e.ko")
	[ "${vm%% *}" = "$abi" ]
	ok $? "$line: vermagic '$vm' matches the Debian ABI $abi"

	# every CRC the module was linked against is the stock kernel's
	kdir=$cache/$line/headers
	/sbin/modprobe --dump-modversions "$out/i40e.ko" 2>/dev/null |
		awk 'NR == FNR { crc[$2] = $1; next }
		     { n++; if (!($2 in crc)) { print "unknown " $2; bad++ }
		       else if (tolower(crc[$2]) != tolower($1)) {
			     print "CRC mismatch " $2; bad++ } }
		     END { print n " symbols checked"; exit (bad || !n) }' \
		"$kdir/Module.symvers" - >"$T/crc.log" 2>&1
	ok $? "$line: modversions CRCs match $(basename "$(readlink -f "$kdir")") ($(tail -1 "$T/crc.log"))" "$T/crc.log"

	rc=0
	for s in i40e_espinudp_active i40e_espinudp_register \
		 i40e_espinudp_unregister i40e_espinudp_dev_add \
		 i40e_espinudp_dev_changed i40e_espinudp_dev_del \
		 i40e_espinudp_get_stats __i40e_espinudp_rx \
		 __i40e_espinudp_flush; do
		grep -qE "^0x[0-9a-f]+\s$s\s.*\sEXPORT_SYMBOL_GPL" "$out/Module.symvers" ||
			{ echo "missing export $s"; rc=1; }
	done >"$T/exports.log"
	ok $rc "$line: Module.symvers exports the hook API (GPL)" "$T/exports.log"

	nop_check "$out/i40e.ko" >"$T/nop.log" 2>&1
	ok $? "$line: static-key hook site in the RX path is a NOP" "$T/nop.log"
	diag <"$T/nop.log"

	if [ "${I40E_BISECT:-0}" = 1 ]; then
		rc=0
		for ((k = 1; k < ${#patches[@]}; k++)); do
			rm -rf "$T/bisect"
			mkdir -p "$T/bisect/patches/linux-$line" "$T/bisect/scripts"
			cp "${patches[@]:0:k}" "$T/bisect/patches/linux-$line/"
			cp scripts/build-i40e.sh "$T/bisect/scripts/"
			I40E_MAKEFLAGS="W=1" nice "$T/bisect/scripts/build-i40e.sh" \
				"$src" "$kdir" "$T/bisect/out" >"$T/bisect-$k.log" 2>&1 || rc=1
			grep -qE ": (warning|error):" "$T/bisect-$k.log" && rc=1
		done
		ok $rc "$line: every prefix of the series builds with W=1" "$T/bisect-$k.log"
	fi

	if [ ! -x scripts/build-module.sh ]; then
		echo "not ok $((n += 1)) - build-module.sh missing"
		continue
	fi
	W=1 C=2 scripts/build-module.sh "$line" >"$T/module.log" 2>&1
	rc=$?
	[ -f "$top/build/$line/module/i40e_espinudp.ko" ] || rc=1
	ok $rc "$line: scripts/build-module.sh $line (W=1 C=2)" "$T/module.log"
	grep -E ": (warning|error):" "$T/module.log" >"$T/module-warn.log"
	[ ! -s "$T/module-warn.log" ]
	ok $? "$line: i40e_espinudp.ko W=1/sparse clean ($(wc -l <"$T/module-warn.log") warnings)" "$T/module-warn.log"

	# The top-level targets a user runs, in a copy of the sources: first
	# without the patched i40e's exports, then with those of make i40e.
	tl=$T/toplevel
	rm -rf "$tl"
	mkdir -p "$tl"
	git ls-files -z | xargs -0 cp --parents -t "$tl"
	msg=$(make -s -C "$tl" KDIR="$kdir" 2>&1 >/dev/null)
	rc=$?
	[ $rc -eq 2 ] && grep -qF "make i40e KSRC=/usr/src/linux-source-$line.tar.xz" <<<"$msg"
	ok $? "$line: make without the patched i40e's exports exits 2 naming make i40e"
	mkdir -p "$tl/build/$line/i40e"
	cp "$top/build/$line/i40e/Module.symvers" "$tl/build/$line/i40e/"
	rc=0
	for t in checkwarnings sparse; do
		make -C "$tl" KDIR="$kdir" $t >"$T/toplevel-$t.log" 2>&1 || rc=1
	done
	[ -f "$tl/i40e_espinudp.ko" ] || rc=1
	cat "$T"/toplevel-*.log | grep -E ": (warning|error):" >"$T/toplevel-warn.log"
	[ ! -s "$T/toplevel-warn.log" ] || rc=1
	ok $rc "$line: make checkwarnings and make sparse link against build/$line/i40e, 0 warnings" \
		"$T/toplevel-sparse.log"
	# make clean removes the module's objects, never what .cache/ holds
	mkdir -p "$tl/.cache/sid-chroot/usr/lib"
	touch "$tl/.cache/sid-chroot/usr/lib/crt1.o" "$tl/.cache/xfrm_user.ko"
	make -C "$tl" KDIR="$kdir" clean >"$T/toplevel-clean.log" 2>&1
	rc=$?
	[ $rc -eq 0 ] && [ -f "$tl/.cache/sid-chroot/usr/lib/crt1.o" ] &&
		[ -f "$tl/.cache/xfrm_user.ko" ] && [ ! -e "$tl/i40e_espinudp.ko" ] &&
		[ ! -e "$tl/i40e_txrx_hook.o" ] && [ ! -e "$tl/build" ]
	ok $? "$line: make clean removes the module's objects and build/, keeps .cache/" \
		"$T/toplevel-clean.log"
done

# build-i40e.sh refuses kernel lines it has no series for
mkdir -p "$top/build/tier20/fake/$I40E"
printf 'VERSION = 5\nPATCHLEVEL = 10\n' >"$top/build/tier20/fake/Makefile"
msg=$(scripts/build-i40e.sh "$top/build/tier20/fake" 2>&1 >/dev/null)
rc=$?
supported=$(cd patches && ls -d linux-*/ | sed 's|^linux-||; s|/$||' | sort -V | xargs)
[ $rc -eq 2 ] && grep -qF "unsupported kernel version 5.10 (supported: $supported)" <<<"$msg"
ok $? "build-i40e.sh: unsupported kernel version exits 2 with a clear message"

echo "1..$n"
