#!/bin/bash
# Stateful tier (issue 4): conntrack, reject and limit against the kernel.
# Ends with "stateful: N passed, N failed, N skipped".
#
#  1. harness sanity, kernel nf_tables on both sides: every stateful
#     ruleset (tests/diff/stateful/*.nft, ordered packet sequences) agrees
#     100% (verdicts, reply packets, counters); every mutant pair in
#     tests/diff/stateful/mutants MUST be reported as disagreeing;
#  2. each SUT in $BNFT_SUT (default "bnft"; "bnft kload" adds bnft-kload,
#     about 70 s more) on every stateful
#     ruleset: per-step verdicts, reply packets byte for byte (normalised
#     IPv4 ID, IPv6 flow label, CHECKSUM_PARTIAL), final counters;
#  3. acceptance (tests/e2e/stateful_accept.py): `ct state
#     established,related accept` + policy drop carries a real TCP
#     connection (1 KB, 2 MB over IPv4, 1 MB over IPv6) and DNS over
#     IPv4/IPv6 started from inside, drops unsolicited inbound TCP, UDP and
#     ping; once with the kernel (checks the scenario), once with bnft;
#  4. (in part 3's namespaces) bnft's conntrack table: sized by
#     nf_conntrack_max, LRU eviction after max_entries + 20000 new flows,
#     the eviction count derived from ct_stats (tests/e2e/stateful_ctlru.py);
#  5. the conntrack defaults of bpf/lib/ct.h against a fresh netns's
#     nf_conntrack_*_timeout sysctls.
#  6. (same namespaces) `bnft --ct-max N` sizes a new table, `bnft list
#     ct stats` shows its use and evictions, `flush ruleset` keeps the
#     conntrack pins and a resize copies the flows
#     (tests/e2e/stateful_ctmax.py).
# Bounded to about 3 minutes (part budgets; every socket has a timeout).
# Env: BNFT_SUT, BNFT_BIN, BNFT_KLOAD, STATEFUL_ONLY (glob of ruleset names).
set -u
export PYTHONDONTWRITEBYTECODE=1
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TIER=stateful
SUTS=${BNFT_SUT:-bnft}
export BNFT_BIN=${BNFT_BIN:-$ROOT/build/bnft}
export BNFT_KLOAD=${BNFT_KLOAD:-$ROOT/build/tests/bnft-kload}
RULESETS=(tests/diff/stateful/${STATEFUL_ONLY:-*}.nft)
P=0 F=0 S=0

finish() {
	echo "$TIER: $P passed, $F failed, $S skipped"
	exit 0
}

if [ "$(id -u)" -ne 0 ] || ! command -v nft >/dev/null || ! command -v python3 >/dev/null ||
	! ip netns list >/dev/null 2>&1; then
	echo "SKIP: needs root, nft, ip netns and python3"
	S=$((S + 1))
	finish
fi

