#!/usr/bin/env python3
"""Packets of tests/tier-stmts.sh, run inside the generator netns.

pktio.py CASE OUT.json: builds the frames of CASE, opens capture sockets on
gr0 gr1 gs0 gs1, sends every frame to gr0 (kernel nf_tables side) and to gs0
(bnft side), and writes what came back per side: {"R": {"0": [hex], "1":
[hex]}, "S": {...}} (interface 0: replies, 1: forwarded packets)."""
import json
import select
import socket
import struct
import sys
import time

MAC_G0 = bytes.fromhex('028800000001')
MAC_G1 = bytes.fromhex('028800000002')
MAC_R0 = bytes.fromhex('028800000010')
IP4_G = '10.88.0.2'
IP4_R0 = '10.88.0.1'
IP4_FWD = '10.88.1.2'
IP6_G = 'fd88::2'
IP6_R0 = 'fd88::1'
IP6_FWD = 'fd88:1::2'


def csum(b):
	if len(b) % 2:
		b += b'\0'
	s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
	while s >> 16:
		s = (s & 0xffff) + (s >> 16)
	return (~s) & 0xffff


def eth(t, payload, dst=MAC_R0, src=MAC_G0):
	return dst + src + struct.pack('!H', t) + payload


def ip4(src, dst, proto, l4, ident=0x1234, ttl=64, tos=0, df=True, opts=b''):
	ihl = 5 + len(opts) // 4
	h = struct.pack('!BBHHHBBH4s4s', 0x40 | ihl, tos, ihl * 4 + len(l4), ident,
			0x4000 if df else 0, ttl, proto, 0, socket.inet_aton(src),
			socket.inet_aton(dst)) + opts
	h = h[:10] + struct.pack('!H', csum(h)) + h[12:]
	return h + l4


def pseudo4(src, dst, proto, n):
	return socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack('!BBH', 0, proto, n)


def pseudo6(src, dst, proto, n):
	return (socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst) +
		struct.pack('!IxxxB', n, proto))


def tcp(ps, sport, dport, flags=0x02, seq=1000, ack=0, win=64240, opts=b''):
	off = (20 + len(opts)) // 4
	h = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, off << 4, flags, win, 0, 0) + opts
	c = csum(ps(6, len(h)) + h)
	return h[:16] + struct.pack('!H', c) + h[18:]


def udp(ps, sport, dport, data=b'x' * 16, zero=False):
	h = struct.pack('!HHHH', sport, dport, 8 + len(data), 0) + data
	c = 0 if zero else (csum(ps(17, len(h)) + h) or 0xffff)
	return h[:6] + struct.pack('!H', c) + h[8:]


def icmp_echo(ident=7, seq=1, data=b'p' * 56, t=8):
	h = struct.pack('!BBHHH', t, 0, 0, ident, seq) + data
	return h[:2] + struct.pack('!H', csum(h)) + h[4:]


def ip6(src, dst, nh, l4, hlim=64, tc=0, flow=0):
	return struct.pack('!IHBB16s16s', 6 << 28 | tc << 20 | flow, len(l4), nh, hlim,
			   socket.inet_pton(socket.AF_INET6, src),
			   socket.inet_pton(socket.AF_INET6, dst)) + l4


def icmp6_echo(src, dst, ident=9, seq=1):
	h = struct.pack('!BBHHH', 128, 0, 0, ident, seq) + b'q' * 32
	c = csum(pseudo6(src, dst, 58, len(h)) + h)
	return h[:2] + struct.pack('!H', c) + h[4:]


def v4(src, dst, proto, l4f, **kw):
	return eth(0x0800, ip4(src, dst, proto, l4f(lambda p, n: pseudo4(src, dst, p, n)), **kw))


def v6(src, dst, proto, l4f, **kw):
	return eth(0x86dd, ip6(src, dst, proto, l4f(lambda p, n: pseudo6(src, dst, p, n)), **kw))


def arp_req(tip):
	a = struct.pack('!HHBBH6s4s6s4s', 1, 0x0800, 6, 4, 1, MAC_G0, socket.inet_aton(IP4_G),
			b'\0' * 6, socket.inet_aton(tip))
	return eth(0x0806, a, dst=b'\xff' * 6)


MSS = bytes.fromhex('020405b40402080a0000000100000000')  # mss, sackok, timestamps


