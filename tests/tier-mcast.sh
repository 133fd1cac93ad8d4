#!/bin/bash
# Tier mcast: the input decision for multicast and broadcast against the
# kernel (bpf/lib/mcast.h). The same frames go to a kernel nf_tables netns
# and to a bnft netns: all-nodes, own and foreign solicited-node groups, an
# RS to ff02::2 on a non-router, MLD and IGMP for unjoined groups, groups
# joined and not joined by a socket, 224.0.0.1, limited and subnet
# broadcast. Every prerouting and input counter must agree. bnft runs
# through bnftd; a second round joins two groups and leaves two after the
# load (bnftd refreshes the groups on netlink notifications) and compares
# again.
#   tests/tier-mcast.sh     ends with "mcast: N passed, N failed, N skipped"
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
B=${BNFT_BUILD:-build}
case $B in /*) ;; *) B=$root/$B ;; esac
BNFT=${BNFT_BIN:-$B/bnft}
T=$$
GEN=bnft-mcast-gen-$T REF=bnft-mcast-ref-$T SUT=bnft-mcast-sut-$T
PIN=/run/bnft-test-mcast-$T
WORK=$(mktemp -d /tmp/bnft-mcast.XXXXXX)
pass=0 fail=0 skip=0 pids=() first=()
export BNFT_DAEMON=${BNFT_DAEMON:-$B/bnftd} BNFT_DAEMON_IDLE=60
unset BNFT_NO_DAEMON
statefile() { echo "/run/bnft-state/$(echo "$PIN" | tr / _)$1"; }

ok() { pass=$((pass + 1)); echo "ok   $*"; }
ko() { fail=$((fail + 1)); echo "FAIL $*"; }
finish() {
	echo "mcast: $pass passed, $fail failed, $skip skipped"
	exit $((fail > 0))
}
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	ip netns exec "$SUT" "$BNFT" --pin-root "$PIN" flush ruleset >/dev/null 2>&1
	p=$(cat "$(statefile .pid)" 2>/dev/null)
	[ -n "$p" ] && grep -q bnftd "/proc/$p/cmdline" 2>/dev/null && kill "$p"
	sleep 0.2
	rm -f "$(statefile .nft)" "$(statefile .pid)" "$(statefile .log)" "$(statefile .journal)"
	umount "$PIN" 2>/dev/null && rmdir "$PIN"
	# the daemon's state files of the pin roots under it (.nft, .lock, ...)
	rm -f /run/bnft-state/"$(echo "$PIN" | tr / _)"[._]* 2>/dev/null
	for n in "$GEN" "$REF" "$SUT"; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$WORK"
}
trap cleanup EXIT

if [ "$(id -u)" != 0 ] || ! command -v nft >/dev/null || [ ! -x "$BNFT" ] ||
	[ ! -x "$BNFT_DAEMON" ]; then
	echo "skip: needs root, nft, $BNFT and $BNFT_DAEMON"
	skip=1
	finish
fi

for n in "$GEN" "$REF" "$SUT"; do ip netns add "$n" || { ko "netns $n"; finish; }; done
ip -n "$GEN" link add gr type veth peer name eth0 netns "$REF"
ip -n "$GEN" link add gs type veth peer name eth0 netns "$SUT"
ip netns exec "$GEN" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
for n in "$REF" "$SUT"; do
	ip netns exec "$n" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.default.accept_ra=0 \
		net.ipv4.icmp_echo_ignore_broadcasts=1
	ip -n "$n" link set eth0 address 02:00:00:00:bb:01
	ip netns exec "$n" sysctl -qw net.ipv6.conf.eth0.accept_dad=0 \
		net.ipv6.conf.eth0.router_solicitations=0 net.ipv4.conf.eth0.rp_filter=0
	ip -n "$n" link set lo up
	ip -n "$n" link set eth0 up
	ip -n "$n" addr add 192.0.2.1/24 dev eth0
	ip -n "$n" -6 addr add 2001:db8:1::1/64 dev eth0 nodad
	# replies (ICMPv6 echo, NA) must not leave: nothing listens anyway
	ip -n "$n" -6 route add blackhole fe80::aa01/128 2>/dev/null
done
ip -n "$GEN" link set gr up
ip -n "$GEN" link set gs up

for n in "$REF" "$SUT"; do
	ip netns exec "$n" python3 "$root/tests/mcast/join.py" eth0 55 239.1.2.4 ff05::4 \
		>"$WORK/join-$n" 2>&1 &
	pids+=($!)
	first+=($!)
done
joined() { # tag
	for _ in $(seq 50); do
		grep -q ready "$WORK/$1-$REF" 2>/dev/null &&
			grep -q ready "$WORK/$1-$SUT" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
joined join || { ko "group join"; finish; }

cat >"$WORK/mc.nft" <<'NFT'
table inet mc {
	chain pre {
		type filter hook prerouting priority 0; policy accept;
		iifname "eth0" ip6 daddr ff02::1 counter
		iifname "eth0" ip6 daddr ff02::1:ff00:1 counter
		iifname "eth0" ip6 daddr ff02::1:ff00:99 counter
		iifname "eth0" ip6 daddr ff02::2 counter
		iifname "eth0" ip6 daddr ff05::4 counter
		iifname "eth0" ip6 daddr ff05::5 counter
		iifname "eth0" ip daddr 224.0.0.1 counter
		iifname "eth0" ip daddr 239.1.2.4 counter
		iifname "eth0" ip daddr 239.1.2.3 counter
		iifname "eth0" ip daddr 255.255.255.255 counter
		iifname "eth0" ip daddr 192.0.2.255 counter
		iifname "eth0" ip6 daddr ff05::6 counter
		iifname "eth0" ip daddr 239.1.2.5 counter
	}
	chain in {
		type filter hook input priority 0; policy accept;
		iifname "eth0" ip6 daddr ff02::1 counter
		iifname "eth0" ip6 daddr ff02::1:ff00:1 counter
		iifname "eth0" ip6 daddr ff02::1:ff00:99 counter
		iifname "eth0" ip6 daddr ff02::2 counter
		iifname "eth0" ip6 daddr ff05::4 counter
		iifname "eth0" ip6 daddr ff05::5 counter
		iifname "eth0" meta l4proto ipv6-icmp icmpv6 type mld-listener-report counter
		iifname "eth0" ip daddr 224.0.0.1 counter
		iifname "eth0" ip saddr 192.0.2.2 ip daddr 239.1.2.4 counter
		iifname "eth0" ip saddr 0.0.0.0 ip daddr 239.1.2.4 counter
		iifname "eth0" ip daddr 239.1.2.3 counter
		iifname "eth0" ip6 daddr ff05::6 counter
		iifname "eth0" ip daddr 239.1.2.5 counter
		iifname "eth0" ip protocol igmp counter
		iifname "eth0" ip daddr 255.255.255.255 counter
		iifname "eth0" ip daddr 192.0.2.255 counter
		iifname "eth0" counter
	}
	chain fw {
		type filter hook forward priority 0; policy accept;
		counter
	}
}
NFT
ip netns exec "$REF" nft -f "$WORK/mc.nft" || { ko "kernel nft -f"; finish; }
mkdir -p "$PIN" && mount -t bpf bpf "$PIN" || { ko "bpffs $PIN"; finish; }
if ! ip netns exec "$SUT" "$BNFT" --pin-root "$PIN" -f "$WORK/mc.nft" >"$WORK/load.err" 2>&1
then
	ko "bnft -f: $(head -3 "$WORK/load.err")"
	finish
fi
ok "rulesets loaded"

counters() { # list command -> "chain|rule|packets" lines
	awk '/chain /{c=$2} /counter packets/{p=$0; sub(/ counter packets.*/, "", p);
		gsub(/^[ \t]+/, "", p); n=$0; sub(/.*counter packets /, "", n); sub(/ .*/, "", n);
		print c "|" p "|" n}'
}
compare() { # round
	ip netns exec "$REF" nft list ruleset | counters >"$WORK/ref"
	ip netns exec "$SUT" "$BNFT" --pin-root "$PIN" list ruleset | counters >"$WORK/sut"
	if [ ! -s "$WORK/ref" ] || [ "$(wc -l <"$WORK/ref")" != "$(wc -l <"$WORK/sut")" ]; then
		ko "$1: counter lists differ in length: $(wc -l <"$WORK/ref") vs $(wc -l <"$WORK/sut")"
		return
	fi
	while IFS='|' read -r c r n; do
		m=$(awk -F'|' -v c="$c" -v r="$r" '$1 == c && $2 == r {print $3}' "$WORK/sut")
		if [ "$m" = "$n" ]; then
			ok "$1 $c: $r = $n"
		else
			ko "$1 $c: $r: kernel $n, bnft ${m:-none}"
		fi
	done <"$WORK/ref"
}

