/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nft `reject` on TC: the packet itself is rewritten into the reply the
 * kernel would send and redirected out (rewrite-and-redirect); the
 * original is thereby consumed (dropped). Two reply formats, as in the
 * kernel:
 *
 *  - ip / ip6 / inet tables (nft_reject_ipv4/ipv6/inet):
 *      ICMP:    icmp_send() / icmpv6_send(): IPv4 TOS (tos & 0x1e) | 0xc0,
 *               no DF, TTL 64, as much of the packet as fits in 576 bytes
 *               (548 quoted); IPv6 tclass 0, hop limit 64, up to 1232
 *               bytes quoted (IPV6_MIN_MTU).
 *      TCP RST: nf_send_reset() / nf_send_reset6(): TOS 0, id 0, DF,
 *               TTL 64; seq/ack as nf_reject_ip_tcphdr_put().
 *      Link layer from bpf_fib_lookup() towards the original source (the
 *      kernel routes the reply); fallback: swapped MAC addresses.
 *  - netdev tables (BNFT_REJECT_F_NETDEV, nft_reject_netdev): the packet
 *      nf_reject_skb_v4/v6_*() builds: IPv4 TOS 0, id 0, DF, TTL 64, 536
 *      bytes quoted; IPv6 1220 bytes quoted; MAC addresses swapped, out
 *      of the receiving device.
 *
 * The per-destination ICMP rate limit of icmp_send() is reproduced
 * (rj_ratelimit). Not reproduced (see CT.md): the global
 * icmp_msgs_per_sec bucket, the check that the
 * original's L4 checksum is valid, IPv4 options echo, the IPv4 ID of ICMP
 * errors (the kernel's is hash-based; ours is random).
 */
#ifndef BNFT_BPF_REJECT_H
#define BNFT_BPF_REJECT_H

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/netfilter.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "lib/abi.h"
#include "lib/parse.h"

/* nft reject types (enum nft_reject_types) and icmpx codes. */
#define BNFT_REJECT_ICMP_UNREACH 0
#define BNFT_REJECT_TCP_RST 1
#define BNFT_REJECT_ICMPX_UNREACH 2

#define BNFT_REJECT_ICMPX_NO_ROUTE 0
#define BNFT_REJECT_ICMPX_PORT_UNREACH 1
#define BNFT_REJECT_ICMPX_HOST_UNREACH 2
#define BNFT_REJECT_ICMPX_ADMIN_PROHIBITED 3

#define BNFT_REJECT_F_NETDEV 0x1 /* reply format of netdev tables */
#define BNFT_REJECT_F_PRE 0x4	 /* in a prerouting chain (set by codegen) */
#define BNFT_REJECT_F_FWD 0x8	 /* in a forward chain (set by codegen) */
#define BNFT_REJECT_F_LOCAL 0x2	 /* TC egress: the sender is this host; the
				  * reply enters its stack (redirect to ingress) */

#ifndef BNFT_REJECT_TTL
#define BNFT_REJECT_TTL 64 /* net.ipv4.ip_default_ttl / ipv6 hop_limit */
#endif

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif

#define RJ_CHUNK 256

struct rj_buf {
	__u8 b[RJ_CHUNK + 8];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rj_buf);
} bnft_reject_buf SEC(".maps");

#define rj_bound(v, mask)                                                                          \
	({                                                                                         \
		__u32 __v = (v);                                                                   \
		asm volatile("" : "+r"(__v));                                                      \
		__v & (mask);                                                                      \
	})

