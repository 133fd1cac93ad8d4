#!/usr/bin/env python3
"""Probe one TCP port: prints passed/dropped. usage: probe.py DST PORT [SRC]"""
import socket
import sys

dst, port = sys.argv[1], int(sys.argv[2])
src = sys.argv[3] if len(sys.argv) > 3 else None
s = socket.socket()
s.settimeout(1.0)
if src:
    s.bind((src, 0))
try:
    s.connect((dst, port))
    print("passed (connected)")
except ConnectionRefusedError:
    print("passed (refused: nothing listens there)")
except OSError:
    print("dropped (no answer)")
