/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the codegen unit tests: a private network namespace, packet
 * builders, and a runner that executes the real entry program (which
 * tail-calls the generated one) with BPF_PROG_TEST_RUN.
 */
#ifndef BNFT_TEST_CODEGEN_LIB_H
#define BNFT_TEST_CODEGEN_LIB_H

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>

#include "daemon/lib/load.h"
#include "parser/erec.h"
#include "parser/parse.h"
#include "parser/ruleset.h"
#include "translator/codegen.h"
#include "translator/lower.h"

/* Own netns with lo up, so FIB lookups and ifindexes are ours alone. */
static inline int tl_private_netns(void)
{
	struct ifreq ifr;
	int s;

	if (unshare(CLONE_NEWNET))
		return -errno;
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	close(s);
	return 0;
}

struct tl_pkt {
	uint8_t b[512];
	size_t len;
};

static inline uint16_t tl_csum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)b[i] << 8 | b[i + 1];
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return htons((uint16_t)~s);
}

static inline void tl_eth(struct tl_pkt *p, uint16_t proto)
{
	static const uint8_t dst[6] = { 2, 0, 0, 0, 0, 2 }, src[6] = { 2, 0, 0, 0, 0, 1 };

	memcpy(p->b, dst, 6);
	memcpy(p->b + 6, src, 6);
	p->b[12] = (uint8_t)(proto >> 8);
	p->b[13] = (uint8_t)proto;
	p->len = 14;
}

/* L4 header bytes for proto: tcp/udp ports, icmp type. */
static inline size_t tl_l4(uint8_t *l4, uint8_t proto, uint16_t sport, uint16_t dport)
{
	switch (proto) {
	case IPPROTO_TCP:
		memset(l4, 0, 20);
		*(uint16_t *)l4 = htons(sport);
		*(uint16_t *)(l4 + 2) = htons(dport);
		l4[12] = 5 << 4;
		l4[13] = 0x02; /* SYN */
		return 20;
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		memset(l4, 0, 12);
		*(uint16_t *)l4 = htons(sport);
		*(uint16_t *)(l4 + 2) = htons(dport);
		*(uint16_t *)(l4 + 4) = htons(12);
		return proto == IPPROTO_UDP ? 12 : 12;
	default: /* icmp / icmpv6: type in dport, code 0 */
		memset(l4, 0, 8);
		l4[0] = (uint8_t)dport;
		return 8;
	}
}

static inline void tl_ip4(struct tl_pkt *p, const char *src, const char *dst, uint8_t proto,
			  uint16_t sport, uint16_t dport, uint16_t frag_off)
{
	uint8_t *ip;
	size_t l4len;

	tl_eth(p, ETH_P_IP);
	ip = p->b + 14;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[8] = 64;
	ip[9] = proto;
	*(uint16_t *)(ip + 6) = htons(frag_off);
	inet_pton(AF_INET, src, ip + 12);
	inet_pton(AF_INET, dst, ip + 16);
	l4len = tl_l4(ip + 20, proto, sport, dport);
	*(uint16_t *)(ip + 2) = htons((uint16_t)(20 + l4len));
	*(uint16_t *)(ip + 10) = tl_csum(ip, 20);
	p->len = 14 + 20 + l4len;
}

/* IPv6 with optional extension headers: exts is a list of next-header
 * numbers (hop-by-hop 0, routing 43, dest opts 60, fragment 44), each 8
 * bytes long. */
static inline void tl_ip6(struct tl_pkt *p, const char *src, const char *dst, uint8_t proto,
			  uint16_t sport, uint16_t dport, const uint8_t *exts, size_t nexts)
{
	uint8_t *ip, *h;
	size_t i, l4len;

	tl_eth(p, ETH_P_IPV6);
	ip = p->b + 14;
	memset(ip, 0, 40);
	ip[0] = 0x60;
	ip[7] = 64;
	inet_pton(AF_INET6, src, ip + 8);
	inet_pton(AF_INET6, dst, ip + 24);
	ip[6] = nexts ? exts[0] : proto;
	h = ip + 40;
	for (i = 0; i < nexts; i++, h += 8) {
		memset(h, 0, 8);
		h[0] = i + 1 < nexts ? exts[i + 1] : proto;
		h[1] = 0;
	}
	l4len = tl_l4(h, proto, sport, dport);
	*(uint16_t *)(ip + 4) = htons((uint16_t)(h - ip - 40 + l4len));
	p->len = (size_t)(h - p->b) + l4len;
}

/* Runs the entry program; returns the TC verdict or a negative errno. */
static inline int tl_run(struct bnft_live *lv, const struct tl_pkt *p, bool egress, int ifindex)
{
	struct __sk_buff ctx;
	DECLARE_LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p->b, .data_size_in = (uint32_t)p->len,
			    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = 1);
	int err;

	memset(&ctx, 0, sizeof(ctx));
	ctx.ifindex = (uint32_t)ifindex;
	ctx.ingress_ifindex = egress ? 0 : (uint32_t)ifindex;
	err = bpf_prog_test_run_opts(bnft_live_entry_fd(lv, egress), &o);
	if (err)
		return -errno;
	return (int)o.retval;
}

/* Compiles ir and loads it into the unpinned live state *lv (created on
 * first use and kept: later loads are generation swaps, and the entry
 * object, conntrack included, is verified once per test binary). */
static inline int tl_load(const struct bnft_ir *ir, struct bnft_live **lv, struct bnft_err *e)
{
	struct bnft_prog_set *ps = NULL;
	struct bnft_load_stats st;
	int err;

	err = bnft_compile(ir, &ps, e);
	if (err)
		return err;
	err = *lv ? bnft_live_sync_ifaces(*lv) : bnft_live_open(NULL, true, lv);
	if (err >= 0) {
		err = bnft_live_load(*lv, ps, &st);
		if (err && st.verifier_log[0])
			fprintf(stderr, "verifier: %s\n", st.verifier_log);
	}
	bnft_prog_set_free(&ps);
	return err;
}

/* A ruleset text through the front end (parse, evaluate, lower) into *ir
 * (which keeps no pointer into the ruleset); front-end errors go to stderr.
 * 0 or -EINVAL. */
static inline int tl_front(const char *text, struct bnft_ir **ir)
{
	struct output_ctx octx = { 0 };
	struct ruleset_src src;
	struct bnft_ruleset rs;
	struct parse_ctx pctx;
	struct error_record *r;
	LIST_HEAD(msgs);
	int err = 0;

	*ir = NULL;
	ruleset_src_init(&src);
	bnft_ruleset_init(&rs);
	parse_ctx_init(&pctx, &src, &msgs);
	if (bnft_parse_buffer(&pctx, text, "<test>") < 0 ||
	    bnft_evaluate(&rs, &src, &msgs, &octx, NULL) < 0 || bnft_lower(&rs, ir, &msgs) < 0) {
		list_for_each_entry(r, &msgs, list)
			fprintf(stderr, "front end: %s\n", r->msg);
		bnft_ir_free(ir);
		err = -EINVAL;
	}
	erec_free_list(&msgs);
	parse_ctx_release(&pctx);
	ruleset_src_release(&src);
	bnft_ruleset_release(&rs);
	return err;
}

#define ACC TC_ACT_OK
#define DRP TC_ACT_SHOT

#endif
