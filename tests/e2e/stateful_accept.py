#!/usr/bin/env python3
"""Acceptance test of stateful filtering (issue 4): a host whose input
chain is `ct state established,related accept` + policy drop carries a
real TCP connection and a DNS exchange it starts itself, and drops
unsolicited inbound packets. Run once with the kernel's nft (checks the
scenario itself) and once with bnft.

  stateful_accept.py HOST_NS PEER_NS MODE RULESET [PIN]

HOST_NS: the protected host (10.88.0.1/24, fd88::1/64 on veth0), PEER_NS:
the peer (10.88.0.2, fd88::2): a TCP echo server (port 7), a tiny DNS
responder (UDP 53) and the source of unsolicited traffic. MODE: kernel
(nft -f) or bnft (bnft --pin-root PIN -f). Prints one line per check
"ok|FAIL|skip NAME: detail" and exits 0 only if every check passed.
Every socket has a timeout; the whole run is bounded (about 20 s).
"""
import os
import socket
import struct
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "diff"))
from nsio import NetNs  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HOST4, PEER4, HOST6, PEER6 = "10.88.0.1", "10.88.0.2", "fd88::1", "fd88::2"
results = []


def check(name, ok, detail=""):
	results.append(ok)
	print("%s %s%s" % ("ok" if ok else "FAIL", name, ": " + detail if detail else ""))


def sock_in(ns, fam, typ):
	with NetNs(ns):
		return socket.socket(fam, typ)


class EchoServer(threading.Thread):
	"""TCP echo (port 7) in the peer: echoes everything per connection."""

	def __init__(self, ns, fam, addr):
		super().__init__(daemon=True)
		self.s = sock_in(ns, fam, socket.SOCK_STREAM)
		self.s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
		self.s.bind((addr, 7))
		self.s.listen(4)
		self.s.settimeout(15)

	def run(self):
		try:
			while True:
				c, _ = self.s.accept()
				c.settimeout(10)
				with c:
					while True:
						d = c.recv(65536)
						if not d:
							break
						c.sendall(d)
		except OSError:
			pass


class DnsServer(threading.Thread):
	"""UDP port 53 in the peer: answers any A query with 10.88.0.53."""

	def __init__(self, ns, fam, addr):
		super().__init__(daemon=True)
		self.s = sock_in(ns, fam, socket.SOCK_DGRAM)
		self.s.bind((addr, 53))
		self.s.settimeout(15)

	def run(self):
		try:
			while True:
				q, peer = self.s.recvfrom(512)
				if len(q) < 12:
					continue
				qend = 12
				while qend < len(q) and q[qend]:
					qend += q[qend] + 1
				question = q[12:qend + 5]
				hdr = q[:2] + struct.pack("!HHHHH", 0x8180, 1, 1, 0, 0)
				ans = struct.pack("!HHHLH", 0xC00C, 1, 1, 60, 4) + \
					socket.inet_aton("10.88.0.53")
				self.s.sendto(hdr + question + ans, peer)
		except OSError:
			pass


def dns_query(ns, fam, server, name, qid):
	s = sock_in(ns, fam, socket.SOCK_DGRAM)
	s.settimeout(2)
	q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
	for label in name.split("."):
		q += bytes([len(label)]) + label.encode()
	q += b"\0" + struct.pack("!HH", 1, 1)
	try:
		s.sendto(q, (server, 53))
		r, _ = s.recvfrom(512)
	except OSError as e:
		return "error %s" % e
	finally:
		s.close()
	if struct.unpack("!H", r[:2])[0] != qid:
		return "wrong id"
	return socket.inet_ntoa(r[-4:])


def tcp_transfer(ns, fam, server, nbytes):
	"""Connects from ns to the echo server, sends nbytes, reads them back."""
	s = sock_in(ns, fam, socket.SOCK_STREAM)
	s.settimeout(5)
	data = os.urandom(nbytes)
	got = bytearray()
	try:
		s.connect((server, 7))

		def writer():
			try:
				s.sendall(data)
				s.shutdown(socket.SHUT_WR)
			except OSError:
				pass
		w = threading.Thread(target=writer, daemon=True)
		w.start()
		while len(got) < nbytes:
			d = s.recv(65536)
			if not d:
				break
			got += d
		w.join(5)
	except OSError as e:
		return "error %s after %d bytes" % (e, len(got))
	finally:
		s.close()
	return "ok" if bytes(got) == data else "mismatch (%d of %d bytes)" % (len(got), nbytes)


def unsolicited_tcp(peer_ns, fam, target, port):
	"""The peer connects to a listening socket of the host: must time out."""
	s = sock_in(peer_ns, fam, socket.SOCK_STREAM)
	s.settimeout(1.0)
	try:
		s.connect((target, port))
		return "connected"
	except socket.timeout:
		return "timeout"
	except OSError as e:
		return "error %s" % e.strerror
	finally:
		s.close()