. tests/diff/netns.sh
ID=stateful-$$
PIN=/run/bnft-test-stateful-$$
PIN2=/run/bnft-test-stateful-acc-$$
PIN3=/run/bnft-test-stateful-ctmax-$$
HOST=bnft-stateful-host-$$
PEER=bnft-stateful-peer-$$
LOG=$(mktemp)
cleanup() {
	diff_ns_down "$ID"
	ip netns del "$HOST" 2>/dev/null
	ip netns del "$PEER" 2>/dev/null
	for p in "$PIN" "$PIN2" "$PIN3"; do
		if mountpoint -q "$p" 2>/dev/null; then umount "$p"; fi
		# the daemon's state files of the pin roots under it (.nft, .lock, ...)
		rm -f /run/bnft-state/"$(echo "$p" | tr / _)"[._]* 2>/dev/null
		rmdir "$p" 2>/dev/null
	done
	rm -f "$LOG"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! diff_ns_up "$ID"; then
	echo "FAIL: could not build the test namespaces"
	F=$((F + 1))
	finish
fi
mkdir -p "$PIN" && mount -t bpf bpf "$PIN" || echo "warning: no bpffs at $PIN"

run() { # seconds, args...
	local secs=$1
	shift
	timeout -k 5 $((secs + 30)) python3 tests/diff/stateful.py \
		--gen-ns "$DIFF_GEN" --ref-ns "$DIFF_REF" --sut-ns "$DIFF_SUT" \
		--pin "$PIN" --scratch "$DIFF_SCR" --budget "$secs" --load-timeout 30 "$@" \
		2>&1 | tee "$LOG"
	local line
	line=$(grep -E '^[a-z-]+: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' "$LOG" | tail -1)
	if [ -z "$line" ]; then
		echo "FAIL: stateful.py ended without a result line"
		F=$((F + 1))
		return
	fi
	P=$((P + $(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")))
	F=$((F + $(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")))
	S=$((S + $(sed -E 's/.* ([0-9]+) skipped.*/\1/' <<<"$line")))
}

echo "== part 1: harness sanity, kernel nf_tables on both sides"
pairs=()
for m in tests/diff/stateful/mutants/*.sut.nft; do
	# mutants/NAME.sut.nft differs on purpose from NAME.nft
	pairs+=(--pair "tests/diff/stateful/$(basename "$m" .sut.nft).nft" "$m")
done
run 60 --sut kernel --tally stateful-sanity "${RULESETS[@]}" "${pairs[@]}"

for sut in $SUTS; do
	echo "== part 2: SUT '$sut' against kernel nf_tables"
	if [ "$sut" = kload ] && [ ! -x "$BNFT_KLOAD" ]; then
		echo "SKIP: bnft-kload not built ($BNFT_KLOAD)"
		S=$((S + 1))
		continue
	fi
	if [ "$sut" = bnft ] && [ ! -x "$BNFT_BIN" ]; then
		echo "SKIP: bnft not built ($BNFT_BIN)"
		S=$((S + 1))
		continue
	fi
	run 100 --sut "$sut" --tally stateful-"$sut" "${RULESETS[@]}"
done

echo "== part 3: acceptance: stateful host with policy drop, real TCP and DNS"
acc_up() {
	ip netns add "$HOST" && ip netns add "$PEER" &&
		ip -n "$HOST" link add veth0 type veth peer name veth0 netns "$PEER" &&
		ip -n "$HOST" link set lo up && ip -n "$PEER" link set lo up &&
		ip -n "$HOST" link set veth0 up && ip -n "$PEER" link set veth0 up &&
		ip -n "$HOST" addr add 10.88.0.1/24 dev veth0 &&
		ip -n "$PEER" addr add 10.88.0.2/24 dev veth0 &&
		ip -n "$HOST" addr add fd88::1/64 dev veth0 nodad &&
		ip -n "$PEER" addr add fd88::2/64 dev veth0 nodad &&
		mkdir -p "$PIN2" && mount -t bpf bpf "$PIN2"
}
if ! acc_up; then
	echo "FAIL: acceptance namespaces"
	F=$((F + 1))
else
	for mode in kernel bnft; do
		if [ "$mode" = bnft ] && [ ! -x "$BNFT_BIN" ]; then
			echo "SKIP acceptance bnft: not built"
			S=$((S + 1))
			continue
		fi
		ip netns exec "$HOST" nft flush ruleset
		if timeout -k 5 90 python3 tests/e2e/stateful_accept.py "$HOST" "$PEER" "$mode" \
			tests/e2e/stateful_accept.nft "$PIN2"; then
			echo "PASS acceptance ($mode)"
			P=$((P + 1))
		else
			echo "FAIL acceptance ($mode)"
			F=$((F + 1))
		fi
	done
	echo "== part 4: conntrack table size and LRU eviction (bnft)"
	if [ ! -x "$BNFT_BIN" ]; then
		echo "SKIP ct LRU: bnft not built"
		S=$((S + 1))
	elif ip netns exec "$HOST" "$BNFT_BIN" --pin-root "$PIN2" -f tests/e2e/stateful_ctlru.nft &&
		timeout -k 5 120 python3 tests/e2e/stateful_ctlru.py "$HOST" "$PEER" "$PIN2"; then
		echo "PASS ct table size and LRU eviction"
		P=$((P + 1))
	else
		echo "FAIL ct table size and LRU eviction"
		F=$((F + 1))
	fi
	ip netns exec "$HOST" "$BNFT_BIN" --pin-root "$PIN2" flush ruleset >/dev/null 2>&1
	echo "== part 6: --ct-max, list ct stats, conntrack pins across flush ruleset (bnft)"
	if [ ! -x "$BNFT_BIN" ]; then
		echo "SKIP ct-max: bnft not built"
		S=$((S + 1))
	elif mkdir -p "$PIN3" && mount -t bpf bpf "$PIN3" &&
		timeout -k 5 90 python3 tests/e2e/stateful_ctmax.py "$HOST" "$PEER" "$PIN3" \
			"$BNFT_BIN"; then
		echo "PASS ct-max, ct stats, pins kept by flush"
		P=$((P + 1))
	else
		echo "FAIL ct-max, ct stats, pins kept by flush"
		F=$((F + 1))
	fi
fi

echo "== part 5: conntrack timeout defaults against a fresh netns"
if out=$(python3 - "$HOST" <<'EOF'
import re, subprocess, sys
ns = sys.argv[1]
src = open("bpf/lib/ct.h").read()
tab = re.search(r"bnft_tcp_timeouts\[16\] = \{(.*?)\};", src, re.S).group(1)
ours = {k: int(v) for k, v in re.findall(r"\[(\w+)\] = (\d+)", tab)}
names = {"sSS": "tcp_timeout_syn_sent", "sSR": "tcp_timeout_syn_recv",
	 "sES": "tcp_timeout_established", "sFW": "tcp_timeout_fin_wait",
	 "sCW": "tcp_timeout_close_wait", "sLA": "tcp_timeout_last_ack",
	 "sTW": "tcp_timeout_time_wait", "sCL": "tcp_timeout_close",
	 "BNFT_TCP_RETRANS": "tcp_timeout_max_retrans",
	 "BNFT_TCP_UNACK": "tcp_timeout_unacknowledged"}
# the other defaults: ct_secs(cfg->NAME, DEFAULT) calls
for f, d in re.findall(r"ct_secs\(cfg->(\w+), (\d+)\)", src):
	ours[f] = int(d)
	names[f] = f
# SCTP: bnft_sctp_timeouts[] of ct_sctp.h, indexed by state
sc = re.search(r"bnft_sctp_timeouts\[9\] = \{(.*?)\};", open("bpf/lib/ct_sctp.h").read(), re.S)
for i, v in enumerate(int(x) for x in re.findall(r"\d+", sc.group(1))):
	st = [None, "closed", "cookie_wait", "cookie_echoed", "established", "shutdown_sent",
	      "shutdown_recd", "shutdown_ack_sent", "heartbeat_sent"][i]
	if st:
		ours["sctp_" + st] = v
		names["sctp_" + st] = "sctp_timeout_" + st
# a netns that never loaded a ruleset still has the module's defaults
bad, n = [], 0
subprocess.run(["ip", "netns", "exec", ns, "nft", "flush", "ruleset"])
for k, sysname in names.items():
	p = subprocess.run(["ip", "netns", "exec", ns, "sysctl", "-n",
			    "net.netfilter.nf_conntrack_" + sysname], capture_output=True, text=True)
	if p.returncode:
		continue
	n += 1
	if int(p.stdout) != ours[k]:
		bad.append("%s: kernel %s, bnft %d" % (sysname, p.stdout.strip(), ours[k]))
print("%d timeouts compared%s" % (n, "; " + "; ".join(bad) if bad else ""))
sys.exit(1 if bad or n < 20 else 0)
EOF
); then
	echo "PASS ct timeout defaults: $out"
	P=$((P + 1))
else
	echo "FAIL ct timeout defaults: $out"
	F=$((F + 1))
fi
finish
