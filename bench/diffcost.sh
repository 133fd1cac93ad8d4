#!/bin/bash
# Per-packet cost (BPF_PROG_TEST_RUN, ns/packet, median of 3 probe packets)
# and verified instructions of every differential ruleset (tests/diff/
# rulesets and tests/diff/stateful), as a markdown table on stdout. Probes:
# a TCP, a UDP and an IPv6 TCP packet to addresses on lo of a private
# network namespace (so the FIB split sends them to the input chains); the
# cost includes the fixed entry program (header parsing, input/forward
# split, conntrack when the ruleset uses it). Nothing is attached.
#
#   bench/diffcost.sh > bench/diffcost.md
#
# Env: BNFT_BENCH (default build/tests/bnft-bench), BENCH_CPU (default 1),
# BENCH_REPEAT (default 20000), DIFFCOST_ONLY (glob of ruleset names).
set -u
cd "$(dirname "$0")/.."
BENCH=${BNFT_BENCH:-build/tests/bnft-bench}
CPU=${BENCH_CPU:-1}
REPEAT=${BENCH_REPEAT:-20000}
NS=bnft-diffcost-$$

if [ ! -x "$BENCH" ]; then
	echo "diffcost: $BENCH not built" >&2
	exit 1
fi
cleanup() { ip netns del "$NS" 2>/dev/null; }
trap cleanup EXIT
trap 'exit 130' INT TERM
ip netns add "$NS" || exit 1
ip -n "$NS" link set lo up
# the interfaces the rulesets name (iif, oifname, netdev devices) exist,
# as in the diff harness; nothing is attached to them
for i in 0 1 2; do
	ip -n "$NS" link add "veth$i" type veth peer name "peer$i" &&
		ip -n "$NS" link set "veth$i" up && ip -n "$NS" link set "peer$i" up
done
ip -n "$NS" addr add 10.9.9.9/32 dev lo
ip -n "$NS" addr add 192.0.2.1/32 dev lo
ip -n "$NS" -6 addr add 2001:db8::2/128 dev lo nodad

echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$(dirname "$BENCH")" rev-parse --short HEAD 2>/dev/null) (of the bench binary's tree)," \
	"kernel $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')," \
	"pinned to CPU $CPU, $REPEAT repeats per probe, load average $(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo "Probes arrive at TC ingress of lo: rulesets with only output/postrouting/netdev egress"
echo "chains show the entry program alone (about 29 ns), netdev chains bound to veth0/veth1"
echo "run their device gate only. Verified instructions are those of every generated"
echo "program (ingress and egress) as the verifier reports them."
echo
echo "| ruleset | ns/packet | verified insns | programs |"
echo "|---|---|---|---|"
for f in tests/diff/rulesets/${DIFFCOST_ONLY:-*}.nft tests/diff/stateful/${DIFFCOST_ONLY:-*}.nft; do
	[ -f "$f" ] || continue
	name=$(basename "$f" .nft)
	[[ $f == */stateful/* ]] && name="stateful/$name"
	res=$(timeout 120 ip netns exec "$NS" taskset -c "$CPU" "$BENCH" "$f" --repeat "$REPEAT" \
		--pkt tcp,10.1.2.3,10.9.9.9,22 --pkt udp,192.0.2.7,192.0.2.1,53 \
		--pkt tcp,2001:db8::1,2001:db8::2,80 2>&1)
	if ! grep -q ns_per_packet <<<"$res"; then
		why=$(grep -m1 -iE 'error|refus|not supported' <<<"$res" || grep -v '^$' <<<"$res" | tail -1)
		echo "| $name | refused: $(tr '|\t' '/ ' <<<"$why" | sed 's/  */ /g' | cut -c1-90) | | |"
		continue
	fi
	med=$(grep -oE 'ns_per_packet [0-9.]+' <<<"$res" | awk '{print $2}' | sort -n | sed -n 2p)
	echo "| $name | $med | $(grep -oE '^verified_insns [0-9]+' <<<"$res" | cut -d' ' -f2) | $(grep -oE '^programs [0-9]+' <<<"$res" | cut -d' ' -f2) |"
done
