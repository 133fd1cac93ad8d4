"""Raw Ethernet frame builder for the differential harness (stdlib only).

Every frame carries MAGIC + a 32-bit packet id in its L4 payload so that an
observer can tell which generated packet it saw. All checksums are correct
(IPv4 header, TCP/UDP/ICMP/ICMPv6 with pseudo header, SCTP CRC32c): a packet
with a bad checksum could be dropped by the stack and look like a drop verdict.
"""
import ipaddress
import struct

MAGIC = b"BnFd"
ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD
# Frames of PAGE_SIZE or more leave AF_PACKET as non-linear skbs with only
# the 14-byte Ethernet header in the linear area (packet_alloc_skb), like
# trafgen's: the receiving veths get MTU 9000 for them.
BIG_PAD = 4200

PROTO = {"icmp": 1, "tcp": 6, "udp": 17, "gre": 47, "esp": 50, "ah": 51,
         "icmpv6": 58, "sctp": 132, "udplite": 136}

TCP_FLAGS = {"fin": 0x01, "syn": 0x02, "rst": 0x04, "psh": 0x08,
             "ack": 0x10, "urg": 0x20, "ecn": 0x40, "cwr": 0x80}


def csum16(data):
	if len(data) % 2:
		data += b"\0"
	s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
	while s >> 16:
		s = (s & 0xFFFF) + (s >> 16)
	return (~s) & 0xFFFF


def _crc32c_table():
	tab = []
	for i in range(256):
		c = i
		for _ in range(8):
			c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
		tab.append(c)
	return tab


_CRC32C = _crc32c_table()


def crc32c(data):
	c = 0xFFFFFFFF
	for b in data:
		c = _CRC32C[(c ^ b) & 0xFF] ^ (c >> 8)
	return c ^ 0xFFFFFFFF


def l4_header_len(proto):
	return {"tcp": 20, "udp": 8, "udplite": 8, "icmp": 8, "icmpv6": 8,
		"sctp": 12 + 16}.get(proto, 0)


def build_l4(c, saddr, daddr, pid, payload_len, pseudo):
	"""L4 header + payload for case c; pseudo(proto_nr, l4len) gives the
	pseudo header used for TCP/UDP/ICMPv6 checksums."""
	proto = c["proto"]
	body = MAGIC + struct.pack("!I", pid)
	body += bytes(max(0, payload_len - len(body)))
	if proto == "tcp":
		flags = c.get("flags", TCP_FLAGS["syn"])
		ack = 1 if flags & TCP_FLAGS["ack"] else 0
		hdr = struct.pack("!HHIIBBHHH", c["sport"], c["dport"], pid, ack,
				  5 << 4, flags, 65535, 0, 0)
		seg = hdr + body
		ck = csum16(pseudo(6, len(seg)) + seg)
		return seg[:16] + struct.pack("!H", ck) + seg[18:]
	if proto in ("udp", "udplite"):
		nr = PROTO[proto]
		seg = struct.pack("!HHHH", c["sport"], c["dport"],
				  8 + len(body) if proto == "udp" else 0, 0) + body
		ck = csum16(pseudo(nr, len(seg)) + seg)
		if ck == 0:
			ck = 0xFFFF
		return seg[:6] + struct.pack("!H", ck) + seg[8:]
	if proto in ("icmp", "icmpv6"):
		rest = struct.pack("!HH", pid & 0xFFFF, (pid >> 16) & 0xFFFF)
		seg = struct.pack("!BBH", c["itype"], c.get("icode", 0), 0) + rest + body
		if proto == "icmp":
			ck = csum16(seg)
		else:
			ck = csum16(pseudo(58, len(seg)) + seg)
		return seg[:2] + struct.pack("!H", ck) + seg[4:]
	if proto == "sctp":
		data = body + bytes((-len(body)) % 4)
		chunk = struct.pack("!BBHIHHI", 0, 3, 16 + len(body), pid, 0, 0, 0) + data
		seg = struct.pack("!HHII", c["sport"], c["dport"], 0x1234ABCD, 0) + chunk
		ck = crc32c(seg)
		return seg[:8] + struct.pack("<I", ck) + seg[12:]
	return body  # any other protocol number: payload only


def payload_len_for(c):
	"""Payload size so that the IP length field equals c['iplen'] if set
	(IPv4 total length, IPv6 payload length)."""
	minimal = len(MAGIC) + 4
	want = c.get("iplen")
	if want is None:
		return minimal + c.get("pad", 0)
	fixed = l4_header_len(c["proto"]) + (20 if c["fam"] == 4 else 0)
	return max(minimal, want - fixed)


