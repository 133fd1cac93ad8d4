#!/usr/bin/env python3
"""Stateful differential cases: the same ruleset in the kernel's nf_tables
(reference netns) and in the system under test, the same ORDERED packet
sequence through both (each step sent to the reference, then to the SUT),
per-step verdicts, reply packets (byte for byte, normalised) and final
counters compared. Uses the namespaces of tests/diff/netns.sh and the
observers of difftest.py/nsio.py. See tests/diff/README.md "Stateful".

A stateful ruleset (tests/diff/stateful/*.nft) carries its sequence in
comment lines starting with "#>":

  #> flow NAME tcp|udp PEER PEER_PORT LOCAL LOCAL_PORT [if=1]
  #> flow NAME icmp|icmpv6 PEER ID LOCAL [if=1]
  #> NAME in|out ...     one packet; "in" = peer -> local (sent by the
                         generator, judged by local delivery), "out" =
                         local -> peer (sent from inside the receiver by a
                         raw socket, judged on the generator's wire)
       tcp:  FLAGS (S, SA, A, PA, FA, R, RA, ...) [len=N] [seq=+N|-N]
             [ack=+N|-N] [win=N] [ws=N] [noadv]
             seq/ack follow each endpoint's next sequence number (ISN
             1000000 peer, 5000000 local); an explicit offset or noadv
             does not advance it
       udp:  [len=N]
       icmp: req | rep  (echo request/reply, sequence numbers counted)
       any:  err TYPE CODE [from=ADDR]  ICMP(v6) error quoting the flow's
             last packet sent the other way
  #> raw in|out tcp|udp|icmp|icmpv6 SRC DST [sport dport|type code] [flags]
       any:  frag=N / frag=Nr: sent as N IP fragments (reversed: r);
             ext=1: IPv4 options / an IPv6 hop-by-hop header before L4;
             len=4200 makes a frame of more than PAGE_SIZE, which AF_PACKET
             sends as a non-linear skb (only the Ethernet header linear)
  #> reload FILE        ruleset swap: `-f FILE` on both sides, state kept
  #> flush              `flush ruleset` on both sides (e.g. a service stop
                         before a reload)
  #> ct-timeouts NAME=SECONDS...  (udp, udp_stream, icmp, icmpv6, generic,
                         tcp_STATE) kernel sysctls and bnft's ct_cfg alike
  #> sysctl NAME=VALUE...  set in the reference's AND the SUT's netns
                         before the ruleset is loaded (bnft's loader reads
                         them at every load), restored after the ruleset
  #> burst N STEP...     N copies sent back to back, judged together (the
                         replies compared as one list): no time for a token
                         bucket to refill between them
  #> sleep SECONDS
  #> repeat N STEP...
  #> known REASON       a documented SUT gap: disagreement is reported as
                         KNOWN and counted as skipped
  #> tolerance N        (limit rulesets) up to N verdicts and N packets of
                         any counter may differ; the ruleset says why

Every packet carries "BnFd" + a 32-bit id (TCP: in an experimental option
kind 254, so that segments without data are identifiable; others: in the
payload). Replies (frames leaving the receivers that are not the harness's
own "out" packets: reject replies, the stack's RSTs and ICMP errors for
peers in 10.77.0.0/16 / fd77::/16, which are routed out of veth0) are
collected after every step and compared after normalising what the kernel
legitimately varies: the IPv4 ID (hash-based in icmp_send/ip_select_ident),
the IPv6 flow label (auto flow labels), and a TCP/UDP checksum left
CHECKSUM_PARTIAL by the kernel on veth (a valid and a partial checksum
compare equal; a wrong one does not). Other peers' replies are blackholed
in both receivers (netns.sh), as in the stateless harness.
"""
import argparse
import ctypes
import ipaddress
import os
import re
import select
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import difftest  # noqa: E402
import pkt  # noqa: E402
import nsio  # noqa: E402
from pkt import MAGIC, crc32c, csum16, find_id  # noqa: E402
from cases import FWD4, FWD6  # noqa: E402

REPLY4 = "10.77.0.0/16"
REPLY6 = "fd77::/16"
ISN = {"peer": 1000000, "local": 5000000}
TCPF = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10, "U": 0x20, "E": 0x40,
	"C": 0x80}
ETH_P_ALL = 3
QUIET = float(os.environ.get("STATEFUL_QUIET", "0.005"))


MAC_IF2 = bytes.fromhex("02b00f000012")


def routed(addr):
	"""True for the receivers' forwarded ranges (netns.sh: out of veth2)."""
	a = ipaddress.ip_address(addr)
	return a in (FWD4 if a.version == 4 else FWD6)


def parse_flags(s):
	v = 0
	for ch in s:
		if ch not in TCPF:
			raise ValueError("bad TCP flag %r in %r" % (ch, s))
		v |= TCPF[ch]
	return v


def ip_hdr(fam, src, dst, proto, l4, pid, ttl=64):
	s, d = ipaddress.ip_address(src).packed, ipaddress.ip_address(dst).packed
	if fam == 4:
		h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), pid & 0xFFFF, 0, ttl, proto,
				0, s, d)
		return h[:10] + struct.pack("!H", csum16(h)) + h[12:] + l4
	return struct.pack("!IHBB16s16s", 6 << 28, len(l4), proto, ttl, s, d) + l4


