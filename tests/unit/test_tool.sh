#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Tests of tools/espinudp-hash.  Prints TAP lines; run.sh adds the plan.
# Expected hashes were computed by an independent (Python big-integer)
# Toeplitz, not by the core.
# usage: test_tool.sh TOOL CORPUS_DIR
set -u
tool=$1
corpus=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0

ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); echo "not ok $n - $*"; }

MS=6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa
seed=$corpus/seed-x722-natt-ping.pcap
esp1=$corpus/espudp1.pcap

# exit status 2 and a message on stderr
bad() {
	local what=$1; shift
	"$tool" "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ $rc -eq 2 ] && [ -s "$tmp/err" ] && [ ! -s "$tmp/out" ]; then
		ok "bad input exits 2: $what ($(head -c 100 "$tmp/err" | head -1))"
	else
		nok "bad input exits 2: $what (rc=$rc)"
		sed 's/^/# /' "$tmp/err"
	fi
}

printf 'not a pcap\n' >"$tmp/junk.pcap"
# a valid pcap of link type 101 (raw IP) with no frames
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x65\x00\x00\x00' >"$tmp/raw.pcap"
printf '    0:      0     1     2\n' >"$tmp/lut3"
printf '    0:      0     1\n    4:      0     1\n' >"$tmp/lutgap"
printf '    0:      0   256\n' >"$tmp/lutbig"
: >"$tmp/empty"

bad "key of 39 bytes" --key "${MS:0:78}" "$seed"
bad "key of 41 bytes" --key "${MS}00" "$seed"
bad "key of 53 bytes" --key "${MS}$(printf '%026d' 0)" "$seed"
bad "non-hex key" --key "zz${MS:2}" "$seed"
bad "odd number of hex digits" --key "${MS}0" "$seed"
bad "no key at all" --queues 4 "$seed"
bad "unreadable key file" --key-file "$tmp/nope" "$seed"
bad "empty key file" --key-file "$tmp/empty" "$seed"
bad "LUT size 100 (not a power of two)" --key "$MS" --lut-size 100 "$seed"
bad "LUT size 1024 (> 512)" --key "$MS" --lut-size 1024 "$seed"
bad "LUT size 0" --key "$MS" --lut-size 0 "$seed"
bad "LUT file with 3 entries" --key "$MS" --lut-file "$tmp/lut3" "$seed"
bad "LUT file with an index gap" --key "$MS" --lut-file "$tmp/lutgap" "$seed"
bad "LUT file with queue 256" --key "$MS" --lut-file "$tmp/lutbig" "$seed"
bad "LUT file without a table" --key "$MS" --lut-file "$tmp/empty" "$seed"
bad "LUT size disagreeing with the LUT file" --lut-size 256 --lut-file "$here/ethtool-x.sample" "$seed"
bad "--queues 0" --key "$MS" --queues 0 "$seed"
bad "--queues abc" --key "$MS" --queues abc "$seed"
bad "port 0" --key "$MS" --port 0 "$seed"
bad "port 65536" --key "$MS" --port 65536 "$seed"
bad "port -1" --key "$MS" --port -1 "$seed"
bad "port 4500x" --key "$MS" --port 4500x "$seed"
bad "nine ports" --key "$MS" --port 1 --port 2 --port 3 --port 4 --port 5 \
	--port 6 --port 7 --port 8 --port 9 "$seed"
bad "missing pcap" --key "$MS" "$tmp/nope.pcap"
bad "not a pcap" --key "$MS" "$tmp/junk.pcap"
bad "non-Ethernet pcap (raw IP)" --key "$MS" "$tmp/raw.pcap"
bad "no pcap argument" --key "$MS"
bad "unknown option" --key "$MS" --frobnicate "$seed"

# check NAME EXPECTED_STDOUT ARGS...
check() {
	local what=$1 want=$2; shift 2
	"$tool" "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ $rc -eq 0 ] && [ "$(cat "$tmp/out")" = "$want" ]; then
		ok "$what"
	else
		nok "$what (rc=$rc)"
		diff <(echo "$want") "$tmp/out" | sed 's/^/# /'
		sed 's/^/# stderr: /' "$tmp/err"
	fi
}

