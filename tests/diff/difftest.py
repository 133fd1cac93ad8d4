#!/usr/bin/env python3
"""Differential verdict harness: the same ruleset in the kernel's nf_tables
(reference namespace) and in the system under test (SUT namespace), the same
generated packets through both, per-packet verdicts and per-rule counters
compared. Namespaces come from tests/diff/netns.sh; see tests/diff/README.md.

Output: one line per ruleset (PASS/FAIL/SKIP), details for failures, and a
final line "diff: N passed, N failed, N skipped" (or the --tally name).
"""
import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cases as casegen  # noqa: E402
import pkt  # noqa: E402
import nsio  # noqa: E402

# After the last packet, observers read until nothing arrived for QUIET
# seconds. veth delivery runs in the sender's softirq, so packets are
# normally all there when send() returns; env DIFF_QUIET raises it.
QUIET = float(os.environ.get("DIFF_QUIET", "0.04"))
RE_OUT_HOOK = re.compile(r"\bhook\s+(output|postrouting|egress)\b")
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MAC_IF = [bytes.fromhex("02b00f000010"), bytes.fromhex("02b00f000011")]
MAC_GEN = bytes.fromhex("02b00f000001")
ID_BASE = (os.getpid() & 0xFFFF) << 16

SUT_PRESETS = {
	"kernel": {
		"load": "ip netns exec {ns} nft -f {ruleset}",
		"unload": "ip netns exec {ns} nft flush ruleset",
		"counters": "ip netns exec {ns} nft -j list ruleset",
	},
	"kload": {
		"load": "{root}/tests/diff/sut-kload.sh load {ruleset} {ns} {pin}",
		"unload": "{root}/tests/diff/sut-kload.sh unload - {ns} {pin}",
		"counters": "{root}/tests/diff/sut-kload.sh counters - {ns} {pin}",
	},
	"bnft": {
		"load": "ip netns exec {ns} {bnft} --pin-root {pin} -f {ruleset}",
		"unload": "ip netns exec {ns} {bnft} --pin-root {pin} flush ruleset",
		"counters": "ip netns exec {ns} {bnft} --pin-root {pin} -a list ruleset",
	},
}


def sh(cmd, timeout=60):
	"""Run a shell command; returns (rc, stdout, stderr)."""
	try:
		p = subprocess.run(cmd, shell=True, capture_output=True, text=True,
				   timeout=timeout)
		return p.returncode, p.stdout, p.stderr
	except subprocess.TimeoutExpired:
		return 124, "", "timeout after %ds: %s" % (timeout, cmd)