def add_ext(l3, kind):
	"""IPv4 options (NOP NOP NOP EOL, IHL 6) or an IPv6 hop-by-hop header
	(8 bytes, PadN) in front of L4; L4 checksums are unchanged."""
	if l3[0] >> 4 == 4:
		h = bytearray(l3[:20] + b"\x01\x01\x01\x00")
		h[0] = 0x46
		struct.pack_into("!H", h, 2, len(l3) + 4)
		struct.pack_into("!H", h, 10, 0)
		struct.pack_into("!H", h, 10, csum16(bytes(h)))
		return bytes(h) + l3[20:]
	h = bytearray(l3[:40])
	nh = h[6]
	h[6] = 0
	struct.pack_into("!H", h, 4, len(l3) - 40 + 8)
	return bytes(h) + struct.pack("!BBBB4x", nh, 0, 1, 4) + l3[40:]


def pseudo(fam, src, dst, proto, ln):
	s, d = ipaddress.ip_address(src).packed, ipaddress.ip_address(dst).packed
	if fam == 4:
		return s + d + struct.pack("!BBH", 0, proto, ln)
	return s + d + struct.pack("!IxxxB", ln, proto)


def l4_csum(fam, src, dst, proto, seg, off):
	ck = csum16(pseudo(fam, src, dst, proto, len(seg)) + seg)
	if proto == 17 and ck == 0:
		ck = 0xFFFF
	return seg[:off] + struct.pack("!H", ck) + seg[off + 2:]


def tcp_pkt(fam, src, dst, sport, dport, flags, seq, ack, pid, dlen=0, win=65535, ws=None):
	opts = struct.pack("!BB", 254, 10) + MAGIC + struct.pack("!I", pid) + b"\x01\x01"
	if ws is not None:
		opts += struct.pack("!BBBB", 1, 3, 3, ws)
	doff = (20 + len(opts)) // 4
	seg = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
			  doff << 4, flags, win, 0, 0) + opts + bytes(dlen)
	return ip_hdr(fam, src, dst, 6, l4_csum(fam, src, dst, 6, seg, 16), pid)


def udp_pkt(fam, src, dst, sport, dport, pid, dlen=0):
	body = MAGIC + struct.pack("!I", pid) + bytes(dlen)
	seg = struct.pack("!HHHH", sport, dport, 8 + len(body), 0) + body
	return ip_hdr(fam, src, dst, 17, l4_csum(fam, src, dst, 17, seg, 6), pid)


def icmp_pkt(fam, src, dst, itype, code, rest, body, pid):
	seg = struct.pack("!BBH", itype, code, 0) + rest + body
	if fam == 4:
		seg = seg[:2] + struct.pack("!H", csum16(seg)) + seg[4:]
		return ip_hdr(4, src, dst, 1, seg, pid)
	return ip_hdr(6, src, dst, 58, l4_csum(6, src, dst, 58, seg, 2), pid)


SCTP_CHUNKS = {"data": 0, "init": 1, "init_ack": 2, "sack": 3, "heartbeat": 4,
	       "heartbeat_ack": 5, "abort": 6, "error": 9, "shutdown": 7, "shutdown_ack": 8, "cookie_echo": 10,
	       "cookie_ack": 11, "shutdown_complete": 14}


def sctp_pkt(fam, src, dst, sport, dport, chunks, pid, vtag, tag, cflags=0):
	"""SCTP chunks "a+b+...": INIT/INIT_ACK (init tag `tag`), DATA, and the
	others with no fields; the first chunk carries the id (an INIT
	parameter, DATA user data, else the chunk's value) and `cflags`."""
	out = b""
	for k, name in enumerate(chunks.split("+")):
		t = SCTP_CHUNKS[name]
		idp = MAGIC + struct.pack("!I", pid) if k == 0 else b""
		if t in (1, 2):
			body = struct.pack("!IIHHI", tag, 65535, 1, 1, 1000) + \
				(struct.pack("!HH", 0x8008, 12) + idp if idp else b"")
		elif t == 0:
			body = struct.pack("!IHHI", 1000 + k, 0, 0, 0) + (idp or b"data")
		elif t in (4, 5):
			body = struct.pack("!HH", 1, 4 + len(idp or b"hbhb")) + (idp or b"hbhb")
		else:
			body = idp
		fl = (3 if t == 0 else 0) | (cflags if k == 0 else 0)
		ch = struct.pack("!BBH", t, fl, 4 + len(body)) + body
		out += ch + bytes(-len(ch) % 4)
	seg = struct.pack("!HHII", sport, dport, vtag, 0) + out
	seg = seg[:8] + struct.pack("<I", crc32c(seg)) + seg[12:]
	return ip_hdr(fam, src, dst, 132, seg, pid)


def echo_pkt(fam, src, dst, reply, ident, seq, pid, dlen=0):
	t = (0 if reply else 8) if fam == 4 else (129 if reply else 128)
	return icmp_pkt(fam, src, dst, t, 0, struct.pack("!HH", ident, seq),
			MAGIC + struct.pack("!I", pid) + bytes(dlen), pid)


class Flow:
	def __init__(self, name, f):
		self.name = name
		self.proto = f[0]
		if self.proto in ("tcp", "udp"):
			self.peer, self.pport, self.local, self.lport = f[1], int(f[2]), f[3], int(f[4])
			rest = f[5:]
		elif self.proto in ("icmp", "icmpv6"):
			self.peer, self.ident, self.local = f[1], int(f[2]), f[3]
			self.pport = self.lport = 0
			rest = f[4:]
		else:
			raise ValueError("flow %s: protocol %s" % (name, self.proto))
		self.fam = ipaddress.ip_address(self.peer).version
		self.iface = 0
		for o in rest:
			if o.startswith("if="):
				self.iface = int(o[3:])
			else:
				raise ValueError("flow %s: option %s" % (name, o))
		self.nxt = dict(ISN)
		self.first = None	# "peer" or "local": who sent first
		self.echo_seq = 0
		self.last = {}		# side -> last l3 packet it sent (for errors)