def case_log():
	f = []
	f.append(eth(0x0800, ip4(IP4_G, IP4_R0, 1, icmp_echo(seq=1), ident=100)))
	f.append(v4(IP4_G, IP4_R0, 6, lambda ps: tcp(ps, 40000, 22, opts=MSS), ident=101))
	f.append(v4(IP4_G, IP4_R0, 17, lambda ps: udp(ps, 40001, 5000), ident=102, tos=0x48))
	f.append(v4(IP4_G, IP4_R0, 17, lambda ps: udp(ps, 40002, 5001), ident=103))
	f.append(eth(0x0800, ip4(IP4_G, IP4_R0, 47, b'\0\0\x08\0' + b'g' * 20, ident=104)))
	f.append(v6(IP6_G, IP6_R0, 58, lambda ps: icmp6_echo(IP6_G, IP6_R0), hlim=61, tc=0x28,
		    flow=0x12345))
	f.append(v4(IP4_G, IP4_R0, 6, lambda ps: tcp(ps, 40003, 23, flags=0x18, seq=77, ack=99,
						      opts=MSS), ident=105))
	f.append(v4(IP4_G, IP4_R0, 17, lambda ps: udp(ps, 40004, 5002), ident=106))
	f.append(v4(IP4_G, IP4_R0, 17, lambda ps: udp(ps, 40005, 5003), ident=107, tos=0x20,
		    opts=bytes.fromhex('94040000')))  # router alert
	for i in range(6):
		f.append(v4(IP4_G, IP4_R0, 17, lambda ps: udp(ps, 40006, 5004), ident=110 + i))
	f.append(v4(IP4_G, IP4_FWD, 17, lambda ps: udp(ps, 40007, 5005), ident=120, ttl=9))
	f.append(v6(IP6_G, IP6_FWD, 17, lambda ps: udp(ps, 40008, 5006), hlim=7))
	f.append(v4(IP4_G, IP4_R0, 17, lambda ps: udp(ps, 40009, 5007), ident=121))
	f.append(v4(IP4_G, IP4_R0, 17, lambda ps: udp(ps, 40010, 5008), ident=122))
	f.append(arp_req(IP4_R0))
	# an ICMP error quoting a datagram (recursion), frag needed with MTU
	inner = ip4(IP4_R0, '10.88.9.9', 17, udp(lambda p, n: pseudo4(IP4_R0, '10.88.9.9', p, n),
						4444, 53), ident=999)
	for code, rest in ((3, b'\0\0\0\0'), (4, b'\0\0\x05\xdc')):
		h = struct.pack('!BBH', 3, code, 0) + rest + inner[:28]
		h = h[:2] + struct.pack('!H', csum(h)) + h[4:]
		f.append(eth(0x0800, ip4('10.88.9.1', IP4_R0, 1, h, ident=130 + code)))
	# ICMPv6 packet too big quoting an IPv6 datagram
	in6 = ip6(IP6_R0, 'fd88:9::9', 17, udp(lambda p, n: pseudo6(IP6_R0, 'fd88:9::9', p, n),
					       4445, 53))
	h = struct.pack('!BBHI', 2, 0, 0, 1280) + in6[:48]
	h = h[:2] + struct.pack('!H', csum(pseudo6('fd88:9::1', IP6_R0, 58, len(h)) + h)) + h[4:]
	f.append(eth(0x86dd, ip6('fd88:9::1', IP6_R0, 58, h)))
	# IPv6 with hop-by-hop and destination options before UDP
	u = udp(lambda p, n: pseudo6(IP6_G, IP6_R0, p, n), 40011, 5010)
	ext = bytes([60, 0, 1, 4, 0, 0, 0, 0]) + bytes([17, 0, 1, 4, 0, 0, 0, 0])
	f.append(eth(0x86dd, ip6(IP6_G, IP6_R0, 0, ext + u)))
	# TCP with URG, ECE, CWR, PSH, FIN and the urgent pointer
	t = tcp(lambda p, n: pseudo4(IP4_G, IP4_R0, p, n), 40012, 24, flags=0xe9, opts=MSS)
	t = t[:18] + struct.pack('!H', 7) + t[20:]
	t = t[:16] + b'\0\0' + t[18:]
	t = t[:16] + struct.pack('!H', csum(pseudo4(IP4_G, IP4_R0, 6, len(t)) + t)) + t[18:]
	f.append(eth(0x0800, ip4(IP4_G, IP4_R0, 6, t, ident=140)))
	return f