T=$'\t'
check "seed pcap, Microsoft key (40 bytes, zero-extended), 8 queues" \
"1${T}esp${T}ac11cadf${T}0714ce7d${T}5
2${T}esp${T}47f5919c${T}6e6bcfad${T}5" --key "$MS" --queues 8 "$seed"

check "key with colons, 52-byte zero-extended equals 40-byte" \
"1${T}esp${T}ac11cadf${T}0714ce7d${T}5
2${T}esp${T}47f5919c${T}6e6bcfad${T}5" \
	--key "$(echo "${MS}000000000000000000000000" | sed 's/../&:/g; s/:$//')" \
	--queues 8 "$seed"

want=""
for i in 1 2 3 4 5 6 7 8; do
	want+="$i${T}esp${T}12345678${T}b46af77d${T}5"$'\n'
done
check "espudp1.pcap: 8 esp frames, SPI 12345678, one queue" "${want%$'\n'}" \
	--key "$MS" --queues 8 "$esp1"

check "esp_truncated.pcap is malformed, no hash" "1${T}malformed${T}-${T}-${T}-" \
	--key "$MS" "$corpus/esp_truncated.pcap"
check "isakmp-3948-oobr-2.pcap is malformed, no hash" \
	"1${T}malformed${T}-${T}-${T}-" --key "$MS" "$corpus/isakmp-3948-oobr-2.pcap"

check "--port 4501 only: the seed frames are other" \
"1${T}other${T}-${T}-${T}-
2${T}other${T}-${T}-${T}-" --key "$MS" --port 4501 "$seed"

check "--port 4501 --port 4500: esp again" \
"1${T}esp${T}ac11cadf${T}0714ce7d${T}5
2${T}esp${T}47f5919c${T}6e6bcfad${T}5" --key "$MS" --port 4501 --port 4500 \
	--queues 8 "$seed"

check "--lut-size 4 --queues 3: queue = (hash & 3) % 3" \
"1${T}esp${T}ac11cadf${T}0714ce7d${T}1
2${T}esp${T}47f5919c${T}6e6bcfad${T}1" --key "$MS" --lut-size 4 --queues 3 "$seed"

# ethtool -x sample: 512-entry LUT lut[i] = (5i + 3) % 6 and a 52-byte key
check "--lut-file ethtool -x output supplies LUT and key" \
"1${T}esp${T}ac11cadf${T}87f0ea1f${T}2
2${T}esp${T}47f5919c${T}a4ea102c${T}1" --lut-file "$here/ethtool-x.sample" "$seed"
check "--key-file reads the key block of ethtool -x output" \
"1${T}esp${T}ac11cadf${T}87f0ea1f${T}3
2${T}esp${T}47f5919c${T}a4ea102c${T}2" \
	--key-file "$here/ethtool-x.sample" --queues 7 "$seed"
sed -n '/RSS hash key:/{n;p}' "$here/ethtool-x.sample" >"$tmp/netdev_rss_key"
check "--key-file in /proc/sys/net/core/netdev_rss_key format" \
"1${T}esp${T}ac11cadf${T}87f0ea1f${T}2
2${T}esp${T}47f5919c${T}a4ea102c${T}1" \
	--key-file "$tmp/netdev_rss_key" --lut-file "$here/ethtool-x.sample" "$seed"
check "--key overrides the ethtool -x key" \
"1${T}esp${T}ac11cadf${T}0714ce7d${T}4
2${T}esp${T}47f5919c${T}6e6bcfad${T}0" --key "$MS" \
	--lut-file "$here/ethtool-x.sample" "$seed"

"$tool" --key "$MS" --queues 8 "$esp1" >/dev/null 2>"$tmp/err"
if grep -q '^queue   5        8 ' "$tmp/err" && grep -q '8 esp of 8 frames' "$tmp/err"; then
	ok "stderr histogram: 8 esp frames on queue 5"
else
	nok "stderr histogram"; sed 's/^/# /' "$tmp/err"
fi
if "$tool" --help | grep -q -- '--lut-file'; then
	ok "--help documents the options and exits 0"
else
	nok "--help"
fi
"$tool" --key "$MS" "$corpus/esp_truncated.pcap" >/dev/null 2>"$tmp/err"
if grep -q '1 frames were cut short' "$tmp/err"; then
	ok "stderr notes frames cut by the capture's snaplen"
else
	nok "snaplen note"; sed 's/^/# /' "$tmp/err"
fi
