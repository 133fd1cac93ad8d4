#!/usr/bin/env python3
"""Swap the live ruleset between two files as many times as fit.

swap_loop.py OUT MAX_SWAPS MAX_SECS FILE_A FILE_B -- BNFT ARGS...
Runs `BNFT ARGS -f FILE` alternating A, B with BNFT_CLIENT_STATS=1, and
writes to OUT: swaps failures, then client and daemon-commit latency
percentiles in microseconds (min median p99 max), then the same of the
wait for the old generation to drain (part of the commit).
"""
import os
import re
import subprocess
import sys
import time


def pct(v, p):
    if not v:
        return 0
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def main():
    out, nmax, secs, fa, fb = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
    cmd = sys.argv[sys.argv.index("--") + 1:]
    env = dict(os.environ, BNFT_CLIENT_STATS="1")
    cli, com, drain = [], [], []
    fails = 0
    t_end = time.monotonic() + secs
    i = 0
    while i < nmax and time.monotonic() < t_end:
        f = fa if i % 2 == 0 else fb
        t0 = time.monotonic()
        p = subprocess.run(cmd + ["-f", f], env=env, capture_output=True, text=True)
        cli.append((time.monotonic() - t0) * 1e6)
        m = re.search(r"commit_ns=(\d+) committed=1", p.stderr)
        if p.returncode != 0 or not m:
            fails += 1
            if fails < 3:
                sys.stderr.write(p.stderr)
        else:
            com.append(int(m.group(1)) / 1000.0)
            d = re.search(r"drain_ns=(\d+)", p.stderr)
            if d:
                drain.append(int(d.group(1)) / 1000.0)
        i += 1
    with open(out, "w") as fo:
        fo.write("%d %d\n" % (i, fails))
        fo.write("%d %d %d %d\n" % tuple(int(pct(cli, p)) for p in (0, 50, 99, 100)))
        fo.write("%d %d %d %d\n" % tuple(int(pct(com, p)) for p in (0, 50, 99, 100)))
        fo.write("%d %d %d %d\n" % tuple(int(pct(drain, p)) for p in (0, 50, 99, 100)))


main()