def build_step(flow, direction, args, pid):
	"""l3 bytes and a case dict for one flow step."""
	side = "peer" if direction == "in" else "local"
	other = "local" if side == "peer" else "peer"
	src, dst = (flow.peer, flow.local) if side == "peer" else (flow.local, flow.peer)
	sport, dport = (flow.pport, flow.lport) if side == "peer" else (flow.lport, flow.pport)
	fam = flow.fam
	opts = dict(a.split("=", 1) for a in args if "=" in a)
	flags_ = [a for a in args[1:] if "=" not in a]
	proto = flow.proto
	if args and args[0] == "err":
		itype, code = int(args[1]), int(args[2])
		opts = dict(a.split("=", 1) for a in args[3:] if "=" in a)
		quoted = flow.last.get(other)
		if quoted is None:
			# about a packet the other side never sent (no flow)
			osrc, odst = dst, src
			if flow.proto == "tcp":
				quoted = tcp_pkt(fam, osrc, odst, dport, sport, 2, ISN[other], 0, 0)
			elif flow.proto == "udp":
				quoted = udp_pkt(fam, osrc, odst, dport, sport, 0)
			else:
				quoted = echo_pkt(fam, osrc, odst, False, flow.ident, 1, 0)
		# quote the IP header and 8 bytes of L4 (like a router would),
		# then the error's own id
		ihl = 20 if fam == 4 else 40
		inner = quoted[:ihl + 8]
		rest = struct.pack("!I", 1280) if (fam == 6 and itype == 2) else bytes(4)
		if fam == 4 and itype == 3 and code == 4:
			rest = struct.pack("!HH", 0, 1280)
		l3 = icmp_pkt(fam, opts.get("from", src), dst, itype, code, rest,
			      inner + MAGIC + struct.pack("!I", pid), pid)
		proto = "icmp" if fam == 4 else "icmpv6"
		c = {"fam": fam, "proto": proto, "iface": flow.iface, "daddr": dst,
		     "saddr": opts.get("from", src),
		     "desc": "%s %s err %d/%d" % (flow.name, direction, itype, code)}
		return l3, c
	if flow.first is None:
		flow.first = side
	if proto == "tcp":
		fl = parse_flags(args[0])
		dlen = int(opts.get("len", 0))
		seq = flow.nxt[side]
		ack = flow.nxt[other] if fl & TCPF["A"] else 0
		adv = "noadv" not in flags_
		if "seq" in opts:
			seq += int(opts["seq"])
			adv = False
		if "ack" in opts:
			ack += int(opts["ack"])
		l3 = tcp_pkt(fam, src, dst, sport, dport, fl, seq, ack, pid, dlen,
			     int(opts.get("win", 65535)),
			     int(opts["ws"]) if "ws" in opts else None)
		if adv:
			flow.nxt[side] = seq + dlen + (1 if fl & TCPF["S"] else 0) + \
				(1 if fl & TCPF["F"] else 0)
		desc = "%s %s %s seq %d ack %d len %d" % (flow.name, direction, args[0], seq, ack,
							  dlen)
	elif proto == "udp":
		l3 = udp_pkt(fam, src, dst, sport, dport, pid, int(opts.get("len", 0)))
		desc = "%s %s udp" % (flow.name, direction)
	else:
		kind = args[0]
		if kind not in ("req", "rep"):
			raise ValueError("flow %s: icmp step %s" % (flow.name, kind))
		if kind == "req":
			flow.echo_seq += 1
		l3 = echo_pkt(fam, src, dst, kind == "rep", flow.ident, flow.echo_seq, pid,
			      int(opts.get("len", 0)))
		desc = "%s %s echo-%s" % (flow.name, direction, "reply" if kind == "rep" else
					  "request")
	flow.last[side] = l3
	c = {"fam": fam, "proto": proto, "iface": flow.iface, "daddr": dst, "saddr": src,
	     "desc": desc}
	return l3, c


def build_raw(direction, args, pid):
	"""raw in|out PROTO SRC DST ...: a packet outside any flow."""
	proto, src, dst = args[0], args[1], args[2]
	fam = ipaddress.ip_address(src).version
	rest = args[3:]
	opts = dict(a.split("=", 1) for a in rest if "=" in a)
	pos = [a for a in rest if "=" not in a]
	if proto == "tcp":
		l3 = tcp_pkt(fam, src, dst, int(pos[0]), int(pos[1]),
			     parse_flags(pos[2]) if len(pos) > 2 else 2,
			     int(opts.get("seq", 777)), int(opts.get("ack", 0)), pid,
			     int(opts.get("len", 0)))
	elif proto == "udp":
		l3 = udp_pkt(fam, src, dst, int(pos[0]), int(pos[1]), pid, int(opts.get("len", 0)))
	elif proto == "sctp":
		l3 = sctp_pkt(fam, src, dst, int(pos[0]), int(pos[1]), pos[2], pid,
			      int(opts.get("vtag", 0)), int(opts.get("tag", 0x11223344)),
			      int(opts.get("cflags", 0)))
	elif proto in ("esp", "gre"):
		nr = 50 if proto == "esp" else 47
		body = (struct.pack("!II", int(opts.get("spi", 0x100)), 1) if nr == 50 else
			struct.pack("!HH", 0, 0x0800)) + MAGIC + struct.pack("!I", pid)
		l3 = ip_hdr(fam, src, dst, nr, body, pid)
	else:
		l3 = icmp_pkt(fam, src, dst, int(pos[0]), int(pos[1]),
			      struct.pack("!HH", int(opts.get("id", 0)), int(opts.get("seq", 0))),
			      MAGIC + struct.pack("!I", pid) + bytes(int(opts.get("len", 0))), pid)
	iface = int(opts.get("if", 0))
	c = {"fam": fam, "proto": proto, "iface": iface, "daddr": dst, "saddr": src,
	     "desc": "raw %s %s" % (direction, " ".join(args))}
	return l3, c