class Counters:
	"""Per-rule counters keyed by (family, table, chain, index in chain); the
	value is a list of (packets, bytes), one per counter statement. handles
	maps (family, table, chain, handle) to that key, for SUT output that
	names rules by handle (same ruleset loaded fresh: same handles)."""

	def __init__(self):
		self.rules = {}
		self.handles = {}

	@staticmethod
	def parse(text, ref=None):
		text = text.strip()
		if text.startswith("{"):
			return Counters.parse_json(text)
		if re.search(r"^\s*table\s", text, re.M):
			return Counters.parse_nft_text(text)
		return Counters.parse_lines(text, ref)

	@staticmethod
	def parse_json(text):
		c, idx = Counters(), {}
		for obj in json.loads(text).get("nftables", []):
			r = obj.get("rule")
			if not r:
				continue
			ck = (r["family"], r["table"], r["chain"])
			i = idx[ck] = idx.get(ck, -1) + 1
			c.handles[ck + (r.get("handle"),)] = ck + (i,)
			# a rule counter is {"counter": {"packets", "bytes"}}; a named
			# counter reference is a string or {"counter": {"map": ...}}
			cs = [e["counter"] for e in r.get("expr", [])
			      if isinstance(e, dict) and isinstance(e.get("counter"), dict) and
			      "packets" in e["counter"]]
			if cs:
				c.rules[ck + (i,)] = [(x.get("packets", 0), x.get("bytes", 0)) for x in cs]
		return c

	@staticmethod
	def parse_nft_text(text):
		c, idx = Counters(), {}
		fam = table = chain = None
		for line in text.splitlines():
			s = line.strip()
			m = re.match(r"table (\S+) (\S+) \{", s)
			if m:
				fam, table, chain = m.group(1), m.group(2), None
				continue
			m = re.match(r"chain (\S+) \{", s)
			if m:
				chain = m.group(1)
				continue
			if s == "}" or not chain or not s or s.startswith(
					("type ", "policy ", "comment ", "devices ", "flags ")):
				if s == "}" and chain:
					chain = None
				continue
			ck = (fam, table, chain)
			i = idx[ck] = idx.get(ck, -1) + 1
			m = re.search(r"# handle (\d+)", s)
			if m:
				c.handles[ck + (int(m.group(1)),)] = ck + (i,)
			cs = [(int(p), int(b)) for p, b in
			      re.findall(r"counter packets (\d+) bytes (\d+)", s)]
			if cs:
				c.rules[ck + (i,)] = cs
		return c

	@staticmethod
	def parse_lines(text, ref):
		"""bnft-kload --counters: 'family table chain index packets bytes
		[handle H]' per line; with a handle, the rule is found by handle."""
		c = Counters()
		for line in text.splitlines():
			f = line.split()
			if len(f) < 6 or not all(x.isdigit() for x in f[3:6]):
				continue
			k = (f[0], f[1], f[2], int(f[3]))
			if len(f) >= 8 and f[6] == "handle" and f[7].isdigit() and ref:
				h = k[:3] + (int(f[7]),)
				k = ref.handles.get(h, k[:3] + ("handle %s" % f[7],))
			c.rules.setdefault(k, []).append((int(f[4]), int(f[5])))
		return c