static __always_inline __u16 rj_fold(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* One's complement sum (unfolded) of len bytes of the packet at off. */
static __always_inline __u64 rj_csum_pkt(struct __sk_buff *skb, __u32 off, __u32 len)
{
	__u32 zero = 0, i;
	__u64 sum = 0;
	struct rj_buf *buf = bpf_map_lookup_elem(&bnft_reject_buf, &zero);

	if (!buf)
		return 0;
#pragma unroll
	for (i = 0; i < 6; i++) {
		__u32 n, n4;
		__s64 s;

		if (len <= i * RJ_CHUNK)
			break;
		n = len - i * RJ_CHUNK;
		if (n > RJ_CHUNK)
			n = RJ_CHUNK;
		n = rj_bound(n, 511);
		if (n < 1 || n > RJ_CHUNK)
			break;
		n4 = (n + 3) & ~3U;
		*(__u32 *)&buf->b[rj_bound(n & ~3U, 255)] = 0;
		if (bpf_skb_load_bytes(skb, off + i * RJ_CHUNK, buf->b, n) < 0)
			break;
		n4 = rj_bound(n4, 511);
		if (n4 < 4 || n4 > RJ_CHUNK)
			break;
		s = bpf_csum_diff(NULL, 0, (__be32 *)buf->b, n4, 0);
		if (s >= 0)
			sum += (__u32)s;
	}
	return sum;
}

static __always_inline __u64 rj_csum_mem(void *p, __u32 len)
{
	__s64 s = bpf_csum_diff(NULL, 0, p, len, 0);

	return s < 0 ? 0 : (__u32)s;
}

static __always_inline __u8 rj_icmpx_code(__u8 nfproto, __u32 icmpx)
{
	if (nfproto == NFPROTO_IPV4) {
		switch (icmpx) {
		case BNFT_REJECT_ICMPX_NO_ROUTE: return 0;	/* net-unreachable */
		case BNFT_REJECT_ICMPX_PORT_UNREACH: return 3;
		case BNFT_REJECT_ICMPX_HOST_UNREACH: return 1;
		default: return 13;				/* admin-prohibited */
		}
	}
	switch (icmpx) {
	case BNFT_REJECT_ICMPX_NO_ROUTE: return 0;		/* no-route */
	case BNFT_REJECT_ICMPX_PORT_UNREACH: return 4;
	case BNFT_REJECT_ICMPX_HOST_UNREACH: return 3;		/* addr-unreachable */
	default: return 1;					/* admin-prohibited */
	}
}

struct rj_eth {
	__u8 dst[ETH_ALEN];
	__u8 src[ETH_ALEN];
	__be16 proto;
};

/* Link layer and redirect of the finished reply. */
static __always_inline int rj_xmit(struct __sk_buff *skb, __u8 nfproto, const __u32 *saddr,
				   const __u32 *daddr, __u32 l3len, __u8 l4proto, __u32 flags)
{
	struct rj_eth eth;
	__u8 tmp[ETH_ALEN];

	if (bpf_skb_load_bytes(skb, 0, &eth, sizeof(eth)) < 0)
		return TC_ACT_SHOT;
	if (!(flags & (BNFT_REJECT_F_NETDEV | BNFT_REJECT_F_LOCAL))) {
		struct bpf_fib_lookup fib = {};
		long rc;

		fib.ifindex = skb->ifindex;
		fib.l4_protocol = l4proto;
		fib.tot_len = l3len;
		if (nfproto == NFPROTO_IPV4) {
			fib.family = AF_INET;
			fib.ipv4_src = saddr[0];
			fib.ipv4_dst = daddr[0];
		} else {
			fib.family = AF_INET6;
			__builtin_memcpy(fib.ipv6_src, saddr, 16);
			__builtin_memcpy(fib.ipv6_dst, daddr, 16);
		}
		rc = bpf_fib_lookup(skb, &fib, sizeof(fib), BPF_FIB_LOOKUP_OUTPUT);
		if (rc == BPF_FIB_LKUP_RET_SUCCESS) {
			__builtin_memcpy(eth.dst, fib.dmac, ETH_ALEN);
			__builtin_memcpy(eth.src, fib.smac, ETH_ALEN);
			if (bpf_skb_store_bytes(skb, 0, &eth, sizeof(eth), 0) < 0)
				return TC_ACT_SHOT;
			return bpf_redirect(fib.ifindex, 0);
		}
		if (rc == BPF_FIB_LKUP_RET_NO_NEIGH)
			return bpf_redirect_neigh(fib.ifindex, NULL, 0, 0);
	}
	__builtin_memcpy(tmp, eth.dst, ETH_ALEN);
	__builtin_memcpy(eth.dst, eth.src, ETH_ALEN);
	__builtin_memcpy(eth.src, tmp, ETH_ALEN);
	if (bpf_skb_store_bytes(skb, 0, &eth, sizeof(eth), 0) < 0)
		return TC_ACT_SHOT;
	return bpf_redirect(skb->ifindex, (flags & BNFT_REJECT_F_LOCAL) ? BPF_F_INGRESS : 0);
}

/* Makes the L3 part of the skb exactly `want` bytes long with the first
 * `hdr` bytes fresh room, keeping `keep` bytes of the original L3 packet
 * after it (keep <= its length). */
static __always_inline int rj_reshape(struct __sk_buff *skb, __u32 nhoff, __u32 keep, __s32 room)
{
	if (bpf_skb_change_tail(skb, nhoff + keep, 0) < 0)
		return -1;
	if (room && bpf_skb_adjust_room(skb, room, BPF_ADJ_ROOM_MAC, 0) < 0)
		return -1;
	return 0;
}

struct rj_ip6_pseudo {
	__u32 saddr[4];
	__u32 daddr[4];
	__be32 len;
	__be32 nexthdr;
};

/*
 * The kernel's per-destination ICMP error rate limit (icmpv4_xrlim_allow /
 * icmpv6_xrlim_allow -> inet_peer_xrlim_allow): a bucket of at most
 * XRLIM_BURST_FACTOR (6) * tmo, one tmo per error, a new peer starts 60 s
 * in the past (so with a full bucket: 6 errors in a burst, then one per
 * tmo). tmo = net.ipv4.icmp_ratelimit / net.ipv6.icmp.ratelimit (ms;
 * default 1000, 0 = off). IPv6 divides tmo by 2^((128 - plen) >> 5) for
 * the reply route's prefix length plen: taken as icmpv6_plen (default 64,
 * an on-link /64). The global icmp_msgs_per_sec bucket (1000/s, burst 50)
 * is not modelled. Not applied to replies to a local sender (loopback).
 */
struct bnft_reject_cfg {
	__u32 valid;			/* 0: kernel defaults below */
	__u32 icmp_ratelimit_ms;	/* the sysctl; 0 = no limit (default 1000) */
	__u32 icmpv6_ratelimit_ms;	/* the sysctl; 0 = no limit (default 1000) */
	__u32 icmpv6_plen;		/* default 64 */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bnft_reject_cfg);
} bnft_reject_cfg SEC(".maps");

