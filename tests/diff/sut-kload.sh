#!/bin/bash
# SUT backend "kload" of the differential harness:
#   sut-kload.sh load FILE SUT_NS PIN_ROOT     nft -f FILE into the scratch netns,
#                                              then bnft-kload compiles what the
#                                              kernel holds there into eBPF and
#                                              attaches it in SUT_NS
#   sut-kload.sh counters - SUT_NS PIN_ROOT    per-rule counters on stdout
#   sut-kload.sh unload - SUT_NS PIN_ROOT      detach, flush the scratch netns
# The scratch netns is SUT_NS with "-sut-" replaced by "-scr-" (tests/diff/netns.sh
# creates it with dummy devices veth0/veth1 at the SUT's ifindexes) unless
# DIFF_SCRATCH names another. The binary is $BNFT_KLOAD or build/tests/bnft-kload.
set -u
op=$1 file=$2 ns=$3 pin=$4
root=$(cd "$(dirname "$0")/../.." && pwd)
kload=${BNFT_KLOAD:-$root/build/tests/bnft-kload}
scr=${DIFF_SCRATCH:-${ns/-sut-/-scr-}}
[ -x "$kload" ] || { echo "bnft-kload not built: $kload" >&2; exit 2; }
case "$op" in
load)
	ip netns exec "$scr" nft flush ruleset || exit 1
	ip netns exec "$scr" nft -f "$file" || exit 1
	exec ip netns exec "$ns" "$kload" --from-netns "$scr" --pin-root "$pin"
	;;
counters)
	exec ip netns exec "$ns" "$kload" --from-netns "$scr" --pin-root "$pin" --counters
	;;
unload)
	ip netns exec "$ns" "$kload" --pin-root "$pin" --detach >/dev/null 2>&1
	ip netns exec "$scr" nft flush ruleset
	exit 0
	;;
*)
	echo "usage: $0 load|counters|unload FILE SUT_NS PIN_ROOT" >&2
	exit 2
	;;
esac