class Harness:
	def __init__(self, a):
		self.a = a
		self.ref, self.sut, self.gen = a.ref_ns, a.sut_ns, a.gen_ns
		preset = SUT_PRESETS.get(a.sut, SUT_PRESETS["kernel"])
		self.sut_cmd = {
			"load": os.environ.get("BNFT_SUT_LOAD", preset["load"]),
			"unload": os.environ.get("BNFT_SUT_UNLOAD", preset["unload"]),
			"counters": os.environ.get("BNFT_SUT_COUNTERS", preset["counters"]),
		}
		self.obs_ref = nsio.Observer(self.ref)
		self.obs_sut = nsio.Observer(self.sut)
		self.tx = nsio.Sender(self.gen, ["ref0", "ref1", "sut0", "sut1"])
		self.lo_ref = nsio.LocalSender(self.ref)
		self.lo_sut = nsio.LocalSender(self.sut)
		self.wire = nsio.WireObserver(self.gen, ["ref0", "ref1", "ref2",
							 "sut0", "sut1", "sut2"])
		self.ifidx = {"ref": nsio.ifindexes(self.ref), "sut": nsio.ifindexes(self.sut)}
		self.addrs = set()
		self.next_id = ID_BASE
		self.passed = self.failed = self.skipped = 0
		self.totals = {"packets": 0, "agree": 0, "ctr": 0, "ctr_agree": 0}
		self.deadline = time.time() + a.budget if a.budget else None

	def fmt(self, cmd, ruleset="-"):
		return cmd.format(ruleset=shlex.quote(ruleset), ns=self.sut, pin=self.a.pin,
				  root=ROOT, scratch=self.a.scratch,
				  bnft=os.environ.get("BNFT_BIN", ROOT + "/build/bnft"))

	def own_addresses(self, case_list):
		"""Give both receivers every destination address used (on lo)."""
		need = [x for x in casegen.local_addresses(case_list) if x not in self.addrs]
		if not need:
			return
		batch = "".join("addr replace %s/%d dev lo%s\n" % (a, 32 if f == 4 else 128,
								  "" if f == 4 else " nodad")
				for f, a in need)
		for ns in (self.ref, self.sut):
			p = subprocess.run(["ip", "-n", ns, "-force", "-batch", "-"], input=batch,
					   capture_output=True, text=True)
			if p.returncode and "File exists" not in p.stderr:
				print("  warning: address setup in %s: %s" % (ns, p.stderr.strip()[:200]))
		self.addrs.update(need)

	def send_all(self, case_list):
		"""Send every case to both sides; returns {id: case}."""
		self.obs_ref.reset()
		self.obs_sut.reset()
		self.wire.reset()
		sent = {}
		for i, c in enumerate(case_list):
			pid = self.next_id
			self.next_id = (self.next_id + 1) & 0xFFFFFFFF
			frames = pkt.build_frames(c, pid, MAC_IF[c["iface"]], MAC_GEN)
			sent[pid] = c
			sides = ("ref", "sut")
			if self.a.alternate and pid % 2:
				sides = ("sut", "ref")
			for side in sides:
				for frame in frames:
					self.tx.send("%s%d" % (side, c["iface"]), frame)
			if i % 32 == 31:
				self.obs_ref.drain()
				self.obs_sut.drain()
				self.wire.drain()
		self.obs_ref.drain(QUIET)
		self.obs_sut.drain(QUIET)
		self.wire.drain(QUIET)
		return sent

	def send_out(self, case_list):
		"""Send every case from inside both receivers (output direction);
		returns {id: case}. A case to be fragmented is sent 2000 bytes
		larger by a way out with a route MTU of 1280: the stack fragments
		it after postrouting (ip_fragment / ip6_fragment; IPv6 through a
		socket of its protocol, nsio.LocalSender.send6_frag)."""
		self.wire.reset()
		sent = {}
		for i, c in enumerate(case_list):
			pid = self.next_id
			self.next_id = (self.next_id + 1) & 0xFFFFFFFF
			frag = bool(c.get("frag"))
			b = dict(c, pad=c.get("pad", 0) + 2000) if frag else c
			l3 = pkt.build_frame(b, pid, MAC_GEN, MAC_IF[c["iface"]])[14:]
			sent[pid] = c
			for lo in (self.lo_ref, self.lo_sut):
				lo.send(c["fam"], c["iface"], l3, c["daddr"], frag)
			if i % 32 == 31:
				self.wire.drain()
		self.wire.drain(QUIET)
		return sent

	def wire_verdict(self, side, pid, want):
		"""accept if the packet left exactly once, through `want`."""
		mine = [n for n in self.wire.seen.get(pid, []) if n.startswith(side)]
		if not mine:
			return "drop"
		if len(mine) > 1:
			return "accept(x%d)" % len(mine)
		if mine[0] != want:
			return "accept(out %s)" % mine[0]
		return "accept"

	def rows_in(self, sent):
		rows = []
		for pid, c in sent.items():
			if casegen.forwarded(c):
				rows.append(("fwd", pid, c, self.wire_verdict("ref", pid, "ref2"),
					     self.wire_verdict("sut", pid, "sut2")))
			else:
				rows.append(("in", pid, c, self.verdict(self.obs_ref, pid, "ref", c),
					     self.verdict(self.obs_sut, pid, "sut", c)))
		return rows

	def rows_out(self, sent):
		return [("out", pid, c, self.wire_verdict("ref", pid, "ref%d" % c["iface"]),
			 self.wire_verdict("sut", pid, "sut%d" % c["iface"]))
			for pid, c in sent.items()]

	def load_ref(self, path):
		sh("ip netns exec %s nft flush ruleset" % self.ref)
		rc, _, err = sh("ip netns exec %s nft -f %s" % (self.ref, shlex.quote(path)))
		return rc, err

	def load_sut(self, path):
		sh(self.fmt(self.sut_cmd["unload"]))
		rc, out, err = sh(self.fmt(self.sut_cmd["load"], path), timeout=self.a.load_timeout)
		return rc, (err or out)

	def counters(self):
		_, out, _ = sh("ip netns exec %s nft -j list ruleset" % self.ref)
		ref = Counters.parse(out)
		rc, out, err = sh(self.fmt(self.sut_cmd["counters"]))
		try:
			sut = Counters.parse(out, ref) if rc == 0 else None
		except (ValueError, KeyError) as e:
			sut, err = None, "unparsable SUT counters (%s): %s" % (e, out[:200])
		return ref, sut, err

	def skip(self, name, why):
		self.skipped += 1
		print("SKIP %s: %s" % (name, why.strip().splitlines()[0][:300] if why.strip() else "?"))

	def run_one(self, name, ref_path, sut_path=None, expect_fail=False):
		"""One ruleset (or a ref/SUT pair). Returns 'pass'/'fail'/'skip'.
		A harness exception fails this ruleset, not the run."""
		try:
			return self._run_one(name, ref_path, sut_path, expect_fail)
		except Exception as e:  # noqa: BLE001 - report and go on
			self.failed += 1
			print("FAIL %s: harness error %s: %s" % (name, type(e).__name__, e))
			return "fail"

	def _run_one(self, name, ref_path, sut_path, expect_fail):
		sut_path = sut_path or ref_path
		if self.deadline and time.time() > self.deadline:
			self.skip(name, "time budget of the tier used up")
			return "skip"
		text = open(ref_path).read()
		rc, err = self.load_ref(ref_path)
		if rc:
			self.skip(name, "kernel nft refuses it: " + err)
			return "skip"
		rc, err = self.load_sut(sut_path)
		if rc:
			self.skip(name, "SUT refuses it: " + (err or "exit %d" % rc))
			return "skip"
		m = re.search(r"^# diff: limit=(\d+)", text, re.M)
		limit = max(self.a.limit, int(m.group(1))) if m else self.a.limit
		case_list = casegen.generate(text + (open(sut_path).read()
						     if sut_path != ref_path else ""), limit=limit)
		self.own_addresses(case_list)
		rows = self.rows_in(self.send_all(case_list))
		if RE_OUT_HOOK.search(text):
			rows += self.rows_out(self.send_out(case_list))
		ref_c, sut_c, cerr = self.counters()
		return self.compare(name, rows, ref_c, sut_c, cerr, expect_fail, ref_path)

	def verdict(self, obs, pid, side, c):
		"""accept if the packet reached local delivery on the interface it
		was sent to, with its own protocol (an ICMP error quoting it does
		not count), exactly once."""
		want_if = self.ifidx[side].get("veth%d" % c["iface"])
		want_p = pkt.PROTO.get(c["proto"], c.get("protonr"))
		seen = [x for x in obs.seen.get(pid, []) if x[1] == want_p]
		if not seen:
			return "drop"
		if len(seen) > 1:
			return "accept(x%d)" % len(seen)
		if seen[0][0] not in (want_if, 0):
			return "accept(iif %d)" % seen[0][0]
		return "accept"

	def compare(self, name, rows, ref_c, sut_c, cerr, expect_fail, ref_path=None):
		"""rows: (direction, id, case, kernel verdict, SUT verdict)."""
		bad = []
		agree = 0
		acc = 0
		nout = nfwd = 0
		for d, pid, c, vr, vs in rows:
			acc += vr == "accept"
			nout += d == "out"
			nfwd += d == "fwd"
			if vr == vs:
				agree += 1
			else:
				bad.append((d, pid, c, vr, vs))
		nctr = ctr_agree = 0
		ctr_bad = []
		if sut_c is None:
			ctr_bad.append(("SUT counters unavailable", cerr.strip()[:200], ""))
		else:
			ref_c, sut_c = ref_c.rules, sut_c.rules
			for k in sorted(set(ref_c) | set(sut_c), key=str):
				nctr += 1
				r, s = ref_c.get(k), sut_c.get(k)
				if r is not None and s is not None and [x[0] for x in r] == [x[0] for x in s]:
					if not self.a.packets_only and r != s:
						ctr_bad.append((k, r, s))
					else:
						ctr_agree += 1
				else:
					ctr_bad.append((k, r, s))
		n = len(rows)
		self.totals["packets"] += n
		self.totals["agree"] += agree
		self.totals["ctr"] += nctr
		self.totals["ctr_agree"] += ctr_agree
		ok = not bad and not ctr_bad
		if expect_fail:
			res = "pass" if not ok else "fail"
		else:
			res = "pass" if ok else "fail"
		tag = {"pass": "PASS", "fail": "FAIL"}[res]
		extra = []
		if nfwd:
			extra.append("%d to be forwarded" % nfwd)
		if nout:
			extra.append("%d from inside, output" % nout)
		print("%s %s: %d packets sent%s (%d accepted by kernel), verdicts %d/%d agree, "
		      "counters %d/%d agree%s" % (tag, name, n,
						  " (%s)" % ", ".join(extra) if extra else "",
						  acc, agree, n, ctr_agree, nctr,
						  " (disagreement expected)" if expect_fail else ""))
		if bad or ctr_bad:
			for d, pid, c, vr, vs in bad[:self.a.show]:
				desc = describe(c)
				if d == "out":
					desc = "sent from inside: " + desc.replace(" if veth", " oif veth")
				elif d == "fwd":
					desc = "forwarded: " + desc
				print("    packet %08x %s: kernel %s, SUT %s" % (pid, desc, vr, vs))
			if len(bad) > self.a.show:
				print("    ... %d more packet disagreements" % (len(bad) - self.a.show))
			for k, r, s in ctr_bad[:self.a.show]:
				print("    counter %s: kernel %s; SUT %s" % (fmt_key(k), fmt_ctr(r), fmt_ctr(s)))
		if res == "pass":
			self.passed += 1
		else:
			self.failed += 1
		return res


