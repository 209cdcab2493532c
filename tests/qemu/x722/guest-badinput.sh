#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side: bad input to the X722 model with no driver bound, through
# /dev/mem (busybox devmem): the admin queue ring outside guest RAM, an
# ATQ tail beyond the ring, an unknown admin-queue opcode, a TX ring length
# out of range and a TX ring outside guest RAM.  The model must answer as
# hardware would (error status, refused or stopped queue) and keep running;
# the host checks QEMU's log for the LOG_GUEST_ERROR lines.  The AQ ring
# and the HMC page live in the low 64 KiB that Linux reserves and never
# uses (and /dev/mem allows).  Prints KTAP.
export PATH=/sbin:/bin
n=0
check() { local d=$1; shift; n=$((n + 1)); if "$@"; then echo "ok $n - $d"; else echo "not ok $n - $d"; fi; }
echo "KTAP version 1"
dev=/sys/bus/pci/devices/0000:00:04.0
dev1=/sys/bus/pci/devices/0000:00:04.1
bar=$(( $(awk 'NR == 1 { print $1 }' $dev/resource) ))
bar1=$(( $(awk 'NR == 1 { print $1 }' $dev1/resource) ))
M=$(( bar1 + 0x3F0000 ))        # "memory" for the AQ ring
H=$(( bar1 + 0x3F1000 ))        # and for the HMC page
# memory space and bus mastering on (no driver does it for us)
printf '\x06\x00' | dd of=$dev/config bs=1 seek=4 conv=notrunc 2>/dev/null
printf '\x02\x00' | dd of=$dev1/config bs=1 seek=4 conv=notrunc 2>/dev/null
w() { devmem $(( bar + $1 )) 32 $(( $2 )); }
r() { printf '%d' $(devmem $(( bar + $1 )) 32); }
mw() { devmem $(( $1 )) 32 $(( $2 )); }
mr() { printf '%d' $(devmem $(( $1 )) 32); }
ATQBAL=0x80000 ATQBAH=0x80100 ATQLEN=0x80200 ATQH=0x80300 ATQT=0x80400
CRIT=$(( 1 << 30 )) EN=$(( 1 << 31 ))

# 1. ATQ ring at 1 TiB, outside guest RAM
w $ATQLEN 0; w $ATQBAL 0; w $ATQBAH 0x100; w $ATQH 0; w $ATQLEN $(( 8 | EN )); w $ATQT 1
check "ATQ ring outside RAM: critical error flagged" [ $(( $(r $ATQLEN) & CRIT )) -ne 0 ]
# 2. ATQ tail beyond the ring length
w $ATQLEN 0; w $ATQBAL $(( M & 0xffffffff )); w $ATQBAH $(( M >> 32 )); w $ATQH 0; w $ATQLEN $(( 8 | EN )); w $ATQT 100
check "ATQ tail beyond the ring: critical error flagged" [ $(( $(r $ATQLEN) & CRIT )) -ne 0 ]
# 3. unknown opcode 0x7777, direct command
for o in 0 4 8 12 16 20 24 28; do mw $(( M + o )) 0; done
mw $M $(( 0x7777 << 16 ))
w $ATQLEN 0; w $ATQBAL $(( M & 0xffffffff )); w $ATQBAH $(( M >> 32 )); w $ATQH 0; w $ATQT 0; w $ATQLEN $(( 8 | EN )); w $ATQT 1
d0=$(mr $M); d1=$(mr $(( M + 4 )))
echo "# descriptor after completion: flags 0x$(printf %x $((d0 & 0xffff))) retval $(( d1 >> 16 ))"
check "unknown AQ opcode: completed with ERR and retval ESRCH" \
	[ $(( d0 & 0x7 )) -eq 7 -a $(( d1 >> 16 )) -eq 3 ]
check "ATQ head advanced" [ $(r $ATQH) -eq 1 ]
# 4. TX queue 0: one direct HMC segment at H, context with qlen 8190
w 0xC6200 0; w 0xC6300 1                    # GLHMC_LANTXBASE/CNT(0)
w 0xC0200 $(( H >> 32 )); w 0xC0100 $(( (H & 0xfffff000) | 3 )); w 0xC0000 $(( 1 << 31 ))
for o in $(seq 0 4 124); do mw $(( H + o )) 0; done
mw $(( H + 4 )) $(( 0x1000000 / 128 ))      # base: 16 MiB (RAM)
mw $(( H + 20 )) $(( 8190 << 1 ))           # qlen 8190 > 8160: out of range
w 0x100000 1                                # QTX_ENA(0).QENA_REQ
check "TX ring length 8190: enable refused" [ $(( $(r 0x100000) & 4 )) -eq 0 ]
# 5. TX ring at 1 TiB: enabled, then stopped at the first descriptor
w 0x100000 0
mw $(( H + 4 )) 0; mw $(( H + 8 )) $(( (0x10000000000 / 128) >> 32 ))
mw $(( H + 20 )) $(( 64 << 1 ))
w 0x100000 1
check "TX ring outside RAM: queue enables" [ $(( $(r 0x100000) & 4 )) -ne 0 ]
w 0x108000 1                                # QTX_TAIL(0)
check "TX ring outside RAM: queue stopped on the first descriptor" [ $(( $(r 0x100000) & 4 )) -eq 0 ]
w 0x108000 $(( 100000 ))
check "the device still answers" [ $(r 0xB6100) -ne 0 ]     # GLNVM_GENS
echo "1..$n"
