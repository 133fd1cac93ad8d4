// SPDX-License-Identifier: GPL-2.0
/*
 * Fixed entry programs attached at TC clsact ingress and egress of every
 * interface. Per packet: read the active generation, parse headers once
 * into skb->cb[], tail-call that generation's generated program for the
 * hook. The generated programs are loaded at run time into bnft_progs.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/netfilter.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "lib/abi.h"
#include "lib/parse.h"
#include "lib/route.h"
#include "lib/ct_progs.h"
#include "lib/limit.h"
#include "lib/tailcall.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BNFT_CONF_ENTRIES);
	__type(key, __u32);
	__type(value, __u32);
} bnft_conf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, BNFT_PROGS_ENTRIES);
	__type(key, __u32);
	__type(value, __u32);
} bnft_progs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BNFT_IFINFO_ENTRIES);
	__type(key, __u32);
	__type(value, struct bnft_ifinfo);
} bnft_ifinfo SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BNFT_IFHDR_ENTRIES);
	__type(key, __u32);
	__type(value, struct bnft_ifhdr);
} bnft_ifhdr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BNFT_LIMITS_ENTRIES);
	__type(key, __u32);
	__type(value, struct bnft_limit_state);
} bnft_limits SEC(".maps");

static __always_inline __u32 link_hdrlen(__u32 ifindex)
{
	__u32 slot = ifindex % BNFT_IFHDR_ENTRIES;
	struct bnft_ifinfo *ifi;
	struct bnft_ifhdr *h;

	h = bpf_map_lookup_elem(&bnft_ifhdr, &slot);
	if (h && h->ifindex == ifindex)
		return h->hdrlen;
	ifi = bpf_map_lookup_elem(&bnft_ifinfo, &ifindex);
	return ifi ? ifi->hdrlen : ETH_HLEN;
}

/*
 * Non-linear skb at ingress (AF_PACKET senders, some drivers: only the MAC
 * header in the linear area): pull the bytes the parser and the generated
 * programs' header copies read (translator/codegen_int.h: 40 bytes from
 * the network header, 24 from the transport header; IPv4 without options:
 * 44 bytes from the network header, IPv6 without extension headers: 64)
 * into the linear area, so that all of them read directly instead of
 * through one bpf_skb_load_bytes each (three per packet). The stack pulls
 * the headers anyway right after (ip_rcv, udp_rcv, tcp_v4_rcv:
 * pskb_may_pull), so this moves that work earlier rather than adding to
 * it; a packet whose linear area holds those bytes already (drivers that
 * pull the headers, GRO) is not touched. Not at egress: there the headers
 * are linear already, and a cloned skb (TCP keeps one per segment for
 * retransmission) would be copied by the pull.
 */
#define BNFT_PULL_V4 44
#define BNFT_PULL_V6 64

static __always_inline void pull_headers(struct __sk_buff *skb, __u32 nhoff, int v6)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	__u64 want = (__u64)nhoff + (v6 ? BNFT_PULL_V6 : BNFT_PULL_V4);

	if (want > skb->len)
		want = skb->len;
	if (want <= 0xff && data + want > end)
		bpf_skb_pull_data(skb, want);
	/* the parser reloads skb->data and data_end after this point (clang
	 * would reuse these, which the verifier cannot follow) */
	asm volatile("" ::: "memory");
}

/* The generation's program for this hook: one constant slot per call site
 * (lib/tailcall.h). */
static __always_inline void tail_call_gen(struct __sk_buff *skb, __u32 gen, int egress)
{
	if (egress) {
		if (gen)
			bnft_tail_call_static(skb, &bnft_progs,
					      BNFT_PROGS_PER_GEN + BNFT_SLOT_EGRESS);
		else
			bnft_tail_call_static(skb, &bnft_progs, BNFT_SLOT_EGRESS);
	} else {
		if (gen)
			bnft_tail_call_static(skb, &bnft_progs,
					      BNFT_PROGS_PER_GEN + BNFT_SLOT_INGRESS);
		else
			bnft_tail_call_static(skb, &bnft_progs, BNFT_SLOT_INGRESS);
	}
}

