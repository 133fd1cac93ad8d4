#!/usr/bin/env python3
"""Bounded numbered-datagram flow for the daemon tier.

send ADDR PORT RATE SECONDS : sends ids 0..N-1 (8-byte big endian) at RATE/s
                              (until $FLOW_STOP exists), prints the number sent.
recv PORT OUT IDLE MAXSECS  : counts distinct ids until IDLE seconds without a
                              datagram after the first one (or MAXSECS), writes
                              "received duplicates max_id" to OUT.
"""
import os
import socket
import struct
import sys
import time


def send(addr, port, rate, secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    n = int(rate * secs)
    t0 = time.monotonic()
    stop = os.environ.get("FLOW_STOP")
    for i in range(n):
        if stop and i % 200 == 0 and os.path.exists(stop):
            n = i
            break
        due = t0 + i / rate
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
        s.sendto(struct.pack("!Q", i) + b"x" * 56, (addr, port))
    print(n)


def recv(port, out, idle, maxsecs):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind(("0.0.0.0", port))
    seen = set()
    dups = 0
    t_end = time.monotonic() + maxsecs
    s.settimeout(1.0)
    with open(out + ".ready", "w") as f:
        f.write("1")
    last = None
    while time.monotonic() < t_end:
        try:
            d = s.recv(2048)
        except socket.timeout:
            if last is not None and time.monotonic() - last > idle:
                break
            continue
        last = time.monotonic()
        if len(d) < 8:
            continue
        i = struct.unpack("!Q", d[:8])[0]
        if i in seen:
            dups += 1
        seen.add(i)
    with open(out, "w") as f:
        f.write("%d %d %d\n" % (len(seen), dups, max(seen) if seen else -1))


if __name__ == "__main__":
    if sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]))
    else:
        recv(int(sys.argv[2]), sys.argv[3], float(sys.argv[4]), float(sys.argv[5]))
