#!/usr/bin/env python3
"""Talk to bnftd directly. raw_client.py PIN_ROOT MODE
MODE half: send a request header and part of an item, then disconnect.
MODE junk: send bytes that are not a request, read the answer, disconnect.
MODE hold SECS: connect, send nothing for SECS seconds.
Exit 0 if the connection could be made."""
import socket
import struct
import sys
import time

root, mode = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(b"\0bnftd:" + root.encode())
if mode == "half":
    s.sendall(struct.pack("=IIQ", 1, 0, 4) + struct.pack("=I", 1))
    s.sendall(struct.pack("=IIQ", 5, 0, 1000) + b"table inet x { ")
    s.close()
elif mode == "junk":
    s.sendall(b"\xff" * 64)
    s.settimeout(5)
    try:
        s.recv(4096)
    except OSError:
        pass
    s.close()
elif mode == "hold":
    time.sleep(float(sys.argv[3]))
    s.close()