def spread(items, stride=4):
	"""Order for a time-budgeted run: every stride-th item first, so that
	a cut by the budget skips a sample across all groups of rulesets
	rather than the whole tail (output, forward, fragments)."""
	return [x for k in range(stride) for x in items[k::stride]]


def fmt_key(k):
	if isinstance(k, tuple) and len(k) == 4 and isinstance(k[3], int):
		return "%s %s %s rule #%d" % k
	return " ".join(str(x) for x in k) if isinstance(k, tuple) else str(k)


def fmt_ctr(v):
	if not isinstance(v, list):
		return "none" if v is None else str(v)
	return ", ".join("packets %d bytes %d" % x for x in v)


def describe(c):
	s = "[%s] ip%s %s %s -> %s if veth%d" % (
		c["desc"], "" if c["fam"] == 4 else "6", c["proto"] if c["proto"] != "raw"
		else "proto %d" % c["protonr"], c["saddr"], c["daddr"], c["iface"])
	if c["proto"] in ("tcp", "udp", "sctp"):
		s += " sport %d dport %d" % (c["sport"], c["dport"])
	if c["proto"] == "tcp":
		s += " flags 0x%02x" % c.get("flags", 2)
	if c["proto"] in ("icmp", "icmpv6"):
		s += " type %d" % c["itype"]
	s += " ttl %d" % c["ttl"]
	if c.get("tos"):
		s += " dscp %d" % (c["tos"] >> 2)
	if c.get("iplen"):
		s += " length %d" % c["iplen"]
	if c.get("exthdr") is not None:
		s += " exthdr %d" % c["exthdr"]
	if c.get("ipopts"):
		s += " ip-options"
	if c.get("big"):
		s += " non-linear"
	if c.get("frag"):
		s += " in %d fragments%s%s" % (c["frag"], " reversed" if c.get("frag_rev") else "",
					       " " + c["frag_mode"] if c.get("frag_mode") else "")
	return s


