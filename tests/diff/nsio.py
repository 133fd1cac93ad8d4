"""Namespace-bound sockets: raw-socket observers in the receiving namespaces
and AF_PACKET senders in the generator namespace, all owned by one process.

A socket stays in the network namespace it was created in, so the harness
enters each namespace with setns(2) only long enough to open its sockets.
"""
import ctypes
import os
import select
import socket
import struct
import time

from pkt import find_id

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)

# Protocols observed: every packet that reaches local delivery is copied to
# every raw socket of its protocol (raw_local_deliver / raw6_local_deliver run
# after NF_INET_LOCAL_IN, before the protocol handler).
OBS_PROTOS4 = (1, 6, 17, 47, 50, 51, 132, 136, 253)
OBS_PROTOS6 = (6, 17, 47, 50, 51, 58, 132, 136, 253)
IP_PKTINFO = 8
IPV6_RECVPKTINFO = 49
IPV6_PKTINFO = 50
SO_RCVBUFFORCE = 33


class NetNs:
	"""Context manager: run the body inside network namespace `name`."""

	def __init__(self, name):
		self.name = name

	def __enter__(self):
		self.home = os.open("/proc/self/ns/net", os.O_RDONLY)
		fd = os.open("/run/netns/" + self.name, os.O_RDONLY)
		try:
			if _libc.setns(fd, CLONE_NEWNET) != 0:
				err = ctypes.get_errno()
				raise OSError(err, "setns %s: %s" % (self.name, os.strerror(err)))
		finally:
			os.close(fd)
		return self

	def __exit__(self, *exc):
		_libc.setns(self.home, CLONE_NEWNET)
		os.close(self.home)
		return False


class Observer:
	"""Raw sockets in one receiving namespace; records, per packet id, a list
	of (ifindex, protocol of the raw socket) it was seen with."""

	def __init__(self, ns, protos4=OBS_PROTOS4, protos6=OBS_PROTOS6):
		self.ns = ns
		self.socks = []
		self.proto = {}
		with NetNs(ns):
			for p in protos4:
				s = socket.socket(socket.AF_INET, socket.SOCK_RAW, p)
				s.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
				self._prep(s, p)
			for p in protos6:
				s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, p)
				s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVPKTINFO, 1)
				self._prep(s, p)
		self.poll = select.poll()
		self.byfd = {}
		for s in self.socks:
			self.poll.register(s.fileno(), select.POLLIN)
			self.byfd[s.fileno()] = s
		self.seen = {}

	def _prep(self, s, proto):
		s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)
		s.setblocking(False)
		self.socks.append(s)
		self.proto[s.fileno()] = proto

	def reset(self):
		self.drain(0.01)
		self.seen = {}

	def drain(self, quiet=0.0):
		"""Read everything queued; with quiet > 0, keep reading until no packet
		arrived for `quiet` seconds."""
		n = 0
		while True:
			ev = self.poll.poll(int(quiet * 1000))
			if not ev:
				return n
			for fd, _ in ev:
				s = self.byfd[fd]
				while True:
					try:
						data, anc, _, _ = s.recvmsg(4096, 256)
					except BlockingIOError:
						break
					n += 1
					pid = find_id(data)
					if pid is None:
						continue
					ifi = 0
					for lvl, typ, val in anc:
						if (lvl, typ) == (socket.IPPROTO_IP, IP_PKTINFO):
							ifi = struct.unpack("i", val[:4])[0]
						elif (lvl, typ) == (socket.IPPROTO_IPV6, IPV6_PKTINFO):
							ifi = struct.unpack("i", val[16:20])[0]
					self.seen.setdefault(pid, []).append((ifi, self.proto[fd]))

	def close(self):
		for s in self.socks:
			s.close()


class Sender:
	"""AF_PACKET sockets on the generator namespace's veth ends."""

	def __init__(self, ns, ifnames):
		self.socks = {}
		with NetNs(ns):
			for name in ifnames:
				s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
				s.bind((name, 0))
				self.socks[name] = s

	def send(self, ifname, frame):
		self.socks[ifname].send(frame)

	def close(self):
		for s in self.socks.values():
			s.close()