def parse_script(text):
	"""[(kind, args)] from the '#>' lines: kind flow/step/raw/sleep/tolerance."""
	flows, steps, tol = {}, [], 0
	for ln, line in enumerate(text.splitlines(), 1):
		if not line.startswith("#>"):
			continue
		f = line[2:].split("#", 1)[0].split()
		if not f:
			continue
		rep = 1
		burst = f[0] == "burst"
		if f[0] in ("repeat", "burst"):
			rep, f = int(f[1]), f[2:]
		if burst:
			steps.append(("burst", rep, ln))
		if f[0] == "flow":
			flows[f[1]] = Flow(f[1], f[2:])
		elif f[0] == "sleep":
			steps.append(("sleep", float(f[1]), ln))
		elif f[0] == "tolerance":
			tol = int(f[1])
		elif f[0] == "known":
			steps.append(("known", " ".join(f[1:]), ln))
		elif f[0] == "reload":
			steps.append(("reload", f[1], ln))
		elif f[0] == "flush":
			steps.append(("flush", None, ln))
		elif f[0] == "sysctl":
			steps.append(("sysctl", dict(x.split("=", 1) for x in f[1:]), ln))
		elif f[0] == "ct-timeouts":
			steps.append(("timeouts", dict(x.split("=", 1) for x in f[1:]), ln))
		elif f[0] == "raw":
			steps += [("raw", f[1:], ln)] * rep
		elif f[0] in flows:
			if f[1] not in ("in", "out"):
				raise ValueError("line %d: direction %s" % (ln, f[1]))
			steps += [("step", f, ln)] * rep
		else:
			raise ValueError("line %d: unknown step %s" % (ln, f[0]))
		if burst:
			steps.append(("burst_end", rep, ln))
	return flows, steps, tol


def normalise(l3):
	"""Bytes to compare and a checksum note: IPv4 ID and header checksum,
	IPv6 flow label zeroed; TCP/UDP checksum replaced by 'ok', 'partial'
	(the kernel's CHECKSUM_PARTIAL pseudo-header sum) or 'bad'."""
	b = bytearray(l3)
	if not b:
		return bytes(b), ""
	if b[0] >> 4 == 4:
		ihl = (b[0] & 15) * 4
		proto, src, dst = b[9], str(ipaddress.IPv4Address(bytes(b[12:16]))), \
			str(ipaddress.IPv4Address(bytes(b[16:20])))
		b[4:6] = b"\0\0"
		b[10:12] = b"\0\0"
		off, fam = ihl, 4
	elif b[0] >> 4 == 6:
		b[1] &= 0xF0
		b[2:4] = b"\0\0"
		proto, src, dst = b[6], str(ipaddress.IPv6Address(bytes(b[8:24]))), \
			str(ipaddress.IPv6Address(bytes(b[24:40])))
		off, fam = 40, 6
	else:
		return bytes(b), ""
	note = ""
	cko = {6: 16, 17: 6}.get(proto)
	if cko is not None and len(b) >= off + cko + 2:
		seg = bytes(b[off:])
		got = struct.unpack("!H", seg[cko:cko + 2])[0]
		zero = seg[:cko] + b"\0\0" + seg[cko + 2:]
		full = csum16(pseudo(fam, src, dst, proto, len(seg)) + zero)
		if proto == 17 and full == 0:
			full = 0xFFFF
		part = (~csum16(pseudo(fam, src, dst, proto, len(seg)))) & 0xFFFF
		note = "ok" if got == full else "partial" if got == part else "bad %04x" % got
		if note == "partial":
			note = "ok"
		b[off + cko:off + cko + 2] = b"\0\0"
	return bytes(b), note


def stack_noise(frame):
	"""Frames a receiver's stack sends on its own, not in reply to a step:
	anything but IPv4/IPv6, multicast destinations (MLD reports, which
	start a while after the namespaces come up), neighbour discovery."""
	et = frame[12:14]
	if et == b"\x08\x00":
		return len(frame) < 34 or frame[30] >= 224
	if et != b"\x86\xdd" or len(frame) < 54:
		return True
	if frame[38] == 0xFF:
		return True
	return frame[20] == 58 and frame[54] in (133, 134, 135, 136, 137)


class ReplyCapture:
	"""AF_PACKET on the generator's ends: every frame the receivers send."""

	def __init__(self, ns, names):
		self.socks = {}
		with nsio.NetNs(ns):
			for n in names:
				s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
						  socket.htons(ETH_P_ALL))
				s.bind((n, 0))
				s.setblocking(False)
				self.socks[s.fileno()] = (n, s)
		self.poll = select.poll()
		for fd in self.socks:
			self.poll.register(fd, select.POLLIN)

	def drain(self, quiet=0.0):
		out = []
		while True:
			ev = self.poll.poll(int(quiet * 1000))
			if not ev:
				return out
			for fd, _ in ev:
				n, s = self.socks[fd]
				while True:
					try:
						data, addr = s.recvfrom(65535)
					except BlockingIOError:
						break
					if addr[2] == socket.PACKET_OUTGOING:
						continue
					out.append((n, data))


