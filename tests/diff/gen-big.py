#!/usr/bin/env python3
"""Writes the larger rulesets tests/diff/rulesets/6*.nft (fixed seed).

They exercise what an optimizer is tempted to get wrong when it turns runs of
same-shaped rules into one lookup: overlapping prefixes and ranges with mixed
verdicts (first match must win), runs broken by rules of another shape,
counters on every rule, and jumps in the middle of a run.
Run it again only to change them; the files are checked in.
"""
import ipaddress
import os
import random

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rulesets")
HDR = "# diff: limit=3000\n"


def chain(fam_table, rules, policy="accept", extra=""):
	body = "".join("\t\t%s\n" % r for r in rules)
	return ("%stable %s {\n%s\tchain input {\n\t\ttype filter hook input priority 0; "
		"policy %s;\n%s\t}\n}\n" % (HDR, fam_table, extra, policy, body))


def prefixes4(rnd, n):
	out = []
	for _ in range(n):
		plen = rnd.choice((15, 16, 20, 22, 24, 24, 26, 28, 30, 32))
		base = (10 << 24) | (rnd.randrange(0, 8) << 16) | rnd.randrange(0, 1 << 16)
		net = ipaddress.IPv4Network((base, plen), strict=False)
		out.append(str(net) if plen < 32 else str(net.network_address))
	return out


def prefixes6(rnd, n):
	out = []
	for _ in range(n):
		plen = rnd.choice((40, 48, 56, 64, 64, 96, 120, 128))
		base = (0xfd00 << 112) | (rnd.randrange(0, 4) << 96) | (rnd.randrange(0, 1 << 16) << 64) \
			| rnd.randrange(0, 1 << 8)
		net = ipaddress.IPv6Network((base, plen), strict=False)
		out.append(str(net) if plen < 128 else str(net.network_address))
	return out


def verdict(rnd):
	return rnd.choice(("accept", "drop", "drop"))


def main():
	rnd = random.Random(61)
	rules = ["ip saddr %s counter %s" % (p, verdict(rnd)) for p in prefixes4(rnd, 120)]
	open(os.path.join(OUT, "60-many-prefixes4.nft"), "w").write(chain("ip filter", rules))

	rnd = random.Random(62)
	rules = ["ip6 saddr %s counter %s" % (p, verdict(rnd)) for p in prefixes6(rnd, 100)]
	open(os.path.join(OUT, "61-many-prefixes6.nft"), "w").write(chain("ip6 filter", rules))

	rnd = random.Random(63)
	rules = []
	for _ in range(120):
		lo = rnd.randrange(1, 65000)
		hi = lo + rnd.choice((0, 0, 1, 9, 100, 999))
		proto = rnd.choice(("tcp", "udp", "tcp"))
		port = str(lo) if hi == lo else "%d-%d" % (lo, min(hi, 65535))
		rules.append("%s dport %s counter %s" % (proto, port, verdict(rnd)))
	open(os.path.join(OUT, "62-many-ports.nft"), "w").write(chain("inet filter", rules))

	# runs of one shape broken by others, a jump inside a run, policy drop
	rnd = random.Random(64)
	rules = []
	p4 = prefixes4(rnd, 90)
	for i, p in enumerate(p4):
		rules.append("ip saddr %s counter %s" % (p, verdict(rnd)))
		if i % 15 == 7:
			rules.append("tcp dport %d counter %s" % (rnd.randrange(1, 2000), verdict(rnd)))
		if i % 30 == 20:
			rules.append("ip saddr %s jump sub" % p4[rnd.randrange(len(p4))])
	extra = ("\tchain sub {\n\t\ttcp dport 1-1023 counter drop\n"
		 "\t\tudp dport 53 counter accept\n\t\tcounter return\n\t}\n\n")
	open(os.path.join(OUT, "63-runs-broken.nft"), "w").write(
		chain("inet filter", rules + ["meta l4proto { tcp, udp, icmp, ipv6-icmp, sctp } counter accept"],
		      policy="drop", extra=extra))

	# one address set and one port set with many elements, against the
	# same values as single rules in a later chain of higher priority
	rnd = random.Random(65)
	addrs = sorted({str(ipaddress.IPv4Address((10 << 24) | rnd.randrange(1 << 18)))
			for _ in range(300)}, key=lambda a: ipaddress.IPv4Address(a))
	ports = sorted({rnd.randrange(1, 65536) for _ in range(200)})
	text = HDR + "table inet filter {\n\tset a4 {\n\t\ttype ipv4_addr\n\t\telements = { %s }\n\t}\n\n" \
		"\tset pp {\n\t\ttype inet_service\n\t\tflags interval\n\t\telements = { %s }\n\t}\n\n" \
		"\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n" \
		"\t\tip saddr @a4 tcp dport @pp counter drop\n\t\tip daddr @a4 counter drop\n" \
		"\t\tudp dport @pp counter drop\n\t}\n}\n" % (
			", ".join(addrs), ", ".join("%d-%d" % (p, p + 3) if i % 4 == 0 else str(p)
						  for i, p in enumerate(ports) if i % 4 != 1))
	open(os.path.join(OUT, "64-big-sets.nft"), "w").write(text)


if __name__ == "__main__":
	main()