def corpus_candidates(pattern_dir):
	"""Corpus dumps with at least one base chain."""
	out = []
	for d in sorted(os.listdir(pattern_dir)):
		dd = os.path.join(pattern_dir, d, "dumps")
		if not os.path.isdir(dd):
			continue
		for f in sorted(os.listdir(dd)):
			if f.endswith(".nft"):
				p = os.path.join(dd, f)
				if re.search(r"\btype \w+ hook \w+", open(p, errors="replace").read()):
					out.append((d + "/" + f, p))
	return out


def main():
	ap = argparse.ArgumentParser(description=__doc__)
	ap.add_argument("--gen-ns", required=True)
	ap.add_argument("--ref-ns", required=True)
	ap.add_argument("--sut-ns", required=True)
	ap.add_argument("--sut", default="kernel", help="kernel | kload | bnft (preset)")
	ap.add_argument("--pin", default="/run/bnft-test-diff")
	ap.add_argument("--scratch", default="")
	ap.add_argument("--limit", type=int, default=1200, help="packets per ruleset")
	ap.add_argument("--budget", type=float, default=0, help="seconds, 0 = none")
	ap.add_argument("--load-timeout", type=int, default=60)
	ap.add_argument("--show", type=int, default=8)
	ap.add_argument("--packets-only", action="store_true",
			help="compare counter packets only, not bytes")
	ap.add_argument("--tally", default="diff")
	ap.add_argument("--alternate", action="store_true",
			help="send every other packet to the SUT first")
	ap.add_argument("--empty-check", action="store_true",
			help="observer sanity: no ruleset, every packet must arrive")
	ap.add_argument("--pair", nargs=2, action="append", default=[],
			metavar=("REF", "SUT"), help="ruleset pair that MUST disagree")
	ap.add_argument("--corpus", help="nftables tests/shell/testcases directory")
	ap.add_argument("rulesets", nargs="*")
	a = ap.parse_args()
	h = Harness(a)
	t0 = time.time()
	try:
		if a.empty_check:
			empty_check(h)
		for p in spread(a.rulesets) if a.budget else a.rulesets:
			h.run_one(os.path.basename(p), p)
		for r, s in a.pair:
			h.run_one("%s vs %s" % (os.path.basename(r), os.path.basename(s)), r, s,
				  expect_fail=True)
		if a.corpus:
			run_corpus(h, a.corpus)
	finally:
		sh(h.fmt(h.sut_cmd["unload"]))
		sh("ip netns exec %s nft flush ruleset" % h.ref)
	t = h.totals
	print("%s totals: %d packets, %d verdict agreements, %d/%d counters agree, %.1fs" %
	      (a.tally, t["packets"], t["agree"], t["ctr_agree"], t["ctr"], time.time() - t0))
	print("%s: %d passed, %d failed, %d skipped" % (a.tally, h.passed, h.failed, h.skipped))
	return 1 if h.failed else 0