# ---- conntrack flush (kernel: ctnetlink; SUT: the pinned bnft table) ----

def kernel_ct_flush(ns):
	"""IPCTNL_MSG_CT_DELETE without attributes = flush, in netns ns."""
	with nsio.NetNs(ns):
		s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)
	try:
		for fam in (socket.AF_INET, socket.AF_INET6):
			msg = struct.pack("=LHHLL", 20, (1 << 8) | 2, 1 | 4, 1, 0) + \
				struct.pack("=BBH", fam, 0, 0)
			s.send(msg)
			s.settimeout(2)
			try:
				s.recv(4096)
			except socket.timeout:
				pass
	finally:
		s.close()


_libc = ctypes.CDLL(None, use_errno=True)
SYS_BPF = 321
BPF_MAP_DELETE_ELEM, BPF_MAP_GET_NEXT_KEY, BPF_OBJ_GET = 3, 4, 7


def _bpf(cmd, attr):
	buf = ctypes.create_string_buffer(bytes(attr), 128)
	r = _libc.syscall(SYS_BPF, cmd, buf, 128)
	return r, ctypes.get_errno()


# struct bnft_ct_cfg (bpf/lib/ct_abi.h): tcp_timeout[BNFT_TCP_TIMEOUT_MAX]
# indexed by enum bnft_tcp_ct, then the other u32 fields in order.
CFG_FIELDS = ["tcp_none", "tcp_syn_sent", "tcp_syn_recv", "tcp_established", "tcp_fin_wait",
	      "tcp_close_wait", "tcp_last_ack", "tcp_time_wait", "tcp_close", "tcp_syn_sent2",
	      "tcp_max_retrans", "tcp_unacknowledged", "udp", "udp_stream", "icmp", "icmpv6",
	      "generic", "tcp_loose", "tcp_be_liberal", "tcp_max_retrans_count"]
BPF_MAP_UPDATE_ELEM = 2


def bpf_map_set(path, key, value):
	"""Update one element of a pinned map; 0 or -errno."""
	p = ctypes.create_string_buffer(path.encode())
	fd, err = _bpf(BPF_OBJ_GET, struct.pack("=QII", ctypes.addressof(p), 0, 0))
	if fd < 0:
		return -err
	k = ctypes.create_string_buffer(key, len(key))
	v = ctypes.create_string_buffer(value, len(value))
	try:
		r, err = _bpf(BPF_MAP_UPDATE_ELEM, struct.pack("=IIQQQ", fd, 0, ctypes.addressof(k),
							      ctypes.addressof(v), 0))
	finally:
		os.close(fd)
	return -err if r < 0 else 0


def bpf_map_clear(path, key_size=44):
	"""Delete every entry of a pinned hash map; returns the count or -errno."""
	p = ctypes.create_string_buffer(path.encode())
	fd, err = _bpf(BPF_OBJ_GET, struct.pack("=QII", ctypes.addressof(p), 0, 0))
	if fd < 0:
		return -err
	n = 0
	k = ctypes.create_string_buffer(key_size)
	try:
		for _ in range(1 << 20):
			r, _ = _bpf(BPF_MAP_GET_NEXT_KEY, struct.pack("=IIQQ", fd, 0, 0,
								     ctypes.addressof(k)))
			if r < 0:
				break
			_bpf(BPF_MAP_DELETE_ELEM, struct.pack("=IIQ", fd, 0, ctypes.addressof(k)))
			n += 1
	finally:
		os.close(fd)
	return n


