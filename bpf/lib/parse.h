/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Header parsing of the entry programs: what nf_tables computes in
 * nft_set_pktinfo_ipv4/ipv6 (validation, transport offset, l4proto,
 * fragment offset), done once per packet and left in skb->cb[] for the
 * generated programs. A header in the linear area is read directly; one
 * that is not (a non-linear skb: only the MAC header in the linear area)
 * through bpf_skb_load_bytes, so both parse the same.
 */
#ifndef BNFT_BPF_PARSE_H
#define BNFT_BPF_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/netfilter.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "lib/abi.h"

#define BNFT_IP6_MAX_EXTHDRS 8

struct bnft_pinfo {
	__u32 nhoff;
	__u32 thoff;
	__u8 l4proto;
	__u8 nfproto;
	__u8 flags;
	__u8 rclass;
	__u32 oif;
};

static __always_inline int ip6_is_ext_hdr(__u8 nexthdr)
{
	return nexthdr == IPPROTO_HOPOPTS || nexthdr == IPPROTO_ROUTING ||
	       nexthdr == IPPROTO_FRAGMENT || nexthdr == IPPROTO_AH || nexthdr == IPPROTO_NONE ||
	       nexthdr == IPPROTO_DSTOPTS;
}

/* len (a multiple of 4) bytes at off into to: a direct read when they lie in the linear
 * area (a helper call costs about 15 ns per packet on this host, bench/),
 * else bpf_skb_load_bytes. off is the link header length or little more. */
static __always_inline int bnft_read(struct __sk_buff *skb, __u32 off, void *to, const __u32 len)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;

	/* bpf/ct_test.bpf.c: conntrack inlined beside the parser leaves no
	 * stack for the direct path (combined frames over 512 bytes) */
#ifdef BNFT_PARSE_HELPER_ONLY
	return bpf_skb_load_bytes(skb, off, to, len);
#endif
	if (off <= 0xff) {
		__u64 o = off;
		void *p;

		/* bound the very register added to the packet pointer: clang
		 * may test a copy, which the verifier does not connect */
		asm volatile("%[o] &= 0xff" : [o] "+r"(o));
		p = data + o;

		if (p + len <= end) {
			__u32 i;

			/* word loads: memcpy() from an unaligned pointer
			 * becomes byte loads (unaligned packet reads are
			 * fine here: the verifier checks alignment only
			 * where the CPU needs it) */
#pragma unroll
			for (i = 0; i < len / 4; i++)
				((__u32 *)to)[i] = ((const __u32 *)p)[i];
			return 0;
		}
	}
	return bpf_skb_load_bytes(skb, off, to, len);
}

/* nft_set_pktinfo_ipv4_validate(): on failure no transport info. */
static __always_inline void parse_ipv4(struct __sk_buff *skb, struct bnft_pinfo *pi,
				       struct iphdr *iph)
{
	__u32 len, thoff;

	if (bnft_read(skb, pi->nhoff, iph, sizeof(*iph)) < 0)
		return;
	if (iph->ihl < 5 || iph->version != 4)
		return;
	len = bpf_ntohs(iph->tot_len);
	thoff = iph->ihl * 4;
	if (skb->len - pi->nhoff < len || len < thoff)
		return;
	pi->flags |= BNFT_PF_L4;
	pi->l4proto = iph->protocol;
	pi->thoff = pi->nhoff + thoff;
	if (bpf_ntohs(iph->frag_off) & 0x1fff)
		pi->flags |= BNFT_PF_FRAG;
}

/* nft_set_pktinfo_ipv6_validate() + ipv6_find_hdr(target = -1). */
static __always_inline void parse_ipv6(struct __sk_buff *skb, struct bnft_pinfo *pi,
				       struct ipv6hdr *ip6h)
{
	__u32 start;
	__u8 nexthdr;
	int i;

	if (bnft_read(skb, pi->nhoff, ip6h, sizeof(*ip6h)) < 0)
		return;
	if (ip6h->version != 6)
		return;
	if (bpf_ntohs(ip6h->payload_len) + sizeof(*ip6h) > skb->len - pi->nhoff)
		return;
	start = pi->nhoff + sizeof(*ip6h);
	nexthdr = ip6h->nexthdr;
#pragma unroll
	for (i = 0; i < BNFT_IP6_MAX_EXTHDRS; i++) {
		__u8 hdr[4];
		__u32 hdrlen;

		if (!ip6_is_ext_hdr(nexthdr) || nexthdr == IPPROTO_NONE)
			goto found;
		if (bpf_skb_load_bytes(skb, start, hdr, sizeof(hdr)) < 0)
			return;
		if (nexthdr == IPPROTO_FRAGMENT) {
			__u16 fo = ((__u16)hdr[2] << 8 | hdr[3]) & ~0x7;

			if (fo) {
				/* Non-first fragment: protocol known, no
				 * transport header (ipv6_find_hdr leaves the
				 * offset at 0). */
				if (!ip6_is_ext_hdr(hdr[0]) || hdr[0] == IPPROTO_NONE) {
					pi->flags |= BNFT_PF_L4 | BNFT_PF_FRAG;
					pi->l4proto = hdr[0];
					pi->thoff = 0;
				}
				return;
			}
			hdrlen = 8;
		} else if (nexthdr == IPPROTO_AH) {
			hdrlen = ((__u32)hdr[1] + 2) << 2;
		} else {
			hdrlen = ((__u32)hdr[1] + 1) << 3;
		}
		nexthdr = hdr[0];
		start += hdrlen;
	}
	/* More extension headers than we walk: no transport info. */
	if (ip6_is_ext_hdr(nexthdr) && nexthdr != IPPROTO_NONE)
		return;
found:
	if (start > 0xffff)
		return;
	pi->flags |= BNFT_PF_L4;
	pi->l4proto = nexthdr;
	pi->thoff = start;
}

#endif
