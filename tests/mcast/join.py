#!/usr/bin/env python3
# Joins 239.1.2.4 and ff05::4 on IFACE, says "ready", holds them for at
# most SECONDS (tests/tier-mcast.sh kills it earlier by pid).
import socket
import struct
import sys
import time

ifn, secs = sys.argv[1], float(sys.argv[2])
idx = socket.if_nametoindex(ifn)
s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
mreqn = socket.inet_aton("239.1.2.4") + socket.inet_aton("0.0.0.0") + struct.pack("i", idx)
s4.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreqn)
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
mreq6 = socket.inet_pton(socket.AF_INET6, "ff05::4") + struct.pack("I", idx)
s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq6)
print("ready", flush=True)
time.sleep(secs)
