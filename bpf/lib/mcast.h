/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Input or not for multicast (and IPv4 limited broadcast) on TC ingress.
 *
 * The kernel delivers a multicast packet locally only when the receiving
 * interface has joined its group: IPv4 ip_route_input_rcu() asks
 * ip_check_mc_rcu() and drops an unjoined group before NF_INET_LOCAL_IN
 * (no multicast routing here); IPv6 ip6_mc_input() asks
 * ipv6_chk_mcast_addr() and drops it before ip6_input(). Prerouting has run
 * by then, so only the input chains are affected: rclass BNFT_RC_NONE.
 *
 * The loader (daemon/lib/mcast.c) puts every joined group of every
 * interface in bnft_mcast (from /proc/net/igmp and /proc/net/igmp6) plus a
 * per-interface, per-family marker key saying "this interface's groups are
 * listed". A multicast destination found -> input; not found but marker
 * present -> not delivered; no marker (an interface the loader has not seen
 * yet) -> input, as before. Source filters (SSM, /proc/net/mcfilter) are
 * not modelled: a joined group counts as joined for every source.
 *
 * IPv4 255.255.255.255 is local input (ip_route_input_slow(), brd_input)
 * whatever the FIB says; bpf_fib_lookup() would answer by the default route.
 *
 * Unicast pays one compare of the destination's first byte.
 */
#ifndef BNFT_BPF_MCAST_H
#define BNFT_BPF_MCAST_H

#include <linux/types.h>

/* Key of bnft_mcast. IPv4 groups as v4-mapped IPv6 (::ffff:a.b.c.d). The
 * marker of an interface: addr all zero but addr[0] = 4 or 6. */
struct bnft_mcast_key {
	__u32 ifindex;
	__u8 addr[16];
};
#define BNFT_MCAST_ENTRIES 16384
#define BNFT_MCAST_PIN "mcast"

#if defined(__bpf__) || defined(__BPF__)

#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>

#include "lib/abi.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BNFT_MCAST_ENTRIES);
	__type(key, struct bnft_mcast_key);
	__type(value, __u32);
} bnft_mcast SEC(".maps");

/* Whether the interface listed its groups and `k` is not among them. */
static __always_inline int mcast_unjoined(struct bnft_mcast_key *k, __u8 fam)
{
	if (bpf_map_lookup_elem(&bnft_mcast, k))
		return 0;
	__builtin_memset(k->addr, 0, sizeof(k->addr));
	k->addr[0] = fam;
	return bpf_map_lookup_elem(&bnft_mcast, k) != NULL;
}

/* For a destination whose first byte is >= 0xe0 (IPv4) or 0xff (IPv6):
 * the route class, or BNFT_RC_UNKNOWN to leave it to the FIB lookup
 * (IPv4 class E unicast). */
static __always_inline __u8 mcast_classify(struct __sk_buff *skb, __u8 nfproto,
					   const struct iphdr *iph, const struct ipv6hdr *ip6h)
{
	struct bnft_mcast_key k = { .ifindex = skb->ingress_ifindex };

	if (nfproto == NFPROTO_IPV4) {
		__u32 d = bpf_ntohl(iph->daddr), s = bpf_ntohl(iph->saddr);

		/* ip_route_input_mc() / ip_route_input_slow() martians */
		if ((s >> 28) == 0xe || s == 0xffffffff)
			return BNFT_RC_NONE;
		if (d == 0xffffffff)
			return BNFT_RC_LOCAL;
		if ((d >> 28) != 0xe)
			return BNFT_RC_UNKNOWN;
		if ((s >> 24) == 127)
			return BNFT_RC_NONE;
		if (!s && (d >> 8) != 0xe00000 && iph->protocol != IPPROTO_IGMP)
			return BNFT_RC_NONE;
		k.addr[10] = 0xff;
		k.addr[11] = 0xff;
		__builtin_memcpy(&k.addr[12], &iph->daddr, 4);
		return mcast_unjoined(&k, 4) ? BNFT_RC_NONE : BNFT_RC_LOCAL;
	}
	__builtin_memcpy(k.addr, &ip6h->daddr, 16);
	return mcast_unjoined(&k, 6) ? BNFT_RC_NONE : BNFT_RC_LOCAL;
}

#endif /* __bpf__ */
#endif