N=3
ip netns exec "$GEN" python3 "$root/tests/mcast/send.py" "$N" gr gs || { ko "send"; finish; }
sleep 0.3
compare load
# the kernel must have seen the frames at all, and dropped some before input
grep -q '^pre|iifname "eth0" ip6 daddr ff02::1:ff00:99|'"$N"'$' "$WORK/ref" &&
	grep -q '^in|iifname "eth0" ip6 daddr ff02::1:ff00:99|0$' "$WORK/ref" &&
	ok "kernel: foreign solicited-node seen in prerouting, not in input" ||
	ko "kernel reference not as expected: $(grep ff00:99 "$WORK/ref" | tr '\n' ' ')"

# round 2: 239.1.2.5 and ff05::6 joined, 239.1.2.4 and ff05::4 left, no
# reload: bnftd follows RTM_NEWMULTICAST/RTM_DELMULTICAST (or address
# changes on kernels without them)
for n in "$REF" "$SUT"; do
	ip netns exec "$n" python3 "$root/tests/mcast/join.py" eth0 55 239.1.2.5 ff05::6 \
		>"$WORK/late-$n" 2>&1 &
	pids+=($!)
done
kill "${first[@]}"
joined late || { ko "late group join"; finish; }
sleep 0.5
ip netns exec "$GEN" python3 "$root/tests/mcast/send.py" "$N" gr gs || { ko "send"; finish; }
sleep 0.3
compare late
grep -q '^in|iifname "eth0" ip daddr 239.1.2.5|'"$N"'$' "$WORK/ref" &&
	grep -q '^in|iifname "eth0" ip saddr 192.0.2.2 ip daddr 239.1.2.4|'"$N"'$' "$WORK/ref" &&
	ok "kernel: late join counted in input once, left group no more" ||
	ko "kernel reference after join/leave not as expected"

# round 3: the receivers become routers with a default route. The kernel
# joins ff02::2 (and ff05::2); 255.255.255.255 stays local input although
# a FIB lookup would forward it by the default route.
for n in "$REF" "$SUT"; do
	ip netns exec "$n" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	ip -n "$n" neigh replace 192.0.2.254 lladdr 02:00:00:00:aa:fe dev eth0 nud permanent
	ip -n "$n" route add default via 192.0.2.254 dev eth0
done
sleep 0.5
ip netns exec "$GEN" python3 "$root/tests/mcast/send.py" "$N" gr gs || { ko "send"; finish; }
sleep 0.3
compare router
grep -q '^in|iifname "eth0" ip6 daddr ff02::2|'"$N"'$' "$WORK/ref" &&
	grep -q '^in|iifname "eth0" ip daddr 255.255.255.255|'"$((3 * N))"'$' "$WORK/ref" &&
	ok "kernel: a router gets RS to ff02::2 in input, broadcast stays local" ||
	ko "kernel reference as a router not as expected"
finish