class Stateful:
	def __init__(self, a):
		self.a = a
		self.h = difftest.Harness(a)
		self.cap = ReplyCapture(a.gen_ns, ["ref0", "ref1", "ref2", "sut0", "sut1", "sut2"])
		self.tx2 = nsio.Sender(a.gen_ns, ["ref2", "sut2"])
		self.passed = self.failed = self.skipped = 0
		self.tot = {"steps": 0, "agree": 0, "replies": 0, "ctr": 0, "ctr_agree": 0}
		self.addrs = set()
		self.saved = {}
		self.reply_routes()

	def reply_routes(self):
		"""Stack replies to the reply peers leave by veth0 in both receivers
		(through a /64 route for IPv6: the prefix length scales the ICMPv6
		rate limit, bnft assumes 64); ICMP error rate limits at the kernel
		defaults (1000 ms, as on a real host; netns.sh turns them off for
		the stateless suite)."""
		for ns in (self.a.ref_ns, self.a.sut_ns):
			difftest.sh("ip -n %s rule add pref 4 to %s lookup 200" % (ns, REPLY4))
			difftest.sh("ip -n %s -6 rule add pref 4 to %s lookup 200" % (ns, REPLY6))
			difftest.sh("ip -n %s -6 route add fd77::/64 via fe80::1 dev veth0 table 200" %
				    ns)
			# forwarded replies back to the peers (not for the receiver's
			# own packets: "iif lo" is blackholed before the main table)
			difftest.sh("ip -n %s route add 10.1.0.0/16 via 192.0.2.254 dev veth0 onlink" % ns)
			difftest.sh("ip -n %s -6 route add fd01::/16 via fe80::1 dev veth0" % ns)
			difftest.sh("ip netns exec %s sysctl -qw net.ipv4.icmp_ratelimit=1000 "
				    "net.ipv6.icmp.ratelimit=1000" % ns)

	def own(self, flows, steps):
		need = set()
		for f in flows.values():
			need.add((f.fam, f.local))
		for kind, args, _ in steps:
			if kind == "raw":
				a = args[3] if args[0] == "in" else args[2]
				need.add((ipaddress.ip_address(a).version, a))
		need = {x for x in need if not routed(x[1])}
		need -= self.addrs
		if not need:
			return
		batch = "".join("addr replace %s/%d dev lo%s\n" % (a, 32 if f == 4 else 128,
								  "" if f == 4 else " nodad")
				for f, a in sorted(need))
		for ns in (self.a.ref_ns, self.a.sut_ns):
			import subprocess
			subprocess.run(["ip", "-n", ns, "-force", "-batch", "-"], input=batch,
				       capture_output=True, text=True)
		self.addrs |= need

	def set_timeouts(self, tmo):
		"""The same conntrack timeouts on both sides: the reference's
		net.netfilter.nf_conntrack_*_timeout sysctls, bnft's pinned
		ct_cfg table (struct bnft_ct_cfg); restored after the ruleset."""
		vals = [0] * len(CFG_FIELDS)
		for k, v in tmo.items():
			if k not in CFG_FIELDS:
				raise ValueError("ct-timeouts: unknown %s" % k)
			vals[CFG_FIELDS.index(k)] = int(v)
			name = "net.netfilter.nf_conntrack_%s_timeout" % k
			if k.startswith("tcp_"):
				name = "net.netfilter.nf_conntrack_tcp_timeout_%s" % k[4:]
			elif k == "udp_stream":
				name = "net.netfilter.nf_conntrack_udp_timeout_stream"
			# the SUT's netns too: bnft's loader reads them at a reload
			self.set_sysctls({name: v})
		if self.a.sut == "kernel":
			return
		err = bpf_map_set(os.path.join(self.a.pin, "ct_cfg"), struct.pack("=I", 0),
				  struct.pack("=%dI" % len(vals), *vals))
		if err:
			raise RuntimeError("SUT ct_cfg: %s" % os.strerror(-err))

	def set_sysctls(self, kv):
		"""The same sysctls in both netns, restored after the ruleset."""
		for name, v in kv.items():
			for ns in (self.a.ref_ns, self.a.sut_ns):
				_, out, _ = difftest.sh("ip netns exec %s sysctl -n %s" % (ns, name))
				self.saved.setdefault((ns, name), out.strip())
				rc, _, err = difftest.sh("ip netns exec %s sysctl -qw %s=%s" % (ns, name, v))
				if rc:
					raise RuntimeError("sysctl %s: %s" % (name, err.strip()))

	def kernel_sides(self):
		return (self.a.ref_ns, self.a.sut_ns) if self.a.sut == "kernel" else (self.a.ref_ns,)

	def restore_timeouts(self):
		for (ns, name), v in self.saved.items():
			if v:
				difftest.sh("ip netns exec %s sysctl -qw %s=%s" % (ns, name, v))
		self.saved = {}

	def flush_ct(self):
		kernel_ct_flush(self.a.ref_ns)
		kernel_ct_flush(self.a.sut_ns)
		n = bpf_map_clear(os.path.join(self.a.pin, "ct"))
		return n

	def run_one(self, path, sut_path=None, expect_fail=False):
		name = os.path.basename(path)
		if sut_path:
			name += " vs " + os.path.basename(sut_path)
		try:
			return self._run_one(name, path, sut_path or path, expect_fail)
		except Exception as e:  # noqa: BLE001
			self.failed += 1
			print("FAIL %s: harness error %s: %s" % (name, type(e).__name__, e))
			return "fail"
		finally:
			self.restore_timeouts()

	def reset(self):
		h = self.h
		for o in (h.obs_ref, h.obs_sut, h.wire):
			o.drain()
			o.seen = {}
		self.cap.drain()

	def send_only(self, l3, c, direction):
		"""Send one packet to the reference then to the SUT (as IP
		fragments when c["frag"] is set: pkt.fragment)."""
		h = self.h
		frame = difftest.MAC_IF[c["iface"]] + difftest.MAC_GEN + \
			struct.pack("!H", 0x0800 if c["fam"] == 4 else 0x86DD) + l3
		if routed(c["saddr"]):
			frame = MAC_IF2 + frame[6:]
		frames = [frame]
		if c.get("frag"):
			frames = pkt.fragment(frame, c, c["pid"], c["frag"])
		for side in ("ref", "sut"):
			if routed(c["saddr"]):
				for f in frames:
					self.tx2.send(side + "2", f)
			elif direction == "in":
				for f in frames:
					h.tx.send("%s%d" % (side, c["iface"]), f)
			else:
				lo = h.lo_ref if side == "ref" else h.lo_sut
				lo.send(c["fam"], c["iface"], l3, c["daddr"])

	def judge(self, items):
		"""Verdicts of the packets sent ([(l3, case, direction)]) and the
		reply frames of both sides: ([(ref, SUT verdict)], ref replies,
		SUT replies)."""
		h = self.h
		# veth delivery, the stack's replies and bnft's reject replies all
		# happen in the sender's softirq: everything is queued on return
		time.sleep(QUIET)
		h.obs_ref.drain()
		h.obs_sut.drain()
		h.wire.drain()
		got = self.cap.drain()
		verdicts, own, fwdout = [], set(), {}

		def count(n):
			return "drop" if not n else "accept" if n == 1 else "accept(x%d)" % n
		for l3, c, direction in items:
			pid = c["pid"]
			fwd, rev = routed(c["daddr"]), routed(c["saddr"])
			if fwd or rev:
				# forwarded by the receiver: out of veth2, or back out of
				# veth0/1; an ICMP error quoting it elsewhere is a reply
				out_if = "2" if fwd else str(c["iface"])
				fwdout[pid] = out_if
				vr = count(h.wire.seen.get(pid, []).count("ref" + out_if))
				vs = count(h.wire.seen.get(pid, []).count("sut" + out_if))
			elif direction == "in":
				vr = h.verdict(h.obs_ref, pid, "ref", c)
				vs = h.verdict(h.obs_sut, pid, "sut", c)
			else:
				vr = h.wire_verdict("ref", pid, "ref%d" % c["iface"])
				vs = h.wire_verdict("sut", pid, "sut%d" % c["iface"])
				own.add(normalise(l3)[0])
			verdicts.append((vr, vs))
		rep = {"ref": [], "sut": []}
		for ifn, data in got:
			if stack_noise(data):
				continue
			n = normalise(data[14:])
			if n[0] in own:
				continue
			if fwdout.get(find_id(data)) == ifn[3:]:
				continue	# the forwarded packet itself
			rep[ifn[:3]].append((ifn[3:], n[0], n[1]))
		return verdicts, sorted(rep["ref"]), sorted(rep["sut"])

	def send_step(self, l3, c, direction):
		"""One packet to the reference then to the SUT; returns
		(ref verdict, SUT verdict, ref replies, SUT replies)."""
		self.reset()
		self.send_only(l3, c, direction)
		v, rr, rs = self.judge([(l3, c, direction)])
		return v[0][0], v[0][1], rr, rs

	def count_step(self, ln, c, vr, vs, rr, rs, bad):
		"""1 if the step agrees, else records it in bad and returns 0."""
		if self.a.verbose > 1:
			print("    line %d [%s]: kernel %s, SUT %s, replies %d/%d" % (
				ln, c["desc"], vr, vs, len(rr), len(rs)))
		if vr == vs and rr == rs:
			return 1
		bad.append((ln, c, vr, vs, rr, rs))
		return 0

	def _run_one(self, name, path, sut_path, expect_fail):
		h = self.h
		text = open(path).read()
		flows, steps, tol = parse_script(text)
		if not steps:
			self.skip(name, "no '#>' sequence")
			return "skip"
		for kind, args, _ in steps:
			if kind == "sysctl":
				self.set_sysctls(args)
		rc, err = h.load_ref(path)
		if rc:
			self.skip(name, "kernel nft refuses it: " + err)
			return "skip"
		rc, err = h.load_sut(sut_path)
		if rc:
			self.skip(name, "SUT refuses it: " + (err or "exit %d" % rc))
			return "skip"
		self.flush_ct()
		self.own(flows, steps)
		bad, nrep, nsteps, agree = [], 0, 0, 0
		known = burst = None
		t0 = time.time()
		for kind, args, ln in steps:
			if kind == "sleep":
				time.sleep(args)
				continue
			if kind == "known":
				known = args
				continue
			if kind == "timeouts":
				self.set_timeouts(args)
				continue
			if kind == "sysctl":
				continue
			if kind == "flush":
				# `nft flush ruleset` as its own command (a service stop):
				# conntrack entries outlive the ruleset in the kernel
				difftest.sh("ip netns exec %s nft flush ruleset" % self.a.ref_ns)
				difftest.sh(h.fmt(h.sut_cmd["unload"]))
				continue
			if kind == "reload":
				# a ruleset swap: -f of another file on both sides, no
				# flush in between, conntrack state kept
				other = os.path.join(os.path.dirname(path), args)
				rc, out, err = difftest.sh("ip netns exec %s nft -f %s" % (
					self.a.ref_ns, other))
				rc2, out2, err2 = difftest.sh(h.fmt(h.sut_cmd["load"], other),
							     timeout=self.a.load_timeout)
				if rc or rc2:
					raise RuntimeError("reload %s: kernel %d %s; SUT %d %s" % (
						args, rc, err.strip()[:100], rc2, (err2 or out2).strip()[:100]))
				continue
			if kind == "burst":
				burst = []
				continue
			if kind == "burst_end":
				# all sent back to back, judged together (no time between
				# them for token buckets to refill)
				v, rr, rs = self.judge(burst)
				for i, ((l3, c, _), (vr, vs)) in enumerate(zip(burst, v)):
					last = i == len(burst) - 1
					agree += self.count_step(ln, c, vr, vs, rr if last else [],
								 rs if last else [], bad)
				nsteps += len(burst)
				nrep += len(rr)
				burst = None
				continue
			pid = h.next_id
			h.next_id = (h.next_id + 1) & 0xFFFFFFFF
			if kind == "raw":
				direction = args[0]
				l3, c = build_raw(direction, args[1:], pid)
			else:
				direction = args[1]
				l3, c = build_step(flows[args[0]], direction, args[2:], pid)
			c["pid"] = pid
			for x in args[1:]:
				if x.startswith("frag="):
					# N fragments, "r" reversed (pkt.fragment)
					c["frag"] = int(x[5:].rstrip("r"))
					c["frag_rev"] = x.endswith("r")
					c["desc"] += " in %s fragments" % x[5:]
			if any(x.startswith("ext=") for x in args[1:]):
				l3 = add_ext(l3, "")
				c["desc"] += " (IP options / hop-by-hop header)"
			if burst is not None:
				if not burst:
					self.reset()
				self.send_only(l3, c, direction)
				burst.append((l3, c, direction))
				continue
			vr, vs, rr, rs = self.send_step(l3, c, direction)
			nsteps += 1
			nrep += len(rr)
			agree += self.count_step(ln, c, vr, vs, rr, rs, bad)
		dt = time.time() - t0
		ref_c, sut_c, cerr = h.counters()
		ctr_bad, nctr, ctr_agree = [], 0, 0
		if sut_c is None:
			ctr_bad.append(("SUT counters unavailable", (cerr or "").strip()[:200], None, 0))
		else:
			for k in sorted(set(ref_c.rules) | set(sut_c.rules), key=str):
				nctr += 1
				r, s = ref_c.rules.get(k), sut_c.rules.get(k)
				if r == s:
					ctr_agree += 1
					continue
				d = None
				if r is not None and s is not None and len(r) == len(s):
					d = max(abs(x[0] - y[0]) for x, y in zip(r, s))
				ctr_bad.append((k, r, s, d))
		within = tol and len(bad) <= tol and all(
			d is not None and d <= tol for _, _, _, d in ctr_bad) and all(
			rr == rs for _, _, _, _, rr, rs in bad)
		self.tot["steps"] += nsteps
		self.tot["agree"] += agree
		self.tot["replies"] += nrep
		self.tot["ctr"] += nctr
		self.tot["ctr_agree"] += ctr_agree
		agreed = (not bad and not ctr_bad) or within
		ok = agreed != expect_fail
		tag = "PASS" if ok else "FAIL"
		print("%s %s: %d steps in %.2fs, %d agree, %d reply packets from the kernel, "
		      "counters %d/%d agree%s%s" % (
			      tag, name, nsteps, dt, agree, nrep, ctr_agree, nctr,
			      " (within the stated tolerance %d: %d verdicts, counters off by "
			      "at most %d)" % (tol, len(bad), max([d or 0 for *_, d in ctr_bad] or
								 [0])) if within and
			      (bad or ctr_bad) else "",
			      " (a mutant pair: disagreement expected)" if expect_fail else ""))
		if self.a.verbose > 1:
			for k, v in sorted(ref_c.rules.items(), key=str):
				print("    kernel counter %s: %s" % (difftest.fmt_key(k), difftest.fmt_ctr(v)))
		if not ok or self.a.verbose:
			for ln, c, vr, vs, rr, rs in bad[:self.a.show]:
				print("    line %d step [%s]: kernel %s, SUT %s" % (ln, c["desc"], vr, vs))
				if rr != rs:
					print("      kernel replies: %s" % fmt_replies(rr))
					print("      SUT replies:    %s" % fmt_replies(rs))
			if len(bad) > self.a.show:
				print("    ... %d more steps disagree" % (len(bad) - self.a.show))
			for k, r, s, _ in ctr_bad[:self.a.show]:
				print("    counter %s: kernel %s; SUT %s" % (
					difftest.fmt_key(k), difftest.fmt_ctr(r), difftest.fmt_ctr(s)))
		if not ok and known and not expect_fail:
			# documented gap, reported and counted as skipped, not hidden
			print("KNOWN %s: %s" % (name, known))
			self.skipped += 1
			return "skip"
		if ok:
			self.passed += 1
			return "pass"
		self.failed += 1
		return "fail"

	def skip(self, name, why):
		self.skipped += 1
		print("SKIP %s: %s" % (name, why.strip().splitlines()[0][:300] if why.strip()
				       else "?"))