def build_frame(c, pid, dst_mac, src_mac):
	"""Whole Ethernet frame for case c (dict: fam, proto, saddr, daddr,
	sport, dport, itype, icode, flags, ttl, tos, iplen)."""
	plen = payload_len_for(c)
	saddr = ipaddress.ip_address(c["saddr"]).packed
	daddr = ipaddress.ip_address(c["daddr"]).packed
	nr = PROTO.get(c["proto"], c.get("protonr", 253))
	tos = c.get("tos", 0)
	ttl = c.get("ttl", 64)
	if c.get("big"):
		plen += BIG_PAD
	if c["fam"] == 4:
		def pseudo(p, ln):
			return saddr + daddr + struct.pack("!BBH", 0, p, ln)
		l4 = build_l4(c, saddr, daddr, pid, plen, pseudo)
		# options: three NOPs and an end-of-list (IHL 6) when asked for
		opts = b"\x01\x01\x01\x00" if c.get("ipopts") else b""
		ihl = 5 + len(opts) // 4
		hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, tos, 4 * ihl + len(l4),
				  pid & 0xFFFF, 0, ttl, nr, 0, saddr, daddr) + opts
		hdr = hdr[:10] + struct.pack("!H", csum16(hdr)) + hdr[12:]
		l3, etype = hdr + l4, ETH_P_IP
	else:
		def pseudo(p, ln):
			return saddr + daddr + struct.pack("!IxxxB", ln, p)
		l4 = build_l4(c, saddr, daddr, pid, plen, pseudo)
		ext = c.get("exthdr")
		if ext is not None:
			# hop-by-hop (0) or destination options (60) header, 8 bytes,
			# one PadN option; the L4 checksum does not cover it
			l4 = struct.pack("!BBBB4x", nr, 0, 1, 4) + l4
			nr = ext
		vtf = (6 << 28) | (tos << 20) | (pid & 0xFFFFF)
		hdr = struct.pack("!IHBB16s16s", vtf, len(l4), nr, ttl, saddr, daddr)
		l3, etype = hdr + l4, ETH_P_IPV6
	return dst_mac + src_mac + struct.pack("!H", etype) + l3


def find_id(data):
	"""Packet id carried after MAGIC in a received datagram, or None."""
	i = data.find(MAGIC)
	if i < 0 or i + 8 > len(data):
		return None
	return struct.unpack("!I", data[i + 4:i + 8])[0]


def fragment(frame, c, pid, nfrag=2):
	"""Split the IP payload of `frame` into nfrag fragments (8-byte aligned,
	the first holding the L4 header and the id); returns a list of frames,
	in order, or reversed when c['frag_rev']."""
	eth, etype = frame[:12], frame[12:14]
	l3 = frame[14:]
	if c["fam"] == 4:
		ihl = (l3[0] & 0x0F) * 4
		hdr, data = l3[:ihl], l3[ihl:]
	else:
		hdr, data = l3[:40], l3[40:]
	first = max(8, ((len(data) // nfrag) + 7) // 8 * 8)
	first = max(first, (l4_header_len(c["proto"]) + 8 + 7) // 8 * 8)
	cuts = [0, first]
	step = max(8, ((len(data) - first) // max(1, nfrag - 1) + 7) // 8 * 8)
	while cuts[-1] + step < len(data) and len(cuts) < nfrag:
		cuts.append(cuts[-1] + step)
	cuts.append(len(data))
	def frag(a, b):
		more = b < len(data)
		if c["fam"] == 4:
			h = bytearray(hdr)
			struct.pack_into("!H", h, 2, len(hdr) + b - a)
			# the id is a hash of the run's id (ID_BASE differs between
			# runs), so that a queue a broken datagram left in a
			# receiver (ipfrag_time, 1 s there) hardly ever meets a
			# later run's fragments of the same addresses
			struct.pack_into("!H", h, 4, ((pid * 0x9E3779B1) >> 16) & 0xFFFF)
			struct.pack_into("!H", h, 6, (0x2000 if more else 0) | (a // 8))
			struct.pack_into("!H", h, 10, 0)
			struct.pack_into("!H", h, 10, csum16(bytes(h)))
			return eth + etype + bytes(h) + data[a:b]
		h = bytearray(hdr)
		nh = h[6]
		h[6] = 44
		struct.pack_into("!H", h, 4, 8 + b - a)
		fh = struct.pack("!BBHI", nh, 0, (a // 8) << 3 | (1 if more else 0), pid)
		return eth + etype + bytes(h) + fh + data[a:b]

	out = [frag(a, b) for a, b in zip(cuts, cuts[1:]) if a < b]
	# c['frag_mode']: what the reassembly of the receiver must cope with
	# (the kernel: ip_frag_queue / inet_frag_queue_insert)
	mode = c.get("frag_mode")
	if mode == "nofirst":		# never complete: never reaches input
		out = out[1:]
	elif mode == "nolast":
		out = out[:-1]
	elif mode == "overlap" and cuts[1] + 8 <= len(data):
		# partial overlap with the first and second fragments, before
		# the datagram is complete: the kernel discards the whole queue
		out.insert(1, frag(cuts[1] - 8, cuts[1] + 8))
	elif mode == "dupfirst":	# exact duplicate: dropped, queue kept
		out.insert(1, out[0])
	elif mode == "duplast":		# the last one twice, before the others
		out = [out[-1], out[-1]] + out[:-1]
	if c.get("frag_rev"):
		out.reverse()
	return out


def build_frames(c, pid, dst_mac, src_mac):
	"""Frames for case c: one, or its fragments when c['frag'] is set."""
	f = build_frame(c, pid, dst_mac, src_mac)
	if c.get("frag"):
		return fragment(f, c, pid, c["frag"])
	return [f]