struct rj_peer_key {
	__u32 addr[4];
	__u32 family;
};

struct rj_peer {
	__u64 last;
	__u64 tokens;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct rj_peer_key);
	__type(value, struct rj_peer);
} bnft_reject_peers SEC(".maps");

#define RJ_MS 1000000ULL

static __always_inline int rj_ratelimit(__u8 nfproto, const __u32 *daddr)
{
	struct rj_peer_key k = {};
	struct bnft_reject_cfg *cfg;
	struct rj_peer *pe, np;
	__u32 zero = 0, ms, plen;
	__u64 now, tmo, token;

	cfg = bpf_map_lookup_elem(&bnft_reject_cfg, &zero);
	if (!cfg)
		return 1;
	ms = nfproto == NFPROTO_IPV4 ? cfg->icmp_ratelimit_ms : cfg->icmpv6_ratelimit_ms;
	if (!cfg->valid)
		ms = 1000;
	if (!ms)
		return 1;
	tmo = (__u64)ms * RJ_MS;
	if (nfproto == NFPROTO_IPV6) {
		plen = cfg->valid && cfg->icmpv6_plen ? cfg->icmpv6_plen : 64;
		if (plen < 128)
			tmo >>= ((128 - plen) >> 5) & 7;
	}
	__builtin_memcpy(k.addr, daddr, 16);
	k.family = nfproto;
	now = bpf_ktime_get_ns();
	pe = bpf_map_lookup_elem(&bnft_reject_peers, &k);
	if (!pe) {
		np.last = now - 60000 * RJ_MS;
		np.tokens = 0;
		bpf_map_update_elem(&bnft_reject_peers, &k, &np, BPF_NOEXIST);
		pe = bpf_map_lookup_elem(&bnft_reject_peers, &k);
		if (!pe)
			return 1;
	}
	token = pe->tokens + (now - pe->last);
	pe->last = now;
	if (token > 6 * tmo)
		token = 6 * tmo;
	if (token >= tmo) {
		pe->tokens = token - tmo;
		return 1;
	}
	pe->tokens = token;
	return 0;
}