OBS_DROP_ALL = """table inet obs {
	chain input {
		type filter hook input priority 0; policy accept;
		counter drop
	}
}
"""


def empty_check(h):
	"""No ruleset anywhere: every generated packet must reach both observers,
	else the observer (not the SUT) is broken and all verdicts are void.
	Then a kernel ruleset dropping everything at inet input on both sides:
	the observers must see none of the packets while the rule counts all of
	them, which shows that the raw sockets sit after NF_INET_LOCAL_IN for
	IPv4 and IPv6 on this kernel."""
	sh("ip netns exec %s nft flush ruleset" % h.ref)
	sh(h.fmt(h.sut_cmd["unload"]))
	text = "ip saddr 10.0.0.0/8 tcp dport { 22, 80-90 } ip6 daddr fd00::/64 icmp type 8"
	case_list = casegen.generate(text + " flags length dscp protocol", limit=600)
	h.own_addresses(case_list)
	for ns in (h.ref, h.sut):
		p = subprocess.run(["ip", "netns", "exec", ns, "nft", "-f", "-"],
				   input=OBS_DROP_ALL, capture_output=True, text=True)
		if p.returncode:
			print("  warning: %s: %s" % (ns, p.stderr.strip()))
	sent = h.send_all(case_list)
	bad = []
	for side, ns, o in (("ref", h.ref, h.obs_ref), ("sut", h.sut, h.obs_sut)):
		_, out, _ = sh("ip netns exec %s nft -j list ruleset" % ns)
		ctr = Counters.parse(out).rules.get(("inet", "obs", "input", 0), [(0, 0)])[0][0]
		seen = sum(1 for pid in sent if pid in o.seen)
		if seen or ctr != len(sent):
			bad.append("%s: %d observed, input counter %d" % (side, seen, ctr))
		sh("ip netns exec %s nft flush ruleset" % ns)
	if bad:
		h.failed += 1
		print("FAIL observer position: with 'counter drop' at input, of %d packets: %s" %
		      (len(sent), "; ".join(bad)))
	else:
		h.passed += 1
		print("PASS observer position: %d packets dropped at inet input are counted there "
		      "and never observed, on both sides" % len(sent))
	sent = h.send_all(case_list)
	miss = [(side, pid) for side, o in (("ref", h.obs_ref), ("sut", h.obs_sut))
		for pid in sent if pid not in o.seen]
	csum = csum_errors(h.ref) + csum_errors(h.sut)
	if csum:
		h.failed += 1
		print("FAIL generator checksums: receivers count %d checksum errors (/proc/net/snmp*)"
		      % csum)
	if miss:
		h.failed += 1
		print("FAIL observer sanity: %d of %d packets not observed without any ruleset" %
		      (len(miss), 2 * len(sent)))
		for side, pid in miss[:8]:
			print("    %s missed %08x %s" % (side, pid, describe(sent[pid])))
	else:
		h.passed += 1
		print("PASS observer sanity: all %d packets observed on both sides with no "
		      "ruleset loaded" % len(sent))
	empty_check_out(h, case_list)
	empty_check_fwd(h)


