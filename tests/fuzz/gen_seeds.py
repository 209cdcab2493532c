#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# Generates the committed seeds in seeds/ from the classification rules
# (one file per rule, mode byte 0 = classify_eth, 2/6 = classify_l3 with a
# stripped tag, IPv4 / IPv6).  Re-run only to change the seeds.
import os
import struct

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'seeds')
os.makedirs(out, exist_ok=True)
SRC4, DST4 = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
SRC6 = bytes.fromhex('20010db8000000000000000000000001')
DST6 = bytes.fromhex('20010db8000000000000000000000002')
ESP = bytes.fromhex('1234567800000001') + bytes(16)


def udp(pl, dport=4500, adj=0):
    return struct.pack('>HHHH', 4500, dport, 8 + len(pl) + adj, 0) + pl


def ipv4(l4, frag=0, ihl=5, proto=17, adj=0):
    opts = b'\x01' * (ihl * 4 - 20)
    return struct.pack('>BBHHHBBH4s4s', 0x40 | ihl, 0, 20 + len(opts) +
                       len(l4) + adj, 1, frag, 64, proto, 0, SRC4,
                       DST4) + opts + l4


def ipv6(l4, exts=(), frag6=0, proto=17):
    hdrs = b''
    types = list(exts) + [proto]
    for i, t in enumerate(exts):
        nxt = types[i + 1]
        if t == 44:
            hdrs += struct.pack('>BBHI', nxt, 0, frag6, 7)
        else:
            hdrs += bytes([nxt, 1, 1, 12]) + bytes(12)
    first = types[0]
    return struct.pack('>IHBB16s16s', 0x60000000, len(hdrs) + len(l4),
                       first, 64, SRC6, DST6) + hdrs + l4


def eth(l3, v6=False, tags=()):
    h = b'\x02' * 6 + b'\x04' * 6
    for t in tags:
        h += struct.pack('>HH', t, 100)
    return h + struct.pack('>H', 0x86dd if v6 else 0x0800) + l3


seeds = {
    'v4-esp': b'\0' + eth(ipv4(udp(ESP))),
    'v4-esp-7': b'\0' + eth(ipv4(udp(ESP[:7]))),
    'v4-ike': b'\0' + eth(ipv4(udp(bytes(4) + b'IKEv2hdr'))),
    'v4-keepalive': b'\0' + eth(ipv4(udp(b'\xff'))) + bytes(17),
    'v4-udp-short': b'\0' + eth(ipv4(udp(b'ab'))),
    'v4-opts': b'\0' + eth(ipv4(udp(ESP), ihl=15)),
    'v4-ihl4': b'\0' + eth(ipv4(udp(ESP), ihl=4)),
    'v4-frag-first': b'\0' + eth(ipv4(udp(ESP, adj=200), frag=0x2000)),
    'v4-frag-later': b'\0' + eth(ipv4(ESP, frag=185)),
    'v4-ulen-past': b'\0' + eth(ipv4(udp(ESP, adj=1))),
    'v4-port': b'\0' + eth(ipv4(udp(ESP, dport=500))),
    'v4-tcp': b'\0' + eth(ipv4(ESP + ESP, proto=6)),
    'v4-vlan': b'\0' + eth(ipv4(udp(ESP)), tags=(0x8100,)),
    'v4-qinq': b'\0' + eth(ipv4(udp(ESP)), tags=(0x88a8, 0x8100)),
    'v4-3tags': b'\0' + eth(ipv4(udp(ESP)), tags=(0x88a8, 0x8100, 0x8100)),
    'v4-l3': b'\x02' + ipv4(udp(ESP)),
    'v4-l3-qinq': b'\x0a' + struct.pack('>HH', 100, 0x0800) + ipv4(udp(ESP)),
    'v6-esp': b'\0' + eth(ipv6(udp(ESP)), v6=True),
    'v6-ike': b'\0' + eth(ipv6(udp(bytes(8))), v6=True),
    'v6-keepalive': b'\0' + eth(ipv6(udp(b'\xff')), v6=True),
    'v6-exts': b'\0' + eth(ipv6(udp(ESP), exts=(0, 43, 60)), v6=True),
    'v6-8exts': b'\0' + eth(ipv6(udp(ESP), exts=(0, 60, 43, 60, 43, 60, 44,
                                                 60)), v6=True),
    'v6-9exts': b'\0' + eth(ipv6(udp(ESP), exts=(0, 60, 43, 60, 43, 60, 43,
                                                 60, 60)), v6=True),
    'v6-frag-first': b'\0' + eth(ipv6(udp(ESP), exts=(44,), frag6=1),
                                 v6=True),
    'v6-frag-later': b'\0' + eth(ipv6(ESP, exts=(44,), frag6=64), v6=True),
    'v6-atomic-frag': b'\0' + eth(ipv6(udp(ESP), exts=(44,)), v6=True),
    'v6-l3': b'\x06' + ipv6(udp(ESP)),
    'arp': b'\0' + b'\xff' * 12 + b'\x08\x06' + bytes(28),
}
for name, data in seeds.items():
    with open(os.path.join(out, name), 'wb') as f:
        f.write(data)
print(len(seeds), 'seeds in', out)
