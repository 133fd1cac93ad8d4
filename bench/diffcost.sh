#!/bin/bash
# Per-packet cost (BPF_PROG_TEST_RUN, ns/packet, median of 3 probe packets)
# and verified instructions of every differential ruleset, as a markdown
# table on stdout. Probes: a TCP, a UDP and an IPv6 TCP packet; the cost
# includes the fixed entry program (header parsing, input/forward split).
set -u
cd "$(dirname "$0")/.."
BENCH=build/tests/bnft-bench
CPU=${BENCH_CPU:-1}
echo "| ruleset | ns/packet | verified insns | programs |"
echo "|---|---|---|---|"
for f in tests/diff/rulesets/*.nft; do
	res=$(timeout 120 taskset -c "$CPU" "$BENCH" "$f" --repeat 20000 \
		--pkt tcp,10.1.2.3,10.9.9.9,22 --pkt udp,192.0.2.7,192.0.2.1,53 \
		--pkt tcp,2001:db8::1,2001:db8::2,80 2>&1)
	if ! grep -q ns_per_packet <<<"$res"; then
		echo "| $(basename "$f" .nft) | refused: $(tail -1 <<<"$res" | tr '|' '/' | cut -c1-70) | | |"
		continue
	fi
	med=$(grep -oE 'ns_per_packet [0-9.]+' <<<"$res" | awk '{print $2}' | sort -n | sed -n 2p)
	echo "| $(basename "$f" .nft) | $med | $(grep -oE '^verified_insns [0-9]+' <<<"$res" | cut -d' ' -f2) | $(grep -oE '^programs [0-9]+' <<<"$res" | cut -d' ' -f2) |"
done
