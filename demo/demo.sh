#!/bin/bash
# make demo: load demo/example.nft with bnft in a private network namespace,
# send a little traffic from a peer namespace, show what passed and the counters.
set -u
cd "$(dirname "$0")/.."
BNFT=${BNFT:-$PWD/build/bnft}
SRV=bnft-demo-srv-$$
CLI=bnft-demo-cli-$$
# Pins live on a bpffs mounted here, outside `ip netns exec` (whose
# transient mount namespace would take a bpffs mounted inside it along).
PINFS=/run/bnft-demo-$$
PIN=$PINFS/srv
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	ip netns exec "$SRV" "$BNFT" --pin-root "$PIN" flush ruleset >/dev/null 2>&1
	ip netns del "$SRV" 2>/dev/null
	ip netns del "$CLI" 2>/dev/null
	umount "$PINFS" 2>/dev/null; rmdir "$PINFS" 2>/dev/null
	# the daemon's state files of the pin roots under it (.nft, .lock, ...)
	rm -f /run/bnft-state/"$(echo "$PINFS" | tr / _)"[._]* 2>/dev/null
}
trap cleanup EXIT

mkdir -p "$PINFS" && mount -t bpf bpf "$PINFS" || exit 1
ip netns add "$SRV" && ip netns add "$CLI" || exit 1
ip link add veth-demo type veth peer name veth-peer
ip link set veth-demo netns "$SRV"
ip link set veth-peer netns "$CLI"
ip -n "$SRV" addr add 10.99.0.2/24 dev veth-demo
ip -n "$CLI" addr add 10.99.0.1/24 dev veth-peer
ip -n "$CLI" addr add 10.99.0.66/24 dev veth-peer
for ns in "$SRV" "$CLI"; do ip -n "$ns" link set lo up; done
ip -n "$SRV" link set veth-demo up
ip -n "$CLI" link set veth-peer up

echo "== bnft -f demo/example.nft (in netns $SRV)"
if ! ip netns exec "$SRV" "$BNFT" --pin-root "$PIN" -f demo/example.nft; then
	echo "demo: bnft could not load the example ruleset"; exit 1
fi

# A web server on port 80 and nothing on port 8080 inside the namespace.
ip netns exec "$SRV" python3 -m http.server 80 --bind 10.99.0.2 >/dev/null 2>&1 &
pids+=($!)
sleep 1

probe() { # description, port, [source address]
	printf '  %-44s %s\n' "$1" "$(ip netns exec "$CLI" python3 demo/probe.py 10.99.0.2 "$2" ${3:-})"
}
echo "== traffic from $CLI"
if ip netns exec "$CLI" ping -c1 -W1 10.99.0.2 >/dev/null 2>&1; then r=passed; else r=dropped; fi
printf '  %-44s %s\n' "ping 10.99.0.2 (icmp echo-request)" "$r"
probe "TCP :80 from 10.99.0.1 (web server)" 80
probe "TCP :22 from 10.99.0.1" 22
probe "TCP :80 from 10.99.0.66 (blocked host)" 80 10.99.0.66
probe "TCP :8080 (not allowed: policy drop)" 8080

echo "== bnft list ruleset (live counters)"
ip netns exec "$SRV" "$BNFT" --pin-root "$PIN" list ruleset
