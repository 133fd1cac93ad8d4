#!/usr/bin/env python3
# Joins groups on IFACE, says "ready", holds them for at most SECONDS
# (tests/tier-mcast.sh kills it earlier by pid).
#   join.py IFACE SECONDS GROUP...
import socket
import struct
import sys
import time

ifn, secs = sys.argv[1], float(sys.argv[2])
idx = socket.if_nametoindex(ifn)
socks = []
for g in sys.argv[3:]:
    if ":" in g:
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        mreq = socket.inet_pton(socket.AF_INET6, g) + struct.pack("I", idx)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq)
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        mreq = socket.inet_aton(g) + socket.inet_aton("0.0.0.0") + struct.pack("i", idx)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    socks.append(s)
print("ready", flush=True)
time.sleep(secs)