/*
 * Source of an ICMP error about a forwarded packet: icmp_send() and
 * icmp6_send() leave it to the route back to the sender (the packet's
 * destination is not ours): the preferred source of that route, here
 * bpf_fib_lookup(BPF_FIB_LOOKUP_SRC) as an output lookup through the
 * device the packet came in by. No route: the kernel sends nothing.
 */
static __always_inline int rj_fwd_src(struct __sk_buff *skb, __u8 nfproto, const __u32 *to,
				      __u32 *src)
{
	struct bpf_fib_lookup fib = {};
	long rc;

	fib.ifindex = skb->ifindex;
	if (nfproto == NFPROTO_IPV4) {
		fib.family = 2; /* AF_INET */
		fib.ipv4_dst = to[0];
	} else {
		fib.family = 10; /* AF_INET6 */
		__builtin_memcpy(fib.ipv6_dst, to, 16);
	}
	rc = bpf_fib_lookup(skb, &fib, sizeof(fib), BPF_FIB_LOOKUP_OUTPUT | BPF_FIB_LOOKUP_SRC);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS && rc != BPF_FIB_LKUP_RET_NO_NEIGH)
		return -1;
	if (nfproto == NFPROTO_IPV4)
		src[0] = fib.ipv4_src;
	else
		__builtin_memcpy(src, fib.ipv6_src, 16);
	return 0;
}

/* An IPv6 destination that this host does not own (icmp6_send's
 * ipv6_chk_addr): the FIB would forward it. */
static __always_inline int rj_foreign6(struct __sk_buff *skb, const __u32 *dst, const __u32 *src)
{
	struct bpf_fib_lookup fib = {};
	long rc;

	fib.family = 10; /* AF_INET6 */
	fib.ifindex = skb->ifindex;
	__builtin_memcpy(fib.ipv6_dst, dst, 16);
	__builtin_memcpy(fib.ipv6_src, src, 16);
	rc = bpf_fib_lookup(skb, &fib, sizeof(fib), 0);
	return rc == BPF_FIB_LKUP_RET_SUCCESS || rc == BPF_FIB_LKUP_RET_NO_NEIGH;
}

/* ICMP / ICMPv6 destination unreachable quoting the original. A forwarded
 * packet (route class forward, not netdev) is quoted as the forward hook
 * sees it, TTL / hop limit already decremented (ip_forward, ip6_forward),
 * and answered from the route's source (rj_fwd_src). */