def fmt_replies(lst):
	if not lst:
		return "none"
	return "; ".join("if%s %s%s" % (i, b.hex(), " csum " + n if n and n != "ok" else "")
			 for i, b, n in lst)


def main():
	ap = argparse.ArgumentParser(description=__doc__,
				     formatter_class=argparse.RawDescriptionHelpFormatter)
	ap.add_argument("--gen-ns", required=True)
	ap.add_argument("--ref-ns", required=True)
	ap.add_argument("--sut-ns", required=True)
	ap.add_argument("--sut", default="kernel", help="kernel | kload | bnft (preset)")
	ap.add_argument("--pin", default="/run/bnft-test-stateful")
	ap.add_argument("--scratch", default="")
	ap.add_argument("--load-timeout", type=int, default=60)
	ap.add_argument("--show", type=int, default=10)
	ap.add_argument("--budget", type=float, default=0)
	ap.add_argument("--tally", default="stateful-diff")
	ap.add_argument("-v", "--verbose", action="count", default=0)
	ap.add_argument("--pair", nargs=2, action="append", default=[], metavar=("REF", "SUT"),
			help="ruleset pair that MUST disagree (harness sanity)")
	ap.add_argument("rulesets", nargs="*")
	a = ap.parse_args()
	a.limit, a.alternate, a.packets_only = 0, False, False
	st = Stateful(a)
	t0 = time.time()
	try:
		# under a budget: a spread order, so that a cut skips a sample of
		# all groups rather than the tail (difftest.spread)
		for p in difftest.spread(a.rulesets) if a.budget else a.rulesets:
			if a.budget and time.time() - t0 > a.budget:
				st.skip(os.path.basename(p), "time budget used up")
				continue
			st.run_one(p)
		for r, s in a.pair:
			st.run_one(r, s, expect_fail=True)
	finally:
		difftest.sh(st.h.fmt(st.h.sut_cmd["unload"]))
		difftest.sh("ip netns exec %s nft flush ruleset" % a.ref_ns)
	t = st.tot
	print("%s totals: %d steps, %d agree (%.1f%%), %d kernel reply packets compared, "
	      "%d/%d counters agree, %.1fs" % (a.tally, t["steps"], t["agree"],
					       100.0 * t["agree"] / max(1, t["steps"]),
					       t["replies"], t["ctr_agree"], t["ctr"],
					       time.time() - t0))
	print("%s: %d passed, %d failed, %d skipped" % (a.tally, st.passed, st.failed, st.skipped))
	return 1 if st.failed else 0


if __name__ == "__main__":
	sys.exit(main())
