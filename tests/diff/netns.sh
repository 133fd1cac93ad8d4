#!/bin/bash
# Namespace topology of the differential harness (sourced by tests/tier-diff.sh
# and tests/diff/run.sh; never touches the host's own interfaces or firewall).
#
#   bnft-d-gen-ID  ref0 ─── veth0  bnft-d-ref-ID   (kernel nf_tables, reference)
#                  ref1 ─── veth1
#                  ref2 ─── veth2  (forwarded packets leave here)
#                  sut0 ─── veth0  bnft-d-sut-ID   (system under test)
#                  sut1 ─── veth1
#                  sut2 ─── veth2
#
# The generator side has no IP stack configuration (no addresses, ARP off,
# IPv6 off): it only writes raw Ethernet frames. The receiving namespaces get
# identical interface names, MACs and ifindexes so that iif/iifname rules mean
# the same on both sides. Everything the receivers would send (RSTs, ICMP
# errors, echo replies) is blackholed by a policy rule "iif lo", so no reply
# can loop back into an input chain and disturb counters; only the packets
# the harness itself sends from a receiver (output-direction tests, marked
# 0x42/0x43) are routed out, to the generator.

diff_ns_names() { # id
	DIFF_GEN=bnft-d-gen-$1
	DIFF_REF=bnft-d-ref-$1
	DIFF_SUT=bnft-d-sut-$1
	DIFF_SCR=bnft-d-scr-$1
}

# MACs are fixed so both receivers look alike; locally administered range.
DIFF_MAC_IF0=02:b0:0f:00:00:10
DIFF_MAC_IF1=02:b0:0f:00:00:11
DIFF_MAC_IF2=02:b0:0f:00:00:12
DIFF_MAC_GEN=02:b0:0f:00:00:01
# Destinations in these ranges are forwarded by the receivers out of veth2.
DIFF_FWD4=198.18.0.0/15
DIFF_FWD6=2001:db8:f::/48