static __always_inline int rj_icmp(struct __sk_buff *skb, const struct bnft_pinfo *pi, __u8 code,
				   __u32 flags)
{
	__u32 nhoff = pi->nhoff, saddr[4] = {}, daddr[4] = {}, l3len, q, hl;
	/* ICMP source by the route back (rj_fwd_src): forward chains, and
	 * prerouting (the kernel routes the reply before icmp_send: an IPv4
	 * local destination loses too, IPv6 keeps a local one); the quote
	 * has the TTL decremented in forward chains only. Without the
	 * hook (a shared subprogram) the route class decides. */
	int hook_fwd = (flags & BNFT_REJECT_F_FWD) ||
		       (!(flags & (BNFT_REJECT_F_PRE | BNFT_REJECT_F_FWD)) &&
			pi->rclass == BNFT_RC_FORWARD);
	int fwd = !(flags & (BNFT_REJECT_F_NETDEV | BNFT_REJECT_F_LOCAL)) &&
		  (hook_fwd || ((flags & BNFT_REJECT_F_PRE) &&
				(pi->nfproto == NFPROTO_IPV4 || pi->rclass == BNFT_RC_FORWARD)));
	__u8 hdr[48] = {};
	__u8 fwd_ttl = 0;
	__u16 fwd_check = 0;
	__u64 sum;
	__u16 c;

	if (pi->nfproto == NFPROTO_IPV4) {
		struct iphdr ih, *nh = (struct iphdr *)hdr;

		if (bpf_skb_load_bytes(skb, nhoff, &ih, sizeof(ih)) < 0)
			return TC_ACT_SHOT;
		if (bpf_ntohs(ih.frag_off) & 0x1fff)
			return TC_ACT_SHOT;
		/* no error about an ICMP error (icmp_pointers[].error) */
		if (ih.protocol == IPPROTO_ICMP && (pi->flags & BNFT_PF_L4)) {
			__u8 t;

			if (bpf_skb_load_bytes(skb, pi->thoff, &t, 1) < 0)
				return TC_ACT_SHOT;
			if (t > 18 || t == 3 || t == 4 || t == 5 || t == 11 || t == 12)
				return TC_ACT_SHOT;
		}
		if (!(flags & BNFT_REJECT_F_NETDEV) &&
		    (skb->pkt_type != PACKET_HOST ||
		     (bpf_ntohl(ih.daddr) >> 28) == 0xe || ih.daddr == 0xffffffff ||
		     (bpf_ntohl(ih.saddr) >> 28) == 0xe || ih.saddr == 0 || ih.saddr == 0xffffffff))
			return TC_ACT_SHOT;
		l3len = bpf_ntohs(ih.tot_len);
		q = l3len < ((flags & BNFT_REJECT_F_NETDEV) ? 536 : 548) ?
			    l3len : ((flags & BNFT_REJECT_F_NETDEV) ? 536 : 548);
		hl = sizeof(struct iphdr);
		saddr[0] = ih.daddr;
		daddr[0] = ih.saddr;
		if (fwd && rj_fwd_src(skb, pi->nfproto, daddr, saddr) < 0)
			return TC_ACT_SHOT;
		if (fwd && hook_fwd) {
			__u32 chk = ih.check;

			/* ip_decrease_ttl() */
			chk += bpf_htons(0x0100);
			fwd_check = (__u16)(chk + (chk >= 0xFFFF));
			fwd_ttl = ih.ttl - 1;
		}
		nh->version = 4;
		nh->ihl = 5;
		nh->tot_len = bpf_htons(hl + 8 + q);
		nh->ttl = BNFT_REJECT_TTL;
		nh->protocol = IPPROTO_ICMP;
		nh->saddr = saddr[0];
		nh->daddr = daddr[0];
		if (flags & BNFT_REJECT_F_NETDEV) {
			nh->frag_off = bpf_htons(0x4000); /* DF */
		} else {
			nh->tos = (ih.tos & 0x1e) | 0xc0;
			nh->id = (__u16)bpf_get_prandom_u32();
		}
		nh->check = rj_fold(rj_csum_mem(nh, sizeof(*nh)));
		hdr[hl] = 3; /* ICMP_DEST_UNREACH */
		hdr[hl + 1] = code;
	} else {
		struct ipv6hdr ih, *nh = (struct ipv6hdr *)hdr;
		__u32 first;

		if (bpf_skb_load_bytes(skb, nhoff, &ih, sizeof(ih)) < 0)
			return TC_ACT_SHOT;
		if (pi->flags & BNFT_PF_FRAG)
			return TC_ACT_SHOT;
		if ((pi->flags & BNFT_PF_L4) && pi->l4proto == IPPROTO_ICMPV6) {
			__u8 t;

			if (bpf_skb_load_bytes(skb, pi->thoff, &t, 1) < 0)
				return TC_ACT_SHOT;
			if (t < 128 || t == 137) /* is_ineligible() */
				return TC_ACT_SHOT;
		}
		first = bpf_ntohl(ih.saddr.in6_u.u6_addr32[0]);
		if (!(flags & BNFT_REJECT_F_NETDEV) &&
		    (skb->pkt_type != PACKET_HOST || ih.daddr.in6_u.u6_addr8[0] == 0xff ||
		     (first >> 24) == 0xff ||
		     (!ih.saddr.in6_u.u6_addr32[0] && !ih.saddr.in6_u.u6_addr32[1] &&
		      !ih.saddr.in6_u.u6_addr32[2] && !ih.saddr.in6_u.u6_addr32[3])))
			return TC_ACT_SHOT;
		l3len = bpf_ntohs(ih.payload_len) + sizeof(ih);
		q = l3len < ((flags & BNFT_REJECT_F_NETDEV) ? 1220 : 1232) ?
			    l3len : ((flags & BNFT_REJECT_F_NETDEV) ? 1220 : 1232);
		hl = sizeof(struct ipv6hdr);
		__builtin_memcpy(saddr, &ih.daddr, 16);
		__builtin_memcpy(daddr, &ih.saddr, 16);
		/* prerouting without a route class: is the destination ours? */
		if (!fwd && (flags & BNFT_REJECT_F_PRE) && pi->rclass == BNFT_RC_UNKNOWN &&
		    !(flags & (BNFT_REJECT_F_NETDEV | BNFT_REJECT_F_LOCAL)) &&
		    rj_foreign6(skb, saddr, daddr))
			fwd = 1;
		if (fwd && rj_fwd_src(skb, pi->nfproto, daddr, saddr) < 0)
			return TC_ACT_SHOT;
		if (fwd && hook_fwd)
			fwd_ttl = ih.hop_limit - 1;
		nh->version = 6;
		nh->payload_len = bpf_htons(8 + q);
		nh->nexthdr = IPPROTO_ICMPV6;
		nh->hop_limit = BNFT_REJECT_TTL;
		__builtin_memcpy(&nh->saddr, saddr, 16);
		__builtin_memcpy(&nh->daddr, daddr, 16);
		hdr[hl] = 1; /* ICMPV6_DEST_UNREACH */
		hdr[hl + 1] = code;
	}
	/* icmp_send()/icmpv6_send() only; the netdev path has no limit */
	if (!(flags & (BNFT_REJECT_F_NETDEV | BNFT_REJECT_F_LOCAL)) &&
	    !rj_ratelimit(pi->nfproto, daddr))
		return TC_ACT_SHOT;
	if (rj_reshape(skb, nhoff, q, hl + 8) < 0)
		return TC_ACT_SHOT;
	if (fwd && hook_fwd) {
		__u32 qoff = nhoff + hl + 8;

		if (pi->nfproto == NFPROTO_IPV4) {
			if (bpf_skb_store_bytes(skb, qoff + 8, &fwd_ttl, 1, 0) < 0 ||
			    bpf_skb_store_bytes(skb, qoff + 10, &fwd_check, 2, 0) < 0)
				return TC_ACT_SHOT;
		} else if (bpf_skb_store_bytes(skb, qoff + 7, &fwd_ttl, 1, 0) < 0) {
			return TC_ACT_SHOT;
		}
	}
	/* checksum: ICMP header (zero checksum) + quote (+ IPv6 pseudo) */
	sum = rj_csum_mem(&hdr[hl & 63], 8) + rj_csum_pkt(skb, nhoff + hl + 8, q);
	if (pi->nfproto == NFPROTO_IPV6) {
		struct rj_ip6_pseudo ph = {};

		__builtin_memcpy(ph.saddr, saddr, 16);
		__builtin_memcpy(ph.daddr, daddr, 16);
		ph.len = bpf_htonl(8 + q);
		ph.nexthdr = bpf_htonl(IPPROTO_ICMPV6);
		sum += rj_csum_mem(&ph, sizeof(ph));
	}
	c = rj_fold(sum);
	__builtin_memcpy(&hdr[(hl + 2) & 63], &c, 2);
	if (pi->nfproto == NFPROTO_IPV4) {
		if (bpf_skb_store_bytes(skb, nhoff, hdr, sizeof(struct iphdr) + 8, 0) < 0)
			return TC_ACT_SHOT;
	} else {
		if (bpf_skb_store_bytes(skb, nhoff, hdr, sizeof(struct ipv6hdr) + 8, 0) < 0)
			return TC_ACT_SHOT;
	}
	return rj_xmit(skb, pi->nfproto, saddr, daddr, hl + 8 + q,
		       pi->nfproto == NFPROTO_IPV4 ? IPPROTO_ICMP : IPPROTO_ICMPV6, flags);
}

