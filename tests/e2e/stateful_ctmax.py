#!/usr/bin/env python3
"""Conntrack table size option and `bnft list ct stats` (issue 4).

  stateful_ctmax.py HOST_NS PEER_NS PIN BNFT

PIN is an empty bpffs; bnft runs without a daemon (BNFT_NO_DAEMON=1, so
that each command's --ct-max reaches the loader). Checks:
  * `bnft --ct-max 3000 -f` creates a table of 3000 entries (map info and
    `list ct stats` agree);
  * after 4000 new UDP flows `list ct stats` shows the table's use (equal
    to a walk of the pinned map), at most 3000 entries, the inserts (at
    least 95% of the flows sent: veth may drop some at full rate) and
    evictions >= inserts - 3000;
  * `flush ruleset` keeps the conntrack pins, the next load reuses the
    same table (same map id, same entries);
  * `--ct-max 6000` at the load after a flush replaces the table (new map
    id, 6000 entries) with every flow copied;
  * a later load without the option keeps the table's size.
Prints "ok|FAIL NAME: detail" lines; exit 0 only if all passed.
"""
import os
import re
import socket
import struct
import subprocess
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import stateful_ctlru as lru  # noqa: E402

RULESET = os.path.join(HERE, "stateful_ctlru.nft")


def bnft(host, b, pin, *args, ct_max=None):
	env = dict(os.environ, BNFT_NO_DAEMON="1")
	env.pop("BNFT_CT_MAX", None)
	cmd = ["ip", "netns", "exec", host, b, "--pin-root", pin]
	if ct_max:
		cmd += ["--ct-max", str(ct_max)]
	p = subprocess.run(cmd + list(args), capture_output=True, text=True, env=env, timeout=60)
	return p.returncode, p.stdout + p.stderr


def stats(host, b, pin):
	rc, out = bnft(host, b, pin, "list", "ct", "stats")
	m = re.search(r"^entries (\d+) max (\d+) evicted (\d+)$", out, re.M)
	ins = sum(int(x) for x in re.findall(r" insert=(\d+)", out))
	exp = sum(int(x) for x in re.findall(r" expired=(\d+)", out))
	dele = sum(int(x) for x in re.findall(r" deleted=(\d+)", out))
	if rc or not m:
		return None
	return {"entries": int(m.group(1)), "max": int(m.group(2)), "evicted": int(m.group(3)),
		"insert": ins, "expired": exp, "deleted": dele}


def table(pin):
	fd = lru.obj_get(os.path.join(pin, "ct"))
	_, mid, ksize, _, maxent = lru.map_info(fd)
	n = len(lru.map_keys(fd, ksize))
	os.close(fd)
	return mid, maxent, n


def send_flows(host, peer, total):
	import json
	hmac, pmac = (json.loads(subprocess.run(["ip", "-n", ns, "-j", "link", "show", "veth0"],
						capture_output=True, text=True).stdout)[0]["address"]
		      for ns in (host, peer))
	with lru.NetNs(peer):
		tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
		tx.bind(("veth0", 0))
	eth = bytes.fromhex(hmac.replace(":", "")) + bytes.fromhex(pmac.replace(":", "")) + \
		b"\x08\x00"
	dst = socket.inet_aton("10.88.0.1")
	for i in range(total):
		a, port = lru.flow_addr(i)
		src = socket.inet_aton(a)
		udp = struct.pack("!HHHH", port, 53, 8, 0)
		ck = lru.csum16(src + dst + struct.pack("!BBH", 0, 17, 8) + udp)
		udp = udp[:6] + struct.pack("!H", ck or 0xFFFF)
		ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, i & 0xFFFF, 0, 64, 17, 0, src, dst)
		ip = ip[:10] + struct.pack("!H", lru.csum16(ip)) + ip[12:]
		tx.send(eth + ip + udp)
		if i % 500 == 499:
			time.sleep(0.01)  # below the veth backlog
	tx.close()


def main():
	host, peer, pin, b = sys.argv[1:5]
	check = lru.check
	rc, out = bnft(host, b, pin, "-f", RULESET, ct_max=3000)
	check("load with --ct-max 3000", rc == 0, out.strip()[:200])
	mid, maxent, _ = table(pin)
	st = stats(host, b, pin)
	check("table created with 3000 entries", maxent == 3000 and st and st["max"] == 3000,
	      "map max_entries %d, list ct stats %s" % (maxent, st))
	send_flows(host, peer, 4000)
	time.sleep(0.2)
	_, _, live = table(pin)
	st = stats(host, b, pin) or {}
	check("list ct stats entries = table walk", st.get("entries") == live,
	      "stats %s, walk %d" % (st, live))
	check("at most max entries", live <= 3000, "%d" % live)
	check("inserts counted", st.get("insert", 0) >= 3800 and st.get("insert", 0) <= 4000,
	      "insert %s of 4000 sent" % st.get("insert"))
	check("evictions shown", st.get("evicted", -1) >= st.get("insert", 0) - 3000 and
	      st.get("evicted") == st.get("insert", 0) - st.get("expired", 0) -
	      st.get("deleted", 0) - live, "evicted %s" % st.get("evicted"))
	rc, out = bnft(host, b, pin, "flush", "ruleset")
	kept = all(os.path.exists(os.path.join(pin, n)) for n in
		   ("ct", "ct_pkt", "ct_cfg", "ct_stats", "reject_cfg", "reject_peers"))
	gone = not os.path.exists(os.path.join(pin, "conf"))
	check("flush ruleset keeps the conntrack pins", rc == 0 and kept and gone,
	      "rc %d, %s" % (rc, sorted(os.listdir(pin))))
	rc, out = bnft(host, b, pin, "-f", RULESET, ct_max=3000)
	mid2, max2, live2 = table(pin)
	check("reload reuses the table", rc == 0 and mid2 == mid and live2 == live,
	      "map id %d -> %d, entries %d -> %d" % (mid, mid2, live, live2))
	bnft(host, b, pin, "flush", "ruleset")
	rc, out = bnft(host, b, pin, "-f", RULESET, ct_max=6000)
	mid3, max3, live3 = table(pin)
	check("--ct-max 6000 after a flush resizes, flows copied",
	      rc == 0 and mid3 != mid and max3 == 6000 and live3 == live,
	      "map id %d -> %d, max %d, entries %d -> %d" % (mid, mid3, max3, live, live3))
	rc, out = bnft(host, b, pin, "-f", RULESET)
	mid4, max4, _ = table(pin)
	check("a load without --ct-max keeps the size", rc == 0 and mid4 == mid3 and max4 == 6000,
	      "map id %d, max %d" % (mid4, max4))
	bnft(host, b, pin, "flush", "ruleset")
	print("ctmax: %d checks, %d failed" % (len(lru.results), lru.results.count(False)))
	return 0 if all(lru.results) else 1


if __name__ == "__main__":
	sys.exit(main())
