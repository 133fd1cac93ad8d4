#!/usr/bin/env python3
"""Generate benchmark rulesets that look like real ones, with a fixed seed.

usage: gen_ruleset.py KIND N [--hook ingress|input] [--dev IFNAME]
KIND:
  hosts    per-host allow list: ip saddr A tcp dport P accept
  prefixes mixed-length prefixes: ip saddr A/L drop
  ports    port ranges: tcp dport LO-HI accept
  mixed    hosts + prefixes + ranges + iifname + a few jumps + a tail
  set      the same N host/port pairs written as one concatenated set
  elems    a named ipv4_addr set of N elements and one rule using it
The matching probe packets never hit (non-matching addresses are in 198.18/15)
unless the harness asks for a specific rule.
"""
import random
import sys


def addr(i):
    # 10.0.0.0/8 space, distinct per i (i < 2^24)
    return "10.%d.%d.%d" % ((i >> 16) & 255, (i >> 8) & 255, i & 255)


def header(hook, dev, family="netdev" if True else "inet"):
    if hook == "ingress":
        return ("table netdev bench {\n\tchain c {\n"
                "\t\ttype filter hook ingress device \"%s\" priority 0; policy accept;\n" % dev)
    return ("table inet bench {\n\tchain c {\n"
            "\t\ttype filter hook input priority 0; policy accept;\n")


def main():
    kind, n = sys.argv[1], int(sys.argv[2])
    hook = "ingress"
    dev = "veth-b"
    args = sys.argv[3:]
    if "--hook" in args:
        hook = args[args.index("--hook") + 1]
    if "--dev" in args:
        dev = args[args.index("--dev") + 1]
    rnd = random.Random(4242 + n)
    out = []
    want_probes = "--probes" in args
    probe_at = {0, n // 2, n - 1}
    probes = []
    if kind == "elems":
        out.append("table netdev bench {\n\tset s {\n\t\ttype ipv4_addr\n\t\telements = { ")
        out.append(", ".join(addr(i) for i in range(n)))
        out.append(" }\n\t}\n")
        out.append("\tchain c {\n\t\ttype filter hook ingress device \"%s\" priority 0; policy accept;\n" % dev)
        out.append("\t\tip saddr @s drop\n\t}\n}\n")
        sys.stdout.write("".join(out))
        return
    out.append(header(hook, dev))
    if kind == "set":
        ports = [1024 + rnd.randrange(60000) for i in range(n)]
        elems = ", ".join("%s . %d" % (addr(i), ports[i]) for i in range(n))
        probes = ["tcp,%s,192.0.2.1,%d" % (addr(i), ports[i]) for i in sorted(probe_at)]
        out.append("\t\tip saddr . tcp dport { %s } accept\n" % elems)
    else:
        for i in range(n):
            if kind == "hosts" or (kind == "mixed" and i % 4 == 0):
                port = 1024 + rnd.randrange(60000)
                out.append("\t\tip saddr %s tcp dport %d accept\n" % (addr(i), port))
                if i in probe_at:
                    probes.append("tcp,%s,192.0.2.1,%d" % (addr(i), port))
            elif kind == "prefixes" or (kind == "mixed" and i % 4 == 1):
                plen = rnd.choice([16, 20, 24, 28, 32])
                a = (10 << 24) | (i << 8)
                a &= (0xffffffff << (32 - plen)) & 0xffffffff
                pfx = "%d.%d.%d.%d" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255)
                out.append("\t\tip saddr %s/%d drop\n" % (pfx, plen))
                if i in probe_at:
                    probes.append("tcp,%s,192.0.2.1,9" % pfx)
            elif kind == "ports" or (kind == "mixed" and i % 4 == 2):
                lo = rnd.randrange(1, 60000)
                out.append("\t\ttcp dport %d-%d accept\n" % (lo, lo + rnd.randrange(1, 100)))
                if i in probe_at:
                    probes.append("tcp,192.0.2.7,192.0.2.1,%d" % lo)
            else:
                out.append("\t\tiifname \"bench%d\" ip daddr %s drop\n" % (i % 64, addr(i)))
    out.append("\t}\n}\n")
    if want_probes:
        # first, middle, last rule (where the rule kind has a probe), none
        print(" ".join(probes + ["tcp,198.18.0.1,198.18.0.2,9"]))
        return
    sys.stdout.write("".join(out))


if __name__ == "__main__":
    main()