OBS_DROP_OUT = """table inet obs {
	chain output {
		type filter hook output priority 0; policy accept;
		counter drop
	}
}
"""


def empty_check_out(h, case_list):
	"""The same for the output direction: sent from inside the receivers,
	every packet must reach the generator's wire with no ruleset, and none
	when the kernel drops everything at inet output (which counts them)."""
	sent = h.send_out(case_list)
	miss = [(side, pid) for side in ("ref", "sut") for pid in sent
		if not any(n.startswith(side) for n in h.wire.seen.get(pid, []))]
	if miss:
		h.failed += 1
		print("FAIL output observer sanity: %d of %d packets sent from inside not seen "
		      "on the wire without any ruleset" % (len(miss), 2 * len(sent)))
		for side, pid in miss[:8]:
			print("    %s missed %08x %s" % (side, pid, describe(sent[pid])))
	else:
		h.passed += 1
		print("PASS output observer sanity: all %d packets sent from inside seen on the "
		      "wire, both sides" % len(sent))
	for ns in (h.ref, h.sut):
		subprocess.run(["ip", "netns", "exec", ns, "nft", "-f", "-"],
			       input=OBS_DROP_OUT, capture_output=True, text=True)
	sent = h.send_out(case_list)
	bad = []
	for side, ns in (("ref", h.ref), ("sut", h.sut)):
		_, out, _ = sh("ip netns exec %s nft -j list ruleset" % ns)
		ctr = Counters.parse(out).rules.get(("inet", "obs", "output", 0), [(0, 0)])[0][0]
		seen = sum(1 for pid in sent
			   if any(n.startswith(side) for n in h.wire.seen.get(pid, [])))
		# The stack may send a packet of its own meanwhile (IPv6 ND, MLD):
		# the counter must cover every test packet, it may count more.
		if seen or ctr < len(sent):
			bad.append("%s: %d on the wire, output counter %d" % (side, seen, ctr))
		sh("ip netns exec %s nft flush ruleset" % ns)
	if bad:
		h.failed += 1
		print("FAIL output observer position: with 'counter drop' at output, of %d "
		      "packets: %s" % (len(sent), "; ".join(bad)))
	else:
		h.passed += 1
		print("PASS output observer position: %d packets dropped at inet output are "
		      "counted there and never on the wire, on both sides" % len(sent))


