#!/usr/bin/env python3
"""Conntrack table size and LRU eviction of bnft (issue 4).

  stateful_ctlru.py HOST_NS PEER_NS PIN [EXTRA]

HOST_NS runs bnft (pin root PIN) with a ruleset that tracks connections;
PEER_NS is the other end of veth0. Checks:
  * the table (pinned map `ct`) has max_entries = the netns'
    net.netfilter.nf_conntrack_max (the kernel's own limit, what the loader
    sizes it by);
  * after max_entries + EXTRA (default 20000) new UDP flows, the table
    holds at most max_entries, the eviction count derived from the
    `ct_stats` counters (CREATED - EXPIRED - DELETED - live entries, see
    bpf/lib/ct_abi.h) is at least EXTRA, and the evicted flows are the
    least recently used ones: every one of the last 2000 flows is still
    there, at least 95% of the first 2000 are gone.
Prints "ok|FAIL NAME: detail" lines; exit 0 only if all passed.
"""
import ctypes
import json
import os
import socket
import struct
import subprocess
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "diff"))
from nsio import NetNs  # noqa: E402
from pkt import csum16  # noqa: E402

_libc = ctypes.CDLL(None, use_errno=True)
SYS_BPF = 321
LOOKUP, NEXT_KEY, OBJ_GET, GET_INFO = 1, 4, 7, 15
results = []


def check(name, ok, detail=""):
	results.append(ok)
	print("%s %s%s" % ("ok" if ok else "FAIL", name, ": " + detail if detail else ""))


def bpf(cmd, attr, size=128):
	buf = ctypes.create_string_buffer(bytes(attr), size)
	r = _libc.syscall(SYS_BPF, cmd, buf, size)
	return r, ctypes.get_errno(), buf


def obj_get(path):
	p = ctypes.create_string_buffer(path.encode())
	fd, err, _ = bpf(OBJ_GET, struct.pack("=QII", ctypes.addressof(p), 0, 0))
	if fd < 0:
		raise OSError(err, "bpf_obj_get %s" % path)
	return fd


def map_info(fd):
	"""(type, key_size, value_size, max_entries) of a map fd."""
	info = ctypes.create_string_buffer(88)
	r, err, _ = bpf(GET_INFO, struct.pack("=IIQ", fd, 88, ctypes.addressof(info)))
	if r < 0:
		raise OSError(err, "map info")
	return struct.unpack_from("=IIIII", info.raw, 0)[:5]


def map_keys(fd, ksize):
	k = ctypes.create_string_buffer(ksize)
	prev = None
	out = []
	while True:
		attr = struct.pack("=IIQQ", fd, 0, ctypes.addressof(prev) if prev else 0,
				   ctypes.addressof(k))
		r, _, _ = bpf(NEXT_KEY, attr)
		if r < 0:
			return out
		out.append(k.raw)
		prev = ctypes.create_string_buffer(k.raw, ksize)


def percpu_u64(fd, key, ncpu):
	k = ctypes.create_string_buffer(struct.pack("=I", key), 4)
	v = ctypes.create_string_buffer(8 * ncpu)
	r, err, _ = bpf(LOOKUP, struct.pack("=IIQQ", fd, 0, ctypes.addressof(k), ctypes.addressof(v)))
	if r < 0:
		raise OSError(err, "lookup")
	return sum(struct.unpack("=%dQ" % ncpu, v.raw))


def ncpus():
	s = open("/sys/devices/system/cpu/possible").read().strip()
	n = 0
	for part in s.split(","):
		a, _, b = part.partition("-")
		n += int(b or a) - int(a) + 1
	return n


def flow_addr(i):
	return "10.89.%d.%d" % (i // 60000, 1 + (i // 250) % 240), 1024 + i % 60000


def main():
	host, peer, pin = sys.argv[1:4]
	extra = int(sys.argv[4]) if len(sys.argv) > 4 else 20000
	ct = obj_get(os.path.join(pin, "ct"))
	_, _, ksize, _, maxent = map_info(ct)
	out = subprocess.run(["ip", "netns", "exec", host, "cat",
			      "/proc/sys/net/netfilter/nf_conntrack_max"],
			     capture_output=True, text=True).stdout.strip()
	check("table size = nf_conntrack_max", out.isdigit() and int(out) == maxent,
	      "max_entries %d, nf_conntrack_max %s" % (maxent, out))
	stats = obj_get(os.path.join(pin, "ct_stats"))
	ncpu = ncpus()
	hmac, pmac = (json.loads(subprocess.run(["ip", "-n", ns, "-j", "link", "show", "veth0"],
						capture_output=True, text=True).stdout)[0]["address"]
		      for ns in (host, peer))
	with NetNs(peer):
		tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
		tx.bind(("veth0", 0))
	eth = bytes.fromhex(hmac.replace(":", "")) + bytes.fromhex(pmac.replace(":", "")) + \
		b"\x08\x00"
	dst = socket.inet_aton("10.88.0.1")
	total = maxent + extra
	t0 = time.time()
	for i in range(total):
		a, port = flow_addr(i)
		src = socket.inet_aton(a)
		udp = struct.pack("!HHHH", port, 53, 8, 0)
		ck = csum16(src + dst + struct.pack("!BBH", 0, 17, 8) + udp)
		udp = udp[:6] + struct.pack("!H", ck or 0xFFFF)
		ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, i & 0xFFFF, 0, 64, 17, 0, src, dst)
		ip = ip[:10] + struct.pack("!H", csum16(ip)) + ip[12:]
		tx.send(eth + ip + udp)
	dt = time.time() - t0
	keys = map_keys(ct, ksize)
	live = len(keys)
	created, expired, deleted = (percpu_u64(stats, k, ncpu) for k in (3, 5, 6))
	evicted = created - expired - deleted - live
	check("flows sent", True, "%d new UDP flows in %.1f s" % (total, dt))
	check("table holds at most max_entries", live <= maxent, "%d live" % live)
	check("evictions counted", evicted >= extra,
	      "created %d expired %d deleted %d live %d -> evicted %d (>= %d)" %
	      (created, expired, deleted, live, evicted, extra))
	present = set()
	for k in keys:
		lo, hi = k[0:4], k[16:20]
		lop, hip = struct.unpack_from("!HH", k, 32)
		if lop == 53:
			present.add((socket.inet_ntoa(hi), hip))
		else:
			present.add((socket.inet_ntoa(lo), lop))
	last = sum(1 for i in range(total - 2000, total) if flow_addr(i) in present)
	first = sum(1 for i in range(2000) if flow_addr(i) in present)
	check("newest flows kept", last == 2000, "%d of the last 2000 present" % last)
	check("least recently used evicted", first <= 100, "%d of the first 2000 present" % first)
	print("ctlru: %d checks, %d failed" % (len(results), results.count(False)))
	return 0 if all(results) else 1


if __name__ == "__main__":
	sys.exit(main())