def ifindexes(ns):
	with NetNs(ns):
		return {name: idx for idx, name in socket.if_nameindex()}


def pause(sec):
	time.sleep(sec)


SO_MARK = 36
IPV6_PKTINFO = 50
IPV6_HOPLIMIT = 52
IPV6_TCLASS = 67
IPV6_TRANSPARENT = 75
ETH_P_ALL = 0x0003


class LocalSender:
	"""Raw IPPROTO_RAW sockets (header included) in one receiving namespace:
	locally generated packets that pass the output and postrouting hooks and
	TC egress. Marks 0x42/0x43 route them out of veth0/veth1 (netns.sh)."""

	def __init__(self, ns):
		self.ns = ns
		self.socks = {}
		with NetNs(ns):
			for fam, af in ((4, socket.AF_INET), (6, socket.AF_INET6)):
				# 0x44/0x45: route MTU 1280, the stack fragments
				for iface, mark, frag in ((0, 0x42, False), (1, 0x43, False),
							  (0, 0x44, True), (1, 0x45, True)):
					s = socket.socket(af, socket.SOCK_RAW, socket.IPPROTO_RAW)
					s.setsockopt(socket.SOL_SOCKET, SO_MARK, mark)
					self.socks[(fam, iface, frag)] = s

	def send(self, fam, iface, l3, daddr, frag=False):
		if fam == 6 and frag:
			return self.send6_frag(iface, l3, daddr)
		try:
			self.socks[(fam, iface, frag)].sendto(l3, (daddr, 0))
			return None
		except OSError as e:
			return e.errno

	def send6_frag(self, iface, l3, daddr):
		"""IPv6 the stack may fragment: a raw socket of the packet's
		protocol without its own header (the kernel never fragments an
		IPPROTO_RAW one), source, hop limit and traffic class given as
		ancillary data, IPV6_TRANSPARENT for a source it does not own."""
		proto = l3[6]
		key = (6, iface, "frag", proto)
		if key not in self.socks:
			with NetNs(self.ns):
				s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, proto)
			s.setsockopt(socket.SOL_SOCKET, SO_MARK, 0x44 + iface)
			s.setsockopt(socket.IPPROTO_IPV6, IPV6_TRANSPARENT, 1)
			s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
			self.socks[key] = s
		tclass = ((l3[0] & 0x0F) << 4) | (l3[1] >> 4)
		anc = [(socket.IPPROTO_IPV6, IPV6_PKTINFO, l3[8:24] + struct.pack("@I", 0)),
		       (socket.IPPROTO_IPV6, IPV6_HOPLIMIT, struct.pack("@i", l3[7])),
		       (socket.IPPROTO_IPV6, IPV6_TCLASS, struct.pack("@i", tclass))]
		try:
			self.socks[key].sendmsg([l3[40:]], anc, 0, (daddr, 0))
			return None
		except OSError as e:
			return e.errno

	def close(self):
		for s in self.socks.values():
			s.close()


class WireObserver:
	"""AF_PACKET sockets on the generator's veth ends: every frame a receiver
	sent out; records (id -> list of generator interface names)."""

	def __init__(self, ns, ifnames):
		self.socks = {}
		with NetNs(ns):
			for name in ifnames:
				s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
				s.bind((name, 0))
				s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)
				s.setblocking(False)
				self.socks[s.fileno()] = (name, s)
		self.poll = select.poll()
		for fd in self.socks:
			self.poll.register(fd, select.POLLIN)
		self.seen = {}

	def reset(self):
		self.drain(0.01)
		self.seen = {}

	def drain(self, quiet=0.0):
		while True:
			ev = self.poll.poll(int(quiet * 1000))
			if not ev:
				return
			for fd, _ in ev:
				name, s = self.socks[fd]
				while True:
					try:
						data, addr = s.recvfrom(65535)
					except BlockingIOError:
						break
					if addr[2] == socket.PACKET_OUTGOING:
						continue
					pid = find_id(data)
					if pid is not None:
						self.seen.setdefault(pid, []).append(name)

	def close(self):
		for _, s in self.socks.values():
			s.close()
