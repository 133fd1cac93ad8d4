/* SPDX-License-Identifier: GPL-2.0 */
/* Frame builders shared by tests/unit/test_ct.c and test_reject.c. */
#ifndef BNFT_TEST_CT_PKT_H
#define BNFT_TEST_CT_PKT_H

#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <netinet/in.h>

struct tpkt {
	uint8_t b[2048];
	size_t len;
};

struct tflow {
	int v6;
	uint8_t proto;
	uint32_t s4, d4;		/* network order */
	struct in6_addr s6, d6;
	uint16_t sport, dport;		/* host order */
};

static inline uint32_t tp_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static inline uint16_t tp_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static const uint8_t tp_mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t tp_mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };

/* Ethernet + IP header for a flow; returns the transport offset. */
static inline size_t tp_l3(struct tpkt *p, const struct tflow *f, int reverse, size_t l4len)
{
	struct ethhdr *eth = (struct ethhdr *)p->b;

	memset(p->b, 0, sizeof(p->b));
	memcpy(eth->h_dest, reverse ? tp_mac_a : tp_mac_b, 6);
	memcpy(eth->h_source, reverse ? tp_mac_b : tp_mac_a, 6);
	if (!f->v6) {
		struct iphdr *ip = (struct iphdr *)(p->b + ETH_HLEN);

		eth->h_proto = htons(ETH_P_IP);
		ip->version = 4;
		ip->ihl = 5;
		ip->tot_len = htons((uint16_t)(sizeof(*ip) + l4len));
		ip->id = htons(0x1234);
		ip->ttl = 64;
		ip->protocol = f->proto;
		ip->saddr = reverse ? f->d4 : f->s4;
		ip->daddr = reverse ? f->s4 : f->d4;
		ip->check = tp_csum_fold(tp_csum_add(0, ip, sizeof(*ip)));
		p->len = ETH_HLEN + sizeof(*ip) + l4len;
		return ETH_HLEN + sizeof(*ip);
	} else {
		struct ipv6hdr *ip6 = (struct ipv6hdr *)(p->b + ETH_HLEN);

		eth->h_proto = htons(ETH_P_IPV6);
		ip6->version = 6;
		ip6->payload_len = htons((uint16_t)l4len);
		ip6->nexthdr = f->proto;
		ip6->hop_limit = 64;
		ip6->saddr = reverse ? f->d6 : f->s6;
		ip6->daddr = reverse ? f->s6 : f->d6;
		p->len = ETH_HLEN + sizeof(*ip6) + l4len;
		return ETH_HLEN + sizeof(*ip6);
	}
}

/* Transport checksum over the pseudo header. */
static inline void tp_l4_csum(struct tpkt *p, size_t thoff, int v6, uint8_t proto,
			      size_t csum_off)
{
	size_t l4len = p->len - thoff;
	uint32_t sum = 0;
	uint16_t *c = (uint16_t *)(p->b + thoff + csum_off);

	*c = 0;
	if (!v6) {
		struct iphdr *ip = (struct iphdr *)(p->b + ETH_HLEN);

		if (proto != IPPROTO_ICMP) {
			sum = tp_csum_add(sum, &ip->saddr, 8);
			sum += proto + (uint32_t)l4len;
		}
	} else {
		struct ipv6hdr *ip6 = (struct ipv6hdr *)(p->b + ETH_HLEN);

		sum = tp_csum_add(sum, &ip6->saddr, 32);
		sum += (uint32_t)l4len + proto;
	}
	sum = tp_csum_add(sum, p->b + thoff, l4len);
	*c = tp_csum_fold(sum);
	if (proto == IPPROTO_UDP && !*c)
		*c = 0xffff;
}

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

static inline void tp_tcp(struct tpkt *p, const struct tflow *f, int reverse, uint8_t flags,
			   uint32_t seq, uint32_t ack, uint16_t win, size_t paylen)
{
	size_t optlen = (flags & TH_SYN) ? 8 : 0; /* MSS + NOP NOP... keep simple */
	size_t th = tp_l3(p, f, reverse, sizeof(struct tcphdr) + optlen + paylen);
	struct tcphdr *t = (struct tcphdr *)(p->b + th);
	uint8_t *o = p->b + th + sizeof(*t);

	t->source = htons(reverse ? f->dport : f->sport);
	t->dest = htons(reverse ? f->sport : f->dport);
	t->seq = htonl(seq);
	t->ack_seq = htonl(ack);
	t->doff = (uint16_t)((sizeof(*t) + optlen) / 4);
	((uint8_t *)t)[13] = flags;
	t->window = htons(win);
	if (optlen) {
		o[0] = 2; o[1] = 4; o[2] = 0x05; o[3] = 0xb4; /* MSS 1460 */
		o[4] = 1; o[5] = 3; o[6] = 3; o[7] = 7;	/* NOP, wscale 7 */
	}
	memset(o + optlen, 'x', paylen);
	tp_l4_csum(p, th, f->v6, IPPROTO_TCP, 16);
}

static inline void tp_udp(struct tpkt *p, const struct tflow *f, int reverse, size_t paylen)
{
	size_t th = tp_l3(p, f, reverse, sizeof(struct udphdr) + paylen);
	struct udphdr *u = (struct udphdr *)(p->b + th);

	u->source = htons(reverse ? f->dport : f->sport);
	u->dest = htons(reverse ? f->sport : f->dport);
	u->len = htons((uint16_t)(sizeof(*u) + paylen));
	memset(p->b + th + sizeof(*u), 'u', paylen);
	tp_l4_csum(p, th, f->v6, IPPROTO_UDP, 6);
}

/* ICMP(v6) query (echo etc.): f->sport is the identifier. */
static inline void tp_icmp(struct tpkt *p, const struct tflow *f, int reverse, uint8_t type,
			   uint8_t code, size_t paylen)
{
	size_t th = tp_l3(p, f, reverse, 8 + paylen);
	uint8_t *h = p->b + th;

	h[0] = type;
	h[1] = code;
	h[4] = (uint8_t)(f->sport >> 8);
	h[5] = (uint8_t)f->sport;
	h[7] = 1;
	memset(h + 8, 'i', paylen);
	tp_l4_csum(p, th, f->v6, f->v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP, 2);
}

/* ICMP(v6) error from `router` (network order v4 / in6) to the source of
 * the quoted IP packet q (a frame built by the helpers above). */
static inline void tp_icmp_err(struct tpkt *p, const struct tpkt *q, int v6, const void *router,
			       uint8_t type, uint8_t code, size_t quote)
{
	size_t qlen = q->len - ETH_HLEN, th;
	struct tflow f = { .v6 = v6, .proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP };

	if (qlen > quote)
		qlen = quote;
	if (!v6) {
		const struct iphdr *qi = (const struct iphdr *)(q->b + ETH_HLEN);

		memcpy(&f.s4, router, 4);
		f.d4 = qi->saddr;
	} else {
		const struct ipv6hdr *qi = (const struct ipv6hdr *)(q->b + ETH_HLEN);

		memcpy(&f.s6, router, 16);
		f.d6 = qi->saddr;
	}
	th = tp_l3(p, &f, 0, 8 + qlen);
	p->b[th] = type;
	p->b[th + 1] = code;
	memcpy(p->b + th + 8, q->b + ETH_HLEN, qlen);
	tp_l4_csum(p, th, v6, f.proto, 2);
}

#endif