def main():
	host, peer, mode, ruleset = sys.argv[1:5]
	pin = sys.argv[5] if len(sys.argv) > 5 else None
	if mode == "kernel":
		cmd = ["ip", "netns", "exec", host, "nft", "-f", ruleset]
	else:
		cmd = ["ip", "netns", "exec", host, os.environ.get("BNFT_BIN", ROOT + "/build/bnft"),
		       "--pin-root", pin, "-f", ruleset]
	p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
	if p.returncode:
		print("FAIL load (%s): %s" % (mode, (p.stderr or p.stdout).strip()[:300]))
		return 1
	servers = [EchoServer(peer, socket.AF_INET, PEER4), EchoServer(peer, socket.AF_INET6, PEER6),
		   DnsServer(peer, socket.AF_INET, PEER4), DnsServer(peer, socket.AF_INET6, PEER6)]
	for t in servers:
		t.start()
	# listeners of the host that unsolicited traffic aims at
	lst4 = sock_in(host, socket.AF_INET, socket.SOCK_STREAM)
	lst4.bind((HOST4, 8080))
	lst4.listen(4)
	lst6 = sock_in(host, socket.AF_INET6, socket.SOCK_STREAM)
	lst6.bind((HOST6, 8080))
	lst6.listen(4)
	udp_in = sock_in(host, socket.AF_INET, socket.SOCK_DGRAM)
	udp_in.bind((HOST4, 9999))
	udp_in.settimeout(0.5)

	# outbound: TCP connections (small and 2 MB, window scaling, SACK,
	# timestamps of the real stacks), DNS over IPv4 and IPv6
	check("tcp4 echo 1 KB", tcp_transfer(host, socket.AF_INET, PEER4, 1000) == "ok")
	r = tcp_transfer(host, socket.AF_INET, PEER4, 2 << 20)
	check("tcp4 echo 2 MB", r == "ok", r)
	r = tcp_transfer(host, socket.AF_INET6, PEER6, 1 << 20)
	check("tcp6 echo 1 MB", r == "ok", r)
	r = dns_query(host, socket.AF_INET, PEER4, "example.test", 0x1234)
	check("dns over ipv4", r == "10.88.0.53", r)
	r = dns_query(host, socket.AF_INET6, PEER6, "www.example.test", 0x4321)
	check("dns over ipv6", r == "10.88.0.53", r)

	# unsolicited inbound: connections to listening sockets, a datagram
	# to a bound socket, a ping
	r = unsolicited_tcp(peer, socket.AF_INET, HOST4, 8080)
	check("unsolicited tcp4 connect dropped", r == "timeout", r)
	r = unsolicited_tcp(peer, socket.AF_INET6, HOST6, 8080)
	check("unsolicited tcp6 connect dropped", r == "timeout", r)
	s = sock_in(peer, socket.AF_INET, socket.SOCK_DGRAM)
	s.sendto(b"hello", (HOST4, 9999))
	s.close()
	try:
		d = udp_in.recv(100)
		check("unsolicited udp dropped", False, "received %r" % d)
	except socket.timeout:
		check("unsolicited udp dropped", True)
	r = subprocess.run(["ip", "netns", "exec", peer, "ping", "-c", "1", "-W", "1", HOST4],
			   capture_output=True, text=True, timeout=10)
	check("unsolicited ping dropped", r.returncode != 0)
	# the host's own ping gets its reply back (related to its own request)
	r = subprocess.run(["ip", "netns", "exec", host, "ping", "-c", "1", "-W", "2", PEER4],
			   capture_output=True, text=True, timeout=10)
	check("host ping answered", r.returncode == 0)
	# after everything, the flows still work (state survived the drops)
	r = dns_query(host, socket.AF_INET, PEER4, "again.test", 0x7777)
	check("dns again", r == "10.88.0.53", r)
	# the drop counter counted the unsolicited packets (SYN retries too)
	if mode == "kernel":
		c = ["ip", "netns", "exec", host, "nft", "list", "chain", "inet", "filter", "input"]
	else:
		c = ["ip", "netns", "exec", host, os.environ.get("BNFT_BIN", ROOT + "/build/bnft"),
		     "--pin-root", pin, "list", "chain", "inet", "filter", "input"]
	out = subprocess.run(c, capture_output=True, text=True, timeout=30).stdout
	import re
	m = re.search(r'counter packets (\d+) bytes \d+ comment "unsolicited"', out)
	n = int(m.group(1)) if m else -1
	check("unsolicited counted", n >= 4, "counter %d" % n)
	for x in (lst4, lst6, udp_in):
		x.close()
	for t in servers:
		t.s.close()
	print("%s: %d checks, %d failed" % (mode, len(results), results.count(False)))
	return 0 if all(results) else 1


if __name__ == "__main__":
	sys.exit(main())