OBS_DROP_FWD = """table inet obs {
	chain forward {
		type filter hook forward priority 0; policy accept;
		counter drop
	}
}
"""


def empty_check_fwd(h):
	"""Forwarded packets (destinations in the veth2 ranges, TTL > 1): all on
	the wire of veth2 with no ruleset, none with 'inet forward: counter drop'
	(whose counter shows them all)."""
	text = "hook forward ip daddr 198.18.0.0/24 ip6 daddr 2001:db8:f::/64 tcp dport 22"
	case_list = [c for c in casegen.generate(text, limit=600)
		     if casegen.forwarded(c) and c["ttl"] > 1]
	res = []
	for rs in (None, OBS_DROP_FWD):
		for ns in (h.ref, h.sut):
			sh("ip netns exec %s nft flush ruleset" % ns)
			if rs:
				subprocess.run(["ip", "netns", "exec", ns, "nft", "-f", "-"],
					       input=rs, capture_output=True, text=True)
		sent = h.send_all(case_list)
		for side, ns in (("ref", h.ref), ("sut", h.sut)):
			_, out, _ = sh("ip netns exec %s nft -j list ruleset" % ns)
			ctr = Counters.parse(out).rules.get(("inet", "obs", "forward", 0),
							    [(0, 0)])[0][0]
			seen = sum(1 for pid in sent
				   if h.wire_verdict(side, pid, side + "2") == "accept")
			res.append((rs is not None, side, seen, ctr))
			sh("ip netns exec %s nft flush ruleset" % ns)
	n = len(case_list)
	bad = [r for r in res if (r[0] and (r[2] or r[3] != n)) or (not r[0] and r[2] != n)]
	if bad:
		h.failed += 1
		print("FAIL forward observer: of %d packets to forward: %s" % (n, "; ".join(
			"%s %s: %d on the wire, forward counter %d" %
			("drop-all" if d else "no ruleset", side, seen, ctr)
			for d, side, seen, ctr in bad)))
	else:
		h.passed += 1
		print("PASS forward observer: %d packets to forward leave by veth2 with no "
		      "ruleset and none with 'forward: counter drop' (counted), on both sides" % n)


def csum_errors(ns):
	"""Sum of the *InCsumErrors counters of a namespace (raw sockets get
	packets before L4 checksum checks, so these show a generator bug)."""
	_, out, _ = sh("ip netns exec %s cat /proc/net/snmp /proc/net/snmp6" % ns)
	total = 0
	lines = out.splitlines()
	for i, line in enumerate(lines):
		f = line.split()
		if "InCsumErrors" in f and i + 1 < len(lines):
			vals = lines[i + 1].split()
			if vals and vals[0] == f[0]:
				total += int(vals[f.index("InCsumErrors")])
		elif len(f) == 2 and f[0].endswith("InCsumErrors"):
			total += int(f[1])
	return total


def run_corpus(h, d):
	cands = corpus_candidates(d)
	accepted = []
	for name, p in spread(cands) if h.deadline else cands:
		r = h.run_one("corpus " + name, p)
		if r != "skip":
			accepted.append(name)
	print("corpus: %d dumps with base chains, SUT accepted %d" % (len(cands), len(accepted)))
	if accepted:
		print("corpus accepted: " + " ".join(accepted))


if __name__ == "__main__":
	sys.exit(main())