static __always_inline int bnft_entry(struct __sk_buff *skb, int egress)
{
	struct bnft_pinfo pi = {};
	struct ipv6hdr ip6h;
	struct iphdr iph;
	__u32 key = BNFT_CONF_ACTIVE, gen, flags;
	__u32 *v;

	v = bpf_map_lookup_elem(&bnft_conf, &key);
	if (!v)
		return TC_ACT_OK;
	gen = *v & 1;
	key = BNFT_CONF_FLAGS(gen);
	v = bpf_map_lookup_elem(&bnft_conf, &key);
	if (!v)
		return TC_ACT_OK;
	flags = *v;
	if (!(flags & ((egress ? BNFT_GF_EGRESS : BNFT_GF_INGRESS) | BNFT_GF_CT)))
		return TC_ACT_OK;

	pi.nhoff = link_hdrlen(skb->ifindex);
	if (egress)
		pi.flags |= BNFT_PF_EGRESS;
	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		pi.nfproto = NFPROTO_IPV4;
		if (!egress)
			pull_headers(skb, pi.nhoff, 0);
		parse_ipv4(skb, &pi, &iph);
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		pi.nfproto = NFPROTO_IPV6;
		if (!egress)
			pull_headers(skb, pi.nhoff, 1);
		parse_ipv6(skb, &pi, &ip6h);
	}
	if (!egress && (flags & BNFT_GF_ROUTE) && pi.nfproto)
		route_classify(skb, &pi, &iph, &ip6h);

	skb->cb[BNFT_CB_OFFS] = pi.nhoff | pi.thoff << 16;
	skb->cb[BNFT_CB_INFO] = pi.l4proto | (__u32)pi.nfproto << 8 | (__u32)pi.flags << 16 |
				(__u32)pi.rclass << 24;
	skb->cb[BNFT_CB_OIF] = pi.oif;
	if (flags & BNFT_GF_CT) {
		/* Conntrack runs in its own program: its stack does not fit
		 * beside the parser's in one frame. */
		skb->cb[BNFT_CB_NEXT] = (flags & (egress ? BNFT_GF_EGRESS : BNFT_GF_INGRESS)) ?
						gen * BNFT_PROGS_PER_GEN + egress :
						~0u;
		bnft_tail_call_static(skb, &bnft_progs, BNFT_SLOT_CT_TRACK);
		return TC_ACT_OK;
	}
	tail_call_gen(skb, gen, egress);
	/* No program in the slot: the loader never flips to a generation
	 * without its programs, so this is a window during flush. */
	return TC_ACT_OK;
}

SEC("tc")
int bnft_ingress(struct __sk_buff *skb)
{
	return bnft_entry(skb, 0);
}

SEC("tc")
int bnft_egress(struct __sk_buff *skb)
{
	return bnft_entry(skb, 1);
}

/* Fixed programs in BNFT_SLOT_CT_ACCEPT / BNFT_SLOT_REJECT /
 * BNFT_SLOT_CT_TRACK (bpf/lib/CT.md). */
SEC("tc")
int bnft_ct_track_prog(struct __sk_buff *skb)
{
	struct bnft_pinfo pi = {};
	struct bnft_ct_pkt *p;
	__u32 next;

	bnft_pinfo_from_cb(skb, &pi);
	p = bnft_ct_entry_hook(skb, &pi, pi.flags & BNFT_PF_EGRESS);
	next = skb->cb[BNFT_CB_NEXT];
	if (next == ~0u) {
		/* No rules at this attach point: the packet leaves it
		 * accepted, which confirms a new flow. */
		if (p)
			bnft_ct_confirm(p);
		return TC_ACT_OK;
	}
	/* next is one of the four generation root slots (lib/tailcall.h) */
	switch (next) {
	case BNFT_SLOT_INGRESS:
		tail_call_gen(skb, 0, 0);
		break;
	case BNFT_SLOT_EGRESS:
		tail_call_gen(skb, 0, 1);
		break;
	case BNFT_PROGS_PER_GEN + BNFT_SLOT_INGRESS:
		tail_call_gen(skb, 1, 0);
		break;
	case BNFT_PROGS_PER_GEN + BNFT_SLOT_EGRESS:
		tail_call_gen(skb, 1, 1);
		break;
	default:
		bpf_tail_call(skb, &bnft_progs, next);
	}
	return TC_ACT_OK;
}

SEC("tc")
int bnft_ct_accept_prog(struct __sk_buff *skb)
{
	return bnft_ct_accept_body(skb);
}

SEC("tc")
int bnft_reject_prog(struct __sk_buff *skb)
{
	return bnft_reject_body(skb);
}
