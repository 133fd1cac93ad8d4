#!/bin/bash
# Packets per second through a veth pair: kernel nftables (netdev ingress
# chain on the receiving veth) against bnft (TC ingress of the same veth),
# the same ruleset and the same trafgen packets (non-linear skbs), sender
# pinned to one CPU. What passed is counted by the receiver's `Udp: NoPorts`
# (UDP to a closed port). Paired, back to back: baseline (no ruleset), nft,
# bnft, per ruleset, median of REPEATS runs of DURATION seconds.
#
#   bench/pps.sh RULESET_KIND N [REPEATS] [DURATION]
# prints: "pps KIND N base <pps> nft <pps> bnft <pps>"
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
BNFT=$ROOT/build/bnft
KIND=$1
N=$2
REPEATS=${3:-3}
DURATION=${4:-3}
CPU=${BENCH_CPU:-1}
A=bnft-pps-a-$$
B=bnft-pps-b-$$
PINFS=/run/bnft-pps-$$
TMP=$(mktemp -d /tmp/bnft-pps.XXXXXX)
cleanup() {
	[ -n "${TG:-}" ] && kill "$TG" 2>/dev/null
	ip netns exec "$B" "$BNFT" --pin-root "$PINFS/b" flush ruleset >/dev/null 2>&1
	ip netns del "$A" 2>/dev/null
	ip netns del "$B" 2>/dev/null
	umount "$PINFS" 2>/dev/null
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
ip netns exec "$B" sysctl -qw net.ipv4.icmp_ratelimit=1000000
MAC_B=$(ip -n "$B" -o link show veth-b | grep -oE 'link/ether [0-9a-f:]+' | cut -d' ' -f2)
MAC_A=$(ip -n "$A" -o link show veth-a | grep -oE 'link/ether [0-9a-f:]+' | cut -d' ' -f2)
hexmac() { echo "$1" | sed 's/^/0x/; s/:/, 0x/g'; }

# UDP 198.51.100.1:4000 -> 198.51.100.2:9 (closed), 64-byte payload; the
# source address is outside every generated rule (10.0.0.0/8 and ports).
cat >"$TMP/udp.cfg" <<EOF
cpu($CPU): {
  $(hexmac "$MAC_B"), $(hexmac "$MAC_A"), c16(0x0800),
  0x45, 0x00, c16(92), c16(1), c16(0x4000), 64, 17, csumip(14, 33),
  198, 51, 100, 1, 198, 51, 100, 2,
  c16(4000), c16(9), c16(72), c16(0),
  fill(0x61, 64)
}
EOF

python3 bench/gen_ruleset.py "$KIND" "$N" --dev veth-b >"$TMP/rules.nft"

noports() { ip netns exec "$B" awk '/^Udp:/ && $2 ~ /^[0-9]+$/ {print $3}' /proc/net/snmp; }
one_run() { # -> pps delivered
	local before after
	before=$(noports)
	ip netns exec "$A" timeout "$DURATION" trafgen --dev veth-a --conf "$TMP/udp.cfg" \
		-P 2 -C >/dev/null 2>&1
	sleep 0.2
	after=$(noports)
	echo $(((after - before) / DURATION))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

base=() nftr=() bnftr=()
for r in $(seq "$REPEATS"); do
	base+=("$(one_run)")
	ip netns exec "$B" nft -f "$TMP/rules.nft" || { echo "nft -f failed"; exit 1; }
	nftr+=("$(one_run)")
	ip netns exec "$B" nft flush ruleset
	ip netns exec "$B" "$BNFT" --pin-root "$PINFS/b" -f "$TMP/rules.nft" >/dev/null 2>"$TMP/err" ||
		{ echo "bnft -f failed: $(head -c 300 "$TMP/err")"; exit 1; }
	bnftr+=("$(one_run)")
	ip netns exec "$B" "$BNFT" --pin-root "$PINFS/b" flush ruleset >/dev/null 2>&1
done
echo "pps $KIND $N base $(printf '%s\n' "${base[@]}" | median) nft $(printf '%s\n' "${nftr[@]}" | median) bnft $(printf '%s\n' "${bnftr[@]}" | median)"