def case_quota():
	return [v4(IP4_G, IP4_R0, 17, lambda ps: udp(ps, 41000, 7000, data=b'd' * 100), ident=200 + i)
		for i in range(30)]


def case_limit():
	f = [v4(IP4_G, IP4_R0, 17, lambda ps: udp(ps, 41001, 7100, data=b'l' * 172), ident=300 + i)
	     for i in range(20)]
	f += [v4(IP4_G, IP4_R0, 17, lambda ps: udp(ps, 41002, 7101, data=b'l' * 172), ident=400 + i)
	      for i in range(20)]
	return f


def case_flood():
	return [v4(IP4_G, IP4_R0, 17, lambda ps: udp(ps, 41003, 7300), ident=i & 0xffff)
		for i in range(1500)]


def case_mangle():
	f = []
	for port in range(6001, 6007):
		f.append(v4(IP4_G, IP4_FWD, 17, lambda ps, p=port: udp(ps, 42000, p), ident=port))
		f.append(v4(IP4_G, IP4_FWD, 6, lambda ps, p=port: tcp(ps, 42001, p, opts=MSS),
			    ident=port + 1000))
	f.append(v4(IP4_G, IP4_FWD, 17, lambda ps: udp(ps, 42002, 6002, zero=True), ident=7777))
	f.append(v4(IP4_G, IP4_FWD, 17, lambda ps: udp(ps, 42002, 6004, zero=True), ident=7778))
	for port in range(6007, 6011):
		f.append(v6(IP6_G, IP6_FWD, 17, lambda ps, p=port: udp(ps, 42003, p)))
		f.append(v6(IP6_G, IP6_FWD, 6, lambda ps, p=port: tcp(ps, 42004, p)))
	for port in range(6011, 6016):
		f.append(v4(IP4_G, IP4_FWD, 17, lambda ps, p=port: udp(ps, 42005, p), ident=port))
	f.append(eth(0x0800, ip4(IP4_G, IP4_FWD, 1, icmp_echo(ident=5, seq=3), ident=6100)))
	return f


def main():
	if sys.argv[1] == 'listen':
		listen(sys.argv[2], float(sys.argv[3]))
		return
	frames = globals()['case_' + sys.argv[1]]()
	socks = {}
	for side, pre in (('R', 'gr'), ('S', 'gs')):
		for i in ('0', '1'):
			s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
			s.bind((pre + i, 0))
			s.setblocking(False)
			socks[s] = (side, i)
	tx = {}
	for side, pre in (('R', 'gr'), ('S', 'gs')):
		s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
		s.bind((pre + '0', 0))
		tx[side] = s
	gap = float(sys.argv[3]) if len(sys.argv) > 3 else 0.002
	for fr in frames:
		tx['R'].send(fr)
		tx['S'].send(fr)
		time.sleep(gap)
	out = {'R': {'0': [], '1': []}, 'S': {'0': [], '1': []}}
	end = time.time() + 0.6
	while time.time() < end:
		r, _, _ = select.select(list(socks), [], [], 0.1)
		for s in r:
			while True:
				try:
					data, addr = s.recvfrom(65535)
				except BlockingIOError:
					break
				if addr[2] == socket.PACKET_OUTGOING:
					continue
				side, i = socks[s]
				out[side][i].append(data.hex())
	json.dump(out, open(sys.argv[2], 'w'))


def listen(path, secs):
	"""Captures what R and S send to G on gr0/gs0 for secs seconds."""
	socks = {}
	for side, pre in (('R', 'gr'), ('S', 'gs')):
		s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
		s.bind((pre + '0', 0))
		s.setblocking(False)
		socks[s] = side
	open(path + '.ready', 'w').close()
	out = {'R': {'0': []}, 'S': {'0': []}}
	end = time.time() + secs
	while time.time() < end:
		r, _, _ = select.select(list(socks), [], [], 0.1)
		for s in r:
			while True:
				try:
					data, addr = s.recvfrom(65535)
				except BlockingIOError:
					break
				if addr[2] != socket.PACKET_OUTGOING:
					out[socks[s]]['0'].append(data.hex())
	json.dump(out, open(path, 'w'))


if __name__ == '__main__':
	main()