diff_rx_conf() { # ns
	local ns=$1 d
	ip netns exec "$ns" sh -c '
		for f in /proc/sys/net/ipv4/conf/*/rp_filter; do echo 0 >$f; done
		for f in /proc/sys/net/ipv4/conf/*/accept_local; do echo 1 >$f; done
		for f in /proc/sys/net/ipv4/conf/*/accept_redirects; do echo 0 >$f; done
		for f in /proc/sys/net/ipv6/conf/*/accept_ra; do echo 0 >$f; done
		for f in /proc/sys/net/ipv6/conf/*/accept_redirects; do echo 0 >$f; done
		for f in /proc/sys/net/ipv6/conf/*/accept_dad; do echo 0 >$f; done
		for f in /proc/sys/net/ipv6/conf/*/router_solicitations; do echo 0 >$f; done
		echo 1 >/proc/sys/net/ipv4/ip_forward
		echo 1 >/proc/sys/net/ipv6/conf/all/forwarding
		echo 0 >/proc/sys/net/ipv4/icmp_ratelimit
		echo 0 >/proc/sys/net/ipv6/icmp/ratelimit
		# fragment queues of broken datagrams (tests/diff/rulesets/7*)
		# die after 1 s instead of 30, so none meets a later run
		echo 1 >/proc/sys/net/ipv4/ipfrag_time
		echo 1 >/proc/sys/net/ipv6/ip6frag_time
		# the same flow label on both sides for packets the stack
		# builds (output fragments, nsio.LocalSender.send6_frag)
		echo 0 >/proc/sys/net/ipv6/auto_flowlabels
	' || return 1
	ip -n "$ns" link set lo up || return 1
	for d in veth0 veth1 veth2; do
		ip -n "$ns" link set "$d" mtu 9000 up || return 1
	done
	ip -n "$ns" route add $DIFF_FWD4 via 192.0.2.252 dev veth2 onlink || return 1
	ip -n "$ns" neigh replace 192.0.2.252 lladdr $DIFF_MAC_GEN dev veth2 nud permanent || return 1
	ip -n "$ns" -6 route add $DIFF_FWD6 via fe80::2 dev veth2 || return 1
	ip -n "$ns" -6 neigh replace fe80::2 lladdr $DIFF_MAC_GEN dev veth2 nud permanent || return 1
	ip -n "$ns" addr add 192.0.2.1/32 dev veth0 || return 1
	ip -n "$ns" addr add 192.0.2.2/32 dev veth1 || return 1
	ip -n "$ns" -6 addr add 2001:db8:ffff::1/128 dev veth0 nodad || return 1
	ip -n "$ns" -6 addr add 2001:db8:ffff::2/128 dev veth1 nodad || return 1
	# Output-direction tests send with SO_MARK 0x42 (out of veth0) or 0x43
	# (veth1); only those packets leave, through a gateway whose neighbour
	# entry is static (the generator answers no ARP/ND).
	ip -n "$ns" rule add pref 3 fwmark 0x42 lookup 200 || return 1
	ip -n "$ns" rule add pref 3 fwmark 0x43 lookup 201 || return 1
	ip -n "$ns" -6 rule add pref 3 fwmark 0x42 lookup 200 || return 1
	ip -n "$ns" -6 rule add pref 3 fwmark 0x43 lookup 201 || return 1
	ip -n "$ns" route add default via 192.0.2.254 dev veth0 onlink table 200 || return 1
	ip -n "$ns" route add default via 192.0.2.253 dev veth1 onlink table 201 || return 1
	ip -n "$ns" neigh replace 192.0.2.254 lladdr $DIFF_MAC_GEN dev veth0 nud permanent || return 1
	ip -n "$ns" neigh replace 192.0.2.253 lladdr $DIFF_MAC_GEN dev veth1 nud permanent || return 1
	ip -n "$ns" -6 route add default via fe80::1 dev veth0 table 200 || return 1
	ip -n "$ns" -6 route add default via fe80::1 dev veth1 table 201 || return 1
	ip -n "$ns" -6 neigh replace fe80::1 lladdr $DIFF_MAC_GEN dev veth0 nud permanent || return 1
	ip -n "$ns" -6 neigh replace fe80::1 lladdr $DIFF_MAC_GEN dev veth1 nud permanent || return 1
	# Marks 0x44/0x45: the same ways out with a route MTU of 1280, so
	# that the stack fragments larger packets after postrouting (output
	# cases of the "# diff: fragments" rulesets).
	ip -n "$ns" rule add pref 3 fwmark 0x44 lookup 202 || return 1
	ip -n "$ns" rule add pref 3 fwmark 0x45 lookup 203 || return 1
	ip -n "$ns" -6 rule add pref 3 fwmark 0x44 lookup 202 || return 1
	ip -n "$ns" -6 rule add pref 3 fwmark 0x45 lookup 203 || return 1
	ip -n "$ns" route add default via 192.0.2.254 dev veth0 onlink mtu lock 1280 table 202 || return 1
	ip -n "$ns" route add default via 192.0.2.253 dev veth1 onlink mtu lock 1280 table 203 || return 1
	ip -n "$ns" -6 route add default via fe80::1 dev veth0 mtu lock 1280 table 202 || return 1
	ip -n "$ns" -6 route add default via fe80::1 dev veth1 mtu lock 1280 table 203 || return 1
	# Nothing else leaves the receivers (see header comment). The local
	# table is moved behind the blackhole rule, else replies to a source
	# address the receiver owns would still loop back through lo.
	for fam in -4 -6; do
		ip -n "$ns" $fam rule add pref 5 iif lo blackhole || return 1
		ip -n "$ns" $fam rule add pref 10 lookup local || return 1
		ip -n "$ns" $fam rule del pref 0 lookup local || return 1
	done
}

diff_ns_up() { # id
	local i
	diff_ns_names "$1"
	ip netns add "$DIFF_GEN" || return 1
	ip netns add "$DIFF_REF" || return 1
	ip netns add "$DIFF_SUT" || return 1
	for i in 0 1 2; do
		ip -n "$DIFF_GEN" link add "ref$i" type veth peer name "veth$i" netns "$DIFF_REF" || return 1
		ip -n "$DIFF_GEN" link add "sut$i" type veth peer name "veth$i" netns "$DIFF_SUT" || return 1
	done
	ip -n "$DIFF_REF" link set veth0 address $DIFF_MAC_IF0 || return 1
	ip -n "$DIFF_REF" link set veth1 address $DIFF_MAC_IF1 || return 1
	ip -n "$DIFF_SUT" link set veth0 address $DIFF_MAC_IF0 || return 1
	ip -n "$DIFF_SUT" link set veth1 address $DIFF_MAC_IF1 || return 1
	ip -n "$DIFF_REF" link set veth2 address $DIFF_MAC_IF2 || return 1
	ip -n "$DIFF_SUT" link set veth2 address $DIFF_MAC_IF2 || return 1
	ip netns exec "$DIFF_GEN" sh -c '
		for f in /proc/sys/net/ipv6/conf/*/disable_ipv6; do echo 1 >$f; done' || return 1
	for i in ref0 ref1 ref2 sut0 sut1 sut2; do
		ip -n "$DIFF_GEN" link set "$i" arp off mtu 9000 up || return 1
	done
	ip -n "$DIFF_GEN" link set lo up
	diff_rx_conf "$DIFF_REF" || return 1
	diff_rx_conf "$DIFF_SUT" || return 1
	diff_scratch_up || return 1
	return 0
}

# Scratch namespace for SUT backends that read a ruleset back from a kernel
# (bnft-kload --from-netns): no traffic, just devices with the names and
# ifindexes of the SUT's interfaces so that "iif"/"device" resolve alike
# (veth pairs: this kernel has no dummy driver).
diff_scratch_up() {
	local d idx
	ip netns add "$DIFF_SCR" || return 1
	for d in veth0 veth1 veth2; do
		idx=$(ip -n "$DIFF_SUT" -o link show dev "$d" | cut -d: -f1)
		ip -n "$DIFF_SCR" link add "$d" index "$idx" type veth peer name "x$d" index $((idx + 100)) || return 1
		ip -n "$DIFF_SCR" link set "x$d" up || return 1
		ip -n "$DIFF_SCR" link set "$d" up || return 1
	done
}

diff_ns_down() { # id
	diff_ns_names "$1"
	local ns
	for ns in "$DIFF_GEN" "$DIFF_REF" "$DIFF_SUT" "$DIFF_SCR"; do
		ip netns del "$ns" 2>/dev/null
	done
	return 0
}
