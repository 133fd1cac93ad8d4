#!/bin/bash
# Packets per second through a veth pair: kernel nftables (netdev ingress
# chain on the receiving veth) against bnft (TC ingress of the same veth),
# the same ruleset file, the same packets, one CPU. What passed is counted by
# the receiver's `Udp: NoPorts` (UDP to a closed port). Paired, back to back
# per repeat: baseline (no ruleset), then nft and bnft (alternating which
# goes first); medians of REPEATS.
#
#   bench/pps.sh KIND N [REPEATS] [DURATION] [GEN] [NFT_KIND] [SINK] [PROTO]
#   NFT_KIND: the ruleset family nft gets (default KIND), e.g. bnft on the
#   linear hosts rules against nft on the same rules written as one set.
#   SINK: where the passed packets end, counted on the receiver:
#        addrerr  (default) to 198.51.100.99, not local, forwarding off:
#                 dropped by the input route lookup right after the hooks
#                 (`Ip: InAddrErrors`), so the stack's own cost is small;
#        noports  to 198.51.100.2:9, a closed UDP port (`Udp: NoPorts`):
#                 the socket layer's cost too.
#   PROTO: udp (default) or tcp: TCP SYNs 198.51.100.1:4000 -> :22 go
#          through every rule's `tcp dport` and a set's whole lookup (a UDP
#          probe stops at the protocol test); the noports sink is UDP only.
#   GEN: live    XDP live frames injected into veth-b's receive path
#                (bnft-bench --live; linear skbs, like NIC drivers). The
#                frames are processed synchronously on the sending CPU, so
#                delivered / wall time is the receive throughput; a run is
#                5 slices of DURATION/5 of frames each (sized from two
#                probes: a test run has a fixed ~20 ms whatever the count)
#                and counts its best slice (noise only slows).
#        trafgen trafgen on veth-a (AF_PACKET; non-linear skbs: only the
#                Ethernet header is in the linear area).
# prints: "pps KIND N GEN base <pps> nft <pps> bnft <pps> spread <nft%> <bnft%>
#          nft-rules NFT_KIND sink SINK ratio <median of pairs' bnft/nft> ratios <sorted>"
# (spread: (max - min) / median of the repeats, percent)
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BNFT_BUILD:-$ROOT/build}
BNFT=$BUILD/bnft
BNFTD=$BUILD/bnftd
BENCH=$BUILD/tests/bnft-bench
KIND=$1
N=$2
REPEATS=${3:-3}
DURATION=${4:-2}
GEN=${5:-live}
NFT_KIND=${6:-$KIND}
SINK=${7:-addrerr}
PROTO=${8:-udp}
if [ "$SINK" = noports ]; then DST=2 PROTO=udp; else DST=99; fi
if [ "$PROTO" = tcp ]; then DPORT=22; else DPORT=9; fi
CPU=${BENCH_CPU:-1}
A=bnft-perf-pa-$$
B=bnft-perf-pb-$$
PINFS=/run/bnft-perf-pps-$$
TMP=$(mktemp -d /tmp/bnft-pps.XXXXXX)
DPID=
cleanup() {
	[ -n "${TG:-}" ] && kill "$TG" 2>/dev/null
	ip netns exec "$B" "$BNFT" --pin-root "$PINFS/b" flush ruleset >/dev/null 2>&1
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	ip netns del "$A" 2>/dev/null
	ip netns del "$B" 2>/dev/null
	umount "$PINFS" 2>/dev/null
	# the daemon's state files of the pin roots under it (.nft, .lock, ...)
	rm -f /run/bnft-state/"$(echo "$PINFS" | tr / _)"[._]* 2>/dev/null
	rmdir "$PINFS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

mkdir -p "$PINFS" && mount -t bpf bpf "$PINFS" || exit 1
ip netns add "$A" && ip netns add "$B" || exit 1
ip link add veth-a netns "$A" type veth peer name veth-b netns "$B"
ip -n "$A" addr add 198.51.100.1/24 dev veth-a
ip -n "$B" addr add 198.51.100.2/24 dev veth-b
ip -n "$A" link set veth-a up
ip -n "$B" link set veth-b up
ip -n "$B" link set lo up
ip netns exec "$B" sysctl -qw net.ipv4.icmp_ratelimit=1000000 net.ipv4.ip_forward=0
MAC_B=$(ip -n "$B" -o link show veth-b | grep -oE 'link/ether [0-9a-f:]+' | cut -d' ' -f2)
MAC_A=$(ip -n "$A" -o link show veth-a | grep -oE 'link/ether [0-9a-f:]+' | cut -d' ' -f2)
hexmac() { echo "$1" | sed 's/^/0x/; s/:/, 0x/g'; }
# the daemon of this namespace, stopped by its pid on exit
# bnftd on the other CPU: its background work (the entry object it loads
# ahead after a flush) must not run beside a measurement
OTHER=$((CPU == 0 ? 1 : 0))
ip netns exec "$B" taskset -c "$OTHER" "$BNFTD" --pin-root "$PINFS/b" --idle-exit 0 >/dev/null 2>&1 &
DPID=$!
# its socket first: a client finding none starts a daemon of its own
for _ in $(seq 200); do
	ip netns exec "$B" ss -xl 2>/dev/null | grep -q "@bnftd:$PINFS/b " && break
	sleep 0.05
done
for _ in $(seq 100); do
	ip netns exec "$B" "$BNFT" --pin-root "$PINFS/b" list ruleset >/dev/null 2>&1 && break
	sleep 0.1
done

# UDP 198.51.100.1:4000 -> 198.51.100.$DST:9, 64-byte payload, or a TCP
# SYN of the same size to port 22; the source address is outside every
# generated rule (10.0.0.0/8 and ports).
if [ "$PROTO" = tcp ]; then
	cat >"$TMP/udp.cfg" <<EOF
cpu($CPU): {
  $(hexmac "$MAC_B"), $(hexmac "$MAC_A"), c16(0x0800),
  0x45, 0x00, c16(92), c16(1), c16(0x4000), 64, 6, csumip(14, 33),
  198, 51, 100, 1, 198, 51, 100, $DST,
  c16(4000), c16($DPORT), c32(1), c32(0), 0x50, 0x02, c16(8192), csumtcp(14, 34), c16(0),
  fill(0x61, 52)
}
EOF
else
	cat >"$TMP/udp.cfg" <<EOF
cpu($CPU): {
  $(hexmac "$MAC_B"), $(hexmac "$MAC_A"), c16(0x0800),
  0x45, 0x00, c16(92), c16(1), c16(0x4000), 64, 17, csumip(14, 33),
  198, 51, 100, 1, 198, 51, 100, $DST,
  c16(4000), c16(9), c16(72), c16(0),
  fill(0x61, 64)
}
EOF
fi

python3 bench/gen_ruleset.py "$KIND" "$N" --dev veth-b >"$TMP/rules.nft"
python3 bench/gen_ruleset.py "$NFT_KIND" "$N" --dev veth-b >"$TMP/nft.nft"

noports() { # the sink's counter
	if [ "$SINK" = noports ]; then
		ip netns exec "$B" awk '/^Udp:/ && $2 ~ /^[0-9]+$/ {print $3}' /proc/net/snmp
	else
		ip netns exec "$B" awk '/^Ip:/ && $2 ~ /^[0-9]+$/ {print $6}' /proc/net/snmp
	fi
}
RATE=0
one_run() { # -> pps delivered
	local before after ms count
	before=$(noports)
	if [ "$GEN" = live ]; then
		# frames for about DURATION s in 5 slices; the best slice is the
		# figure (a busy host only slows). One test run has a fixed cost
		# of ~20 ms (its page pool set up and torn down) whatever the
		# count, which a short probe would take for the frames' rate:
		# the rate comes from the difference of two probes (one when the
		# first is slow: the frames' own time dominates it). The fixed
		# part stays in every slice (~10% of one, for nft and bnft
		# alike: it pulls their ratio toward 1)
		ms1=$(ip netns exec "$B" taskset -c "$CPU" "$BENCH" --live veth-b --count 2000 \
			--pkt $PROTO,198.51.100.1,198.51.100.$DST,$DPORT | awk '{print $5}')
		ms2=0
		if awk -v a="$ms1" 'BEGIN { exit !(a < 100) }'; then
			ms2=$(ip netns exec "$B" taskset -c "$CPU" "$BENCH" --live veth-b --count 102000 \
				--pkt $PROTO,198.51.100.1,198.51.100.$DST,$DPORT | awk '{print $5}')
		fi
		count=$(awk -v a="$ms1" -v b="$ms2" -v d="$DURATION" \
			'BEGIN { r = (b > a ? 100000 / (b - a) : (a > 0 ? 2000 / a : 1)) * 1000; n = r * d / 5; if (n < 2000) n = 2000; if (n > 4000000) n = 4000000; printf "%d", n }')
		for _ in 1 2 3 4 5; do
			before=$(noports)
			ms=$(ip netns exec "$B" taskset -c "$CPU" "$BENCH" --live veth-b --count "$count" \
				--pkt $PROTO,198.51.100.1,198.51.100.$DST,$DPORT | awk '{print $5}')
			after=$(noports)
			awk -v n=$((after - before)) -v ms="$ms" 'BEGIN { printf "%d\n", (ms > 0 ? n * 1000 / ms : 0) }'
		done | sort -n | tail -1
		return
	fi
	ip netns exec "$A" timeout "$DURATION" trafgen --dev veth-a --conf "$TMP/udp.cfg" \
		-P 2 -C >/dev/null 2>&1
	sleep 0.2
	after=$(noports)
	echo $(((after - before) / DURATION))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
spread() { sort -n | awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; if (m > 0) printf "%.0f", (a[NR]-a[1])*100/m; else print "n/a"}'; }

base=() nftr=() bnftr=() ratio=()
run_nft() {
	ip netns exec "$B" nft -f "$TMP/nft.nft" || { echo "nft -f failed"; exit 1; }
	nftr+=("$(one_run)")
	ip netns exec "$B" nft flush ruleset
	# the kernel frees the ruleset after the flush (RCU, workqueues):
	# not during the next run
	sleep 0.3
}
run_bnft() {
	ip netns exec "$B" "$BNFT" --pin-root "$PINFS/b" -f "$TMP/rules.nft" >/dev/null 2>"$TMP/err" ||
		{ echo "bnft -f failed: $(head -c 300 "$TMP/err")"; exit 1; }
	bnftr+=("$(one_run)")
	ip netns exec "$B" "$BNFT" --pin-root "$PINFS/b" flush ruleset >/dev/null 2>&1
	sleep 0.3
}
for r in $(seq "$REPEATS"); do
	base+=("$(one_run)")
	# alternate which goes first, so that a drifting host favours neither
	if [ $((r % 2)) = 1 ]; then
		run_nft
		run_bnft
	else
		run_bnft
		run_nft
	fi
	# the pair's own ratio: a slow period hits both runs of a pair alike
	ratio+=("$(awk -v a="${nftr[-1]}" -v b="${bnftr[-1]}" 'BEGIN { printf "%.2f\n", (a > 0 ? b / a : 0) }')")
done
echo "pps $KIND $N $GEN base $(printf '%s\n' "${base[@]}" | median)" \
	"nft $(printf '%s\n' "${nftr[@]}" | median) bnft $(printf '%s\n' "${bnftr[@]}" | median)" \
	"spread $(printf '%s\n' "${nftr[@]}" | spread) $(printf '%s\n' "${bnftr[@]}" | spread)" \
	"nft-rules $NFT_KIND sink $SINK ratio $(printf '%s\n' "${ratio[@]}" | median) ratios $(printf '%s\n' "${ratio[@]}" | sort -n | tr '\n' ',' | sed 's/,$//')"