/* TCP RST (nf_send_reset / nf_send_reset6 / nf_reject_skb_v*_tcp_reset). */
static __always_inline int rj_tcp_rst(struct __sk_buff *skb, const struct bnft_pinfo *pi,
				      __u32 flags)
{
	__u32 nhoff = pi->nhoff, saddr[4] = {}, daddr[4] = {}, l3len, ohl, hl, tcplen;
	__u8 hdr[64] = {};
	struct tcphdr oth, *th;
	__u64 sum;

	if (!(pi->flags & BNFT_PF_L4) || (pi->flags & BNFT_PF_FRAG) ||
	    pi->l4proto != IPPROTO_TCP)
		return TC_ACT_SHOT;
	if (bpf_skb_load_bytes(skb, pi->thoff, &oth, sizeof(oth)) < 0)
		return TC_ACT_SHOT;
	if (oth.rst)
		return TC_ACT_SHOT;
	ohl = pi->thoff - nhoff;
	if (pi->nfproto == NFPROTO_IPV4) {
		struct iphdr ih, *nh = (struct iphdr *)hdr;

		if (bpf_skb_load_bytes(skb, nhoff, &ih, sizeof(ih)) < 0)
			return TC_ACT_SHOT;
		if (!(flags & BNFT_REJECT_F_NETDEV) && skb->pkt_type != PACKET_HOST)
			return TC_ACT_SHOT;
		l3len = bpf_ntohs(ih.tot_len);
		hl = sizeof(struct iphdr);
		saddr[0] = ih.daddr;
		daddr[0] = ih.saddr;
		nh->version = 4;
		nh->ihl = 5;
		nh->tot_len = bpf_htons(hl + sizeof(struct tcphdr));
		nh->frag_off = bpf_htons(0x4000);
		nh->ttl = BNFT_REJECT_TTL;
		nh->protocol = IPPROTO_TCP;
		nh->saddr = saddr[0];
		nh->daddr = daddr[0];
		nh->check = rj_fold(rj_csum_mem(nh, sizeof(*nh)));
	} else {
		struct ipv6hdr ih, *nh = (struct ipv6hdr *)hdr;

		if (bpf_skb_load_bytes(skb, nhoff, &ih, sizeof(ih)) < 0)
			return TC_ACT_SHOT;
		/* both addresses unicast */
		if (ih.saddr.in6_u.u6_addr8[0] == 0xff || ih.daddr.in6_u.u6_addr8[0] == 0xff ||
		    (!ih.saddr.in6_u.u6_addr32[0] && !ih.saddr.in6_u.u6_addr32[1] &&
		     !ih.saddr.in6_u.u6_addr32[2] && !ih.saddr.in6_u.u6_addr32[3]))
			return TC_ACT_SHOT;
		l3len = bpf_ntohs(ih.payload_len) + sizeof(ih);
		hl = sizeof(struct ipv6hdr);
		__builtin_memcpy(saddr, &ih.daddr, 16);
		__builtin_memcpy(daddr, &ih.saddr, 16);
		nh->version = 6;
		nh->payload_len = bpf_htons(sizeof(struct tcphdr));
		nh->nexthdr = IPPROTO_TCP;
		nh->hop_limit = BNFT_REJECT_TTL;
		__builtin_memcpy(&nh->saddr, saddr, 16);
		__builtin_memcpy(&nh->daddr, daddr, 16);
	}
	if (l3len < ohl + sizeof(oth))
		return TC_ACT_SHOT;
	tcplen = l3len - ohl;
	th = (struct tcphdr *)&hdr[hl & 63];
	th->source = oth.dest;
	th->dest = oth.source;
	th->doff = 5;
	if (oth.ack) {
		th->seq = oth.ack_seq;
	} else {
		th->ack_seq = bpf_htonl(bpf_ntohl(oth.seq) + oth.syn + oth.fin + tcplen -
					oth.doff * 4);
		th->ack = 1;
	}
	th->rst = 1;
	/* full checksum: pseudo header + 20 bytes */
	{
		struct rj_ip6_pseudo ph = {};

		if (pi->nfproto == NFPROTO_IPV4) {
			__u32 p4[3] = { saddr[0], daddr[0],
					bpf_htonl(IPPROTO_TCP << 16 | sizeof(struct tcphdr)) };

			sum = rj_csum_mem(p4, sizeof(p4));
		} else {
			__builtin_memcpy(ph.saddr, saddr, 16);
			__builtin_memcpy(ph.daddr, daddr, 16);
			ph.len = bpf_htonl(sizeof(struct tcphdr));
			ph.nexthdr = bpf_htonl(IPPROTO_TCP);
			sum = rj_csum_mem(&ph, sizeof(ph));
		}
		sum += rj_csum_mem(th, sizeof(*th));
		th->check = rj_fold(sum);
	}
	/* keep the original IP + TCP base header room, then shrink the L3
	 * header to its new size (IPv4 options, IPv6 extension headers) */
	if (rj_reshape(skb, nhoff, ohl + sizeof(oth), 0) < 0)
		return TC_ACT_SHOT;
	if (ohl > hl && bpf_skb_adjust_room(skb, -(__s32)(ohl - hl), BPF_ADJ_ROOM_MAC, 0) < 0)
		return TC_ACT_SHOT;
	if (pi->nfproto == NFPROTO_IPV4) {
		if (bpf_skb_store_bytes(skb, nhoff, hdr, sizeof(struct iphdr) + sizeof(oth), 0) < 0)
			return TC_ACT_SHOT;
	} else {
		if (bpf_skb_store_bytes(skb, nhoff, hdr, sizeof(struct ipv6hdr) + sizeof(oth), 0) <
		    0)
			return TC_ACT_SHOT;
	}
	return rj_xmit(skb, pi->nfproto, saddr, daddr, hl + sizeof(oth), IPPROTO_TCP, flags);
}

/*
 * nft `reject`: type BNFT_REJECT_*, code the ICMP/ICMPv6 code of the
 * packet's family (ICMP_UNREACH) or an icmpx code (ICMPX_UNREACH).
 * Returns TC_ACT_REDIRECT with the skb turned into the reply, or
 * TC_ACT_SHOT when the kernel would send nothing (the packet is dropped
 * either way). The caller returns this value from the program.
 */
static __always_inline int bnft_reject(struct __sk_buff *skb, const struct bnft_pinfo *pi,
				       __u32 type, __u32 code, __u32 flags)
{
	if (pi->nfproto != NFPROTO_IPV4 && pi->nfproto != NFPROTO_IPV6)
		return TC_ACT_SHOT;
	if (type == BNFT_REJECT_TCP_RST)
		return rj_tcp_rst(skb, pi, flags);
	if (type == BNFT_REJECT_ICMPX_UNREACH)
		code = rj_icmpx_code(pi->nfproto, code);
	return rj_icmp(skb, pi, (__u8)code, flags);
}

#endif
