#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Generate x722_rx_frames.h for x722_rx_test.ko.

Frames: every frame of the corpus pcaps (read in place, never copied into
the project) plus synthetic frames written to OUT/synthetic.pcap (IPv6,
VLAN, IKE, keepalive, fragments, IP options, non-IP).

Expected values: the userspace tool tools/espinudp-hash run on those pcaps
for each test configuration (key, LUT).  The kernel module under test is
never consulted; the test compares the kernel path against this.

usage: gen-frames.py TOOL OUTDIR PCAP...
"""
import os
import struct
import subprocess
import sys

NQ = 4
# Two 52-byte keys: fixed, not secret, unlike any default key
KEY1 = bytes((i * 37 + 11) & 0xff for i in range(52))
KEY2 = bytes((0x6d ^ (i * 101 + 7)) & 0xff for i in range(52))
LUT_DEFAULT = [i % NQ for i in range(512)]
LUT2 = [(i + 3) % NQ for i in range(512)]
# (name, key, lut)
CONFIGS = [("key1/lut-default", KEY1, LUT_DEFAULT),
           ("key2/lut-default", KEY2, LUT_DEFAULT),
           ("key2/lut2", KEY2, LUT2)]
CLASSES = ["other", "malformed", "fragment", "keepalive", "ike", "udp",
           "esp"]


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def eth(proto, vlan=None):
    h = bytes.fromhex("02000000000102000000000200"[:24])
    if vlan is not None:
        h += struct.pack("!HH", 0x8100, vlan)
    return h + struct.pack("!H", proto)


def ipv4(src, dst, proto, payload, opts=b"", frag=0):
    ihl = 5 + len(opts) // 4
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, ihl * 4 + len(payload),
                    0x1234, frag, 64, proto, 0, bytes(src), bytes(dst)) + opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def ipv6(src, dst, nh, payload):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nh, 64,
                       bytes(src), bytes(dst)) + payload


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def esp(spi, n=48):
    return struct.pack("!II", spi, 1) + bytes((i * 13) & 0xff
                                              for i in range(n))


V4A, V4B = [10, 1, 2, 3], [198, 51, 100, 7]
V6A = [0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [1]
V6B = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x42] + [0] * 7 + [2]


def synthetic():
    """(name, frame, strip_vlan) tuples"""
    f = []
    natt = udp(4500, 4500, esp(0xc0ffee01))
    f.append(("v4-vlan-stripped-esp",
              eth(0x800, 100) + ipv4(V4A, V4B, 17, natt), True))
    f.append(("v4-vlan-inline-esp",
              eth(0x800, 200) + ipv4(V4A, V4B, 17, natt), False))
    f.append(("v6-esp", eth(0x86dd) + ipv6(V6A, V6B, 17,
                                           udp(4500, 4500,
                                               esp(0x01020304))), False))
    f.append(("v6-vlan-stripped-esp",
              eth(0x86dd, 7) + ipv6(V6B, V6A, 17,
                                    udp(62000, 4500, esp(0xa5a5a5a5))),
              True))
    hbh = struct.pack("!BB6s", 17, 0, bytes(6))
    f.append(("v6-hbh-esp", eth(0x86dd) + ipv6(V6A, V6B, 0, hbh + udp(
        4500, 4500, esp(0x7777))), False))
    f.append(("v4-ipopts-esp",
              eth(0x800) + ipv4(V4B, V4A, 17, udp(1024, 4500,
                                                  esp(0xdeadbeef)),
                                opts=bytes([1, 1, 1, 0])), False))
    f.append(("v4-ike", eth(0x800) + ipv4(V4A, V4B, 17, udp(
        4500, 4500, bytes(4) + bytes(range(40)))), False))
    f.append(("v4-keepalive", eth(0x800) + ipv4(V4A, V4B, 17, udp(
        4500, 4500, b"\xff")), False))
    f.append(("v4-fragment", eth(0x800) + ipv4(V4A, V4B, 17, udp(
        4500, 4500, esp(0x1111))[:40], frag=0x2000), False))
    frag6 = struct.pack("!BBHI", 17, 0, 1, 0xabcdef)
    f.append(("v6-fragment", eth(0x86dd) + ipv6(V6A, V6B, 44, frag6 + udp(
        4500, 4500, esp(0x2222))[:48]), False))
    f.append(("v4-udp-other-port", eth(0x800) + ipv4(V4A, V4B, 17, udp(
        5000, 53, bytes(30))), False))
    f.append(("v4-tcp", eth(0x800) + ipv4(V4A, V4B, 6, struct.pack(
        "!HHIIBBHHH", 40000, 443, 1, 0, 0x50, 0x10, 1000, 0, 0)), False))
    f.append(("arp", eth(0x806) + bytes(28), False))
    f.append(("v4-esp-spi0", eth(0x800) + ipv4(V4A, V4B, 17, udp(
        4500, 4500, bytes(4) + b"\x00\x00\x00\x01" + bytes(8))), False))
    return f


def read_pcap(path):
    with open(path, "rb") as fh:
        data = fh.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xa1b2c3d4, 0xa1b23c4d):
        end = "<"
    elif magic in (0xd4c3b2a1, 0x4d3cb2a1):
        end = ">"
    else:
        raise SystemExit("%s: not a pcap" % path)
    linktype = struct.unpack(end + "I", data[20:24])[0] & 0xffff
    if linktype != 1:
        raise SystemExit("%s: link type %d, not Ethernet" % (path, linktype))
    off, frames = 24, []
    while off + 16 <= len(data):
        caplen = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        frames.append(data[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return frames


def write_pcap(path, frames):
    with open(path, "wb") as fh:
        fh.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            fh.write(struct.pack("<IIII", i, 0, len(fr), len(fr)) + fr)


def ptype(fr):
    """i40e hardware packet type the X722 parser reports for @fr"""
    off, proto = 12, struct.unpack("!H", fr[12:14])[0]
    while proto in (0x8100, 0x88a8) and len(fr) >= off + 6:
        proto = struct.unpack("!H", fr[off + 4:off + 6])[0]
        off += 4
    off += 2
    if proto == 0x800 and len(fr) >= off + 20:
        fragd = struct.unpack("!H", fr[off + 6:off + 8])[0] & 0x3fff
        if fragd:
            return 22
        return {17: 24, 6: 26}.get(fr[off + 9], 23)
    if proto == 0x86dd and len(fr) >= off + 40:
        nh = fr[off + 6]
        if nh == 44:
            return 88
        return {17: 90, 6: 92}.get(nh, 89)
    return 1


def run_tool(tool, pcap, key, lut, outdir, idx):
    lutf = os.path.join(outdir, "lut%d.txt" % idx)
    with open(lutf, "w") as fh:
        fh.write("RX flow hash indirection table for x with %d RX ring(s):\n"
                 % NQ)
        for i in range(0, 512, 8):
            fh.write("%5d: " % i + " ".join("%5d" % v
                                           for v in lut[i:i + 8]) + "\n")
    res = subprocess.run([tool, "--key", key.hex(), "--lut-file", lutf,
                          pcap], check=True, capture_output=True, text=True)
    rows = []
    for line in res.stdout.splitlines():
        f = line.split("\t")
        if len(f) != 5:
            raise SystemExit("%s: bad line %r" % (tool, line))
        rows.append((f[1], 0 if f[3] == "-" else int(f[3], 16),
                     -1 if f[4] == "-" else int(f[4]),
                     f[3] != "-"))
    return rows


def cbytes(b):
    return ",".join("0x%02x" % x for x in b)


def main():
    tool, outdir, pcaps = sys.argv[1], sys.argv[2], sys.argv[3:]
    syn = synthetic()
    synpcap = os.path.join(outdir, "synthetic.pcap")
    write_pcap(synpcap, [s[1] for s in syn])

    frames = []	 # (name, bytes, strip_vlan, pcap, index)
    for p in pcaps:
        for i, fr in enumerate(read_pcap(p)):
            frames.append(("%s:%d" % (os.path.basename(p), i + 1), fr,
                           False, p, i))
    for i, (name, fr, strip) in enumerate(syn):
        frames.append((name, fr, strip, synpcap, i))

    expect = []
    for ci, (_, key, lut) in enumerate(CONFIGS):
        cache, rows = {}, []
        for _, _, _, p, i in frames:
            if p not in cache:
                cache[p] = run_tool(tool, p, key, lut, outdir, ci)
            rows.append(cache[p][i])
        expect.append(rows)

    o = []
    o.append("/* SPDX-License-Identifier: GPL-2.0 */")
    o.append("/* Generated by tests/kernel/gen-frames.py; do not edit. */")
    o.append("#define X722_NQ %d" % NQ)
    o.append("#define X722_NFRAMES %d" % len(frames))
    o.append("#define X722_NCONFIGS %d" % len(CONFIGS))
    for i, (name, fr, strip, _, _) in enumerate(frames):
        o.append("static const u8 x722_frame%d[] = { %s };" % (i, cbytes(fr)))
    o.append("static const struct x722_frame x722_frames[] = {")
    for i, (name, fr, strip, _, _) in enumerate(frames):
        o.append('\t{ "%s", x722_frame%d, %d, %d, %d },'
                 % (name, i, len(fr), ptype(fr), int(strip)))
    o.append("};")
    o.append("static const struct x722_config x722_configs[] = {")
    for name, key, lut in CONFIGS:
        o.append('\t{ "%s", { %s },\n\t  { %s } },'
                 % (name, cbytes(key), cbytes(lut)))
    o.append("};")
    o.append("static const struct x722_expect "
             "x722_expect[X722_NCONFIGS][X722_NFRAMES] = {")
    for rows in expect:
        o.append("\t{")
        for cls, h, q, hashed in rows:
            o.append("\t\t{ 0x%08x, %d, %d, %d }," % (h, q, int(hashed),
                                                    CLASSES.index(cls)))
        o.append("\t},")
    o.append("};")
    with open(os.path.join(outdir, "x722_rx_frames.h"), "w") as fh:
        fh.write("\n".join(o) + "\n")


if __name__ == "__main__":
    main()
