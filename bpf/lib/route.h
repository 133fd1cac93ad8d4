/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The input/forward split on TC ingress. The kernel decides it by its route
 * lookup after prerouting; we ask the same FIB with bpf_fib_lookup().
 *
 * bpf_fib_lookup() answers FWD_DISABLED before looking anything up when
 * forwarding is off on the receiving device. Then the kernel forwards
 * nothing and every packet it keeps is local, so FWD_DISABLED counts as
 * input. The difference: a packet for a foreign unicast address on a
 * non-forwarding host runs the input chains here while the kernel drops it
 * without running them (the verdict is drop either way; counters differ).
 * The forward chains see the TTL / hop limit already decremented (the
 * kernel decrements before NF_INET_FORWARD); the generated code applies
 * that to its header copy (translator/codegen.c, emit_fwd_ttl()).
 */
#ifndef BNFT_BPF_ROUTE_H
#define BNFT_BPF_ROUTE_H

#include <linux/bpf.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "lib/abi.h"
#include "lib/parse.h"
#include "lib/mcast.h"

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif

static __noinline void route_classify(struct __sk_buff *skb, struct bnft_pinfo *pi,
					   const struct iphdr *iph, const struct ipv6hdr *ip6h)
{
	struct bpf_fib_lookup fib = {};
	long rc;

	fib.ifindex = skb->ingress_ifindex;
	if (pi->nfproto == NFPROTO_IPV4) {
		fib.family = AF_INET;
		fib.tos = iph->tos;
		fib.l4_protocol = iph->protocol;
		fib.tot_len = bpf_ntohs(iph->tot_len);
		fib.ipv4_src = iph->saddr;
		fib.ipv4_dst = iph->daddr;
	} else if (pi->nfproto == NFPROTO_IPV6) {
		fib.family = AF_INET6;
		fib.flowinfo = *(const __be32 *)ip6h & bpf_htonl(0x0fffffff);
		fib.l4_protocol = pi->l4proto;
		fib.tot_len = bpf_ntohs(ip6h->payload_len) + sizeof(*ip6h);
		__builtin_memcpy(fib.ipv6_src, &ip6h->saddr, 16);
		__builtin_memcpy(fib.ipv6_dst, &ip6h->daddr, 16);
	} else {
		return;
	}
	/* Multicast and limited broadcast (lib/mcast.h): one byte compare
	 * for unicast. */
	if (pi->nfproto == NFPROTO_IPV4 ? ((const __u8 *)&iph->daddr)[0] >= 0xe0 :
					  ip6h->daddr.s6_addr[0] == 0xff) {
		__u8 c = mcast_classify(skb, pi->nfproto, iph, ip6h);

		if (c != BNFT_RC_UNKNOWN) {
			pi->rclass = c;
			return;
		}
	}
	rc = bpf_fib_lookup(skb, &fib, sizeof(fib), 0);
	switch (rc) {
	case BPF_FIB_LKUP_RET_SUCCESS:
	case BPF_FIB_LKUP_RET_NO_NEIGH:
	case BPF_FIB_LKUP_RET_FRAG_NEEDED:
	case BPF_FIB_LKUP_RET_UNSUPP_LWT:
		/* ip_forward()/ip6_forward() drop an expiring packet before
		 * the forward hook (time exceeded): no forward chain runs. */
		if (pi->nfproto == NFPROTO_IPV4 ? iph->ttl <= 1 : ip6h->hop_limit <= 1) {
			pi->rclass = BNFT_RC_NONE;
			break;
		}
		pi->rclass = BNFT_RC_FORWARD;
		pi->oif = fib.ifindex;
		break;
	case BPF_FIB_LKUP_RET_BLACKHOLE:
	case BPF_FIB_LKUP_RET_UNREACHABLE:
	case BPF_FIB_LKUP_RET_PROHIBIT:
		pi->rclass = BNFT_RC_NONE;
		break;
	default: /* NOT_FWDED (local, broadcast, multicast), FWD_DISABLED */
		pi->rclass = BNFT_RC_LOCAL;
		break;
	}
}

#endif
