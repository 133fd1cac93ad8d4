#!/usr/bin/env python3
# Multicast/broadcast frames for tests/tier-mcast.sh, written with
# AF_PACKET on the named interfaces (one copy each per interface).
#   send.py COUNT IFACE...
import socket
import struct
import sys

SRC_MAC = bytes.fromhex("02000000aa01")
SRC4 = "192.0.2.2"
SRC6 = "fe80::aa01"


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def mac4(d):
    if d == "255.255.255.255" or d.endswith(".255"):
        return b"\xff" * 6
    b = socket.inet_aton(d)
    return bytes([0x01, 0x00, 0x5E, b[1] & 0x7F, b[2], b[3]])


def mac6(d):
    return b"\x33\x33" + socket.inet_pton(socket.AF_INET6, d)[12:]


def udp4(src, dst, proto=17):
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    if proto == 2:  # IGMPv2 report for dst
        l4 = struct.pack("!BBH4s", 0x16, 0, 0, d)
        l4 = l4[:2] + struct.pack("!H", csum(l4)) + l4[4:]
    else:
        pl = b"BnMc"
        l4 = struct.pack("!HHHH", 4000, 4001, 8 + len(pl), 0) + pl
        c = csum(s + d + struct.pack("!BBH", 0, 17, len(l4)) + l4) or 0xFFFF
        l4 = l4[:6] + struct.pack("!H", c) + l4[8:]
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0, 1, proto, 0, s, d)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return mac4(dst) + SRC_MAC + b"\x08\x00" + h + l4


def icmp6(src, dst, typ, body):
    s = socket.inet_pton(socket.AF_INET6, src)
    d = socket.inet_pton(socket.AF_INET6, dst)
    l4 = struct.pack("!BBH", typ, 0, 0) + body
    c = csum(s + d + struct.pack("!IxxxB", len(l4), 58) + l4)
    l4 = l4[:2] + struct.pack("!H", c) + l4[4:]
    h = struct.pack("!IHBB16s16s", 6 << 28, len(l4), 58, 255, s, d)
    return mac6(dst) + SRC_MAC + b"\x86\xdd" + h + l4


def udp6(src, dst):
    s = socket.inet_pton(socket.AF_INET6, src)
    d = socket.inet_pton(socket.AF_INET6, dst)
    pl = b"BnMc"
    l4 = struct.pack("!HHHH", 4000, 4001, 8 + len(pl), 0) + pl
    c = csum(s + d + struct.pack("!IxxxB", len(l4), 17) + l4) or 0xFFFF
    l4 = l4[:6] + struct.pack("!H", c) + l4[8:]
    h = struct.pack("!IHBB16s16s", 6 << 28, len(l4), 17, 1, s, d)
    return mac6(dst) + SRC_MAC + b"\x86\xdd" + h + l4


def ns(target):
    t = socket.inet_pton(socket.AF_INET6, target)
    snm = "ff02::1:ff%02x:%02x%02x" % (t[13], t[14], t[15])
    return icmp6(SRC6, snm, 135, b"\0" * 4 + t)


def mld(group):
    g = socket.inet_pton(socket.AF_INET6, group)
    return icmp6(SRC6, group, 131, struct.pack("!HH", 0, 0) + g)


FRAMES = [
    icmp6(SRC6, "ff02::1", 128, b"\0\1\0\1BnMc"),      # all nodes: joined
    ns("2001:db8:1::1"),                              # own solicited-node
    ns("2001:db8:1::99"),                             # another host's
    icmp6(SRC6, "ff02::2", 133, b"\0" * 4),           # RS, not a router
    mld("ff05::5"),                                   # MLD for unjoined
    udp6(SRC6, "ff05::4"),                            # joined by a socket
    udp6(SRC6, "ff05::5"),                            # not joined
    udp4(SRC4, "224.0.0.1"),                          # all hosts: joined
    udp4(SRC4, "239.1.2.4"),                          # joined by a socket
    udp4(SRC4, "239.1.2.3"),                          # not joined
    udp4(SRC4, "239.1.2.3", proto=2),                 # IGMP report, unjoined
    udp4("0.0.0.0", "239.1.2.4"),                     # joined, source 0
    udp6(SRC6, "ff05::6"),                            # joined late
    udp4(SRC4, "239.1.2.5"),                          # joined late
    udp4(SRC4, "255.255.255.255"),                    # limited broadcast
    udp4(SRC4, "192.0.2.255"),                        # subnet broadcast
]

count = int(sys.argv[1])
for ifn in sys.argv[2:]:
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifn, 0))
    for _ in range(count):
        for f in FRAMES:
            s.send(f)
    s.close()
